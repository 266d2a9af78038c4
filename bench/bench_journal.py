"""Journal durability and CLI start-up.

Prints: median and p99 time to commit one journal row durably (WAL,
synchronous=FULL, one transaction per row, as a referee action is), the same
through a full referee command (a penalty call), and `trackside --help`
start-up time.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    from competition import judging, start_queue, timing
    from competition.event import Event
    from courses.loader import load_course
    from hardware.impulse import DAY_NS, Channel, Impulse

    with tempfile.TemporaryDirectory() as tmp:
        ev = Event.create(Path(tmp) / "bench.db", title="bench", course=load_course(None))
        samples = []
        for i in range(1000):
            t0 = time.perf_counter_ns()
            ev.store.record("note", {"i": i})
            samples.append((time.perf_counter_ns() - t0) / 1e6)
        with ev.store.transaction():
            for b in range(1, 3):
                ev.store.append("entrant_registered", {"bib": b, "name": f"r{b}", "phone": f"1390000000{b}",
                                                       "extra": {}, "initials": ""})
        start_queue.check_in(ev, [1, 2])
        imp = Impulse("alge", "alge:1", Channel.START, "C0", 1, 36_000 * 10**9, DAY_NS, 100_000, 0, None,
                      False, False, False, False, b"x")
        timing.record_impulse(ev, imp, track=1)
        penalty = []
        for _ in range(300):
            t0 = time.perf_counter_ns()
            judging.call_penalty(ev, 1, "raogan", "pole_down")
            penalty.append((time.perf_counter_ns() - t0) / 1e6)
        ev.close()

    helps = []
    for _ in range(7):
        t0 = time.perf_counter_ns()
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"], capture_output=True, check=True)
        helps.append((time.perf_counter_ns() - t0) / 1e6)

    rows = [
        ("journal row commit, median", f"{statistics.median(samples):.2f} ms", "durable (fsync) per action"),
        ("journal row commit, p99", f"{pct(samples, 0.99):.2f} ms", "-"),
        ("penalty call command, median", f"{statistics.median(penalty):.2f} ms", "< 50 ms"),
        ("penalty call command, p99", f"{pct(penalty, 0.99):.2f} ms", "< 50 ms"),
        ("trackside --help start-up, median", f"{statistics.median(helps):.0f} ms", "< 300 ms"),
    ]
    print(f"{'what':40} {'figure':>12}  target")
    for what, fig, target in rows:
        print(f"{what:40} {fig:>12}  {target}")
    for what, fig, target in rows:
        print(f"BENCH|{what}|{fig}|{target}")


if __name__ == "__main__":
    main()
