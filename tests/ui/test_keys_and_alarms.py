"""Keys that do not apply, alarms, orphan impulses, several terminals, English, the palette."""

from __future__ import annotations

from dataclasses import dataclass

from competition import start_queue, timing
from competition.event import Event
from competition.tui.i18n import STRINGS
from competition.tui.screens.help import HelpScreen, keymap_text
from competition.tui.screens.timing import TimingScreen
from competition.tui.widgets.alarm_banner import AlarmBanner
from competition.tui.widgets.queue_list import QueueList
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from hardware.impulse import Channel
from hardware.supervisor import PortStatus
from tests.conftest import register
from tests.ui.helpers import T0, RecorderStandIn, S, make_app, notifications, penalties


def journal_rows(event: Event) -> int:
    return int(event.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"])


async def test_keys_that_do_not_apply_say_why_and_record_nothing(event: Event) -> None:
    register(event, 3)
    app = make_app(event)
    async with app.run_test(size=(120, 36)) as pilot:
        before = journal_rows(event)
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        assert screen.check_action("manual_start", ()) is False  # hidden from the footer
        for key in ("s", "f", "d", "a", "c", "k", "escape", "4", "d", "9", "m"):
            await pilot.press(key)
        await pilot.pause()
        said = notifications(app)
        assert "出发队列为空" in said
        assert "没有选手在赛道上" in said
        assert any("没有可判罚的选手" in n for n in said)  # 4 d: armed, but nobody to penalise
        assert any("没有快捷键为 9 的赛段" in n for n in said)
        assert "没有待处理的脉冲" in said
        assert "没有警报" in said
        assert journal_rows(event) == before
        assert penalties(event) == []


async def test_armed_segment_owns_the_letters(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1, 2])
    app = make_app(event)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        await pilot.pause()
        await pilot.press("1", "s")  # armed: s is 双脚着地, not the manual start
        assert [p["code"] for p in penalties(event)] == ["both_feet_down"]
        assert [w["bib"] for w in start_queue.waiting(event, 1)] == [2]
        await pilot.press("1", "q")  # no such infraction in 单边桥: says so, records nothing
        assert any("没有字母 q 的违规" in n for n in notifications(app))
        await pilot.press("escape", "q")  # disarmed: q is DSQ, which asks for a reason
        await pilot.pause()
        assert type(app.screen).__name__ == "ReasonDialog"
        await pilot.press("escape")
        assert len(penalties(event)) == 1
        # A fast "4d" from the terminal arrives as two queued keys: the letter still sees the digit.
        from textual import events

        app.post_message(events.Key("4", "4"))
        app.post_message(events.Key("d", "d"))
        await pilot.pause()
        assert [p["code"] for p in penalties(event)] == ["both_feet_down", "pole_down"]
        assert type(app.screen).__name__ == "TimingScreen"
        recorder.close()


async def test_orphan_alarm_then_assign_by_key(event: Event) -> None:
    register(event, 2)
    app = make_app(event)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        orphan = recorder.impulse(Channel.START, T0)  # nobody checked in yet
        await pilot.pause()
        assert orphan.disposition == "orphan"
        banner = app.screen.query_one(AlarmBanner)
        assert banner.active and "无主脉冲" in banner.message
        await pilot.press("m")
        assert not banner.active
        start_queue.check_in(event, [2])
        app.data_changed()
        await pilot.press("a")
        await pilot.pause()
        assert type(app.screen).__name__ == "AssignOrphanDialog"
        await pilot.press("enter")  # the bib field is filled with the queue head
        await pilot.press(*"起点踏板先触发", "enter")
        await pilot.pause()
        assert [r["bib"] for r in timing.on_course(event, 1)] == [2]
        assert timing.orphans(event) == []
        recorder.close()


async def test_test_slaps_are_set_aside_by_key(event: Event) -> None:
    register(event, 1)
    app = make_app(event)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        slap = recorder.impulse(Channel.START, T0)  # the referee slaps the pad to test it
        await pilot.pause()
        assert slap.disposition == "orphan"
        await pilot.press("g")
        await pilot.pause()
        assert type(app.screen).__name__ == "FormDialog"
        await pilot.press("enter")  # the default reason: 试踩计时垫
        await pilot.pause()
        assert timing.orphans(event) == []
        rows = event.store.query("SELECT payload FROM journal WHERE kind = 'impulse_disposed'")
        assert "试踩计时垫" in rows[0]["payload"] and '"discarded"' in rows[0]["payload"]
        recorder.close()


@dataclass
class _Protocol:
    name: str = "alge"


class _OfflineRecorder:
    """Just what the app reads of a recorder, for an offline port without a serial stack."""

    url = "/dev/ttyUSB0"
    protocol = _Protocol()
    track = 1

    def stop(self) -> None:
        pass


