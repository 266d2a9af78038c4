"""The loud banner: timer offline, or an impulse nobody owns."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class AlarmBanner(Static):
    """Hidden until an alarm is raised; white on red, bold, three lines tall."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.message = ""

    def raise_alarm(self, message: str) -> None:
        self.message = message
        self.update(message)
        self.display = True

    def clear_alarm(self) -> None:
        self.message = ""
        self.display = False

    @property
    def active(self) -> bool:
        return bool(self.message)
