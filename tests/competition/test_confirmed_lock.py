"""A confirmed run (✔) is locked: every change is refused with the reason until the head referee unlocks it."""

from __future__ import annotations

import pytest

from competition import judging, start_queue, timing
from competition.errors import CommandRefused
from competition.event import Event
from competition.verify import verify_event
from hardware.impulse import Channel
from tests.competition.test_pairing import T0, S, imp
from tests.conftest import register


@pytest.fixture
def confirmed(event: Event) -> tuple[Event, int]:
    register(event, 3)
    start_queue.check_in(event, [1, 2], track=1)
    timing.record_impulse(event, imp(Channel.START, T0, 1), track=1)
    out = timing.record_impulse(event, imp(Channel.FINISH, T0 + 45 * S, 2), track=1)
    judging.call_penalty(event, 1, "raogan", "pole_touched")
    judging.confirm_run(event, out.run_id or 0)
    return event, out.run_id or 0


def _refused(fn) -> str:
    with pytest.raises(CommandRefused) as info:
        fn()
    return info.value.message_en


def test_a_confirmed_run_takes_no_new_penalty_silently(confirmed: tuple[Event, int]) -> None:
    ev, run_id = confirmed
    before = judging.penalties_of(ev, run_id)
    assert "confirmed" in _refused(lambda: judging.call_penalty(ev, 1, "raogan", "pole_touched"))
    assert judging.penalties_of(ev, run_id) == before


def test_every_change_on_a_confirmed_run_is_refused(confirmed: tuple[Event, int]) -> None:
    ev, run_id = confirmed
    pid = judging.penalties_of(ev, run_id)[0]["penalty_id"]
    rows_before = ev.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"]
    for change in (
        lambda: judging.withdraw_penalty(ev, pid, reason="x"),
        lambda: judging.undo_last_penalty(ev, run_id),
        lambda: judging.set_status(ev, run_id, "DSQ", reason="x"),
        lambda: judging.correct_time(ev, run_id, 44 * S, reason="x"),
        lambda: judging.grant_rerun(ev, run_id, reason="x"),
        lambda: timing.undo_finish(ev, run_id, reason="x"),
    ):
        message = _refused(change)
        assert "confirmed" in message and f"#{run_id}" in message and "unconfirm" in message
    assert ev.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"] == rows_before


def test_a_replayed_finish_cannot_replace_a_confirmed_time(confirmed: tuple[Event, int]) -> None:
    ev, run_id = confirmed
    stray = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 46 * S, 3), track=1)
    assert stray.disposition == "orphan"
    assert "confirmed" in _refused(lambda: timing.assign_impulse(ev, stray.seq or 0, run_id=run_id, reason="x"))


def test_the_head_referee_unlocks_with_a_reason(confirmed: tuple[Event, int]) -> None:
    ev, run_id = confirmed
    with pytest.raises(CommandRefused):
        judging.unconfirm_run(ev, run_id, reason=" ")
    judging.unconfirm_run(ev, run_id, reason="录像复核：绕杆再碰一次")
    judging.call_penalty(ev, 1, "raogan", "pole_touched")
    assert len(judging.penalties_of(ev, run_id)) == 2
    row = ev.store.query("SELECT payload FROM journal WHERE kind = 'run_unconfirmed'")
    assert "录像复核" in row[0]["payload"]
    judging.confirm_run(ev, run_id)
    assert timing.run(ev, run_id)["confirmed"] == 1
    assert verify_event(ev).ok
