"""Concurrent writers on one event file: lost writes, doubled check-ins, throughput.

N writer processes append journal rows at once (each acknowledges a row only
after its COMMIT returned), then all N check in the same riders at once.
Prints: acknowledged writes lost (target 0), riders queued twice (target 0),
and rows/s with N writers beside a single-writer baseline.

    python bench/bench_concurrent_writers.py [writers] [rows-per-writer]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WRITER = textwrap.dedent(
    """
    import sys, time
    from competition.errors import CommandRefused
    from competition.event import Event
    from competition.start_queue import check_in
    path, tag, rows, riders, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    ev = Event.open(path, terminal=tag)
    while time.time() < start_at:
        time.sleep(0.001)
    for i in range(rows):
        ev.store.record("note", {"w": tag, "i": i})
        print("ack", i, flush=True)  # only after COMMIT returned
    for bib in range(1, riders + 1):
        try:
            check_in(ev, [bib], track=1)
            print("queued", bib, flush=True)
        except CommandRefused:
            pass
    """
)


def run(writers: int, rows: int, riders: int) -> dict[str, float]:
    from competition.event import Event
    from courses.loader import load_course

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Event.create(db, title="bench", course=load_course(None)) as ev, ev.store.transaction():
            for bib in range(1, riders + 1):
                ev.store.append("entrant_registered", {"bib": bib, "name": f"r{bib}", "phone": f"139{bib:08d}",
                                                       "extra": {}, "initials": ""})
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKSIDE_BUSY_TIMEOUT_MS": "60000"}
        start_at = time.time() + 1.0
        procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"w{n}", str(rows), str(riders),
                                   str(start_at)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
                 for n in range(writers)]
        acked: set[tuple[str, int]] = set()
        queued = 0
        for n, proc in enumerate(procs):
            out, _ = proc.communicate(timeout=600)
            for line in out.split("\n"):
                if line.startswith("ack "):
                    acked.add((f"w{n}", int(line.split()[1])))
                elif line.startswith("queued "):
                    queued += 1
        elapsed = time.time() - start_at
        with Event.open(db) as ev:
            present = {(p["w"], p["i"]) for p in
                       (json.loads(r["payload"]) for r in ev.store.query("SELECT payload FROM journal WHERE kind = 'note'"))}
            doubled = ev.store.query("SELECT COUNT(*) AS n FROM (SELECT bib FROM queue WHERE state = 'waiting'"
                                     " GROUP BY bib HAVING COUNT(*) > 1)")[0]["n"]
        return {"lost": len(acked - present), "acked": len(acked), "doubled": doubled, "queued": queued,
                "rows_per_s": (writers * rows + riders) / elapsed}


def main() -> None:
    writers = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    riders = 40
    single = run(1, writers * rows, riders)
    many = run(writers, rows, riders)
    rows_out = [
        (f"concurrent-writer lost writes ({writers} procs, {many['acked']:.0f} acked)", f"{many['lost']:.0f}", "0"),
        ("single-writer lost writes (baseline)", f"{single['lost']:.0f}", "0"),
        (f"riders queued twice ({writers} desks, {riders} riders)", f"{many['doubled']:.0f}", "0"),
        (f"durable rows/s, {writers} writers", f"{many['rows_per_s']:.0f}", "-"),
        ("durable rows/s, 1 writer (baseline)", f"{single['rows_per_s']:.0f}", "-"),
    ]
    print(f"{'what':58} {'figure':>10}  target")
    for what, fig, target in rows_out:
        print(f"{what:58} {fig:>10}  {target}")
    for what, fig, target in rows_out:
        print(f"BENCH|{what}|{fig}|{target}")


if __name__ == "__main__":
    main()
