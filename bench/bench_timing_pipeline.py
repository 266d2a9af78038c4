"""Timing pipeline: from bytes written to a pty until the journal rows are durable (issue #13).

Three arrangements, each run ``BENCH_RUNS`` times (3) in turn, on one event
file each (500 riders registered and queued, 400 finished, two on course),
all on this machine's 2 cores:

* **bare**: a plain pyserial loop doing the same durable inserts (the raw
  chunk and one row per line, one transaction per chunk, WAL,
  ``synchronous=FULL``; bench/bare_loop.py, a process of its own), nothing
  else running: the reference;
* **process**: the real arrangement, what ``trackside run --port PTY`` builds:
  the app (bench/timing_app_load.py: headless, 500 standings, two riders on
  course, switching screens every 0.25 s) starts the recorder process for the
  port (``trackside timing listen``, its child, which raises its priority if
  it may) and lowers its own priority beside it. A second bare loop runs
  beside it at the recorder's priority, on a file of its own: the paced
  impulses go to the two in turn, 50 ms apart, so the reference is measured
  at the same moments, on the same disk (whose fsync tail changes from one
  minute to the next by more than the difference measured);
* **in-process**: the app reading the timer in a thread of its own
  interpreter (``app.connect_timer``), as before the process split.

This process writes pad lines into the pty and, from a thread, polls the
event file (``PRAGMA data_version``, then the new impulse rows) every 0.5 ms:
a row seen there is committed (and so on disk). Figures:

* write → durable p50/p99: ``PACED`` host-stamped pad impulses at 10/s (to
  each target: the process run's two alternate); the ratio to the bare loop
  beside it (same moments) and to the bare run before it (the minute before);
* host-stamp error p50/p99: the recorder's stamp (``impulses.host_ns``,
  ``CLOCK_MONOTONIC`` like the write time) minus the write time, same impulses;
* sustained impulses/s: ``BURST`` (10 000) clocked pad impulses written as
  fast as the pty takes them, from the first write to the last durable row;
  lost = written − recorded after the burst settled;
* max WAL: the largest ``-wal`` file seen by the poller during the burst.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hardware.impulse import Channel  # noqa: E402
from hardware.protocols.pad import encode_line  # noqa: E402

S = 1_000_000_000
RUNS = int(os.environ.get("BENCH_RUNS", 3))
PACED = int(os.environ.get("BENCH_PACED", 200))
BURST = int(os.environ.get("BENCH_BURST", 10_000))
BOOT = 0x5A
RIDERS = 500  # in the standings the app draws
FINISHED = 400
SETTLE_S = 600.0  # a guard only: an arrangement that has not written everything by then has lost it


def paced_lines() -> list[tuple[int, bytes]]:
    """Host-stamped (``-``) impulses, what a home-built pad sends: S S F S F … (one more on course)."""
    channels = ["S"] + ["S" if k % 2 == 0 else "F" for k in range(PACED - 2)] + ["F"]
    return [(seq, encode_line(boot=BOOT, seq=seq, channel_raw=ch, millis=None))
            for seq, ch in enumerate(channels, start=1)]


def burst_lines() -> list[tuple[int, bytes]]:
    """Clocked impulses (a second pad, its own clock): a start every 20 s, each finish 41 s after it."""
    events = []
    for k in range(BURST // 2):
        events.append((k * 20_000, "S"))
        events.append((k * 20_000 + 41_000, "F"))
    events.sort()
    first = PACED + 1
    return [(first + i, encode_line(boot=BOOT + 1, seq=first + i, channel_raw=ch, millis=1_000_000 + ms))
            for i, (ms, ch) in enumerate(events[:BURST])]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_event(folder: Path) -> str:
    """500 riders in the standings (400 finished, two on course), and a queue for every start to come.

    The course is the bundled one with ``min_run`` 50 ms and ``double_trigger`` 20 ms, so the
    paced host-stamped impulses (a start or finish every 100 ms) pair into runs like real ones.
    """
    from competition import start_queue, timing
    from competition.event import Event
    from courses.loader import load_course
    from tests.web_free_helpers import pad_impulse

    db = folder / "bench.db"
    course = load_course(None).model_copy(update={"min_run_ns": 50_000_000, "double_trigger_ns": 20_000_000})
    ev = Event.create(db, title="基准测试", course=course, day="2026-12-02")
    last = RIDERS + BURST // 2 + PACED // 2 + 2
    with ev.store.transaction():
        for bib in range(1, last + 1):
            ev.store.append("entrant_registered", {
                "bib": bib, "name": f"选手{bib}", "phone": f"139{bib:08d}", "platform": ["美团", "饿了么"][bib % 2],
                "station": None, "gender": None, "id_number": None, "note": None, "extra": {}, "initials": f"xs{bib}"})
    start_queue.check_in(ev, list(range(1, FINISHED + 3)))
    t = time.monotonic_ns() - 3600 * S
    seq = 0
    for i in range(FINISHED):
        seq += 2
        timing.record_impulse(ev, pad_impulse(Channel.START, t, seq - 1, device="pad:setup"), track=1)
        timing.record_impulse(ev, pad_impulse(Channel.FINISH, t + (40 + i % 20) * S + i * 7_000_000, seq,
                                              device="pad:setup"), track=1)
        t += 60 * S
    now = time.monotonic_ns()
    for k in range(2):  # two riders on course all along
        seq += 1
        timing.record_impulse(ev, pad_impulse(Channel.START, now - (30 - 10 * k) * S, seq, device="pad:setup"),
                              track=1)
    start_queue.check_in(ev, list(range(FINISHED + 3, last + 1)))  # the rest wait for a start
    ev.close()
    return str(db)


class Poller:
    """Sees committed impulse rows from another connection, and the WAL's size."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.seen: dict[int, int] = {}  # device_seq -> monotonic ns when first seen committed
        self.host_ns: dict[int, int] = {}
        self.max_wal = 0
        self.watch_wal = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self.db)
        last_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM impulses").fetchone()[0]
        version = None
        wal = f"{self.db}-wal"
        while not self._stop.is_set():
            now_version = conn.execute("PRAGMA data_version").fetchone()[0]
            if now_version != version:
                version = now_version
                rows = conn.execute("SELECT seq, device_seq, host_ns FROM impulses WHERE seq > ? AND device IN (?, ?)"
                                    " ORDER BY seq", (last_seq, f"pad:{BOOT:X}", f"pad:{BOOT + 1:X}")).fetchall()
                now = time.monotonic_ns()
                for seq, device_seq, host_ns in rows:
                    last_seq = max(last_seq, seq)
                    self.seen.setdefault(device_seq, now)
                    self.host_ns.setdefault(device_seq, host_ns)
            if self.watch_wal:
                try:
                    self.max_wal = max(self.max_wal, os.stat(wal).st_size)
                except OSError:
                    pass
            time.sleep(0.0005)
        conn.close()

    def wait(self, count: int, guard_s: float = SETTLE_S) -> None:
        deadline = time.monotonic() + guard_s
        while len(self.seen) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def paced(targets: list[tuple[int, Poller]]) -> list[dict[str, float]]:
    """``PACED`` impulses to every target at 10/s each; with two targets they alternate, 50 ms apart.

    Two targets (the process run and the bare loop beside it) are measured at the same moments,
    so both see the same disk: on this machine the disk's fsync tail changes from one minute to
    the next by more than the difference the ratio is meant to show.
    """
    written: list[dict[int, int]] = [{} for _ in targets]
    step = 0.1 / len(targets)
    for seq, line in paced_lines():
        for k, (master, _) in enumerate(targets):
            written[k][seq] = time.monotonic_ns()
            os.write(master, line)
            time.sleep(step)
    figures = []
    for (_, poller), sent in zip(targets, written, strict=True):
        poller.wait(PACED)
        lat = [(poller.seen[s] - sent[s]) / 1e6 for s in range(1, PACED + 1) if s in poller.seen]
        stamp = [(poller.host_ns[s] - sent[s]) / 1e6 for s in range(1, PACED + 1) if s in poller.host_ns]
        figures.append({
            "p50": statistics.median(lat), "p99": percentile(lat, 0.99),
            "stamp_p50": statistics.median(stamp) if stamp else float("nan"),
            "stamp_p99": percentile(stamp, 0.99) if stamp else float("nan"),
        })
    return figures


