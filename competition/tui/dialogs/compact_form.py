"""The correction form in two rows a field, for the head referee's longer forms at 80×24.

An appeal has five inputs (bib, who, run, evidence, grounds) plus the
operator the first time; with the app's framed inputs (three rows each) the
reason field fell below a 24-row terminal. Here each input is one row with a
tinted background (bolder while focused) under its label, so the whole form
fits; everything else is ``FormDialog``'s.
"""

from __future__ import annotations

from textual.widgets import Input

from competition.tui.dialogs.form import FormDialog

FIELD = "#fff3b0"
FOCUSED = "#ffd84d"


class CompactForm(FormDialog):
    """``FormDialog`` with one-row inputs."""

    def on_mount(self) -> None:
        for field in self.query(Input):
            # Inline styles: they win over the app's ``.dialog Input`` frame.
            field.styles.border = ("none", "black")
            field.styles.height = 1
            field.styles.padding = (0, 1)
            field.styles.background = FIELD
        super().on_mount()

    def on_descendant_focus(self) -> None:
        self._tint()

    def on_descendant_blur(self) -> None:
        self._tint()

    def _tint(self) -> None:
        for field in self.query(Input):
            field.styles.background = FOCUSED if field.has_focus else FIELD
            field.styles.text_style = "bold" if field.has_focus else "none"
