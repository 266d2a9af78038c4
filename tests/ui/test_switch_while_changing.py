"""A change arriving while a screen is still being put up never crashes the app (bench_timing_pipeline saw
`NoMatches '#standings'` and `NoMatches '#queue-heading'` when the poll fired mid-switch)."""

from __future__ import annotations

import pytest

from competition import start_queue
from competition.event import Event
from tests.conftest import register
from tests.ui.helpers import T0, PinnedClock, S, make_app


@pytest.mark.parametrize("mode", ["standings", "checkin", "journal", "hardware", "rounds", "paper", "timing"])
async def test_a_change_during_a_first_switch_is_drawn_once_the_screen_is_up(event: Event, mode: str) -> None:
    register(event, 3)
    app = make_app(event, PinnedClock(T0 + 60 * S))
    async with app.run_test(size=(120, 36)) as pilot:
        if mode == "timing":
            app.switch_mode("standings")
            await pilot.pause()
        app.switch_mode(mode)
        start_queue.check_in(event, [1, 2, 3])
        app.data_changed()  # the poll fires before the new screen has composed
        await pilot.pause()
        await pilot.pause()
        assert app.current_mode == mode
        assert app.screen.generation == app.generation  # it caught up once it was up
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("mode", ["standings", "timing"])
async def test_a_change_while_the_screen_is_being_taken_down_is_not_a_crash(event: Event, mode: str) -> None:
    # bench_timing_pipeline saw it on exit: the poll fired after Textual had removed the screen's
    # widgets but not yet the screen (NoMatches '#queue-heading', a traceback on the terminal).
    register(event, 3)
    app = make_app(event, PinnedClock(T0 + 60 * S))
    async with app.run_test(size=(120, 36)) as pilot:
        app.switch_mode(mode)
        await pilot.pause()
        await app.screen.query("*").remove()  # what the teardown does first
        start_queue.check_in(event, [1, 2, 3])
        app.data_changed()
        await pilot.pause()
        assert app.screen.generation < app.generation  # not drawn: it catches up if it is shown again
    assert app.return_code in (None, 0)
