"""计时 Timing: clocks of the riders on course, the queue, penalties by key, finishers.

Penalty entry is two keys: a segment digit arms the segment (the panel and the
footer list its infractions), the next letter calls that infraction on *the
target*. The target is one notion for every key (``competition.targeting``):
shown at all times above the penalty keys and outlined on its clock, chosen
by rule (the rider on course nearest the armed segment, else the oldest, else
the one who just finished, for GRACE seconds with a countdown) unless the
referee picked another with ↑/↓. When the target moves because its rider is
no longer eligible, a toast says so. While a segment is armed every letter
belongs to the penalty keys; Escape disarms, ``u`` or ctrl+z withdraws the
last call.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Static

from competition import judging, timing
from competition.targeting import Candidate, Pick, TargetChoice, choose_target, segment_position
from competition.times import format_penalty
from competition.tui.board import TimingBoard, timing_board
from competition.tui.i18n import localize_bindings
from competition.tui.screens.base import EventScreen
from competition.tui.screens.timing_actions import TimingActions
from competition.tui.screens.timing_timer import TimerFlagActions
from competition.tui.widgets.alarm_banner import AlarmBanner
from competition.tui.widgets.finishers_table import FinishersTable
from competition.tui.widgets.penalty_panel import PenaltyPanel
from competition.tui.widgets.queue_list import QueueList
from competition.tui.widgets.rider_clock import ClocksBox, RiderClock
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from courses.schema import Infraction, Segment

DIGITS = "0123456789"
# Actions bound to letters: hidden (and inert) while a segment is armed, when letters call infractions.
LETTER_ACTIONS = ("manual_start", "manual_finish", "set_status", "skip", "dns", "rerun", "confirm_run",
                  "undo_start", "undo_finish", "assign", "discard", "timer_check", "swap_finishes")


class TimingScreen(TimerFlagActions, TimingActions, EventScreen):
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
        Binding("t", "timer_check", "key.timer_check", id="timing.timer_check"),
        Binding("w", "swap_finishes", "key.swap", id="timing.swap", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.board: TimingBoard | None = None
        self.armed: Segment | None = None
        self.pick: Pick | None = None
        self.choice = TargetChoice(None, "nobody")
        self.last_call_run: int | None = None
        self._rung_seq = 0
        self._panel_key: tuple[object, ...] = ()
        self._base_bindings: BindingsMap | None = None
        # A call on a rider still on course cannot move the standings (only finished
        # runs are ranked): the next refresh may keep the ranked report it has.
        self._standings_still_valid = False

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        tr = self.trackside.tr
        localize_bindings(self, tr)
        self._base_bindings = self._bindings.copy()
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "timing", id="tabs")
        yield AlarmBanner(id="alarm")
        with Horizontal(id="timing-main"):
            with ClocksBox(id="clocks"):
                yield Static(tr("timing.on_course"), classes="heading")
                yield Static(tr("timing.nobody_on_course"), id="nobody")
            with Vertical(id="side"):
                yield PenaltyPanel(tr, id="penalty-panel")
                yield Static("", id="queue-heading", classes="heading")
                yield QueueList(tr, id="queue")
                yield Static("", id="orphans")
                yield Static("", id="timer-flags")
        yield Static(tr("timing.finishers"), classes="heading", id="finishers-heading")
        yield FinishersTable(tr, id="finishers")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
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
        self.query_one(FinishersTable).show_finishers(board.finishers, board.precision_ns,
                                                      timer=bool(board.timer and board.timer.checks))
        self._show_orphans(board)
        self.show_timer_flags()
        self.retarget(announce=True)
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

    def _show_orphans(self, board: TimingBoard) -> None:
        orphans = self.query_one("#orphans", Static)
        if not board.orphans:
            orphans.display = False
            return
        tr = self.trackside.tr
        lines = [f"[b]{tr('timing.orphans')}[/b]"]
        for o in board.orphans[:4]:
            manual = f" {tr('timing.manual')}" if o["manual"] else ""
            lines.append(f"#{o['seq']} {tr('channel.' + str(o['channel']))} → "
                         f"{tr('disposition.' + str(o['disposition']))}{manual}")
        orphans.update("\n".join(lines))
        orphans.display = True

    def update_status(self) -> None:
        bars = list(self.query(TimerStatusBar)) if self.is_mounted else []
        if not bars:
            return  # not composed yet, or torn down
        app = self.trackside
        bars[0].show_state(app.timer_state(), app.clock())
        banner = self.query_one(AlarmBanner)
        text = self.alarm_text()
        if text:
            if text != banner.message:
                banner.raise_alarm(text)
            newest = max((int(o["seq"]) for o in (self.board.orphans if self.board else [])), default=0)
            newest = max(newest, self.newest_alarm_seq())
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
        first = ""
        if any(o["disposition"] == "candidate" for o in fresh):
            first = tr("alarm.candidate")
        elif fresh:
            first = tr("alarm.orphan", n=len(fresh))
        return "\n".join(line for line in (first, self.timer_alarm()) if line)

    def tick(self) -> None:
        app = self.trackside
        now = app.clock()
        utc = app.utc_clock() if app.utc_clock else None
        for clock in self.query(RiderClock):
            clock.tick(now, utc)
        self.retarget(announce=True)

    def clocks(self) -> list[RiderClock]:
        """The clocks on screen, oldest run first (tests read them)."""
        return [c for c in self.query(RiderClock) if not c.removing]

    # -- the target ------------------------------------------------------------------------

    def _armed_position(self) -> float | None:
        course = self.trackside.event.course
        if self.armed is None:
            return None
        codes = [s.code for s in course.segments]
        if self.armed.code not in codes:
            return None  # 全程 (the whole course): no position, the oldest rider
        return segment_position(codes.index(self.armed.code), len(codes))

    def _choose(self) -> TargetChoice:
        if self.board is None:
            return TargetChoice(None, "nobody")
        return choose_target(self.board.targets, now_ns=self.trackside.clock(), pick=self.pick,
                             position=self._armed_position(), reference_ns=self.board.reference_ns)

    def retarget(self, *, announce: bool) -> None:
        """Apply the rule again; say so when the target moved because its rider is no longer eligible."""
        before = self.choice.target
        choice = self._choose()
        if choice.dropped is not None:
            self.pick = None
        self.choice = choice
        after = choice.target
        moved = before is not None and (after is None or after.run_id != before.run_id)
        if announce and moved and before is not None and self._no_longer_eligible(before):
            tr = self.trackside.tr
            now = tr("timing.target_now", rider=self.rider_words(after)) if after else tr("timing.no_target")
            self.app.notify(tr("timing.target_moved", before=self.rider_words(before), now=now), timeout=4)
        self._show_panel()

    def _no_longer_eligible(self, rider: Candidate) -> bool:
        board = self.board
        if board is None:
            return True
        now = next((c for c in board.targets if c.run_id == rider.run_id), None)
        if now is None or now.on_course != rider.on_course:
            return True  # finished, back in the queue, or void
        return not now.on_course  # a finisher whose grace window ended

    def target(self) -> Candidate | None:
        """Who the keys act on now (the one shown)."""
        return self.choice.target

    def acting_target(self) -> tuple[bool, Candidate | None]:
        """The target for a key pressed now; (False, …) if the rule just moved it (the key is not applied)."""
        shown = self.choice.target
        self.retarget(announce=True)
        current = self.choice.target
        if (shown is None) != (current is None) or (shown and current and shown.run_id != current.run_id):
            return False, current
        return True, current

    def rider_words(self, target: Candidate | None) -> str:
        if target is None:
            return ""
        return self.trackside.tr("rider", bib=target.bib, name=target.name)

    def target_line(self) -> str:
        """The line above the penalty keys: who calls go to, and why this rider."""
        tr = self.trackside.tr
        choice = self.choice
        t = choice.target
        if t is None:
            return tr("timing.no_target")
        if choice.grace_left_ns is not None:
            seconds = (choice.grace_left_ns + 999_999_999) // 1_000_000_000
            why = tr("target.grace", s=seconds)
        elif choice.why == "nearest" and self.armed is not None:
            why = tr("target.nearest", segment=tr.pick(self.armed.name_zh, self.armed.name_en))
        else:
            why = tr(f"target.{choice.why}")
        return tr("timing.target", rider=self.rider_words(t), why=why)

    def _show_panel(self) -> None:
        panels = list(self.query(PenaltyPanel)) if self.is_mounted else []
        if not panels:
            return
        line = self.target_line()
        t = self.choice.target
        key = (line, self.armed.code if self.armed else None)
        if key == self._panel_key:
            return
        self._panel_key = key
        panels[0].show_keys(self.trackside.event.course, self.armed, line, t is not None)
        box = self.query_one("#clocks", VerticalScroll)
        for clock in box.query(RiderClock):
            selected = t is not None and clock.rider.run_id == t.run_id
            clock.set_class(selected, "selected")
            if selected and not clock.removing:
                box.scroll_to_widget(clock, animate=False)

    def action_select(self, step: int) -> None:
        if self.board is None or not self.board.targets:
            return
        targets = self.board.targets
        current = self.choice.target
        ids = [t.run_id for t in targets]
        index = ids.index(current.run_id) if current is not None and current.run_id in ids else -step
        chosen = targets[(index + step) % len(targets)]
        self.pick = Pick(chosen.run_id, self.trackside.clock(), chosen.on_course)
        self.retarget(announce=False)
        self.refresh_bindings()

    # -- which keys apply ---------------------------------------------------------------

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        tr = self.trackside.tr
        board = self.board
        if board is None:
            return None
        if self.armed is not None and action in LETTER_ACTIONS:
            return tr("why.armed")
        if action == "infraction":
            return None if self.armed is not None else tr("why.not_armed")
        if action == "disarm":
            return None if self.armed else tr("why.not_armed")
        if action in ("undo_penalty",):
            return None if (self.last_call_run or self.target()) else tr("why.no_target")
        if action == "select":
            return None if len(board.targets) > 1 or (board.targets and self.target() is None) else tr("why.no_target")
        if action == "manual_start" or action in ("skip", "dns"):
            return None if board.queue else tr("why.queue_empty")
        if action in ("manual_finish", "undo_start"):
            return None if board.on_course else tr("why.no_rider")
        if action == "set_status":
            return None if self.target() else tr("why.no_target")
        if action in ("rerun", "confirm_run", "undo_finish"):
            return None if board.finishers else tr("why.no_finisher")
        if action in ("assign", "discard"):
            return None if board.orphans else tr("why.no_orphan")
        return self.timer_why_not(action)

    def _letter_bindings(self) -> None:
        """While a segment is armed the footer shows its infraction letters instead of s/f/d/q…."""
        base = self._base_bindings
        if base is None:
            return
        if self.armed is None:
            self._bindings = base.copy()
        else:
            tr = self.trackside.tr
            armed = BindingsMap([
                Binding(inf.hotkey, f"infraction('{inf.code}')", tr.pick(inf.name_zh, inf.name_en),
                        id=f"timing.infraction.{inf.code}")
                for inf in self.armed.infractions
            ])
            for key, bindings in base.key_to_bindings.items():
                armed.key_to_bindings.setdefault(key, []).extend(bindings)
            self._bindings = armed
        self.refresh_bindings()

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
        self.retarget(announce=False)
        self._letter_bindings()

    def action_disarm(self) -> None:
        self.armed = None
        self.retarget(announce=False)
        self._letter_bindings()

    def action_infraction(self, code: str) -> None:
        if self.armed is None:
            return
        infraction = next((i for i in self.armed.infractions if i.code == code), None)
        if infraction is not None:
            self.call_infraction(self.armed, infraction)

    def call_infraction(self, segment: Segment, infraction: Infraction) -> None:
        app = self.trackside
        tr = app.tr
        still, target = self.acting_target()  # while still armed: the rule that chose him holds
        self.armed = None
        self._letter_bindings()
        if not still or self.refuse("penalty", target):
            self.retarget(announce=False)
            return
        assert target is not None
        self._standings_still_valid = target.on_course
        what = "DSQ" if infraction.eliminates else format_penalty(infraction.penalty_ns)
        done = tr("timing.penalty_called", rider=self.rider_words(target),
                  segment=tr.pick(segment.name_zh, segment.name_en), name=tr.pick(infraction.name_zh, infraction.name_en),
                  what=what)
        result = app.run_command(
            lambda: judging.call_penalty(app.event, target.bib, segment.code, infraction.code, run_id=target.run_id),
            done=done,
        )
        self._standings_still_valid = False  # used by the refresh inside run_command, or void
        if result.ok:
            self.last_call_run = target.run_id
        self.retarget(announce=False)

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
            r = timing.run(app.event, run_id)
            app.notify(app.tr("timing.penalty_undone", rider=app.tr("rider", bib=r["bib"], name=r["name"]),
                              penalty=withdrawn.value), timeout=3)

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
                    lambda s=seg, i=inf: self._palette_call(s, i),
                ))
        return commands

    def _palette_call(self, segment: Segment, infraction: Infraction) -> None:
        self.armed = segment  # the palette call goes where the keys would have sent it
        self.retarget(announce=False)
        self.call_infraction(segment, infraction)
