"""The trackside App: screens by key, the timing recorder's messages, the refresh loop.

The App owns the event handle (its own SQLite connection, for reads and
referee commands), the recorder of its port (with ``separate_recorder``, what
``trackside run`` uses: a ``RecorderProcess``, the recorder in its own process,
watched through its health file by ``recorder_link``; otherwise a
``TimingRecorder`` reader thread with its own connection) and the clock. Screens ask it to run commands (``run_command``),
which turns every ``TracksideError`` into an error notification and refreshes.
Other terminals' writes and the recorder's are noticed through
``PRAGMA data_version``, polled every half second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from competition.errors import TracksideError
from competition.event import Event
from competition.recorder import TimingRecorder
from competition.recorder_process import RecorderProcess
from competition.timing import ImpulseOutcome
from competition.timing import impulses as recent_impulses
from competition.tui.i18n import Texts, localize_bindings
from competition.tui.keys import ExplainsKeys
from competition.tui.messages import (
    FrameRejected,
    ImpulseRecorded,
    JournalChanged,
    TimerStatusChanged,
)
from competition.tui.widgets.timer_status_bar import TimerState
from hardware.impulse import RejectedFrame
from hardware.supervisor import PortStatus

log = logging.getLogger(__name__)
T = TypeVar("T")



@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a referee command gave: ``ok`` is False when it failed (and changed nothing)."""

    ok: bool
    value: T | None = None


SCREEN_KEYS = ("timing", "checkin", "standings", "journal", "hardware", "rounds", "paper")
POLL_S = 0.5
IMPULSE_REDRAW_S = 0.1  # coalesce redraws after impulses (a memory replay is a burst)


