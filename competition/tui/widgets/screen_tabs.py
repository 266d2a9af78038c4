"""The screen keys on one line (F1 计时 F2 签到 …), the current screen highlighted."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.widgets import Static

from competition.tui.i18n import Texts

SCREENS = (("F1", "timing"), ("F2", "checkin"), ("F3", "standings"), ("F4", "journal"), ("F5", "hardware"))


class ScreenTabs(Static):
    """Which function key opens which screen; the footer keeps the keys of this screen.

    On a narrow terminal the help/palette/quit hints shrink to their keys first,
    so the screen names always show.
    """

    def __init__(self, tr: Texts, current: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tr = tr
        self.current = current
        self.update(self.line(120))

    def line(self, width: int) -> Text:
        tr = self.tr
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, name in SCREENS:
            style = "bold reverse" if name == self.current else ""
            text.append(f" {key} {tr('screen.' + name)} ", style=style)
            text.append(" ")
        tail = f" ? {tr('screen.help')}  ctrl+p {tr('key.palette')}  ctrl+q {tr('key.quit')}"
        if text.cell_len + len(tail) + 6 > width:  # CJK tails are wider than len(): be generous
            tail = f" ? {tr('screen.help')} ^p {tr('key.palette')} ^q {tr('key.quit')}"
        text.append(tail)
        return text

    def on_resize(self, event: events.Resize) -> None:
        self.update(self.line(event.size.width))
