"""A small form with a reason: the shape of every correction.

Each correction is journaled with its reason; corrections by the head referee
also need a named operator, asked once per session (``ask_operator``). The
dialog checks its fields before it closes, so a bad time never reaches a
command half-typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from competition.tui.i18n import Texts, localize_bindings

Validator = Callable[[dict[str, str]], str | None]


@dataclass(frozen=True)
class Field:
    """One input of a form: its key, label and starting value."""

    key: str
    label: str
    value: str = ""
    placeholder: str = ""


class FormDialog(ModalScreen[dict[str, str] | None]):
    """Fields, then the reason (and operator); Enter submits, Escape cancels.

    Returns the values by field key plus ``reason`` (and ``operator``), or
    None when cancelled. ``validate`` returns an error text to keep it open.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "key.ok", id="dialog.ok"),
    ]

    def __init__(
        self,
        title: str,
        tr: Texts,
        fields: list[Field] | None = None,
        *,
        ask_reason: bool = True,
        ask_operator: bool = False,
        default_reason: str = "",
        validate: Validator | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.tr = tr
        self.fields = fields or []
        self.ask_reason = ask_reason
        self.ask_operator = ask_operator
        self.default_reason = default_reason
        self.validate = validate
        localize_bindings(self, tr)

    def compose(self) -> ComposeResult:
        t = self.tr
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            for f in self.fields:
                yield Label(f.label)
                yield Input(f.value, placeholder=f.placeholder, id=f"field-{f.key}")
            if self.ask_reason:
                yield Label(t("dialog.reason"))
                yield Input(self.default_reason, placeholder=t("dialog.reason_placeholder"), id="field-reason")
            if self.ask_operator:
                yield Label(t("dialog.operator"))
                yield Input(placeholder=t("dialog.operator_placeholder"), id="field-operator")
            yield Static("", classes="dialog-error")
            yield Static(f"Enter {t('key.ok')}   Esc {t('key.cancel')}", classes="dialog-hint")

    def on_mount(self) -> None:
        inputs = list(self.query(Input))
        if inputs:
            inputs[0].focus()

    def values(self) -> dict[str, str]:
        return {i.id.removeprefix("field-"): i.value.strip() for i in self.query(Input) if i.id}

    def _error(self, text: str) -> None:
        self.query_one(".dialog-error", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        # Enter moves to the next empty field; on the last one (or when all are filled) it submits.
        for later in inputs[index + 1 :]:
            if not later.value.strip():
                later.focus()
                return
        self.action_submit()

    def action_submit(self) -> None:
        values = self.values()
        if self.ask_reason and not values.get("reason"):
            self._error(self.tr("dialog.need_reason"))
            self.query_one("#field-reason", Input).focus()
            return
        if self.ask_operator and not values.get("operator"):
            self._error(self.tr("dialog.need_operator"))
            self.query_one("#field-operator", Input).focus()
            return
        if self.validate is not None:
            problem = self.validate(values)
            if problem:
                self._error(problem)
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
