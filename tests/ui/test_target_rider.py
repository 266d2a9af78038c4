"""Issue 12: one rider a key acts on — shown, moved by rule, never stale (repros first)."""

from __future__ import annotations

import time

from competition import start_queue, timing
from competition.event import Event
from competition.tui.screens.timing import TimingScreen
from competition.tui.widgets.penalty_panel import PenaltyPanel
from hardware.impulse import Channel
from tests.conftest import register
from tests.ui.helpers import T0, PinnedClock, RecorderStandIn, S, make_app, notifications, penalties


def _panel_text(screen: TimingScreen) -> str:
    return screen.query_one(PenaltyPanel).render().plain.replace("\u00a0", " ")  # type: ignore[attr-defined]


async def test_target_leaves_a_rider_who_finishes_while_another_rides(event: Event) -> None:
    """Repro: the target stayed on the finisher; the next digit + letter went to him."""
    register(event, 3)
    start_queue.check_in(event, [1, 2])
    clock = PinnedClock()
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        recorder.impulse(Channel.START, T0 + 15 * S)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        await pilot.press("4", "d")  # the call goes to bib 1 (oldest, nearest 绕杆)
        assert penalties(event)[-1]["bib"] == 1
        assert screen.target().bib == 1  # type: ignore[union-attr]
        clock.now = T0 + 40 * S
        recorder.impulse(Channel.FINISH, T0 + 40 * S)  # bib 1 finishes; bib 2 still rides
        await pilot.pause()
        assert screen.target().bib == 2  # type: ignore[union-attr]
        assert "2 号" in _panel_text(screen)
        await pilot.press("2", "p")
        assert penalties(event)[-1]["bib"] == 2
        assert any("2 号" in n for n in notifications(app))
        recorder.close()


async def test_chosen_rider_is_released_when_he_finishes(event: Event) -> None:
    register(event, 3)
    start_queue.check_in(event, [1, 2])
    clock = PinnedClock()
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        recorder.impulse(Channel.START, T0 + 15 * S)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        await pilot.press("down")  # the referee chooses bib 2
        assert screen.target().bib == 2  # type: ignore[union-attr]
        clock.now = T0 + 41 * S
        recorder.impulse(Channel.FINISH, T0 + 40 * S)  # bib 1 finishes: bib 2 stays chosen
        await pilot.pause()
        assert screen.target().bib == 2  # type: ignore[union-attr]
        clock.now = T0 + 60 * S
        recorder.impulse(Channel.FINISH, T0 + 60 * S)  # bib 2 finishes, nobody rides
        await pilot.pause()
        assert screen.target().bib == 2 and not screen.target().on_course  # type: ignore[union-attr]
        assert "15" in _panel_text(screen) or "14" in _panel_text(screen)  # the grace countdown shows
        clock.now = T0 + 76 * S  # the grace window is over
        screen.tick()
        await pilot.pause()
        assert screen.target() is None
        before = len(penalties(event))
        await pilot.press("4", "d")
        assert len(penalties(event)) == before  # no call lands on a rider no longer eligible
        recorder.close()


async def test_dnf_refused_for_a_rider_with_a_time(event: Event) -> None:
    """Repro: `d` offered DNF for a rider with an OK time."""
    register(event, 2)
    start_queue.check_in(event, [1])
    clock = PinnedClock()
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        clock.now = T0 + 45 * S
        recorder.impulse(Channel.FINISH, T0 + 45 * S)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        assert screen.target().bib == 1  # type: ignore[union-attr]  # just finished, in the grace window
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, TimingScreen)  # no reason dialog
        assert any("1 号" in n and "45.00" in n for n in notifications(app))
        assert event.store.query("SELECT status FROM runs")[0]["status"] == "OK"
        recorder.close()


async def test_manual_finish_and_undo_start_act_on_the_selected_rider(event: Event) -> None:
    """Repro: `f` and `v` acted on the oldest rider on course, whoever was selected."""
    register(event, 3)
    start_queue.check_in(event, [1, 2, 3])
    # A manual finish is stamped with the real monotonic clock: start the riders a minute before it.
    t0 = time.monotonic_ns() - 60 * S
    app = make_app(event, PinnedClock(t0 + 50 * S))
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, t0)
        recorder.impulse(Channel.START, t0 + 15 * S)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        await pilot.press("down")
        assert screen.target().bib == 2  # type: ignore[union-attr]
        await pilot.press("f")
        await pilot.pause()
        runs = {r["bib"]: r for r in event.store.query("SELECT * FROM runs")}
        assert runs[2]["state"] == "finished" and runs[1]["state"] == "on_course"
        assert any("2 号" in n for n in notifications(app))
        # v: undo the start of the selected rider (bib 1, the only one on course)
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReasonDialog"
        assert "1 号" in app.screen.title_text  # type: ignore[attr-defined]
        await pilot.press(*"抢跑", "enter")
        await pilot.pause()
        assert timing.on_course(event) == []
        recorder.close()


async def test_up_down_move_the_target_at_80x24(event: Event) -> None:
    """Repro: at 80×24 ↑/↓ did not move the target although the footer said so."""
    register(event, 4)
    start_queue.check_in(event, [1, 2, 3])
    app = make_app(event)
    async with app.run_test(size=(80, 24)) as pilot:
        recorder = RecorderStandIn(event, app)
        for i in range(3):
            recorder.impulse(Channel.START, T0 + i * 10 * S)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        assert screen.target().bib == 1  # type: ignore[union-attr]
        await pilot.press("down")
        assert screen.target().bib == 2  # type: ignore[union-attr]
        await pilot.press("down")
        assert screen.target().bib == 3  # type: ignore[union-attr]
        await pilot.press("up", "up")
        assert screen.target().bib == 1  # type: ignore[union-attr]
        assert "1 号" in _panel_text(screen)
        recorder.close()


async def test_confirmed_run_takes_no_new_penalty(event: Event) -> None:
    """Repro: a confirmed run (✔) still took new penalties silently."""
    register(event, 2)
    start_queue.check_in(event, [1])
    clock = PinnedClock()
    app = make_app(event, clock, operator="王裁判长")
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        clock.now = T0 + 45 * S
        recorder.impulse(Channel.FINISH, T0 + 45 * S)
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert event.store.query("SELECT confirmed FROM runs")[0]["confirmed"] == 1
        await pilot.press("4", "d")
        await pilot.pause()
        assert penalties(event) == []
        assert any("已确认" in n and "1 号" in n for n in notifications(app))
        recorder.close()


async def test_footer_lists_infraction_letters_while_armed(event: Event) -> None:
    """Repro: while a segment was armed the footer still listed s/f/d/q."""
    register(event, 2)
    start_queue.check_in(event, [1, 2])
    app = make_app(event)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        shown = {b.binding.key for b in screen.active_bindings.values() if b.binding.show and b.enabled}
        assert "s" in shown and "d" in shown
        await pilot.press("4")
        await pilot.pause()
        shown = {b.binding.key: b.binding.description for b in screen.active_bindings.values()
                 if b.binding.show and b.enabled}
        assert shown.get("d") == "倒杆出框"
        assert shown.get("s") == "双脚着地" or "s" not in shown or "手动" not in shown["s"]
        assert "q" not in shown  # DSQ is not a letter of 绕杆
        assert "f" not in shown or "手动" not in shown["f"]
        recorder.close()
