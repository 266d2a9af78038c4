"""Timing pipeline: from bytes written to a pty until the journal row is durable.

Runs the trackside app (headless, in this process, with its refresh loop and
live clocks) connected to one end of a real pty, and writes ALGE lines into the
other end. Prints:
  * latency from the write until the impulse's journal rows are committed
    (p50, p99), paced at 10 impulses/s (a real day has one every few seconds)
    with riders being started and finished, 500 riders in the standings;
  * sustained impulses per second for a burst, and how many were lost;
  * the same two figures for a bare pyserial read loop doing the same durable
    inserts (raw bytes row + impulse row, WAL, synchronous=FULL), in the same run.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

S = 1_000_000_000
PACED = int(os.environ.get("BENCH_PACED", 200))
BURST = int(os.environ.get("BENCH_BURST", 800))


def alge_line(seq: int, start: bool, tod_ns: int) -> bytes:
    whole, frac = divmod(tod_ns, S)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    channel = "C0" if start else "C1"
    return f" {seq % 10000:04d} {channel}  {h:02d}:{m:02d}:{s:02d}.{frac // 100_000:04d} 00\r".encode()


def impulse_stream(n: int) -> list[tuple[int, bytes]]:
    """Start, finish 6 s later, next start 1 s after: one rider on course at a time."""
    out = []
    t = 9 * 3600 * S
    for seq in range(1, n + 1):
        start = seq % 2 == 1
        out.append((seq, alge_line(seq, start, t)))
        t += 6 * S if start else 1 * S
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_event(folder: Path, riders: int) -> str:
    from competition import start_queue
    from competition.event import Event
    from courses.loader import load_course

    db = folder / "bench.db"
    ev = Event.create(db, title="bench", course=load_course(None))
    with ev.store.transaction():
        for b in range(1, riders + 1):
            ev.store.append("entrant_registered", {"bib": b, "name": f"选手{b}", "phone": f"139{b:08d}",
                                                   "extra": {}, "initials": ""})
    start_queue.check_in(ev, list(range(1, riders + 1)))
    ev.close()
    return str(db)


def write_paced(master: int, stream: list[tuple[int, bytes]], rate: float, written: dict[int, int]) -> None:
    gap = 1.0 / rate if rate else 0.0
    for seq, line in stream:
        written[seq] = time.monotonic_ns()
        os.write(master, line)
        if gap:
            time.sleep(gap)


async def app_run(folder: Path) -> dict[str, float]:
    from competition.tui.launch import build_app

    db = make_event(folder, (PACED + BURST) // 2 + 10)
    master, slave = os.openpty()
    path = os.ttyname(slave)
    app = build_app(db, separate_recorder=False)  # this bench reads rec.pipeline: the in-process reader
    committed: dict[int, int] = {}
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.connect_timer(path, "alge", 1)
        rec = app.recorder
        assert rec is not None
        original = rec.pipeline.on_outcome

        def stamp(outcome: object) -> None:
            committed[len(committed) + 1] = time.monotonic_ns()
            if original:
                original(outcome)  # type: ignore[arg-type]

        rec.pipeline.on_outcome = stamp
        await pilot.pause(0.5)
        stream = impulse_stream(PACED + BURST)
        written: dict[int, int] = {}
        writer = threading.Thread(target=write_paced, args=(master, stream[:PACED], 10.0, written))
        writer.start()
        while writer.is_alive() or len(committed) < PACED:
            await asyncio.sleep(0.05)
            if os.environ.get("BENCH_DEBUG"):
                print(len(written), len(committed), file=sys.stderr)
            if len(committed) >= PACED and not writer.is_alive():
                break
        lat = [(committed[i] - written[i]) / 1e6 for i in range(1, PACED + 1)]
        figures["p50"] = statistics.median(lat)
        figures["p99"] = percentile(lat, 0.99)
        t0 = time.monotonic_ns()
        writer = threading.Thread(target=write_paced, args=(master, stream[PACED:], 0.0, {}))
        writer.start()
        deadline = time.monotonic() + 120
        while len(committed) < PACED + BURST and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        elapsed = (max(committed.values()) - t0) / S
        figures["rate"] = BURST / elapsed
        figures["lost"] = PACED + BURST - len(committed)
        app.disconnect_timer()
    os.close(master)
    os.close(slave)
    return figures


def bare_run(folder: Path) -> dict[str, float]:
    """A bare pyserial loop doing the same durable inserts, no framing library, no pairing, no app."""
    import serial

    db = sqlite3.connect(folder / "bare.db", isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, host_ns INTEGER, data BLOB)")
    db.execute("CREATE TABLE impulses (id INTEGER PRIMARY KEY, seq INTEGER, line TEXT, host_ns INTEGER)")
    master, slave = os.openpty()
    port = serial.Serial(os.ttyname(slave), 9600, timeout=0.05)
    committed: dict[int, int] = {}
    stop = threading.Event()

    def reader() -> None:
        buf = b""
        while not stop.is_set():
            chunk = port.read(max(1, port.in_waiting))
            if not chunk:
                continue
            host_ns = time.monotonic_ns()
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO raw (host_ns, data) VALUES (?, ?)", (host_ns, chunk))
            db.execute("COMMIT")
            buf += chunk
            while b"\r" in buf:
                line, buf = buf.split(b"\r", 1)
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT INTO impulses (seq, line, host_ns) VALUES (?, ?, ?)",
                           (int(line[1:5]), line.decode("latin-1"), host_ns))
                db.execute("COMMIT")
                committed[len(committed) + 1] = time.monotonic_ns()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    stream = impulse_stream(PACED + BURST)
    written: dict[int, int] = {}
    write_paced(master, stream[:PACED], 10.0, written)
    while len(committed) < PACED:
        time.sleep(0.01)
    lat = [(committed[i] - written[i]) / 1e6 for i in range(1, PACED + 1)]
    t0 = time.monotonic_ns()
    write_paced(master, stream[PACED:], 0.0, {})
    deadline = time.monotonic() + 120
    while len(committed) < PACED + BURST and time.monotonic() < deadline:
        time.sleep(0.01)
    elapsed = (max(committed.values()) - t0) / S
    stop.set()
    thread.join()
    port.close()
    os.close(master)
    os.close(slave)
    return {"p50": statistics.median(lat), "p99": percentile(lat, 0.99), "rate": BURST / elapsed,
            "lost": PACED + BURST - len(committed)}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = asyncio.run(app_run(Path(tmp)))
        bare = bare_run(Path(tmp))
    rows = [
        ("pty write -> durable journal, app running, p50", f"{app['p50']:.2f} ms", "< 20 ms"),
        ("pty write -> durable journal, app running, p99", f"{app['p99']:.2f} ms", "< 50 ms"),
        ("sustained impulses/s, app running (burst)", f"{app['rate']:.0f}/s", "> 50/s"),
        ("impulses lost, app running", f"{app['lost']:.0f}", "0"),
        ("bare pyserial + same inserts, p50", f"{bare['p50']:.2f} ms", "reference"),
        ("bare pyserial + same inserts, p99", f"{bare['p99']:.2f} ms", "reference"),
        ("bare pyserial + same inserts, impulses/s", f"{bare['rate']:.0f}/s", "reference"),
        ("bare pyserial, impulses lost", f"{bare['lost']:.0f}", "0"),
    ]
    for what, fig, target in rows:
        print(f"{what:50} {fig:>12}  {target}")
    for what, fig, target in rows:
        print(f"BENCH|{what}|{fig}|{target}")


if __name__ == "__main__":
    main()
