"""Issue 12 wording and layout: no internal strings in the Chinese UI; 80×24 keeps what a referee needs."""

from __future__ import annotations

import re

import pytest

from competition import judging, start_queue, timing
from competition.event import Event
from competition.tui.dialogs.palette import LocalizedPalette
from competition.tui.widgets.fitted_table import Col, fit_columns
from hardware.impulse import Channel
from tests.conftest import register
from tests.ui.helpers import T0, PinnedClock, S, make_app, pad_impulse, screen_text


@pytest.fixture
def day(event: Event) -> Event:
    """Nine riders, a penalty, finishes, an entrant edit and an orphan: rows of every common kind."""
    register(event, 9)
    start_queue.check_in(event, list(range(1, 9)))
    seq = iter(range(1, 100))

    def pulse(channel: Channel, at_ns: int) -> None:
        timing.record_impulse(event, pad_impulse(channel, at_ns, next(seq)), track=1)

    at = T0
    for raw in (44, 47, 51):
        pulse(Channel.START, at)
        pulse(Channel.FINISH, at + raw * S)
        at += 60 * S
    judging.call_penalty(event, 2, "2", "p")
    pulse(Channel.START, at)
    from competition import entrants

    entrants.edit_entrant(event, 5, {"phone": "13812345678"}, reason="报名表写错")
    start_queue.scratch(event, 8, reason="DNS")
    return event


ENGLISH_OR_INTERNAL = re.compile(r"Search for commands|[a-z]+_[a-z_]+|[a-z]+/[a-z_]+|seq=None|\{'|None\b")


async def test_80x24_keeps_title_status_column_and_notes(day: Event) -> None:
    app = make_app(day, PinnedClock(T0 + 200 * S))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert day.title in text.splitlines()[0]  # the event title on the first line
        assert "备注" in text  # the finishers' notes column
        await pilot.press("f2")
        await pilot.pause()
        text = screen_text(app)
        assert "状态" in text and "已完成" in text and "赛道上" in text  # the check-in status column
        await pilot.press("f3")
        await pilot.pause()
        text = screen_text(app)
        assert "备注" in text and "晋级线" in text and "赛道上" in text  # the standings notes
        assert day.title in text.splitlines()[0]


async def test_no_internal_strings_reach_the_chinese_screens(day: Event) -> None:
    app = make_app(day, PinnedClock(T0 + 200 * S))
    async with app.run_test(size=(120, 36)) as pilot:
        for key in ("f1", "f2", "f3", "f4", "f5"):
            await pilot.press(key)
            await pilot.pause()
            text = screen_text(app)
            found = [m.group(0) for m in ENGLISH_OR_INTERNAL.finditer(text)]
            # Ports and the protocol name are device words, not ours.
            found = [f for f in found if not f.startswith(("tty", "dev/"))]
            assert found == [], (key, found)
        await pilot.press("f4")
        await pilot.pause()
        journal = screen_text(app)
        assert "限宽门·碰杆" in journal  # the infraction by name
        assert "138****5678" in journal and "13812345678" not in journal
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, LocalizedPalette)
        assert "搜索命令" in screen_text(app)
        assert "Search for commands" not in screen_text(app)


async def test_quit_dialog_and_armed_panel_keep_words_together(day: Event) -> None:
    app = make_app(day, PinnedClock(T0 + 200 * S))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        text = screen_text(app)
        for letter, name in (("p", "碰杆"), ("d", "倒杆出框"), ("l", "漏杆"), ("x", "漏项")):
            assert re.search(rf"\b{letter}\s+{name}", text), (letter, name)  # never split across lines
        await pilot.press("escape", "ctrl+q")
        await pilot.pause()
        text = screen_text(app)
        assert "1 名选手仍在赛道上。" in text
        assert re.search(r"y\s+是\s+n\s+否", text)


def test_columns_drop_decoration_first() -> None:
    cols = [Col("a", 5), Col("b", 10, drop=2), Col("c", 10, drop=1), Col("note", 8, flex=True)]
    assert fit_columns(cols, 200) == [("a", 5), ("b", 10), ("c", 10), ("note", 8 + 200 - 41)]
    assert [k for k, _ in fit_columns(cols, 30)] == ["a", "c", "note"]  # b (drop=2) went first
    assert [k for k, _ in fit_columns(cols, 10)] == ["a", "note"]
