"""The screen keys on one line (F1 计时 F2 签到 …), the current screen highlighted."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from competition.tui.i18n import Texts

SCREENS = (("F1", "timing"), ("F2", "checkin"), ("F3", "standings"), ("F4", "journal"), ("F5", "hardware"))


class ScreenTabs(Static):
    """Which function key opens which screen; the footer keeps the keys of this screen."""

    def __init__(self, tr: Texts, current: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, name in SCREENS:
            style = "bold reverse" if name == current else ""
            text.append(f" {key} {tr('screen.' + name)} ", style=style)
            text.append(" ")
        text.append(f" ? {tr('screen.help')}  ctrl+p {tr('key.palette')}  ctrl+q {tr('key.quit')}")
        self.update(text)
