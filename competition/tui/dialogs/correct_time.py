"""Correct a run's raw time from the paper backup: the time, then the reason."""

from __future__ import annotations

from competition.errors import TracksideError
from competition.judging import seconds_text_to_ns
from competition.times import format_duration
from competition.tui.dialogs.form import Field, FormDialog
from competition.tui.i18n import Texts


class CorrectTimeDialog(FormDialog):
    """Returns {"time": text, "reason": …} once the time parses (62.34 or 1:02.34)."""

    def __init__(self, title: str, tr: Texts, *, raw_ns: int | None, precision_ns: int, ask_operator: bool) -> None:
        shown = format_duration(raw_ns, precision_ns) if raw_ns is not None else ""
        super().__init__(
            title, tr, [Field("time", tr("dialog.time"), shown)], ask_operator=ask_operator,
            validate=self._check_time,
        )

    def _check_time(self, values: dict[str, str]) -> str | None:
        try:
            seconds_text_to_ns(values.get("time", ""))
        except TracksideError as exc:
            return exc.message(self.tr.lang)
        return None
