"""The last finishers with raw time, penalties, result and provisional rank."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate

from competition.times import format_duration, format_penalty
from competition.tui.board import Finisher
from competition.tui.i18n import Texts
from competition.tui.widgets.fitted_table import Col, FittedTable

COLUMNS = (Col("col.bib", 5), Col("col.name", 10), Col("col.raw", 8), Col("col.penalty", 5), Col("col.adjusted", 8),
           Col("col.status", 6), Col("col.rank", 4), Col("col.mark", 12, flex=True))
# With a timer that prints its own net times: its time beside Trackside's (still fits 80 columns).
TIMER_COLUMNS = (Col("col.bib", 5), Col("col.name", 8, flex=True), Col("col.raw", 8), Col("col.penalty", 5),
                 Col("col.adjusted", 8), Col("col.status", 6), Col("col.rank", 4), Col("col.timer", 8, drop=1),
                 Col("col.mark", 8, flex=True))


class FinishersTable(FittedTable, can_focus=False):
    """One row per recent finisher, newest first; the announcer reads it aloud.

    Implausible times (below the minimum run, over the limit, far from the
    field: a finish paired with the wrong start) are flagged ⚠ in the notes.
    When the timer computes net times itself a 计时器 column shows its time;
    a disagreement is red in that column and in the status, and named in the
    notes (⚠不符) until the referee decides (then 已保留 when Trackside's was kept).
    """

    def __init__(self, tr: Texts, **kwargs: Any) -> None:
        super().__init__(tr, COLUMNS, cursor_type="row", zebra_stripes=True, **kwargs)
        self.run_ids: list[int] = []
        self._rows: list[tuple[Any, ...]] = []

    def row_cells(self, f: Finisher, precision_ns: int) -> tuple[Any, ...]:
        t = self.tr
        notes = [f"⚠{t('flag.' + flag)}" for flag in f.flags]
        disagrees = f.timer_agrees is False and not f.timer_kept
        timer = format_duration(f.timer_ns, f.timer_resolution_ns) if f.timer_ns is not None else ""
        if disagrees:
            notes.insert(0, "⚠" + t("flag.timer_disagrees"))
        elif f.timer_agrees is False:
            notes.insert(0, t("flag.timer_kept"))
        if f.number_mismatch:
            notes.append(t("flag.number_mismatch"))
        if f.manual:
            notes.append(t("timing.manual"))
        if f.confirmed:
            notes.append("✔")
        if not f.counts:
            notes.append(t("key.rerun"))
        if f.lines:
            notes.append(" ".join(t.pick(ln.name_zh, ln.name_en) for ln in f.lines))
        status_style = "bold" if f.status == "OK" else "bold red"
        if f.flags or disagrees:
            status_style = "bold red"
        timer_style = "bold red" if disagrees else ("dim" if f.timer_agrees is False else "")
        return (
            f"#{f.bib}",
            f.name,
            Text(format_duration(f.raw_ns, precision_ns), justify="right"),
            Text(format_penalty(f.penalty_ns) if f.penalty_ns else "", justify="right"),
            Text(format_duration(f.adjusted_ns, precision_ns), style="bold", justify="right"),
            Text(f.status, style=status_style),
            # DNF/DSQ riders get no place, whatever the ranking gave them.
            Text(str(f.rank) if f.rank is not None and f.status == "OK" else "—", style="bold", justify="right"),
            Text(timer, style=timer_style, justify="right"),
            " ".join(notes),
        )

    def show_finishers(self, finishers: list[Finisher], precision_ns: int, *, timer: bool = False) -> None:
        """``timer``: the track's timer prints net times (show the 计时器 column)."""
        rows = [self.row_cells(f, precision_ns) for f in finishers]
        cols = list(TIMER_COLUMNS if timer else COLUMNS)
        if rows == self._rows and cols == self.cols:
            return
        self._rows = rows
        if cols != self.cols:
            self.cols = cols
            self.clear(columns=True)
            self._build(self.size.width or 120)
        if not timer:  # the timer cell exists only in the timer layout
            rows = [r[:7] + r[8:] for r in rows]
        self.run_ids = [f.run_id for f in finishers]
        self.clear()
        for f, cells in zip(finishers, rows, strict=True):
            self.add_full_row(*cells, key=str(f.run_id))

    def cell_text(self, row: int, column: str) -> str:
        """The plain text of one cell (tests and the bench read it)."""
        value = self.get_cell_at(Coordinate(row, self.get_column_index(column)))
        return value.plain if isinstance(value, Text) else str(value)
