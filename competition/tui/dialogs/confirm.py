"""Yes or no: y, n or Escape."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from competition.tui.i18n import Texts, localize_bindings


class ConfirmDialog(ModalScreen[bool]):
    """Asks one question; True only on y."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "key.yes", id="confirm.yes"),
        Binding("n", "answer(False)", "key.no", id="confirm.no"),
        Binding("escape", "answer(False)", "key.cancel", id="confirm.cancel"),
    ]

    def __init__(self, question: str, tr: Texts) -> None:
        super().__init__()
        self.question = question
        self.tr = tr
        localize_bindings(self, tr)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.tr("dialog.confirm_title"), classes="dialog-title")
            yield Static(self.question, classes="dialog-question")
            yield Static(self.tr("dialog.yes_no"), classes="dialog-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
