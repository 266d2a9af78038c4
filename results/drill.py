"""The fault drill: a competition on a simulated timer while things go wrong.

During the preliminary, the headless listener (``trackside timing listen``)
is killed with SIGKILL and restarted, the timer's cable is pulled and put back,
the line carries garbage and damaged checksums, and a second terminal (the
judges') writes penalty calls into the same event file. Afterwards the drill
checks what a head referee would: ``verify`` passes, every impulse the timer
sent is in the journal exactly once, and the standings equal those of an
undisturbed run of the same seed.

With ``DrillPlan(through_app=True)`` the disturbed run is read by the
trackside app instead (``trackside run --port`` on a pseudo-terminal,
``results.drill_app``): each kill is a SIGKILL of the app's recorder process,
which the app must notice and start again while it keeps running.

``python bench/bench_fault_drill.py`` runs the full size (20 kills, 20
unplugs; ``--app`` through the app); ``tests/drills`` a reduced one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from competition import judging, start_queue
from competition.entrants import import_registration
from competition.event import Event
from competition.recorder_health import read_health
from competition.registration import read_registration
from competition.registration.sample_sheet import make_clerk_csv
from competition.verify import verify_event
from courses.loader import load_course
from hardware.pty_port import open_pty_simulator
from results.drill_app import AppUnderDrill
from results.standings import build_standings

S = 1_000_000_000
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DrillPlan:
    riders: int = 16
    kills: int = 2
    unplugs: int = 2
    seed: int = 1
    speed: float = 20.0
    protocol: str = "alge"
    noise_probability: float = 0.05
    bad_checksum_probability: float = 0.05
    through_app: bool = False  # disturbed run: the app's recorder process is what gets killed


@dataclass
class DrillResult:
    disturbed: bool
    kills: int = 0
    unplugs: int = 0
    sent: int = 0
    recorded: int = 0
    missing: list[tuple[int, str]] = field(default_factory=list)
    doubled: list[tuple[int, str]] = field(default_factory=list)
    verify_ok: bool = False
    finished: int = 0
    standings: list[tuple[Any, ...]] = field(default_factory=list)
    seconds: float = 0.0
    app_exit: int | None = None  # through the app: its exit code after Ctrl-Q
    recorder_left: bool = False  # through the app: a recorder still running after the app quit


def judge_calls(bibs: list[int], seed: int) -> dict[int, list[tuple[str, str]]]:
    """What the segment judges will call for each rider: the same for a given seed."""
    course = load_course(None)
    rng = random.Random(seed * 1_000_003)
    calls: dict[int, list[tuple[str, str]]] = {}
    for bib in bibs:
        chosen = []
        for seg in course.segments:
            if rng.random() < 0.2:
                inf = rng.choice([i for i in seg.infractions if not i.eliminates])
                chosen.append((seg.code, inf.code))
        calls[bib] = chosen
    return calls


def judge_terminal(db: str, seed: int, guard_s: float) -> int:
    """The second terminal: calls each rider's penalties once the rider has a run."""
    deadline = time.monotonic() + guard_s
    with Event.open(db, operator="项目裁判", terminal="judges") as event:
        bibs = [e["bib"] for e in event.store.query("SELECT bib FROM entrants ORDER BY bib")]
        pending = {b: c for b, c in judge_calls(bibs, seed).items() if c}
        while pending and time.monotonic() < deadline:
            started = {
                r["bib"]: r["run_id"]
                for r in event.store.query("SELECT bib, run_id FROM runs WHERE state != 'void' ORDER BY run_id")
            }
            for bib in [b for b in pending if b in started]:
                for segment, code in pending.pop(bib):
                    judging.call_penalty(event, bib, segment, code, run_id=started[bib])
            time.sleep(0.1)
        return len(pending)


def _prepare(db: Path, plan: DrillPlan) -> None:
    event = Event.create(db, title="故障演练", course=load_course(None), operator="演练", demo=True)
    sheet = db.with_suffix(".csv")
    make_clerk_csv(sheet, plan.riders + 6, "gbk", seed=plan.seed)
    import_registration(event, read_registration(sheet))
    bibs = [e["bib"] for e in event.store.query("SELECT bib FROM entrants ORDER BY bib")]
    start_queue.check_in(event, bibs, track=1)
    event.close()


def _query(db: Path, sql: str) -> list[dict[str, Any]]:
    with Event.open(db) as event:
        return event.store.query(sql)