def burst(master: int, poller: Poller) -> dict[str, float]:
    """``BURST`` clocked impulses as fast as the pty takes them; the rate, the losses, the WAL."""
    lines = burst_lines()
    poller.max_wal = 0
    poller.watch_wal = True
    t0 = time.monotonic_ns()
    for _, line in lines:
        os.write(master, line)  # blocks while the pty's buffer is full: nothing is dropped here
    poller.wait(PACED + BURST)
    poller.watch_wal = False
    burst_seen = [poller.seen[s] for s, _ in lines if s in poller.seen]
    elapsed = (max(burst_seen) - t0) / S if burst_seen else float("inf")
    return {"rate": len(burst_seen) / elapsed, "lost": PACED + BURST - len(poller.seen),
            "wal_mib": poller.max_wal / 2**20}


def drive(master: int, poller: Poller) -> dict[str, float]:
    """The same two phases for every arrangement run alone; the figures."""
    return {**paced([(master, poller)])[0], **burst(master, poller)}


def drain(master: int) -> threading.Thread:
    """Reads what the recorder sends (its replay request) so the pty never fills that way."""
    def run() -> None:
        while True:
            try:
                if not os.read(master, 1024):
                    return
            except OSError:
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def wait_online(db: str, proc: subprocess.Popen[str] | None = None, guard_s: float = 60.0) -> None:
    deadline = time.monotonic() + guard_s
    conn = sqlite3.connect(db)
    try:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT COUNT(*) FROM journal WHERE kind = 'port_status'"
                               " AND payload LIKE '%\"online\":true%'").fetchone()
            if row[0]:
                time.sleep(1.0)  # the first connect's replay request is answered by silence (300 ms)
                return
            if proc is not None and proc.poll() is not None:
                raise RuntimeError("the app (and the recorder it started) exited")
            time.sleep(0.05)
    finally:
        conn.close()
    raise RuntimeError("the recorder never came online")


