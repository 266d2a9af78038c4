"""Issue 12: an orphan assignment shows the time before it is recorded; implausible runs are flagged."""

from __future__ import annotations

from competition import start_queue, timing
from competition.event import Event
from competition.tui.dialogs.assign_orphan import AssignOrphanDialog
from competition.tui.screens.timing import TimingScreen
from competition.tui.widgets.finishers_table import FinishersTable
from hardware.impulse import Channel
from tests.conftest import register
from tests.ui.helpers import T0, PinnedClock, RecorderStandIn, S, make_app


async def test_old_orphan_start_shows_its_time_and_asks_twice(event: Event) -> None:
    """Repro: a six-minute-old timer impulse, assigned with `a`, became a 6:06.87 DNF nobody saw coming."""
    register(event, 2)
    clock = PinnedClock(T0 + 366_870_000_000)
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)  # nobody queued: an orphan
        start_queue.check_in(event, [1])
        app.data_changed()
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AssignOrphanDialog)
        shown = dialog.preview_text()
        assert "6:06 前收到" in shown  # when the impulse came
        assert "从 6:06.87 开始" in shown  # what the rider's clock would read
        assert "超过限时" in shown
        await pilot.press("enter", *"计时器回放", "enter")  # first submit: the warning, nothing recorded
        await pilot.pause()
        assert isinstance(app.screen, AssignOrphanDialog)
        assert timing.on_course(event) == []
        await pilot.press("ctrl+s")  # confirmed on purpose
        await pilot.pause()
        assert isinstance(app.screen, TimingScreen)
        assert [r["bib"] for r in timing.on_course(event)] == [1]
        recorder.close()


async def test_orphan_finish_shows_the_resulting_run_time(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1])
    clock = PinnedClock(T0 + 60 * S)
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        # A finish sooner than the minimum run is "too short"; undo a start to make an orphan finish instead:
        recorder.impulse(Channel.FINISH, T0 + 41_230_000_000)
        run_id = timing.run(event, event.store.query("SELECT run_id FROM runs")[0]["run_id"])["run_id"]
        timing.undo_finish(event, run_id, reason="错给了别人")
        app.data_changed()
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AssignOrphanDialog)
        assert "用时为 41.23" in dialog.preview_text()
        assert "超过限时" not in dialog.preview_text()
        await pilot.press("enter", *"回放的真实到达", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TimingScreen)
        assert event.store.query("SELECT raw_ns FROM runs")[0]["raw_ns"] == 41_230_000_000
        recorder.close()


async def test_implausible_runs_are_flagged(event: Event) -> None:
    """Mis-paired runs (8–14 s on a 38–55 s course) are flagged on the timing screen."""
    register(event, 8)
    start_queue.check_in(event, list(range(1, 9)))
    clock = PinnedClock(T0 + 900 * S)
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        at = T0
        for raw_s in (44, 47, 51, 39, 53, 48, 9):
            recorder.impulse(Channel.START, at)
            recorder.impulse(Channel.FINISH, at + raw_s * S)
            at += 100 * S
        await pilot.pause()
        table = app.screen.query_one(FinishersTable)
        assert table.cell_text(0, "col.raw") == "9.00"
        assert "与其他选手相差悬殊" in table.cell_text(0, "col.mark")
        assert "⚠" not in table.cell_text(1, "col.mark")
        recorder.close()
