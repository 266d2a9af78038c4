"""Ask for the reason of a referee decision (and, once, the operator's name)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from competition.tui.i18n import Texts, localize_bindings


class ReasonDialog(ModalScreen[str | None]):
    """Returns the reason typed, or None on Escape.

    With ``ask_operator`` it also asks who is deciding; the name is handed to
    ``on_operator`` before the dialog closes so the command that follows is
    journaled under it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.cancel", id="reason.cancel")]

    def __init__(
        self, title: str, tr: Texts, *, default: str = "", ask_operator: bool = False,
        on_operator: object = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.tr = tr
        self.default = default
        self.ask_operator = ask_operator
        self.on_operator = on_operator
        localize_bindings(self, tr)

    def compose(self) -> ComposeResult:
        t = self.tr
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Label(t("dialog.reason"))
            yield Input(self.default, placeholder=t("dialog.reason_placeholder"), id="reason")
            if self.ask_operator:
                yield Label(t("dialog.operator"))
                yield Input(placeholder=t("dialog.operator_placeholder"), id="operator")
            yield Static("", classes="dialog-error")
            yield Static(f"Enter {t('key.ok')}   Esc {t('key.cancel')}", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one(".dialog-error", Static).update(self.tr("dialog.need_reason"))
            self.query_one("#reason", Input).focus()
            return
        if self.ask_operator:
            operator = self.query_one("#operator", Input).value.strip()
            if not operator:
                self.query_one(".dialog-error", Static).update(self.tr("dialog.need_operator"))
                self.query_one("#operator", Input).focus()
                return
            if callable(self.on_operator):
                self.on_operator(operator)
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
