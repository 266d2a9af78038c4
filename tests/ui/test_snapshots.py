"""SVG snapshots of the key screens (pinned clock, fixed data): what the referee sees.

Update after an intended change with ``pytest tests/ui --snapshot-update`` and
look at the SVGs in ``tests/ui/__snapshots__`` before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from competition import judging, start_queue, timing
from competition.event import Event
from hardware.impulse import Channel
from tests.conftest import register
from tests.ui.helpers import T0, PinnedClock, S, make_app, pad_impulse


@pytest.fixture
def race(event: Event) -> Event:
    """Eight riders: one finished with a penalty, two on course (one with a call), five waiting."""
    register(event, 8)
    start_queue.check_in(event, [4, 2, 7, 1, 3, 5, 6, 8])
    seq = iter(range(1, 100))

    def pulse(channel: Channel, at_ns: int) -> None:
        timing.record_impulse(event, pad_impulse(channel, at_ns, next(seq)), track=1)

    pulse(Channel.START, T0)
    judging.call_penalty(event, 4, "4", "d")
    pulse(Channel.FINISH, T0 + 44_561_000_000)
    pulse(Channel.START, T0 + 15 * S)
    pulse(Channel.START, T0 + 30 * S)
    judging.call_penalty(event, 2, "2", "p")
    return event


def test_timing_screen_two_riders_on_course(race: Event, snap_compare: Callable[..., bool]) -> None:
    app = make_app(race, PinnedClock(T0 + 42_567_000_000))
    assert snap_compare(app, terminal_size=(120, 36))


def test_timing_screen_segment_armed_english(race: Event, snap_compare: Callable[..., bool]) -> None:
    app = make_app(race, PinnedClock(T0 + 42_567_000_000), lang="en")
    assert snap_compare(app, press=["4"], terminal_size=(120, 36))


def test_checkin_screen(race: Event, snap_compare: Callable[..., bool]) -> None:
    app = make_app(race)
    assert snap_compare(app, press=["f2", "x", "s"], terminal_size=(120, 36))


def test_standings_screen(race: Event, snap_compare: Callable[..., bool]) -> None:
    async def go(pilot: Any) -> None:
        await pilot.press("f3")
        await pilot.pause()

    app = make_app(race)
    assert snap_compare(app, run_before=go, terminal_size=(120, 36))


def test_timing_screen_small_terminal(race: Event, snap_compare: Callable[..., bool]) -> None:
    app = make_app(race, PinnedClock(T0 + 42_567_000_000))
    assert snap_compare(app, terminal_size=(80, 24))
