"""A DataTable whose columns fit the terminal: decoration drops first, the notes column takes the rest.

At 80×24 a fixed-width table cut off its last columns (the check-in status,
the standings notes). Here each column says how wide it wants to be, whether
it stretches (``flex``) and when it may go (``drop``: higher goes first when
the table is too narrow). Rows are given for every column; the table keeps
them, so a resize can rebuild the columns and put the rows back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual import events
from textual.widgets import DataTable

from competition.tui.i18n import Texts

PADDING = 2  # DataTable's cell padding, both sides
SCROLLBAR = 2


@dataclass(frozen=True)
class Col:
    """One column: i18n key of its heading, its width, whether it stretches, when it drops (0: never)."""

    key: str
    width: int
    flex: bool = False
    drop: int = 0


def fit_columns(cols: Sequence[Col], available: int) -> list[tuple[str, int]]:
    """The columns to show in ``available`` cells and their widths."""
    shown = list(cols)

    def needed(cs: list[Col]) -> int:
        return sum(c.width + PADDING for c in cs)

    while needed(shown) > available and any(c.drop for c in shown):
        worst = max((c for c in shown if c.drop), key=lambda c: c.drop)
        shown.remove(worst)
    spare = max(0, available - needed(shown))
    flex = [c for c in shown if c.flex]
    extra = {c.key: spare // len(flex) for c in flex} if flex else {}
    return [(c.key, c.width + extra.get(c.key, 0)) for c in shown]


class FittedTable(DataTable[Any]):
    """See the module docstring; ``add_full_row`` takes one value per declared column."""

    def __init__(self, tr: Texts, cols: Sequence[Col], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tr = tr
        self.cols = list(cols)
        self.layout_now: list[tuple[str, int]] = []
        self._full_rows: list[tuple[tuple[Any, ...], str | None]] = []

    def on_mount(self) -> None:
        self._build(self.size.width or 120)

    def _build(self, width: int) -> None:
        layout = fit_columns(self.cols, max(20, width - SCROLLBAR))
        if layout == self.layout_now:
            return
        self.layout_now = layout
        row = self.cursor_row
        super().clear(columns=True)
        for key, w in layout:
            self.add_column(self.tr(key), width=w, key=key)
        for values, key in self._full_rows:
            self._add_visible(values, key)
        if self._full_rows:
            self.move_cursor(row=min(max(row, 0), len(self._full_rows) - 1))

    def on_resize(self, event: events.Resize) -> None:
        self._build(event.size.width)

    def _add_visible(self, values: tuple[Any, ...], key: str | None) -> None:
        index = {c.key: i for i, c in enumerate(self.cols)}
        super().add_row(*(values[index[k]] for k, _ in self.layout_now), key=key)

    def add_full_row(self, *values: Any, key: str | None = None) -> None:
        self._full_rows.append((values, key))
        self._add_visible(values, key)

    def clear(self, columns: bool = False) -> FittedTable:
        self._full_rows = []
        super().clear(columns=columns)
        if columns:
            self.layout_now = []
        return self

    def shows(self, key: str) -> bool:
        """Whether column ``key`` is on screen now (tests read it)."""
        return any(k == key for k, _ in self.layout_now)
