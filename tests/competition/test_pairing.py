"""Pairing impulses into runs on a track."""

from __future__ import annotations

import time

import pytest

from competition import judging, start_queue, timing
from competition.errors import CommandRefused
from competition.event import Event
from competition.verify import verify_event
from hardware.impulse import DAY_NS, Channel, Impulse
from tests.conftest import register

S = 1_000_000_000
T0 = 14 * 3600 * S  # 14:00:00 on the timer's clock


def imp(channel: Channel, t_ns: int | None, seq: int | None, *, device: str = "alge:T1", replayed: bool = False,
        manual: bool = False, cleared: bool = False, host_ns: int | None = None) -> Impulse:
    return Impulse(
        protocol="alge", device=device, channel=channel, channel_raw={"start": "C0", "finish": "C1"}.get(channel.value, "C2"),
        device_seq=seq, device_time_ns=t_ns, clock_modulus_ns=DAY_NS if t_ns is not None else None,
        resolution_ns=100_000, host_ns=host_ns if host_ns is not None else (t_ns or 0), bib=None, manual=manual,
        replayed=replayed, cleared=cleared, bad_checksum=False, raw=b"line",
    )


@pytest.fixture
def ready(event: Event) -> Event:
    register(event, 6)
    start_queue.check_in(event, [3, 1, 2], track=1)
    return event


def test_start_takes_queue_head_and_finish_closes_oldest(ready: Event) -> None:
    a = timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    b = timing.record_impulse(ready, imp(Channel.START, T0 + 20 * S, 2), track=1)
    assert (a.disposition, a.bib, b.bib) == ("start", 3, 1)
    assert [r["bib"] for r in timing.on_course(ready, 1)] == [3, 1]
    f1 = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 45 * S + 123_400_000, 3), track=1)
    assert (f1.bib, f1.raw_ns, f1.status) == (3, 45_123_400_000, "OK")
    f2 = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 61 * S, 4), track=1)
    assert (f2.bib, f2.raw_ns) == (1, 41 * S)
    assert timing.on_course(ready, 1) == []
    assert verify_event(ready).ok


def test_double_trigger_and_too_short_are_kept_but_ignored(ready: Event) -> None:
    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    bounce = timing.record_impulse(ready, imp(Channel.START, T0 + 40_000_000, 2), track=1)
    assert bounce.disposition == "double"
    short = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 2 * S, 3), track=1)
    assert short.disposition == "too_short"
    assert [r["bib"] for r in timing.on_course(ready, 1)] == [3]
    kept = {i["seq"]: i["disposition"] for i in timing.impulses(ready)}
    assert sorted(kept.values()) == ["double", "start", "too_short"]
    assert start_queue.waiting(ready, 1)[0]["bib"] == 1  # the bounce took nobody


def test_time_limit_gives_dnf(ready: Event) -> None:
    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    out = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 181 * S, 2), track=1)
    assert (out.status, out.raw_ns) == ("DNF", 181 * S)


def test_midnight_is_crossed_exactly(ready: Event) -> None:
    start = DAY_NS - 10 * S - 1_234_500_000  # 23:59:48.7655
    timing.record_impulse(ready, imp(Channel.START, start, 1), track=1)
    out = timing.record_impulse(ready, imp(Channel.FINISH, 31 * S + 5_000_000_000 // 1000 * 0, 2), track=1)
    assert out.raw_ns == 10 * S + 1_234_500_000 + 31 * S


def test_orphans_are_visible_and_assignable(event: Event) -> None:
    register(event, 2)
    host = time.monotonic_ns()  # the host clock says how old the orphan is when it is assigned
    lone = timing.record_impulse(event, imp(Channel.START, T0, 1, host_ns=host), track=1)
    assert lone.disposition == "orphan"
    assert [o["seq"] for o in timing.orphans(event)] == [lone.seq]
    run_id = timing.assign_impulse(event, lone.seq or 0, bib=2, reason="队列漏签到")
    assert timing.on_course(event, 1)[0]["bib"] == 2
    fin = timing.record_impulse(event, imp(Channel.FINISH, T0 + 50 * S, 2, host_ns=host + 50 * S), track=1)
    assert (fin.run_id, fin.raw_ns) == (run_id, 50 * S)
    stray = timing.record_impulse(event, imp(Channel.FINISH, T0 + 70 * S, 3, host_ns=host + 70 * S), track=1)
    assert stray.disposition == "orphan"
    assert verify_event(event).ok


def test_duplicates_from_memory_replay_are_dropped(ready: Event) -> None:
    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    again = timing.record_impulse(ready, imp(Channel.START, T0, 1, replayed=True), track=1)
    assert again.disposition == "duplicate" and again.seq is None
    assert len(timing.impulses(ready)) == 1


def test_cleared_impulse_is_kept_never_used(ready: Event) -> None:
    out = timing.record_impulse(ready, imp(Channel.START, T0, 1, cleared=True), track=1)
    assert out.disposition == "unusable"
    assert timing.on_course(ready, 1) == []
    with pytest.raises(CommandRefused):
        timing.assign_impulse(ready, out.seq or 0, bib=3, reason="x")


def test_manual_finish_then_replayed_real_finish_is_a_candidate(ready: Event) -> None:
    host0 = 5_000 * S
    timing.record_impulse(ready, imp(Channel.START, T0, 1, host_ns=host0), track=1)
    # The finish cable is kicked loose; the referee keys the finish by hand.
    manual = timing.record_impulse(
        ready,
        Impulse(protocol="manual", device="keyboard", channel=Channel.FINISH, channel_raw="MF", device_seq=None,
                device_time_ns=None, clock_modulus_ns=None, resolution_ns=10_000_000, host_ns=host0 + 48 * S,
                bib=None, manual=True, replayed=False, cleared=False, bad_checksum=False, raw=b""),
        track=1,
    )
    assert manual.disposition == "finish" and manual.raw_ns == 48 * S
    run = timing.run(ready, manual.run_id or 0)
    assert run["manual"] == 1
    # The cable is back: the timer replays its memory, including the real finish.
    real = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 47_612_300_000, 2, replayed=True), track=1)
    assert (real.disposition, real.run_id) == ("candidate", manual.run_id)
    assert timing.run(ready, manual.run_id or 0)["raw_ns"] == 48 * S  # nothing replaced silently
    timing.choose_finish(ready, manual.run_id or 0, real.seq or 0, reason="计时器记忆中的真实终点")
    chosen = timing.run(ready, manual.run_id or 0)
    assert (chosen["raw_ns"], chosen["manual"], chosen["finish_seq"]) == (47_612_300_000, 0, real.seq)
    dispositions = {i["seq"]: i["disposition"] for i in timing.impulses(ready)}
    assert dispositions[manual.seq] == "replaced"
    assert verify_event(ready).ok