class TracksideApp(ExplainsKeys, App[None]):
    """The trackside terminal: 计时 签到 成绩 记录 设备, switched by F1–F5."""

    CSS_PATH = "trackside.tcss"
    TITLE = "Trackside"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "show('timing')", "key.timing", id="app.timing", show=False),
        Binding("f2", "show('checkin')", "key.checkin", id="app.checkin", show=False),
        Binding("f3", "show('standings')", "key.standings", id="app.standings", show=False),
        Binding("f4", "show('journal')", "key.journal", id="app.journal", show=False),
        Binding("f5", "show('hardware')", "key.hardware", id="app.hardware", show=False),
        Binding("f6", "show('rounds')", "key.rounds", id="app.rounds", show=False),  # head referee (issue 15)
        Binding("f7", "show('paper')", "key.paper", id="app.paper", show=False),
        Binding("question_mark,f10", "help", "key.help", id="app.help", key_display="?", show=False),
        Binding("m", "silence", "key.silence", id="app.silence"),
        Binding("ctrl+q", "request_quit", "key.quit", id="app.quit", priority=True, show=False),
    ]

    def __init__(
        self,
        event: Event,
        *,
        lang: str = "zh",
        track: int = 1,
        operator: str = "",
        clock: Callable[[], int] = time.monotonic_ns,
        utc_clock: Callable[[], int] | None = time.time_ns,
        poll_interval: float = POLL_S,
        tick_interval: float = 0.1,
        separate_recorder: bool = False,
    ) -> None:
        self.tr = Texts(lang)
        self.lang = self.tr.lang
        self.event = event
        self.track = track
        self.operator = operator
        self.clock = clock
        self.utc_clock = utc_clock
        self.poll_interval = poll_interval
        self.tick_interval = tick_interval
        self.recorder: TimingRecorder | RecorderProcess | None = None
        # True (trackside run): the port is read by a recorder process, not a thread in the app.
        self.separate_recorder = separate_recorder
        self.leave_recorder_running = False  # on exit, leave a recorder the app started running
        # True (trackside run): beside a recorder process the app lowers its own CPU priority
        # (competition/process_priority.py), so a redraw never keeps the recorder waiting for a core.
        self.yield_cpu_to_recorder = False
        self.simulator: Any = None  # a hardware.sim_playback.SimulatorPort when --simulate
        self.timer_status: PortStatus | None = None
        self.pending_timer: tuple[str, str, int] | None = None  # connected once the screen is up
        self.rejected_count = 0
        self.last_impulse_ns: int | None = None
        self.generation = 0
        self.alarm_silenced_seq = 0  # newest orphan seq the referee acknowledged
        self._seen_version = -1
        self._redraw_pending = False
        self._last_impulse_redraw = 0.0
        self._hardware_closed = False  # not _closed: that is Textual's own (MessagePump)
        super().__init__()
        localize_bindings(self, self.tr)
        self.title = self.tr("app.title")
        event.store.operator = operator

    # -- screens ----------------------------------------------------------------

    def on_mount(self) -> None:
        from competition.tui.screens.checkin import CheckinScreen
        from competition.tui.screens.hardware import HardwareScreen
        from competition.tui.screens.journal import JournalScreen
        from competition.tui.screens.standings import StandingsScreen
        from competition.tui.screens.timing import TimingScreen

        self.theme = "textual-light"
        self.add_mode("timing", TimingScreen)
        self.add_mode("checkin", CheckinScreen)
        self.add_mode("standings", StandingsScreen)
        self.add_mode("journal", JournalScreen)
        self.add_mode("hardware", HardwareScreen)
        from competition.tui.screens.paper import PaperScreen
        from competition.tui.screens.rounds import RoundsScreen

        self.add_mode("rounds", RoundsScreen)  # F6 裁判长, F7 纸质记录 (issue 15)
        self.add_mode("paper", PaperScreen)
        self._seen_version = self.event.store.data_version()
        self.last_impulse_ns = self._latest_impulse_host_ns()
        self.switch_mode("timing")
        self.set_interval(self.poll_interval, self.poll_event_file, name="poll")
        if self.pending_timer is not None:
            url, protocol, track = self.pending_timer
            self.pending_timer = None
            self.connect_timer(url, protocol, track)

    def action_show(self, name: str) -> None:
        if name in SCREEN_KEYS and self.current_mode != name:
            self.switch_mode(name)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from competition.tui.dialogs.palette import LocalizedPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(LocalizedPalette(self.tr))

    def action_help(self) -> None:
        from competition.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.tr))

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "silence" and getattr(self.screen, "armed", None) is not None:
            return self.tr("why.armed")  # while armed, m may be an infraction letter
        if action == "silence" and not self.alarm_active():
            return self.tr("why.no_alarm")
        return None

    def on_key(self, event: events.Key) -> None:
        self.explain_key(event)

    # -- commands -------------------------------------------------------------------

    def run_command(self, fn: Callable[[], T], *, done: str | None = None) -> Outcome[T]:
        """Run a referee command; on failure show why and change nothing.

        Every command of ``competition`` is one transaction, so an error
        (locked file, disk full, a refused action) leaves the event as it was.
        """
        try:
            result = fn()
        except TracksideError as exc:
            self.notify(exc.message(self.lang), severity="error", timeout=6)
            return Outcome(False)
        except Exception as exc:  # never crash the referee's screen
            log.exception("command failed")
            self.notify(self.tr("app.error", error=exc), severity="error", timeout=8)
            return Outcome(False)
        if done:
            self.notify(done, timeout=3)
        self.data_changed()
        return Outcome(True, result)

    def run_query(self, fn: Callable[[], T]) -> T | None:
        """Read something for a screen; a failure (locked file…) is shown, never raised."""
        try:
            return fn()
        except TracksideError as exc:
            self.notify(exc.message(self.lang), severity="error", timeout=6)
        except Exception as exc:
            log.exception("query failed")
            self.notify(self.tr("app.error", error=exc), severity="error", timeout=8)
        return None

    def set_operator(self, name: str) -> None:
        """The operator named in a dialog: every following journal row carries the name."""
        self.operator = name
        self.event.store.operator = name
        self.refresh_status()

    def needs_operator(self) -> bool:
        return not self.operator.strip()

    # -- change notification ----------------------------------------------------------

    def data_changed(self) -> None:
        """The event changed: refresh the visible screen now (others on show)."""
        self.generation += 1
        self._seen_version = self.event.store.data_version()
        if not self.screen_stack:
            return  # shutting down: a recorder message arrived after the last screen closed
        screen = self.screen
        refresh = getattr(screen, "refresh_data", None)
        if refresh is not None:
            # A screen still being put up (a switch just asked for) draws when it is shown:
            # its generation is behind, so on_show / on_screen_resume catch it up.
            if screen.is_mounted:
                whole = getattr(screen, "refresh_if_whole", None)
                if whole is not None:
                    whole()  # a screen being taken down as the app closes is left alone
                else:
                    refresh()
        else:
            # A modal is on top: the screen under it refreshes when it comes back.
            for s in reversed(self.screen_stack):
                if hasattr(s, "refresh_data"):
                    s.post_message(JournalChanged(self.generation))
                    break
        self.refresh_status()

    def poll_event_file(self) -> None:
        """Pick up writes of other terminals and of the recorder (cheap when nothing changed)."""
        if self.separate_recorder:
            from competition.tui import recorder_link

            recorder_link.watch(self)
        try:
            version = self.event.store.data_version()
        except Exception:
            log.exception("data_version failed")
            return
        if version != self._seen_version:
            self.last_impulse_ns = self._latest_impulse_host_ns() or self.last_impulse_ns
            self.data_changed()
        else:
            self.refresh_status()

    def _latest_impulse_host_ns(self) -> int | None:
        rows = recent_impulses(self.event, limit=1)
        return int(rows[0]["host_ns"]) if rows else None

    # -- the recorder's messages --------------------------------------------------------

    def on_impulse_recorded(self, message: ImpulseRecorded) -> None:
        self.last_impulse_ns = self.clock()
        if message.outcome.disposition in ("orphan", "candidate"):
            self.bell()
        # A timer replaying its memory sends hundreds of impulses in a burst:
        # redraw at once for the first impulse, then at most every
        # IMPULSE_REDRAW_S while the burst lasts, so the reader thread keeps the CPU.
        if self._redraw_pending:
            return
        now = time.monotonic()
        wait = self._last_impulse_redraw + IMPULSE_REDRAW_S - now
        if wait <= 0:
            self._last_impulse_redraw = now
            self.data_changed()
        else:
            self._redraw_pending = True
            self.set_timer(wait, self._redraw_after_impulses)

    def _redraw_after_impulses(self) -> None:
        self._redraw_pending = False
        self._last_impulse_redraw = time.monotonic()
        self.data_changed()

    def on_timer_status_changed(self, message: TimerStatusChanged) -> None:
        was_online = self.timer_status.online if self.timer_status else None
        self.timer_status = message.status
        if was_online and not message.status.online:
            self.bell()
        self.refresh_status()
        if not self.screen_stack:
            return
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is not None:
            refresh()

    def on_frame_rejected(self, message: FrameRejected) -> None:
        self.rejected_count += 1
        self.refresh_status()

    # -- timer status and alarms --------------------------------------------------------

    def timer_state(self) -> TimerState:
        from competition.tui import recorder_link

        status = self.timer_status
        rec = self.recorder
        return TimerState(
            url=rec.url if rec else None,
            protocol=rec.protocol.name if rec else None,
            track=self.track,
            online=None if status is None or (not status.online and status.error_zh is None) else status.online,
            error=(status.error_en if self.lang == "en" else status.error_zh) if status else None,
            last_impulse_ns=self.last_impulse_ns,
            rejected=self.rejected_count,
            operator=self.operator,
            title=self.event.title,
            serving=self._serving_url(),
            **recorder_link.status_fields(self),
        )

    def _serving_url(self) -> str | None:
        """The venue server's first address, read from beside the event file at most every 2 s."""
        import time

        from competition.venue_status import serving

        now = time.monotonic()
        cached = getattr(self, "_serving_cache", None)
        if cached is None or now - cached[0] > 2:
            live = serving(self.event.path)
            cached = (now, live["urls"][0].removeprefix("http://").rstrip("/") if live and live["urls"] else None)
            self._serving_cache = cached
        return cached[1]

    def timer_offline(self) -> bool:
        return self.recorder is not None and self.timer_state().online is False

    def alarm_active(self) -> bool:
        screen = self.screen
        alarm = getattr(screen, "alarm_text", None)
        return bool(alarm()) if alarm else False

    def refresh_status(self) -> None:
        for screen in self.screen_stack:
            update = getattr(screen, "update_status", None)
            if update is not None:
                update()

    def action_silence(self) -> None:
        from competition.timing import orphans

        found = orphans(self.event, self.track)
        if found:
            self.alarm_silenced_seq = max(int(o["seq"]) for o in found)
        flags = getattr(self.screen, "newest_alarm_seq", None)  # the timer's flags (timing screen)
        if flags is not None:
            self.alarm_silenced_seq = max(self.alarm_silenced_seq, flags())
        self.refresh_status()
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is not None:
            refresh()

    # -- the timer ------------------------------------------------------------------------

    def connect_timer(self, url: str, protocol: str, track: int) -> bool:
        """Start reading a timer on ``url``; False (with a notification) if it cannot."""
        if self.recorder is not None:
            self.notify(self.tr("why.already_connected"), severity="warning")
            return False

        # These run in the reader thread: post_message is the thread-safe way in.
        def outcome(o: ImpulseOutcome) -> None:
            self.post_message(ImpulseRecorded(o))

        def status(s: PortStatus) -> None:
            self.post_message(TimerStatusChanged(s))

        def rejected(f: RejectedFrame) -> None:
            self.post_message(FrameRejected(f))

        def make() -> TimingRecorder | RecorderProcess:
            if self.separate_recorder:
                from competition.tui import recorder_link

                return recorder_link.start(self, url, protocol, track)
            rec = TimingRecorder(
                self.event.path, url=url, protocol=protocol, track=track, operator=self.operator,
                terminal=self.event.store.terminal, on_outcome=outcome, on_status=status, on_rejected=rejected,
            )
            rec.start()
            return rec

        try:
            recorder = make()
        except TracksideError as exc:
            self.notify(exc.message(self.lang), severity="error", timeout=8)
            return False
        except Exception as exc:
            message = getattr(exc, "message_en" if self.lang == "en" else "message_zh", None) or str(exc)
            self.notify(self.tr("app.error", error=message), severity="error", timeout=8)
            return False
        self.recorder = recorder
        self.track = track
        self.timer_status = None
        self.rejected_count = 0
        self.refresh_status()
        return True

    def disconnect_timer(self) -> None:
        rec, self.recorder = self.recorder, None
        if isinstance(rec, RecorderProcess):
            rec.stop(leave_running=self.leave_recorder_running)
        elif rec is not None:
            rec.stop()
        self.timer_status = None
        self.refresh_status()

    def close_hardware(self) -> None:
        """Stop the reader and the simulator; the event file keeps everything."""
        if self._hardware_closed:
            return
        self._hardware_closed = True
        try:
            self.disconnect_timer()
        finally:
            if self.simulator is not None:
                self.simulator.close()
                self.simulator = None

    async def action_request_quit(self) -> None:
        from competition.timing import on_course
        from competition.tui.dialogs.confirm import ConfirmDialog

        riding = on_course(self.event)
        if not riding:
            self.exit()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmDialog(self.tr("title.quit", n=len(riding)), self.tr), answer)

    def on_unmount(self) -> None:
        self.close_hardware()

    # -- command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        t = self.tr
        for name in SCREEN_KEYS:
            label = t(f"screen.{name}")
            yield SystemCommand(label, t("palette.goto", screen=label), lambda n=name: self.action_show(n))
        yield SystemCommand(t("key.help"), t("help.title"), self.action_help)
        # Every key of the current screen, with its description in the current language.
        seen: set[str] = set()
        for _key, bindings in screen._bindings.key_to_bindings.items():
            for binding in bindings:
                if not binding.description or binding.action in seen or binding.action.startswith("arm("):
                    continue
                seen.add(binding.action)
                check = getattr(screen, "why_not", None)
                _, action_name, params = _parse(binding.action)
                if check is not None and check(action_name, params) is not None:
                    continue
                yield SystemCommand(
                    f"{binding.description} ({binding.key_display or binding.key})", binding.tooltip,
                    lambda a=binding.action, s=screen: self.call_later(self.run_action, a, s),
                )
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            yield from extra()
        yield SystemCommand(t("key.quit"), t("key.quit"), lambda: self.call_later(self.action_request_quit))


def _parse(action: str) -> tuple[str, str, tuple[Any, ...]]:
    from textual.actions import parse

    return parse(action)


def rejected_frame_text(frame: RejectedFrame, lang: str) -> str:
    return frame.reason_en if lang == "en" else frame.reason_zh
