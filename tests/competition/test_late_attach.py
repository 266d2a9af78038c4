"""Issue #12: the simulator started before the recorder attached; the first start was lost and
every finish closed the wrong run. A real timer also runs before the laptop connects."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from competition import start_queue, timing, timing_holds
from competition.event import Event
from competition.recorder import TimingRecorder
from competition.verify import verify_event
from hardware.protocols.base import SimulatedImpulse
from hardware.pty_port import open_pty_simulator
from hardware.simulate_main import run_simulator_on_pty
from tests.competition.test_recorder import wait_for
from tests.conftest import register

S = 10**9
RIDERS = 6


def expected_runs(sent: list[SimulatedImpulse]) -> dict[int, int]:
    """rider -> course time on the timer's clock, from what the simulated timer fired."""
    starts = {i.rider: i.device_time_ns for i in sent if i.channel.value == "start" and not i.bounce}
    finishes = {i.rider: i.device_time_ns for i in sent if i.channel.value == "finish" and not i.bounce}
    return {r: (finishes[r] - starts[r]) % (86_400 * S) for r in starts if r in finishes}  # type: ignore[operator]


def finished_runs(path: Path) -> dict[int, int]:
    with Event.open(path) as ev:
        rows = ev.store.query("SELECT bib, raw_ns FROM runs WHERE state = 'finished'")
    return {r["bib"]: r["raw_ns"] for r in rows}


@pytest.fixture
def queued(event: Event, event_path: Path) -> Path:
    register(event, RIDERS)
    start_queue.check_in(event, list(range(1, RIDERS + 1)), track=1)
    event.close()
    return event_path


@pytest.mark.parametrize("protocol", ["pad", "microgate"])
def test_simulate_started_first_then_the_recorder_attaches_late(queued: Path, tmp_path: Path, protocol: str) -> None:
    lines: list[str] = []
    link = tmp_path / "sim"
    link.mkdir()
    done = threading.Event()
    sent: list[int] = []

    def simulate() -> None:
        sent.append(run_simulator_on_pty(
            protocol, riders=RIDERS, gap_s=20, course_s=(38, 55), seed=3, speed=80.0, bounce_probability=0.0,
            noise_probability=0.0, directory=str(link), linger_s=0.5, out=lines.append,
        ))
        done.set()

    thread = threading.Thread(target=simulate, daemon=True)
    thread.start()
    assert wait_for(lambda: any("ttyTRACKSIDE0" in line for line in lines))
    time.sleep(0.5)  # the timing desk is late: 40 virtual seconds (at 80x), two starts' worth
    url = str(link / "ttyTRACKSIDE0")
    recorder = TimingRecorder(str(queued), url=url, protocol=protocol, track=1)
    recorder.start()
    try:
        assert wait_for(lambda: len(finished_runs(queued)) == RIDERS, 30)
    finally:
        recorder.stop()
        assert done.wait(30)
    runs = finished_runs(queued)
    assert sorted(runs) == list(range(1, RIDERS + 1))
    for bib, raw in runs.items():
        assert 38 * S <= raw <= 55 * S, (bib, raw)  # never an 8-14 s run on a 38-55 s course
    with Event.open(queued) as ev:
        assert timing.orphans(ev) == []
        assert verify_event(ev).ok


def test_a_timer_used_before_the_laptop_connects_is_asked_for_its_memory(queued: Path) -> None:
    # A real timer: it runs from the start; two riders went before anyone listened.
    port = open_pty_simulator("pad", speed=80.0, riders=RIDERS, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=4)
    try:
        assert wait_for(lambda: len(port.sent_impulses()) >= 2)
        recorder = TimingRecorder(str(queued), url=port.path, protocol="pad", track=1)
        recorder.start()
        try:
            assert port.wait_done(30)
            assert wait_for(lambda: recorder.pipeline.counts["orphan"] + sum(
                recorder.pipeline.counts[k] for k in ("start", "finish", "double", "too_short")) >= len(
                port.sent_impulses()), 30)
            time.sleep(0.5)
        finally:
            recorder.stop()
        assert port.host_lines()[0] == b"R,-"  # asked for the memory at the very first connect
        sent = port.sent_impulses()
    finally:
        port.close()
    with Event.open(queued) as ev:
        rows = ev.store.query("SELECT device_seq, replayed, disposition FROM impulses WHERE bad_checksum = 0")
        assert sorted(r["device_seq"] for r in rows) == sorted(i.seq for i in sent)  # nothing lost
        before = [r for r in rows if r["replayed"]]
        assert before, "the impulses fired before the connect came from the timer's memory"
        assert all(r["disposition"] == "orphan" for r in before)  # never paired by themselves
        used = {r["start_seq"] for r in ev.store.query("SELECT start_seq FROM runs")} | {
            r["finish_seq"] for r in ev.store.query("SELECT finish_seq FROM runs WHERE finish_seq IS NOT NULL")}
        replayed_seqs = {r["seq"] for r in ev.store.query("SELECT seq FROM impulses WHERE replayed = 1")}
        assert not used & replayed_seqs
        assert verify_event(ev).ok
    # Nothing paired by itself after them: a live finish of a rider who started before the session
    # would otherwise close the next rider's run (18-32 s runs on a 38-55 s course).
    assert finished_runs(queued) == {}
    with Event.open(queued, operator="裁判长") as ev:
        waiting = timing_holds.waiting_before_session(ev, 1)
        assert waiting and timing_holds.hold_reason(ev, 1) == timing_holds.BEFORE_SESSION
        timing.discard_impulse(ev, waiting[0], reason="开赛前试踩 a test slap")
        assert timing_holds.hold_reason(ev, 1) == timing_holds.BEFORE_SESSION  # the others still wait
        n = timing_holds.discard_before_session(ev, 1, reason="计时器旧记录 the timer's old memory")
        assert n == len(waiting) - 1
        assert timing_holds.hold_reason(ev, 1) is None  # the referee dealt with them: pairing resumes
        assert verify_event(ev).ok
