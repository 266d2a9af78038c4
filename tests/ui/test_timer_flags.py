"""Issue 11 in the app: the timer's own net time beside Trackside's, disagreements and number mismatches.

The timer streams go through the live pipeline (``competition.recorder.replay_capture``):
a real ALGE TdC 8001 capture (tests/fixtures/real/alge) with one run time altered
to disagree, and short constructed ALGE streams in the capture's format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from competition import start_queue, timing
from competition.event import Event
from competition.recorder import replay_capture
from competition.timer_check_review import open_disagreements
from competition.timer_records import timer_checks
from competition.tui.dialogs.form import FormDialog
from competition.tui.screens.timing import TimingScreen
from competition.tui.widgets.alarm_banner import AlarmBanner
from competition.tui.widgets.finishers_table import FinishersTable
from competition.verify import verify_event
from hardware.impulse import Channel
from tests.conftest import register
from tests.hardware.corpus import ALGE_CAPTURES, capture_bibs, new_event
from tests.ui.helpers import (
    T0,
    PinnedClock,
    RecorderStandIn,
    S,
    make_app,
    notifications,
    screen_text,
)

# Bib 1 starts first though the queue expects bib 2; bib 1's timer run time (45.13) is not
# Trackside's (45.1234 → 45.12 at the timer's 1/100 s); bib 2's agrees.
STREAM = b"""n0001
 0001 C0  10:00:00.0000 00
n0002
 0002 C0  10:00:10.0000 00
 0002 C1  10:00:50.5000 00
 0002 RT  00:00:40.50   00
 0001 C1  10:00:45.1234 00
 0001 RT  00:00:45.13   00
"""


def journal(event: Event, kind: str) -> list[dict[str, object]]:
    rows = event.store.conn.execute("SELECT payload FROM journal WHERE kind = ? ORDER BY seq", (kind,))
    return [json.loads(r[0]) for r in rows]


def constructed(event: Event) -> int:
    """Two riders, the queue in the other order; returns bib 1's run id."""
    register(event, 2)
    start_queue.check_in(event, [2, 1])
    replay_capture(event, STREAM, protocol="alge", source="constructed.alge")
    return int(event.store.query("SELECT run_id FROM runs WHERE bib = 1")[0]["run_id"])


def altered_capture() -> tuple[bytes, int, int]:
    """The first real TdC capture with its last run time made 1/100 s longer: (bytes, bib, timer ns)."""
    data = ALGE_CAPTURES[0].read_bytes()
    last = list(re.finditer(rb"^ (\d{4}) RT  00:(\d\d):(\d\d)\.(\d\d)", data, re.M))[-1]
    bib = int(last[1])
    cs = (int(last[2]) * 60 + int(last[3])) * 100 + int(last[4]) + 1
    text = f"00:{cs // 6000:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}".encode()
    return data[: last.start(2) - 3] + text + data[last.end(4):], bib, cs * 10**7


async def test_real_capture_disagreement_and_mismatches_are_flagged(tmp_path: Path) -> None:
    data, bib, timer_ns = altered_capture()
    bibs = capture_bibs(data)
    # Checked in in reverse: the timer's numbers put the runs on the riders, and say the queue was wrong.
    event = new_event(tmp_path / "e.db", bibs, queue=list(reversed(bibs)))
    replay_capture(event, data, protocol="alge", source=str(ALGE_CAPTURES[0]))
    wrong = open_disagreements(event)
    assert [timing.run(event, d.run_id)["bib"] for d in wrong] == [bib]
    app = make_app(event, PinnedClock(T0))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        table = screen.query_one(FinishersTable)
        assert table.shows("col.timer")
        row = table.run_ids.index(wrong[0].run_id)
        timer_text = f"{timer_ns // S // 60}:{timer_ns // S % 60:02d}.{timer_ns % S // 10**7:02d}" \
            if timer_ns >= 60 * S else f"{timer_ns // S}.{timer_ns % S // 10**7:02d}"
        assert table.cell_text(row, "col.timer") == timer_text
        assert "⚠不符" in table.cell_text(row, "col.mark")
        others = [i for i in range(len(table.run_ids)) if i != row]
        assert others and all("不符" not in table.cell_text(i, "col.mark") for i in others)
        assert all(table.cell_text(i, "col.timer") for i in others)  # every run here has the timer's own time
        banner = screen.query_one(AlarmBanner)
        assert f"与计时器自己的用时不符：{bib} 号 选手{bib}" in banner.message
        assert f"≠ 计时器 {timer_text}" in banner.message
        assert "计时器号码与队列不符" in banner.message
        text = screen_text(app)
        assert "与计时器用时不符" in text and "计时器号码≠队列" in text
    assert verify_event(event).ok
    event.close()


async def test_use_the_timers_time_journals_the_decision_and_the_correction(event: Event) -> None:
    run_id = constructed(event)
    app = make_app(event, PinnedClock(T0), operator="裁判甲")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(FinishersTable)
        row = table.run_ids.index(run_id)
        assert table.cell_text(row, "col.raw") == "45.12"
        assert table.cell_text(row, "col.timer") == "45.13"
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("enter", *"计时器打印为准", "enter")  # 1 (the default): the timer's time
        await pilot.pause()
        assert isinstance(app.screen, TimingScreen)
        assert timing.run(event, run_id)["raw_ns"] == 45_130_000_000
        decided = journal(event, "timer_check_decided")
        assert [(d["run_id"], d["decision"], d["timer_net_ns"], d["trackside_ns"], d["reason"]) for d in decided] == [
            (run_id, "timer", 45_130_000_000, 45_123_400_000, "计时器打印为准")]
        corrected = journal(event, "run_time_corrected")
        assert [(c["run_id"], c["raw_ns"], c["old_raw_ns"]) for c in corrected] == [
            (run_id, 45_130_000_000, 45_123_400_000)]
        assert timer_checks(event)[run_id].agrees
        assert "不符" not in table.cell_text(table.run_ids.index(run_id), "col.mark")
        assert "与计时器" not in app.screen.query_one(AlarmBanner).message
    assert verify_event(event).ok


