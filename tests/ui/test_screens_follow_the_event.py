"""Issue 12: every screen redraws from the event when shown or resumed, whatever the order of switches."""

from __future__ import annotations

from competition import start_queue
from competition.event import Event
from competition.timing import record_impulse
from competition.tui.screens.checkin import CheckinScreen
from competition.tui.screens.hardware import HardwareScreen
from competition.tui.screens.standings import StandingsScreen
from competition.tui.screens.timing import TimingScreen
from competition.tui.widgets.queue_list import QueueList
from hardware.impulse import Channel
from tests.conftest import register
from tests.ui.helpers import T0, PinnedClock, S, make_app, pad_impulse


async def test_screens_redraw_when_switched_back_to(event: Event) -> None:
    """Repro: F1 showed riders on course after they finished; F2 11 queued when 3 were left; F3 stale."""
    register(event, 6)
    start_queue.check_in(event, [1, 2, 3, 4, 5])
    other = Event.open(event.path, terminal="desk-2")
    seq = iter(range(1, 100))

    def pulse(channel: Channel, at: int) -> None:
        record_impulse(other, pad_impulse(channel, at, next(seq)), track=1)

    app = make_app(event, PinnedClock(T0 + 60 * S))
    async with app.run_test(size=(120, 36)) as pilot:
        # Visit every screen once so each has drawn.
        for key in ("f2", "f3", "f5", "f1"):
            await pilot.press(key)
            await pilot.pause()
        pulse(Channel.START, T0)
        pulse(Channel.START, T0 + 10 * S)
        app.poll_event_file()
        await pilot.pause()
        timing_screen = app.screen
        assert isinstance(timing_screen, TimingScreen)
        assert [c.rider.bib for c in timing_screen.clocks()] == [1, 2]
        await pilot.press("f3")  # the standings are shown while the other terminal writes
        await pilot.pause()
        pulse(Channel.FINISH, T0 + 45 * S)
        pulse(Channel.FINISH, T0 + 50 * S)
        app.poll_event_file()
        await pilot.pause()
        standings = app.screen
        assert isinstance(standings, StandingsScreen)
        assert standings.rank_of(2) == 1 and standings.rank_of(1) == 2
        await pilot.press("f5")
        await pilot.pause()
        start_queue.scratch(other, 5, reason="DNS")  # another write while F5 is shown
        app.poll_event_file()
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen is timing_screen
        assert timing_screen.clocks() == []  # both finished
        assert timing_screen.query_one(QueueList).bibs == [3, 4]
        await pilot.press("f2")
        await pilot.pause()
        checkin = app.screen
        assert isinstance(checkin, CheckinScreen)
        assert [w["bib"] for w in checkin.queue] == [3, 4]
        pulse(Channel.START, T0 + 70 * S)  # written while F2 is shown, noticed by the poll
        app.poll_event_file()
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        hardware = app.screen
        assert isinstance(hardware, HardwareScreen)
        assert hardware.query_one("#impulses").row_count == 5  # type: ignore[attr-defined]
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, StandingsScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert [c.rider.bib for c in timing_screen.clocks()] == [3]
        assert timing_screen.query_one(QueueList).bibs == [4]
    other.close()
