"""Give an orphan impulse to a rider, or choose a replayed finish over a hand-keyed one."""

from __future__ import annotations

from typing import Any

from competition.errors import TracksideError
from competition.tui.dialogs.form import Field, FormDialog
from competition.tui.i18n import Texts


class AssignOrphanDialog(FormDialog):
    """A start impulse asks for a bib; a finish (or candidate) asks for a run number.

    Returns {"bib" | "run": text, "reason": text}; the screen calls
    ``timing.assign_impulse`` / ``timing.choose_finish`` with it.
    """

    def __init__(self, impulse: dict[str, Any], tr: Texts, *, default_bib: int | None,
                 default_run: int | None, runs_hint: str) -> None:
        self.impulse = impulse
        start = impulse["channel"] == "start"
        candidate = impulse["disposition"] == "candidate"
        if start:
            fields = [Field("bib", tr("dialog.bib"), str(default_bib or ""), tr("assign.start_hint"))]
        else:
            hint = tr("assign.candidate_hint") if candidate else tr("assign.finish_hint")
            fields = [Field("run", f"{tr('dialog.run')}  {runs_hint}", str(default_run or ""), hint)]
        super().__init__(
            tr("title.assign", seq=impulse["seq"], track=impulse["track"], channel=impulse["channel"]), tr, fields,
            default_reason=tr("assign.default_reason") if candidate else "", validate=self._check,
        )

    def _check(self, values: dict[str, str]) -> str | None:
        key = "bib" if "bib" in values else "run"
        if not values.get(key, "").isdigit():
            return TracksideError("请填写数字。", "Type a number.").message(self.tr.lang)
        return None