async def test_keep_trackside_time_with_a_reason(event: Event) -> None:
    run_id = constructed(event)
    app = make_app(event, PinnedClock(T0), operator="裁判甲")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("backspace", "3", "enter")  # neither 1 nor 2: the dialog says so
        await pilot.press(*"终点踏板更准", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert journal(event, "timer_check_decided") == []
        await pilot.press("shift+tab", "backspace", "2", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TimingScreen)
        assert timing.run(event, run_id)["raw_ns"] == 45_123_400_000  # unchanged
        decided = journal(event, "timer_check_decided")
        assert [(d["decision"], d["reason"]) for d in decided] == [("trackside", "终点踏板更准")]
        assert open_disagreements(event) == []
        table = app.screen.query_one(FinishersTable)
        row = table.run_ids.index(run_id)
        assert "已保留" in table.cell_text(row, "col.mark")
        assert "⚠" not in table.cell_text(row, "col.mark")
        assert any("保留本机时间 45.12" in n for n in notifications(app))
        await pilot.press("t")  # nothing open any more: the key says why
        await pilot.pause()
        assert isinstance(app.screen, TimingScreen)
        assert "没有与计时器不符的成绩" in notifications(app)[-1]


async def test_mismatch_names_both_riders_and_m_acknowledges_it(event: Event) -> None:
    constructed(event)
    app = make_app(event, PinnedClock(T0))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        banner = app.screen.query_one(AlarmBanner)
        assert "计时器号码与队列不符：#8 出发：队列 2 号 选手2 ≠ 计时器 1 号 选手1" in banner.message
        assert "#8 出发：队列 2 号 选手2 ≠ 计时器 1 号 选手1" in screen_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert "计时器号码与队列不符" not in banner.message
        assert "队列 2 号" not in screen_text(app)
        # The disagreement is still shown on its run until the referee decides.
        table = app.screen.query_one(FinishersTable)
        assert any("⚠不符" in table.cell_text(i, "col.mark") for i in range(len(table.run_ids)))
        assert "1 号 选手1：本机 45.12 ≠ 计时器 45.13" in screen_text(app)
        # The run the timer's number gave to bib 1 keeps a note after the alarm was acknowledged.
        notes = {table.cell_text(i, "col.bib"): table.cell_text(i, "col.mark") for i in range(len(table.run_ids))}
        assert "号码≠队列" in notes["#1"] and "号码≠队列" not in notes["#2"]


async def test_small_terminal_shows_the_timers_time_and_the_flags(event: Event) -> None:
    run_id = constructed(event)
    app = make_app(event, PinnedClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(FinishersTable)
        assert table.shows("col.timer") and table.shows("col.mark") and table.shows("col.rank")
        row = table.run_ids.index(run_id)
        assert table.cell_text(row, "col.timer") == "45.13"
        text = screen_text(app)
        assert "45.13" in text and "⚠不符" in text
        assert "本机 45.12 ≠ 计时器 45.13！按 t 处理" in text


async def test_swap_finishes_after_an_overtake(event: Event) -> None:
    """A pad timer has no numbers: B overtook A, the referee swaps the two finishes (journaled)."""
    register(event, 2)
    start_queue.check_in(event, [1, 2])
    app = make_app(event, PinnedClock(T0 + 200 * S), operator="裁判甲")
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)  # bib 1
        recorder.impulse(Channel.START, T0 + 5 * S)  # bib 2
        recorder.impulse(Channel.FINISH, T0 + 40 * S)  # bib 2 crossed first, paired to bib 1
        recorder.impulse(Channel.FINISH, T0 + 50 * S)
        await pilot.pause()
        runs = {r["bib"]: r for r in event.store.query("SELECT * FROM runs")}
        assert runs[1]["raw_ns"] == 40 * S and runs[2]["raw_ns"] == 45 * S
        table = app.screen.query_one(FinishersTable)
        assert not table.shows("col.timer")  # no net times from a pad timer: no column for them
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("enter", "enter", *"2号超车", "enter")  # the two newest finishers, as proposed
        await pilot.pause()
        assert isinstance(app.screen, TimingScreen)
        runs = {r["bib"]: r for r in event.store.query("SELECT * FROM runs")}
        assert runs[1]["raw_ns"] == 50 * S and runs[2]["raw_ns"] == 35 * S
        swapped = journal(event, "runs_swapped")
        assert len(swapped) == 1 and swapped[0]["reason"] == "2号超车"
        recorder.close()
    assert verify_event(event).ok


async def test_orphan_dialog_shows_the_cores_refusal_and_stays_open(event: Event) -> None:
    """The dialog's preview is the core's: a bib not in the queue is refused before anything is recorded."""
    from competition.tui.dialogs.assign_orphan import AssignOrphanDialog

    register(event, 3)
    app = make_app(event, PinnedClock(T0 + 12 * S))
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)  # nobody queued: an orphan
        start_queue.check_in(event, [1])
        app.data_changed()
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AssignOrphanDialog)
        assert "12 秒 前收到" in dialog.preview_text()
        await pilot.press("backspace", "9")  # nobody has bib 9
        await pilot.pause()
        shown = dialog.preview_text()
        assert "12 秒 前收到" in shown and "9" in shown.splitlines()[-1]  # the core's reason names the bib
        await pilot.press("enter", *"试试", "enter")
        await pilot.pause()
        assert app.screen is dialog  # refused: still open
        assert timing.on_course(event) == []
        recorder.close()