def test_replayed_finish_closes_a_run_left_open_by_a_crash(ready: Event) -> None:
    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    # The laptop died; on restart the timer replays the start (duplicate) and the finish.
    assert timing.record_impulse(ready, imp(Channel.START, T0, 1, replayed=True), track=1).disposition == "duplicate"
    fin = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 52 * S, 2, replayed=True), track=1)
    assert (fin.disposition, fin.bib, fin.raw_ns) == ("finish", 3, 52 * S)


def test_undo_start_requeues_at_front(ready: Event) -> None:
    out = timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    timing.undo_start(ready, out.run_id or 0, reason="抢跑")
    assert [w["bib"] for w in start_queue.waiting(ready, 1)] == [3, 1, 2]
    assert timing.orphans(ready)[0]["seq"] == out.seq
    again = timing.record_impulse(ready, imp(Channel.START, T0 + 30 * S, 2), track=1)
    assert again.bib == 3
    assert start_queue.attempts_used(ready, 3, "prelim") == 1
    assert verify_event(ready).ok


def test_undo_finish_puts_the_rider_back_on_course(ready: Event) -> None:
    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    fin = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 40 * S, 2), track=1)
    timing.undo_finish(ready, fin.run_id or 0, reason="观众触发终点")
    assert [r["bib"] for r in timing.on_course(ready, 1)] == [3]
    fin2 = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 44 * S, 3), track=1)
    assert fin2.raw_ns == 44 * S
    with pytest.raises(CommandRefused):
        timing.undo_finish(ready, fin2.run_id or 0, reason="")


def test_manual_keys_refuse_when_nothing_applies(event: Event) -> None:
    register(event, 1)
    with pytest.raises(CommandRefused, match="没有选手在赛道上"):
        timing.manual_impulse(event, track=1, channel=Channel.FINISH)
    with pytest.raises(CommandRefused, match="队列为空"):
        timing.manual_impulse(event, track=1, channel=Channel.START)
    start_queue.check_in(event, [1])
    out = timing.manual_impulse(event, track=1, channel=Channel.START)
    assert out.disposition == "start" and out.bib == 1
    fin = timing.manual_impulse(event, track=1, channel=Channel.FINISH)
    assert fin.disposition in ("finish", "too_short")


def test_tracks_are_independent(event: Event) -> None:
    register(event, 4)
    start_queue.check_in(event, [1, 2], track=1)
    start_queue.check_in(event, [3, 4], track=2)
    timing.record_impulse(event, imp(Channel.START, T0, 1, device="alge:A"), track=1)
    timing.record_impulse(event, imp(Channel.START, T0, 1, device="pad:B"), track=2)
    assert [r["bib"] for r in timing.on_course(event)] == [1, 3]
    out = timing.record_impulse(event, imp(Channel.FINISH, T0 + 33 * S, 2, device="pad:B"), track=2)
    assert out.bib == 3


