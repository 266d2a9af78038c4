"""Issue 15: the head referee's F6 screen — post, appeal, rule, correct under the case, official, sealed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from competition.event import Event
from competition.round_states import publish_round, round_state
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.dialogs.form import FormDialog
from competition.tui.screens import rounds as rounds_screen
from competition.tui.screens.rounds import RoundsScreen
from competition.verify import verify_event
from results.seal import verify_seal
from tests.ui.helpers import make_app, notifications, screen_text
from tests.web_free_helpers import prelim_ranks, ride_round


@pytest.fixture
def ridden(event: Event) -> Event:
    """Four riders rode 40–43 s; rider 2 got a 摔车 (fall: DSQ) at 单边桥, the call the appeal is about."""
    return ride_round(event, [40, 41, 42, 43], calls=((2, "danbian", "fall", 1),))


ranks = prelim_ranks


def journal_size(event: Event) -> int:
    return int(event.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"])


async def fill(pilot: Any, values: dict[str, str]) -> None:
    """Type into the open form's fields, then submit it (ctrl+s, as Enter on the last field does)."""
    dialog = pilot.app.screen
    assert isinstance(dialog, FormDialog), dialog
    for key, value in values.items():
        dialog.query_one(f"#field-{key}", Input).value = value
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_head_referee_posts_hears_an_appeal_and_seals(ridden: Event) -> None:
    assert ranks(ridden)[2] == ("DSQ", 4)
    app = make_app(ridden, operator="王裁判长")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RoundsScreen)
        assert "进行中" in screen_text(app)

        await pilot.press("p")  # 成绩公示: asks y/n first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "申诉期 30 分钟" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        state = round_state(ridden, "prelim")
        assert state.state == "provisional"
        closes = datetime.fromisoformat(state.appeal_closes_utc or "").astimezone().strftime("%H:%M")
        text = screen_text(app)
        assert "成绩公示" in text and f"申诉截止 {closes}" in text

        await pilot.press("a")  # 申诉立案
        await pilot.pause()
        await fill(pilot, {"bib": "2", "by": "2号本人", "evidence": "单边桥裁判手机录像",
                           "reason": "未摔车，只是单脚支撑"})
        case = ridden.store.query("SELECT * FROM appeals")[0]
        assert (case["bib"], case["filed_by"], case["state"]) == (2, "2号本人", "open")
        assert any(f"申诉已立案：#{case['case_id']}" in n for n in notifications(app))

        text = screen_text(app)
        assert re.search(r"u\s+裁决成立", text) and not re.search(r"o\s+正式成绩", text)  # footer: what applies now
        before = journal_size(ridden)
        await pilot.press("o")  # refused while the case is open: nothing asked, nothing recorded
        await pilot.pause()
        assert isinstance(app.screen, RoundsScreen)
        assert any("未裁决的申诉" in n and f"#{case['case_id']}" in n for n in notifications(app))
        assert journal_size(ridden) == before and round_state(ridden, "prelim").state == "provisional"

        screen.query_one("#appeals", DataTable).focus()
        await pilot.press("u")  # 裁决：成立
        await pilot.pause()
        await fill(pilot, {"jury": "仲裁组 张、李、王", "reason": "录像显示未摔车，撤销摔车判罚"})
        ruled = ridden.store.query("SELECT * FROM appeals")[0]
        assert (ruled["state"], ruled["ruling"], ruled["jury"]) == ("ruled", "upheld", "仲裁组 张、李、王")

        await pilot.press("w")  # apply the ruling: withdraw the fall, filed under the case
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert "单边桥·摔车" in screen_text(app)
        await fill(pilot, {})  # the only call is filled in; the reason quotes the ruling
        withdrawn = ridden.store.query("SELECT payload FROM journal WHERE kind = 'penalty_withdrawn'")
        assert len(withdrawn) == 1 and json.loads(withdrawn[0]["payload"])["case_id"] == case["case_id"]
        assert ranks(ridden)[2] == ("OK", 2)

        await pilot.press("o")  # the window is still open: closing early needs a reason
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "提前确定" in screen_text(app)
        await fill(pilot, {"reason": "申诉已全部裁决，颁奖在即"})
        sealed = round_state(ridden, "prelim")
        assert sealed.state == "official" and sealed.seal
        text = screen_text(app)
        assert "正式成绩" in text and f"封存码 {sealed.seal}" in text  # whole, not clipped at 80 columns
        assert not re.search(r"w\s+按裁决撤判罚", text)  # sealed: no correction keys in the footer
        assert any(f"封存码：{sealed.seal}" in n for n in notifications(app))
        assert verify_seal(ridden, sealed.seal).ok
        assert verify_event(ridden).ok
        operators = {r["operator"] for r in ridden.store.query(
            "SELECT operator FROM journal WHERE kind IN ('round_published', 'appeal_filed', 'appeal_ruled',"
            " 'penalty_withdrawn', 'round_made_official')")}
        assert operators == {"王裁判长"}


