"""A device's own sequence gap is flagged, and nothing pairs across it without the referee."""

from __future__ import annotations

from pathlib import Path

import pytest

from competition import sequence_gaps, start_queue, timing, timing_holds
from competition.errors import CommandRefused
from competition.event import Event
from competition.recorder import TrackPipeline
from competition.verify import verify_event
from hardware.protocols import get_protocol
from hardware.simulator import TimerSimulator
from tests.conftest import register

S = 10**9
RIDERS = 60


def play(path: Path, protocol: str, *, lose: set[int], seed: int = 7) -> tuple[TrackPipeline, list[int]]:
    """Play a preliminary through the pipeline; impulses numbered in ``lose`` never arrive (restarts)."""
    sim = TimerSimulator(protocol, riders=RIDERS, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=seed,
                         bounce_probability=0.04)
    pipe = TrackPipeline(str(path), track=1, protocol=get_protocol(protocol), port="test")
    decoder = get_protocol(protocol).new_decoder()
    gaps: list[int] = []
    pipe.on_gap = gaps.append
    n = 0
    while not sim.done:
        chunk = sim.step()
        n += 1
        if n in lose:
            continue
        pipe.bytes_received(chunk, n)
        for frame in decoder.feed(chunk, n):
            pipe.frame_decoded(frame)
    pipe.close()
    return pipe, gaps


def results(path: Path) -> dict[int, tuple[int, str]]:
    with Event.open(path) as ev:
        rows = ev.store.query("SELECT bib, raw_ns, status FROM runs WHERE state = 'finished'")
    return {r["bib"]: (r["raw_ns"], r["status"]) for r in rows}


def fresh(tmp_path: Path, name: str) -> Path:
    from courses.loader import load_course

    path = tmp_path / name
    with Event.create(path, title="t", course=load_course(None), day="2026-11-28", operator="裁判") as ev:
        register(ev, RIDERS)
        start_queue.check_in(ev, list(range(1, RIDERS + 1)), track=1)
    return path


@pytest.mark.parametrize("protocol", ["microgate", "alge", "tagheuer", "pad"])
def test_impulses_lost_in_restarts_are_flagged_and_never_silently_paired(tmp_path: Path, protocol: str) -> None:
    calm = fresh(tmp_path, "calm.db")
    _, calm_gaps = play(calm, protocol, lose=set())
    undisturbed = results(calm)
    assert len(undisturbed) == RIDERS and calm_gaps == []

    # Three restarts of the listener: 35 impulses the timer fired were never read (Microgate cannot replay).
    lost = set(range(20, 32)) | set(range(55, 67)) | set(range(90, 101))
    assert len(lost) == 35
    rough = fresh(tmp_path, "rough.db")
    pipe, flagged = play(rough, protocol, lose=lost)
    assert len(flagged) == 3  # one alarm per restart
    disturbed = results(rough)
    # Every result the pipeline gave by itself is the undisturbed one: nothing silently wrong.
    assert disturbed and all(undisturbed[bib] == value for bib, value in disturbed.items())
    with Event.open(rough, operator="裁判长") as ev:
        gaps = sequence_gaps.open_gaps(ev, 1)
        assert [g.missing for g in gaps] == [11, 12, 12]  # newest first
        assert timing_holds.hold_reason(ev, 1) == timing_holds.SEQUENCE_GAP
        # After the first gap nothing paired by itself: the rest waits for the referee as orphans.
        paired = ev.store.query("SELECT COUNT(*) AS n FROM impulses WHERE disposition IN ('start', 'finish')")[0]["n"]
        assert paired <= 19 and len(timing.orphans(ev, 1)) >= pipe.counts["orphan"] > 50
        gap = gaps[-1]
        assert "缺少脉冲" in sequence_gaps.describe(gap) and "missing" in sequence_gaps.describe(gap, "en")
        for g in gaps:
            acked = sequence_gaps.acknowledge(ev, g.seq, reason="计时器断线，相关选手重赛")
            assert acked.state == "acknowledged"
        assert sequence_gaps.open_gaps(ev, 1) == []
        with pytest.raises(CommandRefused):
            sequence_gaps.acknowledge(ev, gap.seq, reason="again")
        assert verify_event(ev).ok


def test_a_replay_that_brings_the_missing_numbers_fills_the_gap(tmp_path: Path) -> None:
    path = fresh(tmp_path, "e.db")
    sim = TimerSimulator("pad", riders=4, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=2)
    pipe = TrackPipeline(str(path), track=1, protocol=get_protocol("pad"), port="test")
    decoder = get_protocol("pad").new_decoder()
    chunks = []
    while not sim.done:
        chunks.append(sim.step())
    for i, chunk in enumerate(chunks):
        if i in (2, 3):
            continue  # lost on the wire
        for frame in decoder.feed(chunk, i + 1):
            pipe.frame_decoded(frame)
    with Event.open(path) as ev:
        (gap,) = sequence_gaps.open_gaps(ev, 1)
        assert (gap.first_missing, gap.missing) == (3, 2)
    # The timer's memory answers: the two lost impulses come back flagged as replayed.
    for frame in decoder.feed(sim.receive(b"R,2\n"), 99):
        pipe.frame_decoded(frame)
    pipe.close()
    with Event.open(path) as ev:
        assert sequence_gaps.open_gaps(ev, 1) == []
        assert [g.state for g in sequence_gaps.gaps(ev, 1)] == ["filled"]
        assert timing_holds.hold_reason(ev, 1) is None
        assert verify_event(ev).ok


def test_a_counter_that_wraps_is_no_gap(tmp_path: Path) -> None:
    from hardware.protocols.microgate import encode_racetime2

    path = fresh(tmp_path, "e.db")
    pipe = TrackPipeline(str(path), track=1, protocol=get_protocol("microgate"), port="test")
    decoder = get_protocol("microgate").new_decoder()
    tod = 10 * 3600 * S
    for k, seq in enumerate([9998, 9999, 0, 1]):
        line = encode_racetime2(seq=seq, bib=None, run=1, logical="000" if k % 2 == 0 else "255",
                                tod_ns=tod + k * 40 * S)
        for frame in decoder.feed(line, k + 1):
            pipe.frame_decoded(frame)
    line = encode_racetime2(seq=5, bib=None, run=1, logical="000", tod_ns=tod + 400 * S)
    for frame in decoder.feed(line, 9):
        pipe.frame_decoded(frame)
    pipe.close()
    with Event.open(path) as ev:
        (gap,) = sequence_gaps.gaps(ev, 1)
        assert (gap.after_seq, gap.before_seq, gap.first_missing, gap.missing) == (1, 5, 2, 3)