def test_penalties_statuses_and_rerun(ready: Event) -> None:
    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    pid = judging.call_penalty(ready, 3, "绕杆", "碰杆")
    assert pid > 0
    judging.undo_last_penalty(ready, timing.on_course(ready)[0]["run_id"])
    fin = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 40 * S, 2), track=1)
    judging.call_penalty(ready, 3, "raogan", judging.resolve_infraction(ready, "绕杆", "碰杆")[1], count=2)
    assert len(judging.penalties_of(ready, fin.run_id or 0)) == 1
    assert len(judging.penalties_of(ready, fin.run_id or 0, include_withdrawn=True)) == 2
    with pytest.raises(CommandRefused, match="没有违规"):
        judging.call_penalty(ready, 3, "绕杆", "不存在")
    with pytest.raises(CommandRefused, match="还没有出发"):
        judging.call_penalty(ready, 2, "绕杆", "碰杆")
    judging.set_status(ready, fin.run_id or 0, "DSQ", reason="摔车")
    judging.grant_rerun(ready, fin.run_id or 0, reason="信号灯故障")
    assert start_queue.waiting(ready, 1)[0]["bib"] == 3
    assert start_queue.attempts_used(ready, 3, "prelim") == 0
    assert verify_event(ready).ok


def test_test_slaps_are_set_aside(event: Event) -> None:
    register(event, 1)
    slap = timing.record_impulse(event, imp(Channel.START, T0, 1), track=1)
    assert timing.orphans(event)[0]["seq"] == slap.seq
    timing.discard_impulse(event, slap.seq or 0, reason="试踩计时垫")
    assert timing.orphans(event) == []
    assert timing.impulses(event)[0]["disposition"] == "discarded"
    with pytest.raises(CommandRefused):
        timing.discard_impulse(event, slap.seq or 0, reason="")
    start_queue.check_in(event, [1])
    started = timing.record_impulse(event, imp(Channel.START, T0 + 30 * S, 2), track=1)
    with pytest.raises(CommandRefused, match="撤销出发"):
        timing.discard_impulse(event, started.seq or 0, reason="x")
    assert verify_event(event).ok


def test_undo_start_of_a_rider_timed_on_another_track_puts_him_at_the_front_of_his_own_queue(event: Event) -> None:
    """A rider queued on track 2 given a start from track 1 goes back to the front of track 2's queue."""
    register(event, 6)
    start_queue.check_in(event, [1, 2, 3], track=1)
    start_queue.check_in(event, [4, 5, 6], track=2)
    timing.record_impulse(event, imp(Channel.START, T0, 1), track=1)
    second = timing.record_impulse(event, imp(Channel.START, T0 + 20 * S, 2), track=1)
    timing.undo_start(event, second.run_id or 0, reason="抢跑")  # bib 2 back at the front; the impulse an orphan
    run_id = timing.assign_impulse(event, second.seq, bib=5, reason="5 号在 1 道出发", force=True)
    assert [w["bib"] for w in start_queue.waiting(event, 2)] == [4, 6]
    timing.undo_start(event, run_id, reason="发令失误")
    assert [w["bib"] for w in start_queue.waiting(event, 2)] == [5, 4, 6]
    assert [w["bib"] for w in start_queue.waiting(event, 1)] == [2, 3]
    assert verify_event(event).ok


def test_a_rerun_on_a_time_limit_dnf_leaves_it_automatic(ready: Event) -> None:
    """Found by the model-based test: a rerun's reason overwrote the time limit's, so a finish chosen
    later within the limit left the run DNF as if a referee had called it."""
    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    late = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 200 * S, 2), track=1)  # over the 3:00 limit
    assert late.status == "DNF"
    judging.grant_rerun(ready, late.run_id or 0, reason="计时故障")
    orphan = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 50 * S, 3, replayed=True), track=1)
    assert orphan.disposition == "orphan"
    timing.assign_impulse(ready, orphan.seq, run_id=late.run_id, reason="真正的到达")
    r = timing.run(ready, late.run_id or 0)
    assert (r["status"], r["raw_ns"]) == ("OK", 50 * S)
    assert verify_event(ready).ok


def test_m009_mends_a_file_written_before_the_rerun_fix(ready: Event) -> None:
    """A file whose rerun overwrote a time-limit DNF's reason verifies again after m009."""
    from competition.schema import m009_rerun_keeps_time_limit_reason

    timing.record_impulse(ready, imp(Channel.START, T0, 1), track=1)
    late = timing.record_impulse(ready, imp(Channel.FINISH, T0 + 200 * S, 2), track=1)
    judging.grant_rerun(ready, late.run_id or 0, reason="计时故障")
    with ready.store.transaction():  # what the old rerun handler left in the projection
        ready.store.conn.execute("UPDATE runs SET status_reason = '计时故障' WHERE run_id = ?", (late.run_id,))
    assert not verify_event(ready).ok
    m009_rerun_keeps_time_limit_reason(ready.store.db)
    assert verify_event(ready).ok