async def test_after_the_window_official_is_a_plain_yes_and_rulings_are_final(
        ridden: Event, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_round(ridden)
    later = datetime.now(UTC) + timedelta(hours=2)
    monkeypatch.setattr(rounds_screen, "utc_now", lambda: later)
    app = make_app(ridden, lang="en")  # no operator yet: the first decision asks who decides
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert "window closed" in screen_text(app)
        await pilot.press("a")  # the window has closed: the core refuses the appeal
        await pilot.pause()
        form = screen_text(app)  # the longest form (five fields and the operator) fits 80×24
        for label in ("Bib", "Who appeals", "The run", "Evidence note", "Reason", "Operator", "Enter OK"):
            assert label in form, (label, form)
        await fill(pilot, {"bib": "2", "by": "coach", "reason": "late", "operator": "Wang"})
        assert ridden.store.query("SELECT * FROM appeals") == []
        assert any("appeal window has closed" in n for n in notifications(app))
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # named already: a plain y/n
        await pilot.press("y")
        await pilot.pause()
        state = round_state(ridden, "prelim")
        assert state.state == "official"
        assert ridden.store.query("SELECT operator FROM journal WHERE kind = 'round_made_official'")[0]["operator"] == "Wang"
        text = screen_text(app)
        assert f"seal {state.seal}" in text
        assert re.search(r"o\s+Make official", text) is None  # the key is gone once official
        await pilot.press("p")
        await pilot.pause()
        assert any("already official" in n for n in notifications(app))


async def test_corrections_need_an_upheld_case_and_the_screen_says_why(ridden: Event) -> None:
    publish_round(ridden)
    from competition.appeals import file_appeal, rule_appeal

    case = file_appeal(ridden, 3, reason="计时有误", filed_by="3号领队")
    app = make_app(ridden, operator="王裁判长")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RoundsScreen)
        screen.query_one("#appeals", DataTable).focus()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, RoundsScreen)
        assert any("未裁决为成立" in n for n in notifications(app))
        rule_appeal(ridden, case, ruling="dismissed", reasoning="计时无误", jury="仲裁组")
        app.data_changed()
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert any("已裁决" in n and "最终" in n for n in notifications(app))
        assert "申诉驳回" in screen_text(app)
        assert isinstance(app.screen, RoundsScreen)


async def test_head_referee_screens_speak_chinese_and_are_in_the_palette(ridden: Event) -> None:
    from competition.appeals import file_appeal
    from competition.paper import enter_sheet
    from competition.paper_sheets import parse_sheet_text
    from tests.ui.test_words_and_small_terminal import ENGLISH_OR_INTERNAL

    enter_sheet(ridden, "danbian", parse_sheet_text("1 支脚\n"))  # a difference (#1 支脚, #2 摔车)
    publish_round(ridden)
    file_appeal(ridden, 2, reason="未摔车", filed_by="领队", evidence="录像")
    app = make_app(ridden, operator="王裁判长")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f6", "f7"):
            await pilot.press(key)
            await pilot.pause()
            text = screen_text(app)
            assert [m.group(0) for m in ENGLISH_OR_INTERNAL.finditer(text)] == [], (key, text)
        assert "单边桥·摔车" in screen_text(app) and "单边桥·支脚" in screen_text(app)
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("?")
        await pilot.pause()
        from competition.tui.screens.help import HelpScreen, keymap_text

        assert isinstance(app.screen, HelpScreen)
        keymap = keymap_text(app.tr)
        assert "[b]F6 裁判长[/b]" in keymap and "[b]F7 纸质记录[/b]" in keymap and "申诉立案" in keymap
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        for word in ("裁判长", "纸质记录"):
            await pilot.press(*word)
            await pilot.pause()
            assert f"切换到{word}屏幕" in screen_text(app), word
            for _ in word:
                await pilot.press("backspace")