def start_app(db: str, timer: str | None = None, recorder: str | None = None) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(ROOT / "bench" / "timing_app_load.py"), db, *(["--timer", timer] if timer else []),
           *(["--recorder", recorder] if recorder else [])]
    app = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert app.stdout is not None
    line = app.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError(f"the app load did not start: {line!r}")
    return app


def alive(app: subprocess.Popen[str]) -> None:
    """The figures count only if the app drew all along."""
    if app.poll() is not None:
        raise RuntimeError("the app load died during the measurement: these figures are not 'app running'")


def stop(proc: subprocess.Popen[str], *, stdin_close: bool = False) -> None:
    if stdin_close and proc.stdin is not None:
        proc.stdin.close()
    else:
        proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def process_run(folder: Path) -> dict[str, float]:
    """The app with its recorder; its paced impulses interleaved with a bare loop's beside it."""
    from competition.process_priority import RECORDER_NICE

    db = make_event(folder)
    master, slave = os.openpty()
    drain(master)
    beside_db = str(folder / "beside.db")
    beside_master, beside_slave = os.openpty()
    beside, beside_nice = start_bare(beside_db, os.ttyname(beside_slave), nice=RECORDER_NICE)
    app: subprocess.Popen[str] | None = None
    try:
        app = start_app(db, recorder=os.ttyname(slave))
        wait_online(db, app)
        poller = Poller(db)
        beside_poller = Poller(beside_db)
        figures, beside_figures = paced([(master, poller), (beside_master, beside_poller)])
        beside_poller.stop()
        stop(beside, stdin_close=True)
        figures.update(burst(master, poller))
        poller.stop()
        alive(app)
    finally:
        if app is not None:
            stop(app, stdin_close=True)  # the app stops the recorder it started
        stop(beside, stdin_close=True)
        for fd in (master, slave, beside_master, beside_slave):
            os.close(fd)
    figures["recorder_nice"] = recorder_nice(db)
    figures.update({f"beside_{key}": value for key, value in beside_figures.items()})
    figures["beside_nice"] = float(beside_nice)
    return figures


def recorder_nice(db: str) -> float:
    """The priority the recorder ran at, from its health file (nan if it did not say)."""
    from competition.recorder_health import read_health

    health = read_health(db, 1)
    return float(health.nice) if health is not None and health.nice is not None else float("nan")


def in_process_run(folder: Path) -> dict[str, float]:
    db = make_event(folder)
    master, slave = os.openpty()
    drain(master)
    app = start_app(db, timer=os.ttyname(slave))
    try:
        time.sleep(1.0)  # as wait_online: the first connect's replay request goes unanswered
        poller = Poller(db)
        figures = drive(master, poller)
        poller.stop()
        alive(app)
    finally:
        stop(app, stdin_close=True)
        os.close(master)
        os.close(slave)
    return figures


def start_bare(db: str, tty: str, *, nice: int | None = None) -> tuple[subprocess.Popen[str], int]:
    """The bare loop (bench/bare_loop.py) in a process of its own; (process, its nice)."""
    cmd = [sys.executable, str(ROOT / "bench" / "bare_loop.py"), db, tty,
           *(["--nice", str(nice)] if nice is not None else [])]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if line[:2] != ["ready", "nice"]:
        raise RuntimeError(f"the bare loop did not start: {line!r}")
    return proc, int(line[2])


