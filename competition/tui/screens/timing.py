"""计时 Timing: clocks of the riders on course, the queue, penalties by key, finishers.

Penalty entry is two keys: a segment digit arms the segment (the panel lists
its infractions), the next letter calls that infraction on the selected rider
(by default the oldest on course; up/down/Tab choose another on-course rider
or a recent finisher). While a segment is armed every letter belongs to the
penalty keys, so the other letter keys never clash with an infraction; Escape
disarms, ``u`` or ctrl+z withdraws the last call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from competition import judging, start_queue, timing
from competition.times import format_duration, format_penalty
from competition.tui.board import Finisher, Target, TimingBoard, timing_board
from competition.tui.dialogs.assign_orphan import AssignOrphanDialog
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.dialogs.form import FormDialog
from competition.tui.dialogs.reason import ReasonDialog
from competition.tui.i18n import localize_bindings
from competition.tui.screens.base import EventScreen
from competition.tui.widgets.alarm_banner import AlarmBanner
from competition.tui.widgets.finishers_table import FinishersTable
from competition.tui.widgets.penalty_panel import PenaltyPanel
from competition.tui.widgets.queue_list import QueueList
from competition.tui.widgets.rider_clock import RiderClock
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from courses.schema import Infraction, Segment
from hardware.impulse import Channel

if TYPE_CHECKING:
    pass

DIGITS = "0123456789"


class TimingScreen(EventScreen):
    """The home screen of the timing referee."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "arm('1')", "key.arm", id="timing.arm", key_display="0-9"),
        *[Binding(d, f"arm('{d}')", "key.arm", show=False, id=f"timing.arm{d}") for d in DIGITS if d != "1"],
        Binding("escape", "disarm", "key.disarm", id="timing.disarm"),
        Binding("u,ctrl+z", "undo_penalty", "key.undo_penalty", id="timing.undo_penalty", key_display="u"),
        Binding("up,shift+tab", "select(-1)", "key.select_prev", id="timing.select_prev", show=False),
        Binding("down,tab", "select(1)", "key.select_next", id="timing.select_next", key_display="↑↓"),
        Binding("s", "manual_start", "key.manual_start", id="timing.manual_start"),
        Binding("f", "manual_finish", "key.manual_finish", id="timing.manual_finish"),
        Binding("d", "set_status('DNF')", "key.dnf", id="timing.dnf"),
        Binding("q", "set_status('DSQ')", "key.dsq", id="timing.dsq"),
        Binding("k", "skip", "key.skip", id="timing.skip"),
        Binding("x", "dns", "key.dns", id="timing.dns"),
        Binding("r", "rerun", "key.rerun", id="timing.rerun"),
        Binding("c", "confirm_run", "key.confirm", id="timing.confirm"),
        Binding("v", "undo_start", "key.undo_start", id="timing.undo_start"),
        Binding("b", "undo_finish", "key.undo_finish", id="timing.undo_finish"),
        Binding("a", "assign", "key.assign", id="timing.assign"),
        Binding("g", "discard", "key.discard", id="timing.discard"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.board: TimingBoard | None = None
        self.armed: Segment | None = None
        self.selected_run: int | None = None
        self.last_call_run: int | None = None
        self._rung_seq = 0
        # A call on a rider still on course cannot move the standings (only finished
        # runs are ranked): the next refresh may keep the ranked report it has.
        self._standings_still_valid = False

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        tr = self.trackside.tr
        localize_bindings(self, tr)
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "timing", id="tabs")
        yield AlarmBanner(id="alarm")
        with Horizontal(id="timing-main"):
            with VerticalScroll(id="clocks"):
                yield Static(tr("timing.on_course"), classes="heading")
                yield Static(tr("timing.nobody_on_course"), id="nobody")
            with Vertical(id="side"):
                yield Static("", id="queue-heading", classes="heading")
                yield QueueList(tr, id="queue")
                yield PenaltyPanel(tr, id="penalty-panel")
                yield Static("", id="orphans")
        yield Static(tr("timing.finishers"), classes="heading", id="finishers-heading")
        yield FinishersTable(tr, id="finishers")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(FinishersTable).can_focus = False
        self.set_interval(self.trackside.tick_interval, self.tick, name="clocks")

    # -- reading the event ---------------------------------------------------------------

    def refresh_data(self) -> None:
        """Re-read the board and redraw what changed."""
        app = self.trackside
        self.generation = app.generation
        keep = self._standings_still_valid and self.board is not None
        self._standings_still_valid = False
        try:
            board = timing_board(app.event, app.track, report=self.board.standings if keep and self.board else None)
        except Exception as exc:  # a locked file must not take the screen down
            message = getattr(exc, "message_en" if app.lang == "en" else "message_zh", None) or str(exc)
            app.notify(app.tr("app.error", error=message), severity="error")
            return
        self.board = board
        tr = app.tr
        self.query_one("#queue-heading", Static).update(tr("timing.queue", track=board.track))
        self.query_one(QueueList).show_queue(board.queue)
        self._show_clocks(board)
        self.query_one(FinishersTable).show_finishers(board.finishers, board.precision_ns)
        self._show_orphans(board)
        self._show_panel()
        self.update_status()
        self.refresh_bindings()

    def _show_clocks(self, board: TimingBoard) -> None:
        box = self.query_one("#clocks", VerticalScroll)
        existing = {c.rider.run_id: c for c in box.query(RiderClock) if not c.removing}
        wanted = {r.run_id for r in board.on_course}
        for run_id, clock in existing.items():
            if run_id not in wanted:
                clock.removing = True
                clock.remove()
        new = []
        for rider in board.on_course:
            if rider.run_id in existing:
                existing[rider.run_id].show_rider(rider)
            else:
                new.append(RiderClock(rider, tr=self.trackside.tr, precision_ns=board.precision_ns,
                                      time_limit_ns=board.time_limit_ns))
        if new:
            box.mount_all(new)
            self.call_after_refresh(self.tick)
        self.query_one("#nobody", Static).display = not board.on_course
        target = self.target()
        for clock in box.query(RiderClock):
            clock.set_class(target is not None and clock.rider.run_id == target.run_id, "selected")

    def _show_orphans(self, board: TimingBoard) -> None:
        orphans = self.query_one("#orphans", Static)
        if not board.orphans:
            orphans.display = False
            return
        tr = self.trackside.tr
        lines = [f"[b]{tr('timing.orphans')}[/b]"]
        for o in board.orphans[:4]:
            manual = f" {tr('timing.manual')}" if o["manual"] else ""
            lines.append(f"#{o['seq']} {o['channel']} → {o['disposition']}{manual}")
        orphans.update("\n".join(lines))
        orphans.display = True

    def _show_panel(self) -> None:
        self.query_one(PenaltyPanel).show_keys(self.trackside.event.course, self.armed, self.target())
        for clock in self.query(RiderClock):
            target = self.target()
            clock.set_class(target is not None and clock.rider.run_id == target.run_id, "selected")

    def update_status(self) -> None:
        if not self.is_mounted:
            return
        app = self.trackside
        self.query_one(TimerStatusBar).show_state(app.timer_state(), app.clock())
        banner = self.query_one(AlarmBanner)
        text = self.alarm_text()
        if text:
            if text != banner.message:
                banner.raise_alarm(text)
            newest = max((int(o["seq"]) for o in (self.board.orphans if self.board else [])), default=0)
            if newest > self._rung_seq:
                self._rung_seq = newest
                app.bell()
        elif banner.active:
            banner.clear_alarm()

    def alarm_text(self) -> str:
        """The alarm to show now: the timer offline, or impulses nobody owns."""
        app = self.trackside
        tr = app.tr
        if app.timer_offline():
            state = app.timer_state()
            return tr("alarm.offline", url=state.url, error=state.error or "")
        fresh = [o for o in (self.board.orphans if self.board else []) if int(o["seq"]) > app.alarm_silenced_seq]
        if any(o["disposition"] == "candidate" for o in fresh):
            return tr("alarm.candidate")
        if fresh:
            return tr("alarm.orphan", n=len(fresh))
        return ""

    def tick(self) -> None:
        app = self.trackside
        now = app.clock()
        utc = app.utc_clock() if app.utc_clock else None
        for clock in self.query(RiderClock):
            clock.tick(now, utc)

    def clocks(self) -> list[RiderClock]:
        """The clocks on screen, oldest run first (tests read them)."""
        return [c for c in self.query(RiderClock) if not c.removing]

    # -- selection -------------------------------------------------------------------------

    def target(self) -> Target | None:
        """Who the penalty keys (and DNF/DSQ…) act on now."""
        if self.board is None or not self.board.targets:
            return None
        for t in self.board.targets:
            if t.run_id == self.selected_run:
                return t
        return self.board.targets[0]

    def on_course_target(self) -> Target | None:
        t = self.target()
        if t is not None and t.on_course:
            return t
        riders = self.board.on_course if self.board else []
        return Target(riders[0].run_id, riders[0].bib, riders[0].name, True) if riders else None

    def finished_target(self) -> Finisher | None:
        t = self.target()
        if t is None or t.on_course or self.board is None:
            return None
        return next((f for f in self.board.finishers if f.run_id == t.run_id), None)

    def action_select(self, step: int) -> None:
        if self.board is None or not self.board.targets:
            return
        targets = self.board.targets
        current = self.target()
        index = targets.index(current) if current in targets else 0
        self.selected_run = targets[(index + step) % len(targets)].run_id
        self._show_panel()
        self.refresh_bindings()

    # -- which keys apply ---------------------------------------------------------------

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        tr = self.trackside.tr
        board = self.board
        if board is None:
            return None
        if action == "disarm":
            return None if self.armed else tr("why.not_armed")
        if action in ("undo_penalty",):
            return None if (self.last_call_run or self.target()) else tr("why.no_target")
        if action == "select":
            return None if len(board.targets) > 1 else tr("why.no_target")
        if action == "manual_start" or action in ("skip", "dns"):
            return None if board.queue else tr("why.queue_empty")
        if action in ("manual_finish", "undo_start"):
            return None if board.on_course else tr("why.no_rider")
        if action == "set_status":
            return None if self.target() else tr("why.no_target")
        if action in ("rerun", "confirm_run", "undo_finish"):
            if self.target() is None:
                return tr("why.no_target")
            return None if self.finished_target() else tr("why.no_finisher")
        if action in ("assign", "discard"):
            return None if board.orphans else tr("why.no_orphan")
        return None

    # -- penalty keys -----------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        char = event.character or ""
        # Arming and disarming happen here, synchronously, not through the bindings:
        # a fast "4d" arrives as two keys queued together, and the letter must see
        # the segment armed by the digit before it.
        if len(char) == 1 and char in DIGITS:
            event.stop()
            event.prevent_default()
            self.action_arm(char)
            return
        if event.key == "escape" and self.armed is not None:
            event.stop()
            event.prevent_default()
            self.action_disarm()
            return
        if self.armed is not None and len(char) == 1 and char.isalpha() and char.islower():
            infraction = next((i for i in self.armed.infractions if i.hotkey == char), None)
            if infraction is not None:
                event.stop()
                event.prevent_default()
                self.call_infraction(self.armed, infraction)
                return
            if char != "u":
                event.stop()
                event.prevent_default()
                tr = self.trackside.tr
                self.app.notify(
                    tr("why.no_infraction", segment=tr.pick(self.armed.name_zh, self.armed.name_en), key=char,
                       keys=" ".join(i.hotkey for i in self.armed.infractions)),
                    severity="warning", timeout=3,
                )
                return
        self.explain_key(event)

    def action_arm(self, key: str) -> None:
        course = self.trackside.event.course
        segment = next((s for s in course.all_segments() if s.hotkey == key), None)
        if segment is None:
            self.app.notify(self.trackside.tr("why.no_segment", key=key), severity="warning", timeout=3)
            return
        self.armed = segment
        self._show_panel()
        self.refresh_bindings()

    def action_disarm(self) -> None:
        self.armed = None
        self._show_panel()
        self.refresh_bindings()

    def call_infraction(self, segment: Segment, infraction: Infraction) -> None:
        app = self.trackside
        tr = app.tr
        target = self.target()
        self.armed = None
        if target is None:
            app.notify(tr("why.no_target"), severity="warning", timeout=3)
            self._show_panel()
            return
        self._standings_still_valid = target.on_course
        what = "DSQ" if infraction.eliminates else format_penalty(infraction.penalty_ns)
        done = tr("timing.penalty_called", bib=target.bib, segment=tr.pick(segment.name_zh, segment.name_en),
                  name=tr.pick(infraction.name_zh, infraction.name_en), what=what)
        result = app.run_command(
            lambda: judging.call_penalty(app.event, target.bib, segment.code, infraction.code, run_id=target.run_id),
            done=done,
        )
        self._standings_still_valid = False  # used by the refresh inside run_command, or void
        if result.ok:
            self.last_call_run = target.run_id
            self.selected_run = target.run_id
        self._show_panel()

    def action_undo_penalty(self) -> None:
        app = self.trackside
        target = self.target()
        run_id = self.last_call_run or (target.run_id if target else None)
        if run_id is None:
            return
        self._standings_still_valid = any(r.run_id == run_id for r in (self.board.on_course if self.board else []))
        withdrawn = app.run_command(lambda: judging.undo_last_penalty(app.event, run_id))
        self._standings_still_valid = False
        if withdrawn.ok:
            bib = timing.run(app.event, run_id)["bib"]
            app.notify(app.tr("timing.penalty_undone", bib=bib, penalty=withdrawn.value), timeout=3)

    # -- manual impulses and queue --------------------------------------------------------

    def action_manual_start(self) -> None:
        app = self.trackside
        done = app.run_command(lambda: timing.manual_impulse(app.event, track=app.track, channel=Channel.START))
        if done.value is not None and done.value.bib is not None:
            app.notify(app.tr("timing.started", bib=done.value.bib, name=""), timeout=3)

    def action_manual_finish(self) -> None:
        app = self.trackside
        target = self.on_course_target()
        run_id = target.run_id if target else None
        done = app.run_command(
            lambda: timing.manual_impulse(app.event, track=app.track, channel=Channel.FINISH, run_id=run_id)
        )
        outcome = done.value
        if outcome is not None and outcome.bib is not None:
            precision = app.event.course.precision_ns
            app.notify(app.tr("timing.finished", bib=outcome.bib, time=format_duration(outcome.raw_ns, precision)),
                       timeout=3)

    def _queue_head(self) -> dict[str, Any] | None:
        return self.board.queue[0] if self.board and self.board.queue else None

    def action_skip(self) -> None:
        app = self.trackside
        head = self._queue_head()
        if head is None:
            return
        app.run_command(lambda: start_queue.skip(app.event, head["bib"]),
                        done=app.tr("timing.skipped", bib=head["bib"]))

    def action_dns(self) -> None:
        app = self.trackside
        head = self._queue_head()
        if head is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                app.run_command(lambda: start_queue.scratch(app.event, head["bib"], reason="DNS"),
                                done=app.tr("timing.scratched", bib=head["bib"]))

        app.push_screen(ConfirmDialog(app.tr("title.scratch", bib=head["bib"], name=head["name"]), app.tr), answer)

    # -- decisions on a run ----------------------------------------------------------------

    def _with_reason(self, title_key: str, target: Target, then: Any, *, head_referee: bool = False) -> None:
        app = self.trackside
        dialog = ReasonDialog(
            app.tr(title_key, bib=target.bib, name=target.name), app.tr,
            ask_operator=head_referee and app.needs_operator(), on_operator=app.set_operator,
        )

        def answer(reason: str | None) -> None:
            if reason:
                app.run_command(lambda: then(reason), done=app.tr("timing.done"))

        app.push_screen(dialog, answer)

    def action_set_status(self, status: str) -> None:
        app = self.trackside
        target = self.target()
        if target is None:
            return
        key = "title.dnf" if status == "DNF" else "title.dsq"
        self._with_reason(key, target, lambda reason: judging.set_status(app.event, target.run_id, status,
                                                                          reason=reason))

    def action_rerun(self) -> None:
        app = self.trackside
        target = self.target()
        if target is None:
            return
        self._with_reason("title.rerun", target,
                          lambda reason: judging.grant_rerun(app.event, target.run_id, reason=reason),
                          head_referee=True)

    def action_undo_start(self) -> None:
        app = self.trackside
        target = self.on_course_target()
        if target is None:
            return
        self._with_reason("title.undo_start", target,
                          lambda reason: timing.undo_start(app.event, target.run_id, reason=reason))

    def action_undo_finish(self) -> None:
        app = self.trackside
        target = self.target()
        if target is None:
            return
        self._with_reason("title.undo_finish", target,
                          lambda reason: timing.undo_finish(app.event, target.run_id, reason=reason))

    def action_confirm_run(self) -> None:
        app = self.trackside
        target = self.target()
        if target is None:
            return
        done = app.tr("timing.confirmed", bib=target.bib)
        if not app.needs_operator():
            app.run_command(lambda: judging.confirm_run(app.event, target.run_id), done=done)
            return

        def answer(values: dict[str, str] | None) -> None:
            if values:
                app.set_operator(values["operator"])
                app.run_command(lambda: judging.confirm_run(app.event, target.run_id), done=done)

        app.push_screen(FormDialog(app.tr("title.confirm", bib=target.bib, name=target.name), app.tr,
                                   ask_reason=False, ask_operator=True), answer)

    def action_assign(self) -> None:
        app = self.trackside
        if self.board is None or not self.board.orphans:
            return
        impulse = self.board.orphans[0]
        riders = self.board.on_course
        default_run = impulse.get("run_id") or (riders[0].run_id if riders else None)
        hint = " ".join(f"{r.run_id}=#{r.bib}" for r in riders[:4])
        if impulse["disposition"] == "candidate" and impulse.get("run_id"):
            hint = f"{impulse['run_id']} {hint}"
        head = self._queue_head()
        dialog = AssignOrphanDialog(impulse, app.tr, default_bib=head["bib"] if head else None,
                                    default_run=default_run, runs_hint=hint)

        def answer(values: dict[str, str] | None) -> None:
            if not values:
                return
            reason = values["reason"]
            if "bib" in values:
                app.run_command(lambda: timing.assign_impulse(app.event, impulse["seq"], reason=reason,
                                                              bib=int(values["bib"])), done=app.tr("timing.done"))
            elif impulse["disposition"] == "candidate":
                app.run_command(lambda: timing.choose_finish(app.event, int(values["run"]), impulse["seq"],
                                                             reason=reason), done=app.tr("timing.done"))
            else:
                app.run_command(lambda: timing.assign_impulse(app.event, impulse["seq"], reason=reason,
                                                              run_id=int(values["run"])), done=app.tr("timing.done"))

        app.push_screen(dialog, answer)

    def action_discard(self) -> None:
        """Set the newest waiting impulse aside (a test slap): kept in the journal, never used."""
        app = self.trackside
        if self.board is None or not self.board.orphans:
            return
        impulse = self.board.orphans[0]

        def answer(values: dict[str, str] | None) -> None:
            if values:
                app.run_command(lambda: timing.discard_impulse(app.event, impulse["seq"], reason=values["reason"]),
                                done=app.tr("timing.done"))

        app.push_screen(
            FormDialog(app.tr("title.discard", seq=impulse["seq"], track=impulse["track"], channel=impulse["channel"]),
                       app.tr, default_reason=app.tr("discard.default_reason")),
            answer,
        )

    # -- command palette: every penalty -------------------------------------------------------

    def palette_commands(self) -> list[SystemCommand]:
        tr = self.trackside.tr
        commands = []
        for seg in self.trackside.event.course.all_segments():
            for inf in seg.infractions:
                commands.append(SystemCommand(
                    tr("palette.penalty", segment=tr.pick(seg.name_zh, seg.name_en),
                       name=tr.pick(inf.name_zh, inf.name_en), keys=f"{seg.hotkey} {inf.hotkey}"),
                    tr("palette.penalty_help"),
                    lambda s=seg, i=inf: self.call_infraction(s, i),
                ))
        return commands
