"""The next riders in a track's start queue."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from competition.tui.i18n import Texts


class QueueList(Static):
    """The head of the start queue: the first one large, the next few below."""

    def __init__(self, tr: Texts, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tr = tr
        self.bibs: list[int] = []

    def show_queue(self, waiting: list[dict[str, Any]]) -> None:
        self.bibs = [w["bib"] for w in waiting]
        if not waiting:
            self.update(Text(self.tr("timing.queue_empty"), style="italic"))
            return
        text = Text()
        for i, w in enumerate(waiting):
            style = "bold reverse" if i == 0 else ""
            text.append(f"{i + 1:>2}. #{w['bib']:<4} {w['name']}", style=style)
            text.append(f"  {w.get('platform') or ''}\n", style="" if i else "bold")
        self.update(text)
