"""Give an orphan impulse to a rider, or choose a replayed finish over a hand-keyed one.

Before anything is recorded the dialog shows when the impulse happened and the
time it would give (``orphan_preview``), updated as the bib or run is typed.
A result outside the course's limits needs a second Enter (ctrl+s): the first
one only shows why it looks wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.widgets import Input, Static

from competition.errors import TracksideError
from competition.tui.dialogs.form import Field, FormDialog
from competition.tui.i18n import Texts
from competition.tui.orphan_preview import AssignPreview

Preview = Callable[[dict[str, str]], AssignPreview]


class AssignOrphanDialog(FormDialog):
    """A start impulse asks for a bib; a finish (or candidate) asks for a run number.

    Returns {"bib" | "run": text, "reason": text, "summary": text}; the screen
    calls ``timing.assign_impulse`` / ``timing.choose_finish`` with it.
    """

    def __init__(self, impulse: dict[str, Any], tr: Texts, *, default_bib: int | None,
                 default_run: int | None, runs_hint: str, preview: Preview) -> None:
        self.impulse = impulse
        self.preview = preview
        self.warned: str | None = None  # the out-of-limits warning already shown once
        start = impulse["channel"] == "start"
        candidate = impulse["disposition"] == "candidate"
        if start:
            fields = [Field("bib", tr("dialog.bib"), str(default_bib or ""), tr("assign.start_hint"))]
        else:
            hint = tr("assign.candidate_hint") if candidate else tr("assign.finish_hint")
            label = tr("dialog.run") + (f"（{runs_hint}）" if runs_hint else "")
            fields = [Field("run", label, str(default_run or ""), hint)]
        channel = tr(f"channel.{impulse['channel']}")
        super().__init__(
            tr("title.assign", seq=impulse["seq"], track=impulse["track"], channel=channel), tr, fields,
            default_reason=tr("assign.default_reason") if candidate else "", validate=self._check,
        )

    def on_mount(self) -> None:
        super().on_mount()
        dialog = self.query_one(".dialog")
        dialog.mount(Static("", id="assign-preview", classes="dialog-preview"), after=0)
        self._show_preview()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id in ("field-bib", "field-run"):
            self.warned = None
            self._error("")
            self._show_preview()

    def current(self) -> AssignPreview:
        return self.preview(self.values())

    def _show_preview(self) -> None:
        if not self.is_mounted:
            return
        p = self.current()
        text = f"{p.impulse}\n[b]{p.result}[/b]"
        if p.outside:
            text += f"\n[b red]{p.outside}[/b red]"
        self.query_one("#assign-preview", Static).update(text)

    def preview_text(self) -> str:
        """What the preview shows (tests read it)."""
        p = self.current()
        return "\n".join(x for x in (p.impulse, p.result, p.outside or "") if x)

    def _check(self, values: dict[str, str]) -> str | None:
        key = "bib" if "bib" in values else "run"
        if not values.get(key, "").isdigit():
            return TracksideError("请填写数字。", "Type a number.").message(self.tr.lang)
        p = self.preview(values)
        if p.outside and self.warned != p.outside:
            self.warned = p.outside
            return self.tr("assign.confirm_outside", why=p.outside)
        values["summary"] = p.summary
        return None