def _wait(condition: Callable[[], bool], guard_s: float) -> bool:
    deadline = time.monotonic() + guard_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def run_drill(
    workdir: Path, plan: DrillPlan, *, disturbed: bool, echo: Callable[[str], None] | None = None
) -> DrillResult:
    """One competition on a pty timer; with ``disturbed`` the faults of the plan happen during it."""
    began = time.monotonic()
    say = echo or (lambda _text: None)
    db = workdir / ("disturbed.db" if disturbed else "calm.db")
    _prepare(db, plan)
    riders = _query(db, "SELECT COUNT(*) AS n FROM entrants")[0]["n"]
    rng = random.Random(plan.seed + (7 if disturbed else 0))
    # Device times come from the simulator's virtual clock, so pacing does not
    # change any result: the undisturbed reference run may go faster.
    speed = plan.speed if disturbed else plan.speed * 4
    port = open_pty_simulator(
        plan.protocol, speed=speed, autostart=False, riders=riders, gap_ns=20 * S,
        course_ns=(38 * S, 55 * S), seed=plan.seed, noise_probability=plan.noise_probability,
        bad_checksum_probability=plan.bad_checksum_probability, bounce_probability=0.03,
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    listen = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "timing", "listen", "--port", port.path,
              "--protocol", plan.protocol, "--track", "1"]
    duration_s = (riders * 20 + 55) / speed
    result = DrillResult(disturbed)
    app = AppUnderDrill(db, url=port.path, protocol=plan.protocol) if disturbed and plan.through_app else None
    listener = None if app else subprocess.Popen(listen, env=env, stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL)
    judges = subprocess.Popen(
        [sys.executable, "-m", "results.drill", "judge", str(db), str(plan.seed), str(duration_s * 3 + 60)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        if not _wait(lambda: bool(_query(db, "SELECT 1 FROM journal WHERE kind = 'port_status'")), 30):
            raise RuntimeError("the listener never came online")
        port.start()
        t0 = time.monotonic()
        faults: list[tuple[float, str]] = []
        if disturbed:
            faults = sorted(
                [(rng.uniform(0.05, 0.9) * duration_s, "kill") for _ in range(plan.kills)]
                + [(rng.uniform(0.05, 0.9) * duration_s, "unplug") for _ in range(plan.unplugs)]
            )
        for at, what in faults:
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            if what == "kill" and app is not None:
                app.kill_recorder()  # the app starts a new one by itself
                time.sleep(rng.uniform(0.1, 0.6))
                result.kills += 1
            elif what == "kill" and listener is not None:
                os.kill(listener.pid, signal.SIGKILL)
                listener.wait()
                time.sleep(rng.uniform(0.1, 0.6))
                listener = subprocess.Popen(listen, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                result.kills += 1
            else:
                port.unplug()
                time.sleep(rng.uniform(0.1, 0.5))
                port.replug()
                result.unplugs += 1
            say(f"  {what} at {at:.1f} s")
        port.wait_done(duration_s * 3 + 60)
        _wait(lambda: _query(db, "SELECT COUNT(*) AS n FROM runs WHERE state = 'finished'")[0]["n"] >= riders,
              60)
        judges.wait(timeout=duration_s * 3 + 120)
        time.sleep(0.5)
        if app is not None:
            result.app_exit = app.quit()
            health = read_health(db, 1)
            result.recorder_left = health is not None and health.live()
        elif listener is not None:
            listener.send_signal(signal.SIGINT)
            listener.wait(timeout=30)
    finally:
        for proc in (listener, judges):
            if proc is not None and proc.poll() is None:
                proc.kill()
        if app is not None:
            app.close()
        port.close()

    sent = [(i.seq, i.channel_raw) for i in port.sent_impulses()]
    recorded = [
        (r["device_seq"], r["channel_raw"])
        for r in _query(db, "SELECT device_seq, channel_raw FROM impulses WHERE bad_checksum = 0 AND protocol != 'manual'")
    ]
    result.sent, result.recorded = len(sent), len(recorded)
    result.missing = sorted(set(sent) - set(recorded))
    seen: set[tuple[int, str]] = set()
    result.doubled = sorted({k for k in recorded if k in seen or seen.add(k)})  # type: ignore[func-returns-value]
    with Event.open(db) as event:
        result.verify_ok = verify_event(event).ok
        result.finished = event.store.query("SELECT COUNT(*) AS n FROM runs WHERE state = 'finished'")[0]["n"]
        report = build_standings(event, "prelim")
        result.standings = [
            (s.rank, s.bib, s.status, s.rider.counting.raw_ns if s.rider.counting else None,
             s.rider.counting.penalty_ns if s.rider.counting else None)
            for s in report.standings
        ]
    result.seconds = time.monotonic() - began
    return result


def main(argv: list[str]) -> int:
    if len(argv) >= 4 and argv[0] == "judge":
        return judge_terminal(argv[1], int(argv[2]), float(argv[3]))
    print("usage: python -m results.drill judge DB SEED GUARD_S", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
