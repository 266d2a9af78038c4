"""An upheld appeal applied, on the F6 screen: corrections filed under the case.

The CLI's ``trackside --case N status …`` runs an ordinary correction with
the event store's ``case_id`` set, so the journal row carries the case and
``appeal list`` counts it. Here the same: ``under_case`` checks the jury
upheld the case (``competition.appeals.require_case_for_corrections``), sets
the store's case for the one command and clears it after, whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from competition.appeals import Case
from competition.tui.dialogs.form import Field

if TYPE_CHECKING:
    from competition.event import Event

T = TypeVar("T")


def under_case(event: Event, case_id: int, fn: Callable[[], T]) -> T:
    """Run a correction as ``--case N`` does: refused unless upheld; every row it writes names the case."""
    from competition.appeals import require_case_for_corrections

    require_case_for_corrections(event, case_id)
    event.store.case_id = case_id
    try:
        return fn()
    finally:
        event.store.case_id = None


def case_run(event: Event, case: Case) -> dict[str, Any] | None:
    """The run the case is about: the one it names, else the rider's counting run of the round."""
    if case.run_id is not None:
        rows = event.store.query("SELECT * FROM runs WHERE run_id = ?", (case.run_id,))
    else:
        rows = event.store.query(
            "SELECT * FROM runs WHERE bib = ? AND round = ? AND state != 'void'"
            " ORDER BY counts DESC, attempt DESC LIMIT 1", (case.bib, case.round_code))
    return rows[0] if rows else None


class CaseCorrections:
    """``s`` / ``t`` / ``w`` on the highlighted upheld case (mixed into the rounds screen)."""

    # Provided by the screen this is mixed into (RoundsScreen).
    trackside: Any
    selected_case: Callable[[], Case | None]
    rider: Callable[[int], str]
    form: Callable[..., None]

    def _case_and_run(self) -> tuple[Case, dict[str, Any]] | None:
        case = self.selected_case()
        if case is None:
            return None
        run = self.trackside.run_query(lambda: case_run(self.trackside.event, case))
        return None if run is None else (case, run)

    def _fix(self, case: Case, command: Callable[[], object]) -> None:
        app = self.trackside
        done = app.run_command(lambda: under_case(app.event, case.case_id, command))
        if done.ok:
            app.notify(app.tr("done.case_fix", case=case.case_id))

    def _reason(self, case: Case) -> str:
        return f"申诉 #{case.case_id} 裁决 appeal ruling: {case.reasoning or ''}".strip()

    def action_case_status(self) -> None:
        from competition import judging

        found = self._case_and_run()
        if found is None:
            return
        case, run = found
        tr = self.trackside.tr
        event = self.trackside.event
        run_id = int(run["run_id"])
        self.form(tr("title.case_status", case=case.case_id, run=run_id, rider=self.rider(case.bib)),
                  [Field("status", tr("dialog.status"), run["status"] or "OK")],
                  lambda v: self._fix(case, lambda: judging.set_status(event, run_id, v["status"].upper(),
                                                                       reason=v["reason"])),
                  default_reason=self._reason(case))

    def action_case_time(self) -> None:
        from competition import judging
        from competition.times import format_duration

        found = self._case_and_run()
        if found is None:
            return
        case, run = found
        tr = self.trackside.tr
        event = self.trackside.event
        run_id = int(run["run_id"])
        shown = format_duration(run["raw_ns"], event.course.precision_ns) if run["raw_ns"] is not None else ""

        def check(v: dict[str, str]) -> str | None:
            try:
                judging.seconds_text_to_ns(v.get("time", ""))
            except Exception as exc:
                return str(getattr(exc, "message_en" if tr.lang == "en" else "message_zh", exc))
            return None

        self.form(tr("title.case_time", case=case.case_id, run=run_id, rider=self.rider(case.bib)),
                  [Field("time", tr("dialog.time"), shown)],
                  lambda v: self._fix(case, lambda: judging.correct_time(
                      event, run_id, judging.seconds_text_to_ns(v["time"]), reason=v["reason"])),
                  validate=check, default_reason=self._reason(case))

    def action_case_withdraw(self) -> None:
        from competition import judging

        found = self._case_and_run()
        if found is None:
            return
        case, run = found
        app = self.trackside
        tr = app.tr
        event = app.event
        calls = event.store.query("SELECT penalty_id, segment, code, count FROM penalties"
                                  " WHERE run_id = ? AND withdrawn = 0 ORDER BY penalty_id", (run["run_id"],))
        if not calls:
            app.notify(tr("why.no_calls"), severity="warning")
            return
        names = {(s.code, i.code): tr.pick(f"{s.name_zh}·{i.name_zh}", f"{s.name_en}·{i.name_en}")
                 for s in event.course.all_segments() for i in s.infractions}
        listed = "；".join(f"#{c['penalty_id']} {names.get((c['segment'], c['code']), c['code'])}"
                          + (f"×{c['count']}" if c["count"] > 1 else "") for c in calls)
        ids = {int(c["penalty_id"]) for c in calls}
        first = str(calls[0]["penalty_id"]) if len(calls) == 1 else ""

        def check(v: dict[str, str]) -> str | None:
            text = v.get("penalty", "").lstrip("#")
            if not text.isdigit() or int(text) not in ids:
                return tr("dialog.need_number", what=tr("dialog.penalty_no")) + " " + listed
            return None

        self.form(tr("title.case_withdraw", case=case.case_id, rider=self.rider(case.bib), calls=listed),
                  [Field("penalty", tr("dialog.penalty_no"), first)],
                  lambda v: self._fix(case, lambda: judging.withdraw_penalty(
                      event, int(v["penalty"].lstrip("#")), reason=v["reason"])),
                  validate=check, default_reason=self._reason(case))
