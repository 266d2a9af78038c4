"""A whole preliminary, driven by keys: check-in, impulses, penalties, DNF, a correction, standings."""

from __future__ import annotations

from competition import start_queue, timing
from competition.event import Event
from competition.tui.screens.checkin import CheckinScreen
from competition.tui.screens.journal import JournalScreen
from competition.tui.screens.standings import StandingsScreen
from competition.tui.screens.timing import TimingScreen
from competition.tui.widgets.finishers_table import FinishersTable
from hardware.impulse import Channel
from tests.conftest import register
from tests.ui.helpers import T0, PinnedClock, RecorderStandIn, S, make_app, notifications, penalties


async def test_whole_preliminary_by_keys(event: Event) -> None:
    register(event, 6)
    clock = PinnedClock()
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        # -- 签到: by bib, by pinyin initials, by phone tail --------------------------------
        await pilot.press("f2")
        assert isinstance(app.screen, CheckinScreen)
        for query in ("3", "xs1", "0005"):
            await pilot.press(*query)
            await pilot.press("enter")
            await pilot.pause()
        queue = [w["bib"] for w in start_queue.waiting(event, 1)]
        assert queue == [3, 1, 5]

        # -- 计时: two riders start; clocks run from the start impulse -------------------
        await pilot.press("f1")
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        recorder.impulse(Channel.START, T0)
        recorder.impulse(Channel.START, T0 + 15 * S)
        await pilot.pause()
        clock.now = T0 + 20 * S + 345_678_901
        screen.tick()
        clocks = screen.clocks()
        assert [c.rider.bib for c in clocks] == [3, 1]
        assert [c.shown for c in clocks] == ["20.34", "5.34"]  # truncated, never rounded

        # -- penalties by keys: segment digit then infraction letter -------------------------
        await pilot.press("4", "d")  # 绕杆 倒杆出框 +3 on the oldest rider on course
        calls = penalties(event)
        assert [(p["bib"], p["segment"], p["code"], p["withdrawn"]) for p in calls] == [(3, "raogan", "pole_down", 0)]
        await pilot.press("2", "p")  # a wrong key…
        await pilot.press("u")  # …undone at once
        assert [p["withdrawn"] for p in penalties(event)] == [0, 1]
        await pilot.press("down", "1", "z")  # the second rider: 单边桥 支脚
        assert penalties(event)[-1]["bib"] == 1
        assert "+3" in screen.clocks()[1].query_one(".clock-penalties").render().plain  # type: ignore[attr-defined]

        # -- finish: raw, penalty, result and provisional rank show ------------------------
        clock.now = T0 + 48 * S
        done = recorder.impulse(Channel.FINISH, T0 + 47_123_000_000)
        await pilot.pause()
        assert (done.bib, done.raw_ns) == (3, 47_123_000_000)
        table = screen.query_one(FinishersTable)
        assert table.cell_text(0, "col.bib") == "#3"
        assert table.cell_text(0, "col.raw") == "47.12"
        assert table.cell_text(0, "col.penalty") == "+3"
        assert table.cell_text(0, "col.adjusted") == "50.12"
        assert table.cell_text(0, "col.rank") == "1"

        # -- DNF by key for the rider still on course, with the reason modal -------------------
        await pilot.press("up")  # selection wraps: make sure the rider on course is selected
        while screen.target() is None or not screen.target().on_course:  # type: ignore[union-attr]
            await pilot.press("down")
        await pilot.press("d")
        await pilot.press(*"摔车后未完成")
        await pilot.press("enter")
        await pilot.pause()
        run_of_1 = event.store.query("SELECT * FROM runs WHERE bib = 1")[0]
        assert (run_of_1["status"], run_of_1["status_reason"]) == ("DNF", "摔车后未完成")

        # -- the third rider: manual start and a finish impulse ---------------------------------
        await pilot.press("s")
        clock.now = T0 + 120 * S
        started = timing.on_course(event, 1)
        assert [r["bib"] for r in started] == [5] and started[0]["manual"] == 1
        recorder.impulse(Channel.FINISH, started[0]["start_host_ns"] + 40 * S)
        await pilot.pause()

        # -- 记录: the head referee corrects bib 3's time; asked for the operator once -----------
        await pilot.press("f4")
        journal = app.screen
        assert isinstance(journal, JournalScreen)
        await pilot.press("slash", *"run_finished", "enter")
        await pilot.pause()
        first_bib3 = next(i for i, r in enumerate(journal.rows) if r.payload["bib"] == 3)
        journal.query_one("#journal").move_cursor(row=first_bib3)  # type: ignore[attr-defined]
        await pilot.press("t")
        await pilot.press(*["backspace"] * 10, *"46.5", "enter")  # time, then Enter moves to the reason
        await pilot.press(*"纸质记录为准", "enter")
        await pilot.press(*"王裁判长", "enter")
        await pilot.pause()
        run_of_3 = event.store.query("SELECT * FROM runs WHERE bib = 3")[0]
        assert run_of_3["raw_ns"] == 46_500_000_000
        row = event.store.query("SELECT operator, payload FROM journal WHERE kind = 'run_time_corrected'")[0]
        assert row["operator"] == "王裁判长" and "纸质记录为准" in row["payload"]
        assert app.operator == "王裁判长"

        # -- 成绩: bib 5 (40.00) beats bib 3 (46.50 + 3 = 49.50); bib 1 DNF ----------------------
        await pilot.press("f3")
        standings = app.screen
        assert isinstance(standings, StandingsScreen)
        assert standings.rank_of(5) == 1
        assert standings.rank_of(3) == 2
        assert [r["status"] for r in standings.row_values()[:3]] == ["OK", "OK", "DNF"]
        assert any("+3" in n or "纸质" in n or "已记录" in n for n in notifications(app))
        recorder.close()


async def test_penalty_goes_to_just_finished_rider_when_nobody_rides(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [2])
    app = make_app(event, PinnedClock(T0 + 31 * S))  # the finish came a second ago: late calls still go to him
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        recorder.impulse(Channel.FINISH, T0 + 30 * S)
        await pilot.pause()
        await pilot.press("0", "k")  # 全程 未戴头盔 eliminates
        assert [(p["bib"], p["code"]) for p in penalties(event)] == [(2, "no_helmet")]
        table = app.screen.query_one(FinishersTable)
        assert table.cell_text(0, "col.status") == "DSQ"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert table.cell_text(0, "col.status") == "OK"
        recorder.close()


async def test_a_rider_withdraws_at_the_desk(event: Event) -> None:
    register(event, 3)
    start_queue.check_in(event, [2])
    app = make_app(event, PinnedClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f2")
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert type(app.screen).__name__ == "FormDialog"
        await pilot.press(*"身体不适", "enter")
        await pilot.pause()
    status = event.store.query("SELECT status FROM entrants WHERE bib = 2")[0]["status"]
    assert status == "withdrawn"
    assert start_queue.waiting(event, 1) == []  # off every queue
    rows = event.store.query("SELECT payload FROM journal WHERE kind = 'entrant_withdrawn'")
    assert "身体不适" in rows[0]["payload"]
