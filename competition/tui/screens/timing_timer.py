"""The timing screen's part for what the timer says itself (a mixin of ``TimingScreen``; issue #11).

* A run whose time differs from the timer's own net time is red in the
  finishers (with the word and the timer's time), listed in the side panel,
  and rings the alarm. ``t`` opens it: use the timer's time or keep
  Trackside's, with a reason (``competition.timer_check_review.decide``;
  journaled). Nothing is resolved without the referee.
* A timer number that named another rider than the queue expected (or one
  not on course) is listed and rings the alarm; ``m`` acknowledges it.
* ``w`` swaps two runs' finishes (rider B overtook rider A on a timer
  without numbers: ``pairing_by_number.swap_finishes``; journaled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

from competition.pairing_by_number import swap_finishes
from competition.timer_check_review import decide
from competition.times import format_duration
from competition.tui.dialogs.form import Field, FormDialog
from competition.tui.timer_flags import Disagreement, Mismatch

if TYPE_CHECKING:
    from competition.targeting import Candidate
    from competition.tui.app import TracksideApp
    from competition.tui.board import TimingBoard

SIDE_ITEMS = 3


class TimerFlagActions:
    """Disagreements with the timer's net times, number mismatches, the overtake swap."""

    board: TimingBoard | None

    if TYPE_CHECKING:  # provided by TimingScreen
        @property
        def trackside(self) -> TracksideApp: ...

        def target(self) -> Candidate | None: ...

        def query_one(self, *args: Any, **kwargs: Any) -> Any: ...

    # -- what is shown -----------------------------------------------------------------------

    def _fresh(self) -> tuple[list[Disagreement], list[Mismatch]]:
        """Flags newer than the referee's last ``m`` (the alarm and the side panel show these)."""
        timer = self.board.timer if self.board else None
        if timer is None:
            return [], []
        silenced = self.trackside.alarm_silenced_seq
        return ([d for d in timer.disagreements if d.record_seq > silenced],
                [m for m in timer.mismatches if m.seq > silenced])

    def newest_alarm_seq(self) -> int:
        """The newest flag's seq: ``m`` silences up to it (the app asks)."""
        timer = self.board.timer if self.board else None
        return timer.newest_seq() if timer else 0

    def timer_alarm(self) -> str:
        """The alarm banner's line for the timer's flags ("" when none is new)."""
        tr = self.trackside.tr
        disagreements, mismatches = self._fresh()
        parts = []
        if disagreements:
            key = "alarm.timer_disagrees" if len(disagreements) == 1 else "alarm.timer_disagrees_n"
            parts.append(tr(key, n=len(disagreements), what=disagreements[-1].words(tr)))
        if mismatches:
            key = "alarm.number_mismatch" if len(mismatches) == 1 else "alarm.number_mismatch_n"
            parts.append(tr(key, n=len(mismatches), what=mismatches[0].words(tr)))
        return "\n".join(parts)

    def show_timer_flags(self) -> None:
        box = self.query_one("#timer-flags", Static)
        timer = self.board.timer if self.board else None
        tr = self.trackside.tr
        lines = []
        open_ = timer.disagreements if timer else []
        if open_:
            lines.append(f"[b]⚠ {tr('timer.disagreements')}[/b]  {tr('timer.decide_hint')}")
            lines += [d.words(tr) for d in open_[-SIDE_ITEMS:]]
            if len(open_) > SIDE_ITEMS:
                lines.append(tr("timer.more", n=len(open_) - SIDE_ITEMS))
        _, mismatches = self._fresh()
        if mismatches:
            lines.append(f"[b]⚠ {tr('timer.mismatches')}[/b]  {tr('timer.mismatch_hint')}")
            lines += [m.words(tr) for m in mismatches[:SIDE_ITEMS]]
            if len(mismatches) > SIDE_ITEMS:
                lines.append(tr("timer.more", n=len(mismatches) - SIDE_ITEMS))
        box.update("\n".join(lines))
        box.display = bool(lines)

    def timer_why_not(self, action: str) -> str | None:
        board = self.board
        if action == "timer_check":
            return None if board and board.timer and board.timer.disagreements else self.trackside.tr("why.no_disagreement")
        if action == "swap_finishes":
            return None if board and board.finishers else self.trackside.tr("why.no_finisher")
        return None

    # -- acting on them ----------------------------------------------------------------------

    def _chosen_disagreement(self) -> Disagreement | None:
        timer = self.board.timer if self.board else None
        if timer is None or not timer.disagreements:
            return None
        target = self.target()
        by_run = {d.run_id: d for d in timer.disagreements}
        if target is not None and target.run_id in by_run:
            return by_run[target.run_id]
        return timer.disagreements[-1]  # the newest run

    def action_timer_check(self) -> None:
        app = self.trackside
        tr = app.tr
        d = self._chosen_disagreement()
        if d is None:
            return
        timer_text = format_duration(d.timer_net_ns, d.resolution_ns)
        own_text = format_duration(d.trackside_ns, app.event.course.precision_ns)
        choices = tr("timer.choices", timer=timer_text, trackside=own_text)

        def valid(values: dict[str, str]) -> str | None:
            return None if values.get("use") in ("1", "2") else tr("timer.choose_1_2")

        dialog = FormDialog(
            tr("title.timer_check", run=d.run_id, bib=d.bib, name=d.name) + "\n" + d.words(tr), tr,
            [Field("use", choices, "1")], ask_operator=app.needs_operator(), validate=valid,
        )

        def answer(values: dict[str, str] | None) -> None:
            if not values:
                return
            if values.get("operator"):
                app.set_operator(values["operator"])
            use = "timer" if values["use"] == "1" else "trackside"
            rider = tr("rider", bib=d.bib, name=d.name)
            done = tr("timer.used_timer" if use == "timer" else "timer.kept", rider=rider,
                      time=timer_text if use == "timer" else own_text)
            app.run_command(lambda: decide(app.event, d.run_id, use, reason=values["reason"]), done=done)

        app.push_screen(dialog, answer)

    def action_swap_finishes(self) -> None:
        app = self.trackside
        tr = app.tr
        board = self.board
        if board is None or not board.finishers:
            return
        precision = board.precision_ns
        first = board.finishers[0]
        other = board.on_course[0].run_id if board.on_course else (
            board.finishers[1].run_id if len(board.finishers) > 1 else None)
        hint = "  ".join(
            [f"{f.run_id} = {tr('rider', bib=f.bib, name=f.name)} {format_duration(f.raw_ns, precision)}"
             for f in board.finishers[:3]]
            + [f"{r.run_id} = {tr('rider', bib=r.bib, name=r.name)} {tr('timing.on_course')}"
               for r in board.on_course[:2]])

        def valid(values: dict[str, str]) -> str | None:
            ok = values.get("run_a", "").isdigit() and values.get("run_b", "").isdigit()
            return None if ok else tr("swap.two_runs")

        dialog = FormDialog(
            tr("title.swap"), tr,
            [Field("run_a", tr("swap.run_a", hint=hint), str(first.run_id)),
             Field("run_b", tr("swap.run_b"), str(other or ""))],
            validate=valid,
        )

        def answer(values: dict[str, str] | None) -> None:
            if not values:
                return
            a, b = int(values["run_a"]), int(values["run_b"])
            app.run_command(lambda: swap_finishes(app.event, a, b, reason=values["reason"]),
                            done=tr("swap.done", a=a, b=b))

        app.push_screen(dialog, answer)