async def test_timer_offline_turns_the_screen_red(event: Event) -> None:
    app = make_app(event)
    async with app.run_test(size=(120, 36)) as pilot:
        app.recorder = _OfflineRecorder()  # type: ignore[assignment]
        from competition.tui.messages import TimerStatusChanged

        app.post_message(TimerStatusChanged(PortStatus("/dev/ttyUSB0", "alge", True, T0, None, None, 0)))
        await pilot.pause()
        assert not app.screen.query_one(AlarmBanner).active
        app.post_message(TimerStatusChanged(PortStatus(
            "/dev/ttyUSB0", "alge", False, T0, "串口 /dev/ttyUSB0 连接中断", "port disconnected", 0)))
        await pilot.pause()
        banner = app.screen.query_one(AlarmBanner)
        assert banner.active and "计时器断开" in banner.message
        assert app.screen.query_one(TimerStatusBar).has_class("offline")


async def test_second_terminal_sees_changes(event: Event) -> None:
    register(event, 3)
    app = make_app(event)
    other = Event.open(event.path, terminal="desk-2")
    async with app.run_test(size=(120, 36)) as pilot:
        queue = app.screen.query_one(QueueList)
        assert queue.bibs == []
        start_queue.check_in(other, [3, 1])  # another terminal checks riders in
        app.poll_event_file()  # what the half-second timer does
        await pilot.pause()
        assert queue.bibs == [3, 1]
        generation = app.generation
        app.poll_event_file()  # nothing new: no redraw
        assert app.generation == generation
    other.close()


async def test_failed_command_shows_error_and_changes_nothing(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1])
    app = make_app(event)
    blocker = Event.open(event.path, terminal="blocker")
    async with app.run_test(size=(120, 36)) as pilot:
        before = journal_rows(event)
        blocker.store.conn.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            await pilot.press("s")
            await pilot.pause()
        finally:
            blocker.store.conn.execute("ROLLBACK")
        assert any("占用" in n for n in notifications(app))
        assert journal_rows(event) == before
        assert timing.on_course(event) == []
    blocker.close()


async def test_english_labels(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1, 2])
    app = make_app(event, lang="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tabs = str(app.screen.query_one("#tabs").render())
        assert "F1 Timing" in tabs and "F2 Check-in" in tabs
        descriptions = {b.description for _, b in app.screen._bindings.key_to_bindings.items() for b in b}
        assert "Manual start" in descriptions and "手动出发" not in descriptions
        await pilot.press("f")
        assert "Nobody is on course on track 1." in notifications(app) or "No rider is on course" in notifications(app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Manual start" in keymap_text(app.tr)


async def test_palette_lists_every_penalty_and_screen(event: Event) -> None:
    app = make_app(event)
    async with app.run_test(size=(120, 36)):
        names = [c.title for c in app.get_system_commands(app.screen)]
        assert any("绕杆·倒杆出框" in n for n in names)
        assert any("签到" in n for n in names)
        count = sum(len(s.infractions) for s in event.course.all_segments())
        assert sum(1 for n in names if n.startswith("判罚")) == count


def test_every_string_has_both_languages() -> None:
    from competition.tui.screens import checkin, hardware, journal, standings
    from competition.tui.screens import timing as timing_screen

    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
    for module in (checkin, hardware, journal, standings, timing_screen):
        for name in dir(module):
            cls = getattr(module, name)
            ours = isinstance(cls, type) and cls.__module__ == module.__name__
            for binding in getattr(cls, "BINDINGS", []) if ours else []:
                assert binding.id, binding
                assert binding.description in STRINGS, binding


async def test_clock_turns_red_past_the_time_limit(event: Event) -> None:
    register(event, 1)
    start_queue.check_in(event, [1])
    from tests.ui.helpers import PinnedClock

    clock = PinnedClock()
    app = make_app(event, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        recorder = RecorderStandIn(event, app)
        recorder.impulse(Channel.START, T0)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimingScreen)
        clock.now = T0 + 179 * S
        screen.tick()
        assert not screen.clocks()[0].has_class("over")
        clock.now = T0 + 181 * S
        screen.tick()
        assert screen.clocks()[0].has_class("over")
        assert screen.clocks()[0].shown == "3:01.00"
        recorder.close()


def test_no_ui_string_is_defined_twice() -> None:
    """A repeated key in the strings table silently replaces the first text."""
    import ast
    import inspect

    from competition.tui import i18n

    tree = ast.parse(inspect.getsource(i18n))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and len(node.keys) > 50:
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
            break
    else:
        raise AssertionError("the strings table was not found")
