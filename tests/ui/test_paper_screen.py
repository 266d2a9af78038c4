"""Issue 15: the F7 paper screen — a judge's sheet typed back with deliberate differences, every one listed, settled."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from competition.event import Event
from competition.paper import differences
from competition.round_states import publish_round, round_state
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.dialogs.form import FormDialog
from competition.tui.screens.paper import PaperScreen
from competition.verify import verify_event
from tests.ui.helpers import make_app, notifications, screen_text
from tests.web_free_helpers import ride_round

S = 1_000_000_000


@pytest.fixture
def ridden(event: Event) -> Event:
    """Five riders rode 40–44 s; live calls at 绕杆: #1 倒杆出框 ×2, #2 支脚, #4 漏杆."""
    return ride_round(event, [40, 41, 42, 43, 44], calls=(
        (1, "raogan", "pole_down", 2), (2, "raogan", "foot_down", 1), (4, "raogan", "pole_missed", 1)))


async def type_line(pilot: Any, text: str) -> None:
    """Type a sheet line key by key (ASCII) and press Enter, as the clerk does."""
    names = {" ": "space", "*": "asterisk", ".": "full_stop", ":": "colon"}
    await pilot.press(*[names.get(ch, ch) for ch in text], "enter")
    await pilot.pause()


async def settle_highlighted(pilot: Any, key: str, reason: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, FormDialog), dialog
    dialog.query_one("#field-reason", Input).value = reason
    await pilot.press("ctrl+s")
    await pilot.pause()


def live_calls(event: Event) -> dict[tuple[int, str], int]:
    return {(p["bib"], p["code"]): p["n"] for p in event.store.query(
        "SELECT bib, code, SUM(count) AS n FROM penalties WHERE withdrawn = 0 GROUP BY bib, code")}


async def test_a_sheet_with_deliberate_differences_is_entered_listed_and_settled(ridden: Event) -> None:
    app = make_app(ridden, operator="王裁判长")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PaperScreen)
        await pilot.press("4")  # 绕杆, by its digit: the line field takes the typing
        await pilot.pause()
        line = screen.query_one("#paper-line", Input)
        assert line.has_focus and screen.segment == "raogan"

        # The judge's paper: #1 倒杆出框 once (live 2), #2 支脚 (as live), #3 支脚 (live none), #4 not on it.
        await type_line(pilot, "1 d")
        await type_line(pilot, "2 z")
        line.value = "3 支脚"  # by name, as on the printed sheet
        await pilot.press("enter")
        await pilot.pause()
        await type_line(pilot, "99 d")  # not an entrant: said, and the line stays to be fixed
        assert "99" in screen_text(app) and line.value == "99 d"
        line.value = ""
        await type_line(pilot, "5 q")  # no such infraction at 绕杆
        assert line.value == "5 q" and "q" in str(screen.query_one("#paper-error").render())
        line.value = ""
        text = screen_text(app)
        assert "倒杆出框" in text and "支脚" in text and "本表 3 人" in text
        assert ridden.store.query("SELECT * FROM paper_lines") == []  # nothing recorded while typing

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert any("已录入 3 名选手的纸质记录" in n for n in notifications(app))
        shown = {(d["bib"], d["code"], d["live"], d["paper"]) for d in screen.diff_rows()}
        assert shown == {(1, "pole_down", 2, 1), (3, "foot_down", 0, 1), (4, "pole_missed", 1, 0)}
        text = screen_text(app)
        assert "3 处未处理" in text
        for bib, what in ((1, "绕杆·倒杆出框"), (3, "绕杆·支脚"), (4, "绕杆·漏杆")):
            assert re.search(rf"#{bib}\b.*{what}", text), (bib, what, text)

        # The head referee can't make the round official with paper open (F6 says why).
        publish_round(ridden)
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert any("纸质记录还有 3 处差异未处理" in n for n in notifications(app))
        await pilot.press("f7")
        await pilot.pause()

        diffs = screen.query_one("#diffs", DataTable)
        diffs.focus()
        await pilot.pause()
        await settle_highlighted(pilot, "p", "录像确认只倒一根")  # #1: paper stands, one call withdrawn
        await settle_highlighted(pilot, "p", "纸质记录")  # #3: paper stands, a call added
        await settle_highlighted(pilot, "l", "裁判漏记")  # #4: the live call stands
        assert differences(ridden) == [] and screen.diff_rows() == []
        assert "一致" in screen_text(app)
        assert live_calls(ridden) == {(1, "pole_down"): 1, (2, "foot_down"): 1, (3, "foot_down"): 1,
                                      (4, "pole_missed"): 1}
        settled = ridden.store.query("SELECT operator, payload FROM journal WHERE kind = 'paper_settled'")
        assert len(settled) == 3 and {r["operator"] for r in settled} == {"王裁判长"}
        assert verify_event(ridden).ok


async def test_the_stopwatch_sheet_against_the_timer(ridden: Event) -> None:
    app = make_app(ridden)  # no operator: saving asks who is entering
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PaperScreen)
        await pilot.press("t")  # 秒表
        await pilot.pause()
        assert screen.segment == "time"
        await type_line(pilot, "1 40.1")  # within 0.3 s of the timer's 40 s: agrees
        await type_line(pilot, "2 45.31")  # the timer says 41 s
        await type_line(pilot, "3 abc")  # not a time: said, kept
        assert screen.query_one("#paper-line", Input).value == "3 abc"
        screen.query_one("#paper-line", Input).value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.query_one("#field-operator", Input).value = "李记录员"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [(d["bib"], d["live"], d["paper"]) for d in screen.diff_rows()] == [(2, 41 * S, 45_310_000_000)]
        text = screen_text(app)
        assert "用时" in text and "41.00" in text and "45.31" in text
        screen.query_one("#diffs", DataTable).focus()
        await pilot.pause()
        await settle_highlighted(pilot, "p", "计时器漏触发，以秒表为准")
        run = ridden.store.query("SELECT raw_ns FROM runs WHERE bib = 2")[0]
        assert run["raw_ns"] == 45_310_000_000
        assert ridden.store.query("SELECT operator FROM journal WHERE kind = 'paper_times_entered'")[0]["operator"] == "李记录员"
        assert round_state(ridden, "prelim").state == "running"


async def test_paper_screen_at_80x24_keeps_its_tables_and_keys(ridden: Event) -> None:
    app = make_app(ridden, lang="en", operator="W")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        text = screen_text(app)
        for seg in ridden.course.all_segments():  # every segment row shows, with its key
            assert re.search(rf"{seg.hotkey} {re.escape(seg.name_en[:12])}", text), seg.name_en
        assert "t Stopwatch" in text
        await pilot.press("4")
        await pilot.pause()
        await type_line(pilot, "1 d")
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
        app.screen.query_one("#diffs", DataTable).focus()
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert len(lines) == 24
        assert re.search(r"#1\s+选手1\s+1\s+Pole slalom·Pole down.*\s2\s+1$", "\n".join(lines), re.M)
        assert "Live" in "\n".join(lines) and "Paper" in "\n".join(lines)  # the diff table's headings
        assert re.search(r"p\s+Paper stands\s+l\s+Live stands", lines[-1])  # the footer: the keys that apply now
        assert isinstance(app.screen, PaperScreen)