def bare_run(folder: Path) -> dict[str, float]:
    """A plain pyserial loop (bench/bare_loop.py): raw chunk + one row per line, one transaction per
    chunk; nothing else running."""
    path = str(folder / "bare.db")
    master, slave = os.openpty()
    proc, _ = start_bare(path, os.ttyname(slave))
    poller = Poller(path)
    try:
        figures = drive(master, poller)
    finally:
        poller.stop()
        stop(proc, stdin_close=True)
        os.close(master)
        os.close(slave)
    return figures


ARRANGEMENTS = (("bare", bare_run), ("process", process_run), ("in-process", in_process_run))


def main() -> None:
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _ in ARRANGEMENTS}
    for run in range(1, RUNS + 1):
        for name, fn in ARRANGEMENTS:
            with tempfile.TemporaryDirectory() as tmp:
                fig = fn(Path(tmp))
            results[name].append(fig)
            load = os.getloadavg()[0]  # the machine is shared: say how busy it was
            print(f"run {run} {name:10} load {load:4.1f}  p50 {fig['p50']:7.2f} ms  p99 {fig['p99']:7.2f} ms  "
                  f"stamp p50/p99 {fig['stamp_p50']:.3f}/{fig['stamp_p99']:.3f} ms  "
                  f"{fig['rate']:6.0f}/s  lost {fig['lost']:.0f}  WAL max {fig['wal_mib']:.1f} MiB"
                  + (f"  recorder nice {fig['recorder_nice']:.0f}" if "recorder_nice" in fig else ""), flush=True)
            if "beside_p99" in fig:
                print(f"      bare beside it (interleaved, nice {fig['beside_nice']:.0f})  p50 {fig['beside_p50']:7.2f} ms"
                      f"  p99 {fig['beside_p99']:7.2f} ms  stamp p50/p99 {fig['beside_stamp_p50']:.3f}/"
                      f"{fig['beside_stamp_p99']:.3f} ms", flush=True)
    report(results)


def report(results: dict[str, list[dict[str, float]]]) -> None:
    def each(name: str, key: str, fmt: str) -> str:
        return " / ".join(format(f[key], fmt) for f in results[name])

    bare, proc = results["bare"], results["process"]
    ratios = [p["p99"] / b["p99"] for p, b in zip(proc, bare, strict=True)]
    rows = []
    for name in ("bare", "process", "in-process"):
        rows += [
            (f"{name}: write -> durable p50 (ms, per run)", each(name, "p50", ".2f"), "-"),
            (f"{name}: write -> durable p99 (ms, per run)", each(name, "p99", ".2f"),
             "reference" if name == "bare" else "<= 1.5x bare p99 of the same run"),
            (f"{name}: host-stamp error p50 / p99 (ms, per run)",
             " ; ".join(f"{f['stamp_p50']:.3f}/{f['stamp_p99']:.3f}" for f in results[name]),
             "reference" if name == "bare" else "p99 <= 1 ms"),
            (f"{name}: sustained impulses/s, {BURST} burst (per run)", each(name, "rate", ".0f"),
             "reference" if name == "bare" else ">= 2000/s"),
            (f"{name}: impulses lost (per run)", each(name, "lost", ".0f"), "0"),
            (f"{name}: max WAL during the burst (MiB, per run)", each(name, "wal_mib", ".1f"),
             "-" if name == "bare" else "< 8 MiB"),
        ]
    beside = [p["p99"] / p["beside_p99"] for p in proc]
    rows += [
        ("bare beside the process run: write -> durable p50 (ms, per run)", each("process", "beside_p50", ".2f"),
         "-"),
        ("bare beside the process run: write -> durable p99 (ms, per run)", each("process", "beside_p99", ".2f"),
         "reference"),
        ("bare beside the process run: host-stamp error p50 / p99 (ms)",
         " ; ".join(f"{f['beside_stamp_p50']:.3f}/{f['beside_stamp_p99']:.3f}" for f in proc), "reference"),
        ("bare beside the process run: its nice (per run)", each("process", "beside_nice", ".0f"),
         "the recorder's"),
    ]
    rows.append(("process p99 / bare-beside p99, interleaved (same moments)", " / ".join(f"{r:.2f}" for r in beside),
                 "<= 1.5"))
    rows.append(("process p99 / bare p99, bare run alone before it", " / ".join(f"{r:.2f}" for r in ratios),
                 "<= 1.5"))
    rows.append(("process: the recorder's nice (per run)", each("process", "recorder_nice", ".0f"),
                 "-10 if the machine lets it raise its priority, else 0"))
    print()
    for what, fig, target in rows:
        print(f"{what:58} {fig:>34}  {target}")
    for what, fig, target in rows:
        print(f"BENCH|{what}|{fig}|{target}")


if __name__ == "__main__":
    main()
