"""The timing screen's keys that act on a run or the queue (a mixin of ``TimingScreen``).

Every key that acts on a rider acts on *the* target (``competition.targeting``),
names that rider in its confirmation, and is refused with the reason when it
does not fit the rider's state (``refuse``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from competition import judging, start_queue, timing
from competition.targeting import Candidate, refusal
from competition.times import format_duration
from competition.tui.dialogs.assign_orphan import AssignOrphanDialog, words_for
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.dialogs.form import FormDialog
from competition.tui.dialogs.reason import ReasonDialog
from hardware.impulse import Channel

if TYPE_CHECKING:
    from competition.tui.app import TracksideApp
    from competition.tui.board import TimingBoard


class TimingActions:
    """Manual impulses, the queue, decisions on a run, orphan impulses."""

    board: TimingBoard | None

    if TYPE_CHECKING:  # provided by TimingScreen
        @property
        def trackside(self) -> TracksideApp: ...

        def acting_target(self) -> tuple[bool, Candidate | None]: ...

        def rider_words(self, target: Candidate) -> str: ...

    # -- refusals --------------------------------------------------------------------------

    def refuse(self, action: str, target: Candidate | None) -> bool:
        """Say why ``action`` does not fit ``target`` (True: refused, nothing recorded)."""
        code = refusal(action, target)
        if code is None:
            return False
        tr = self.trackside.tr
        if target is None:
            text = tr("why.no_target")
        else:
            precision = self.trackside.event.course.precision_ns
            text = tr(f"refuse.{code}", rider=self.rider_words(target),
                      time=format_duration(target.raw_ns, precision), status=tr(f"run_status.{target.status}"))
        self.trackside.notify(text, severity="warning", timeout=5)
        return True

    def _target_for(self, action: str) -> Candidate | None:
        """The target if ``action`` fits it; None after saying why not (or that the target just moved)."""
        still, target = self.acting_target()
        if not still:
            return None
        return None if self.refuse(action, target) else target

    # -- manual impulses and queue --------------------------------------------------------

    def _queue_head(self) -> dict[str, Any] | None:
        return self.board.queue[0] if self.board and self.board.queue else None

    def action_manual_start(self) -> None:
        app = self.trackside
        done = app.run_command(lambda: timing.manual_impulse(app.event, track=app.track, channel=Channel.START))
        if done.value is not None and done.value.bib is not None:
            name = next((w["name"] for w in (self.board.queue if self.board else []) if w["bib"] == done.value.bib), "")
            app.notify(app.tr("timing.started", bib=done.value.bib, name=name), timeout=3)

    def action_manual_finish(self) -> None:
        app = self.trackside
        target = self._target_for("manual_finish")
        if target is None:
            return
        done = app.run_command(
            lambda: timing.manual_impulse(app.event, track=app.track, channel=Channel.FINISH, run_id=target.run_id)
        )
        outcome = done.value
        if outcome is None:
            return
        if outcome.disposition == "finish":
            precision = app.event.course.precision_ns
            app.notify(app.tr("timing.finished", rider=self.rider_words(target),
                              time=format_duration(outcome.raw_ns, precision)), timeout=4)
        else:  # too short, a double…: kept in the journal, but say that it timed nobody
            app.notify(app.tr("timing.finish_ignored", rider=self.rider_words(target),
                              why=app.tr(f"disposition.{outcome.disposition}")), severity="warning", timeout=6)

    def action_skip(self) -> None:
        app = self.trackside
        head = self._queue_head()
        if head is None:
            return
        app.run_command(lambda: start_queue.skip(app.event, head["bib"]),
                        done=app.tr("timing.skipped", bib=head["bib"], name=head["name"]))

    def action_dns(self) -> None:
        app = self.trackside
        head = self._queue_head()
        if head is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                app.run_command(lambda: start_queue.scratch(app.event, head["bib"], reason="DNS"),
                                done=app.tr("timing.scratched", bib=head["bib"], name=head["name"]))

        app.push_screen(ConfirmDialog(app.tr("title.scratch", bib=head["bib"], name=head["name"]), app.tr), answer)

    # -- decisions on a run ----------------------------------------------------------------

    def _with_reason(self, title_key: str, target: Candidate, then: Any, done_key: str, *,
                     head_referee: bool = False) -> None:
        app = self.trackside
        dialog = ReasonDialog(
            app.tr(title_key, bib=target.bib, name=target.name), app.tr,
            ask_operator=head_referee and app.needs_operator(), on_operator=app.set_operator,
        )

        def answer(reason: str | None) -> None:
            if reason:
                app.run_command(lambda: then(reason), done=app.tr(done_key, rider=self.rider_words(target)))

        app.push_screen(dialog, answer)

    def action_set_status(self, status: str) -> None:
        app = self.trackside
        target = self._target_for("dnf" if status == "DNF" else "dsq")
        if target is None:
            return
        key = "title.dnf" if status == "DNF" else "title.dsq"
        self._with_reason(key, target, lambda reason: judging.set_status(app.event, target.run_id, status,
                                                                          reason=reason),
                          "done.dnf" if status == "DNF" else "done.dsq")

    def action_rerun(self) -> None:
        app = self.trackside
        target = self._target_for("rerun")
        if target is None:
            return
        self._with_reason("title.rerun", target,
                          lambda reason: judging.grant_rerun(app.event, target.run_id, reason=reason),
                          "done.rerun", head_referee=True)

    def action_undo_start(self) -> None:
        app = self.trackside
        target = self._target_for("undo_start")
        if target is None:
            return
        self._with_reason("title.undo_start", target,
                          lambda reason: timing.undo_start(app.event, target.run_id, reason=reason), "done.undo_start")

    def action_undo_finish(self) -> None:
        app = self.trackside
        target = self._target_for("undo_finish")
        if target is None:
            return
        self._with_reason("title.undo_finish", target,
                          lambda reason: timing.undo_finish(app.event, target.run_id, reason=reason),
                          "done.undo_finish")

    def action_confirm_run(self) -> None:
        app = self.trackside
        target = self._target_for("confirm_run")
        if target is None:
            return
        done = app.tr("timing.confirmed", rider=self.rider_words(target))
        if not app.needs_operator():
            app.run_command(lambda: judging.confirm_run(app.event, target.run_id), done=done)
            return

        def answer(values: dict[str, str] | None) -> None:
            if values:
                app.set_operator(values["operator"])
                app.run_command(lambda: judging.confirm_run(app.event, target.run_id), done=done)

        app.push_screen(FormDialog(app.tr("title.confirm", bib=target.bib, name=target.name), app.tr,
                                   ask_reason=False, ask_operator=True), answer)

    # -- orphan impulses ----------------------------------------------------------------------

    def action_assign(self) -> None:
        app = self.trackside
        if self.board is None or not self.board.orphans:
            return
        impulse = self.board.orphans[0]
        _, target = self.acting_target()
        riders = self.board.on_course
        default_run = impulse.get("run_id") or (target.run_id if target is not None and target.on_course else None) \
            or (riders[0].run_id if riders else None)
        hint = "  ".join(f"{r.run_id} = {app.tr('rider', bib=r.bib, name=r.name)}" for r in riders[:4])
        head = self._queue_head()
        dialog = AssignOrphanDialog(
            impulse, app.tr, default_bib=head["bib"] if head else None, default_run=default_run, runs_hint=hint,
            preview=lambda values: words_for(app.event, impulse, values, now_ns=app.clock(), tr=app.tr),
        )

        def answer(values: dict[str, str] | None) -> None:
            if not values:
                return
            reason = values["reason"]
            done = app.tr("timing.assigned", seq=impulse["seq"], what=values.get("summary", ""))
            # The dialog showed the resulting time and, for one outside the course's limits,
            # asked again with a reason: that is the referee's confirmation the core asks for.
            if "bib" in values:
                app.run_command(lambda: timing.assign_impulse(app.event, impulse["seq"], reason=reason,
                                                              bib=int(values["bib"]), force=True), done=done)
            elif impulse["disposition"] == "candidate":
                app.run_command(lambda: timing.choose_finish(app.event, int(values["run"]), impulse["seq"],
                                                             reason=reason, force=True), done=done)
            else:
                app.run_command(lambda: timing.assign_impulse(app.event, impulse["seq"], reason=reason,
                                                              run_id=int(values["run"]), force=True), done=done)

        app.push_screen(dialog, answer)

    def action_discard(self) -> None:
        """Set the newest waiting impulse aside (a test slap): kept in the journal, never used."""
        app = self.trackside
        if self.board is None or not self.board.orphans:
            return
        impulse = self.board.orphans[0]
        channel = app.tr(f"channel.{impulse['channel']}")

        def answer(values: dict[str, str] | None) -> None:
            if values:
                app.run_command(lambda: timing.discard_impulse(app.event, impulse["seq"], reason=values["reason"]),
                                done=app.tr("timing.discarded", seq=impulse["seq"]))

        app.push_screen(
            FormDialog(app.tr("title.discard", seq=impulse["seq"], track=impulse["track"], channel=channel),
                       app.tr, default_reason=app.tr("discard.default_reason")),
            answer,
        )
