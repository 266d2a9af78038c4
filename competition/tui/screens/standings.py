"""成绩 Standings: the live ranking of the round, the cut line, prize places, penalties.

Rebuilt only when the event changed (``generation``); 500 riders cost a few
milliseconds to rank and one table fill to draw. ``p`` cycles the platform
filter; the highlighted rider's penalty breakdown shows below the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from competition.times import format_duration, format_penalty
from competition.tui.i18n import localize_bindings
from competition.tui.screens.base import EventScreen
from competition.tui.widgets.fitted_table import Col, FittedTable
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from results.ranking import Standing
from results.standings import StandingsReport, build_standings

if TYPE_CHECKING:
    pass


# The notes (prize, cut line, on course) stay at 80×24; the platform goes first (the filter names it).
COLUMNS = (Col("col.rank", 4), Col("col.bib", 5), Col("col.name", 8), Col("col.platform", 6, flex=True, drop=1),
           Col("col.raw", 8), Col("col.penalty", 5), Col("col.adjusted", 8), Col("col.status", 4),
           Col("col.mark", 12, flex=True))


class StandingsScreen(EventScreen):
    """The ranking board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "next_platform", "key.platform", id="standings.platform"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: StandingsReport | None = None
        self.platform: str | None = None
        self.rows: list[Standing] = []

    def compose(self) -> ComposeResult:
        tr = self.trackside.tr
        localize_bindings(self, tr)
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "standings", id="tabs")
        yield Static("", id="standings-title", classes="heading")
        yield FittedTable(tr, COLUMNS, id="standings", cursor_type="row", zebra_stripes=True)
        yield Static("", id="standings-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#standings", FittedTable)
        table.focus()

    def on_key(self, event: events.Key) -> None:
        self.explain_key(event)

    # -- data ---------------------------------------------------------------------------------

    def platforms(self) -> list[str]:
        if self.report is None:
            return []
        return sorted({e.get("platform") or "" for e in self.report.entrants.values()} - {""})

    def refresh_data(self) -> None:
        app = self.trackside
        self.generation = app.generation
        report = app.run_query(lambda: build_standings(app.event, app.event.current_round))
        if report is None:
            return
        self.report = report
        self._fill()

    def _fill(self) -> None:
        report = self.report
        if report is None:
            return
        app = self.trackside
        tr = app.tr
        precision = report.course.precision_ns
        table = self.query_one("#standings", FittedTable)
        row = table.cursor_row
        table.clear()
        self.rows = []
        done = sum(1 for s in report.standings if s.rider.counting is not None)
        round_rule = next((r for r in report.course.rounds if r.code == report.round_code), None)
        round_name = tr.pick(round_rule.name_zh, round_rule.name_en) if round_rule else report.round_code
        title = tr("standings.title", round=round_name, n=len(report.standings), done=done)
        title += "   " + tr("standings.filter", platform=self.platform or tr("standings.all"))
        if report.cut:
            title += "   " + tr("standings.cut", cut=report.cut)
        for tie in report.ties:
            title += "   " + tr("standings.tie", what=tr.pick(tie.what_zh, tie.what_en))
        self.query_one("#standings-title", Static).update(title)
        qualified = [s.bib for s in report.standings if report.qualified(s)]
        last_in = qualified[-1] if qualified else None
        for s in report.standings:
            e = report.entrants.get(s.bib, {})
            if self.platform and e.get("platform") != self.platform:
                continue
            c = s.rider.counting
            mark = ""
            style = ""
            prize = report.prize_of(s)
            if prize:
                mark = tr.pick(*prize)
                style = "bold"
            elif report.qualified(s):
                mark = tr("standings.cut_line") if s.bib == last_in else tr("standings.qualified")
                style = "bold"
            if s.bib in report.on_course:
                mark = (mark + " " + tr("standings.on_course")).strip()
            rank = "" if s.rank is None else (f"={s.rank}" if s.shared else str(s.rank))
            table.add_full_row(
                Text(rank, style=style, justify="right"),
                f"#{s.bib}",
                e.get("name", ""),
                e.get("platform") or "",
                Text(format_duration(c.raw_truncated_ns if c else None, precision), justify="right"),
                Text(format_penalty(c.penalty_ns) if c and c.penalty_ns else "", justify="right"),
                Text(format_duration(c.adjusted_ns if c else None, precision), style="bold", justify="right"),
                Text(s.status if c else "—", style="" if s.status == "OK" else "red"),
                Text(mark, style=style),
                key=str(s.bib),
            )
            self.rows.append(s)
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1))
        self._show_detail()

    @on(DataTable.RowHighlighted, "#standings")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#standings-detail", Static)
        table = self.query_one("#standings", DataTable)
        if not self.rows or self.report is None or not 0 <= table.cursor_row < len(self.rows):
            detail.update("")
            return
        tr = self.trackside.tr
        s = self.rows[table.cursor_row]
        e = self.report.entrants.get(s.bib, {})
        c = s.rider.counting
        if c is None or not c.lines:
            lines = tr("standings.no_penalty")
        else:
            lines = "  ".join(
                f"{tr.pick(ln.segment_name_zh, ln.segment_name_en)}·{tr.pick(ln.name_zh, ln.name_en)}"
                + (f"×{ln.count}" if ln.count > 1 else "")
                + (" DSQ" if ln.eliminates else f" {format_penalty(ln.seconds_ns)}")
                for ln in c.lines
            )
        detail.update(tr("standings.detail", bib=s.bib, name=e.get("name", ""), platform=e.get("platform") or "",
                         lines=lines))

    def action_next_platform(self) -> None:
        options: list[str | None] = [None, *self.platforms()]
        index = options.index(self.platform) if self.platform in options else 0
        self.platform = options[(index + 1) % len(options)]
        self._fill()

    def rank_of(self, bib: int) -> int | None:
        """The rank shown for ``bib`` (tests read it)."""
        for s in self.rows:
            if s.bib == bib:
                return s.rank
        return None

    def row_values(self) -> list[dict[str, Any]]:
        return [{"bib": s.bib, "rank": s.rank, "status": s.status} for s in self.rows]
