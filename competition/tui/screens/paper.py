"""F7 纸质记录 Paper sheets: the judges' signed sheets and the backup stopwatch, entered back, reconciled.

Pick a segment on the left by its digit (``t``: 秒表, the backup stopwatch;
or the arrows and Enter), then type the
sheet as it is on paper, one rider a line: ``12 倒杆出框*2 支脚`` (or by the
infraction keys, ``12 d*2 z``; a bib alone means no marks), Enter for the
next rider. A line is checked as it is typed (the bib is an entrant, every
infraction is the segment's) and shown in the sheet table; typing a bib
again replaces his line. ``ctrl+s`` records the whole sheet
(``trackside paper enter SEGMENT`` / ``paper times``): riders not on it have
no marks. The lower table is ``paper diff``: every rider where paper and the
live record differ; ``p`` settles one with the paper, ``l`` with the live
record (``paper settle``), a reason each, journaled under the operator.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, Static

from competition.errors import TracksideError
from competition.paper import TIME, Difference, PaperLine
from competition.tui.dialogs.compact_form import CompactForm
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.i18n import localize_bindings
from competition.tui.screens.base import EventScreen
from competition.tui.widgets.fitted_table import Col, FittedTable
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar

STOPWATCH_KEY = "t"
SEGMENT_COLUMNS = (Col("col.segment", 14, flex=True), Col("col.entered", 4))
SHEET_COLUMNS = (Col("col.bib", 5), Col("col.name", 8, drop=1), Col("col.marks", 16, flex=True))
DIFF_COLUMNS = (Col("col.bib", 5), Col("col.name", 8, drop=2), Col("col.attempt", 3, drop=1),
                Col("col.diff_what", 14, flex=True), Col("col.live", 8), Col("col.paper", 8))


class PaperScreen(EventScreen):
    """Paper sheet entry and the head referee's reconciliation."""

    DEFAULT_CSS = """
    PaperScreen #paper-main { height: 9; }
    PaperScreen #segments { width: 32; }
    PaperScreen #sheet { width: 1fr; }
    PaperScreen #paper-line { height: 1; border: none; padding: 0 1; background: #fff3b0; }
    PaperScreen #paper-line:focus { border: none; }
    PaperScreen #paper-error { height: auto; max-height: 2; color: #c00000; }
    PaperScreen #diffs { height: 1fr; }
    PaperScreen #diff-hint { height: auto; max-height: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save_sheet", "key.save_sheet", id="paper.save", priority=True),
        Binding("ctrl+a", "next_attempt", "key.attempt", id="paper.attempt", priority=True),
        Binding("p", "settle('paper')", "key.use_paper", id="paper.use_paper"),
        Binding("l", "settle('live')", "key.use_live", id="paper.use_live"),
        Binding("escape", "back_to_segments", "key.back_to_segments", id="paper.segments", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.segment: str | None = None  # a segment code or TIME; None until picked
        self.attempt = 1
        self.drafts: dict[tuple[str, int], dict[int, Any]] = {}  # (segment, attempt) -> bib -> line
        self.diffs: list[Difference] = []
        self.segment_codes: list[str] = []

    def compose(self) -> ComposeResult:
        tr = self.trackside.tr
        localize_bindings(self, tr)
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "paper", id="tabs")
        yield Static("", id="paper-title", classes="heading")
        with Horizontal(id="paper-main"):
            yield FittedTable(tr, SEGMENT_COLUMNS, id="segments", cursor_type="row")
            yield FittedTable(tr, SHEET_COLUMNS, id="sheet", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder=tr("paper.pick_segment"), id="paper-line", disabled=True)
        yield Static("", id="paper-error")
        yield Static("", id="diff-title", classes="heading")
        yield FittedTable(tr, DIFF_COLUMNS, id="diffs", cursor_type="row", zebra_stripes=True)
        yield Static("", id="diff-hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#segments", DataTable).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.refresh_bindings()  # p / l apply in the differences table

    def on_key(self, event: events.Key) -> None:
        if self.query_one("#segments", DataTable).has_focus and event.character:
            # One hand: the segment's digit (as on the timing screen), t for the stopwatch.
            course = self.trackside.event.course
            chosen = next((s.code for s in course.all_segments() if s.hotkey == event.character), None)
            if chosen is None and event.character == STOPWATCH_KEY:
                chosen = TIME
            if chosen is not None:
                event.stop()
                self.pick(chosen)
                return
        self.explain_key(event)

    # -- words --------------------------------------------------------------------------------

    def segment_name(self, code: str | None) -> str:
        tr = self.trackside.tr
        if code is None:
            return ""
        if code == TIME:
            return tr("paper.stopwatch")
        seg = self.trackside.event.course.segment(code)
        return tr.pick(seg.name_zh, seg.name_en)

    def infraction_name(self, segment: str, code: str) -> str:
        tr = self.trackside.tr
        for inf in self.trackside.event.course.segment(segment).infractions:
            if inf.code == code:
                return tr.pick(inf.name_zh, inf.name_en)
        return code

    def marks_text(self, segment: str, counts: dict[str, int]) -> str:
        if not counts:
            return self.trackside.tr("paper.no_marks")
        return " ".join(self.infraction_name(segment, c) + (f"×{n}" if n > 1 else "") for c, n in counts.items())

    def duration(self, ns: int | None) -> str:
        from competition.times import format_duration

        return self.trackside.tr("paper.none") if ns is None else format_duration(ns, self.trackside.event.course.precision_ns)

    def name_of(self, bib: int) -> str:
        rows = self.trackside.event.store.query("SELECT name FROM entrants WHERE bib = ?", (bib,))
        return rows[0]["name"] if rows else ""

    # -- data ----------------------------------------------------------------------------------

    @property
    def round_code(self) -> str:
        return self.trackside.event.current_round

    def draft(self) -> dict[int, Any]:
        return self.drafts.setdefault((self.segment or "", self.attempt), {})

    def refresh_data(self) -> None:
        app = self.trackside
        self.generation = app.generation
        code = self.round_code
        entered = app.run_query(lambda: {
            r["segment"]: int(r["n"]) for r in app.event.store.query(
                "SELECT segment, COUNT(*) AS n FROM paper_lines WHERE round = ? GROUP BY segment", (code,))})
        times = app.run_query(lambda: app.event.store.query(
            "SELECT COUNT(*) AS n FROM paper_times WHERE round = ?", (code,))[0]["n"])
        table = self.query_one("#segments", FittedTable)
        cursor = table.cursor_row
        table.clear()
        self.segment_codes = [s.code for s in app.event.course.all_segments()] + [TIME]
        for seg in self.segment_codes:
            n = (times if seg == TIME else (entered or {}).get(seg)) or 0
            label = self.segment_name(seg)
            key = STOPWATCH_KEY if seg == TIME else app.event.course.segment(seg).hotkey
            label = f"{key} {label}"
            table.add_full_row(Text(label, style="bold" if seg == self.segment else ""),
                               Text(str(n) if n else "", justify="right"), key=seg)
        table.move_cursor(row=min(max(cursor, 0), len(self.segment_codes) - 1))
        self._fill_sheet()
        self._fill_diffs()

    def _fill_sheet(self) -> None:
        tr = self.trackside.tr
        table = self.query_one("#sheet", FittedTable)
        table.clear()
        draft = self.draft() if self.segment else {}
        for bib, line in draft.items():
            shown = self.duration(line[2]) if self.segment == TIME else self.marks_text(self.segment or "", line.counts)
            table.add_full_row(f"#{bib}", self.name_of(bib), shown, key=str(bib))
        if draft:
            table.move_cursor(row=len(draft) - 1)
        round_rule = self.trackside.event.course.round(self.round_code)
        title = tr("paper.title", round=tr.pick(round_rule.name_zh, round_rule.name_en),
                   segment=self.segment_name(self.segment) or "—", attempt=self.attempt, n=len(draft))
        self.query_one("#paper-title", Static).update(title)
        self.refresh_bindings()  # ctrl+s applies once the sheet has a line

    def _fill_diffs(self) -> None:
        from competition.paper import differences

        app = self.trackside
        tr = app.tr
        found = app.run_query(lambda: differences(app.event, self.round_code))
        self.diffs = found or []
        table = self.query_one("#diffs", FittedTable)
        cursor = table.cursor_row
        table.clear()
        for d in self.diffs:
            if d.segment == TIME:
                what, live, paper = tr("paper.time_word"), self.duration(d.live), self.duration(d.paper)
            else:
                what = f"{self.segment_name(d.segment)}·{self.infraction_name(d.segment, d.code or '')}"
                live, paper = tr("paper.count", n=d.live or 0), tr("paper.count", n=d.paper or 0)
            table.add_full_row(f"#{d.bib}", self.name_of(d.bib), str(d.attempt), what,
                               Text(live, justify="right"), Text(paper, justify="right", style="bold"))
        if self.diffs:
            table.move_cursor(row=min(max(cursor, 0), len(self.diffs) - 1))
        round_rule = app.event.course.round(self.round_code)
        title = tr("paper.diff_title", round=tr.pick(round_rule.name_zh, round_rule.name_en), n=len(self.diffs))
        self.query_one("#diff-title", Static).update(title)
        self.query_one("#diff-hint", Static).update(tr("paper.diff_hint") if self.diffs else tr("paper.agree"))

    # -- picking a segment, typing lines ----------------------------------------------------------

    @on(DataTable.RowSelected, "#segments")
    def segment_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.segment_codes):
            self.pick(self.segment_codes[event.cursor_row])

    def pick(self, segment: str) -> None:
        """Start (or go back to) this segment's sheet: the line field takes the typing."""
        tr = self.trackside.tr
        self.segment = segment
        field = self.query_one("#paper-line", Input)
        field.disabled = False
        field.placeholder = tr("paper.placeholder_times" if segment == TIME else "paper.placeholder_marks")
        field.value = ""
        self.query_one("#paper-error", Static).update("")
        self.refresh_data()
        field.focus()

    def action_back_to_segments(self) -> None:
        self.query_one("#segments", DataTable).focus()

    @on(Input.Submitted, "#paper-line")
    def line_typed(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text or self.segment is None:
            return
        error = self.query_one("#paper-error", Static)
        try:
            bib, shown = self.add_line(text)
        except TracksideError as exc:
            error.update(exc.message(self.trackside.lang))
            return  # the line stays in the field to be fixed
        error.update(self.trackside.tr("paper.added", rider=self.trackside.tr("rider", bib=bib, name=self.name_of(bib)),
                                       marks=shown))
        event.input.value = ""
        self._fill_sheet()

    def add_line(self, text: str) -> tuple[int, str]:
        """Check one typed line as the sheet's entry will (entrant, infractions) and keep it in the draft."""
        from competition.errors import CommandRefused
        from competition.paper import resolve_counts
        from competition.paper_sheets import parse_sheet_text, parse_times_text

        app = self.trackside
        source = app.tr.pick("本行", "this line")
        if self.segment == TIME:
            bib, attempt, ns = parse_times_text(text, attempt=self.attempt, source=source)[0]
            shown = self.duration(ns)
            line: Any = (bib, attempt, ns)
        else:
            parsed = parse_sheet_text(text.replace(",", " "), attempt=self.attempt, source=source)[0]
            bib = parsed.bib
            line = PaperLine(bib, self.attempt, resolve_counts(app.event, self.segment or "", parsed.counts))
            shown = self.marks_text(self.segment or "", line.counts)
        if not app.event.store.query("SELECT 1 FROM entrants WHERE bib = ?", (bib,)):
            raise CommandRefused(f"{bib} 号不是报名选手。", f"Bib {bib} is not an entrant.")
        draft = self.draft()
        draft.pop(bib, None)  # typed again: his new line replaces the old one, at the bottom
        draft[bib] = line
        return bib, shown

    def action_next_attempt(self) -> None:
        attempts = self.trackside.event.course.round(self.round_code).attempts
        self.attempt = self.attempt % attempts + 1
        self._fill_sheet()

    # -- recording the sheet -----------------------------------------------------------------------

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        tr = self.trackside.tr
        if action == "save_sheet" and (self.segment is None or not self.draft()):
            return tr("why.empty_sheet")
        if action == "settle" and self.selected_diff() is None:
            return tr("why.no_difference")
        return None

    def action_save_sheet(self) -> None:
        from competition.paper import enter_sheet, enter_times

        app = self.trackside
        tr = app.tr
        segment, attempt, draft = self.segment, self.attempt, dict(self.draft())
        if segment is None or not draft:
            return
        code = self.round_code

        def save() -> None:
            if segment == TIME:
                lines = list(draft.values())
                done = app.run_command(lambda: enter_times(app.event, lines, round_code=code, entered_by=app.operator))
                message = tr("done.times_saved", n=len(lines))
            else:
                sheet = list(draft.values())
                done = app.run_command(lambda: enter_sheet(app.event, segment, sheet, round_code=code,
                                                           entered_by=app.operator))
                message = tr("done.sheet_saved", n=len(sheet))
            if done.ok:
                self.drafts.pop((segment, attempt), None)
                app.notify(message)
                self.refresh_data()

        question = (tr("title.save_times", attempt=attempt, n=len(draft)) if segment == TIME
                    else tr("title.save_sheet", segment=self.segment_name(segment), attempt=attempt, n=len(draft)))
        if app.needs_operator():
            def named(values: dict[str, str] | None) -> None:
                if values:
                    app.set_operator(values["operator"])
                    save()

            app.push_screen(CompactForm(question, tr, ask_reason=False, ask_operator=True), named)
            return
        app.push_screen(ConfirmDialog(question, tr), lambda yes: save() if yes else None)

    # -- settling a difference -----------------------------------------------------------------------

    def selected_diff(self) -> Difference | None:
        table = self.query_one("#diffs", DataTable)
        if not self.diffs or not table.has_focus or not 0 <= table.cursor_row < len(self.diffs):
            return None
        return self.diffs[table.cursor_row]

    def action_settle(self, use: str) -> None:
        from competition.paper import settle

        app = self.trackside
        tr = app.tr
        d = self.selected_diff()
        if d is None:
            return
        which = tr("paper.which_paper" if use == "paper" else "paper.which_live")
        what = tr("paper.time_word") if d.segment == TIME else self.segment_name(d.segment)
        rider = tr("rider", bib=d.bib, name=self.name_of(d.bib))

        def go(values: dict[str, str] | None) -> None:
            if not values:
                return
            if values.get("operator"):
                app.set_operator(values["operator"])
            done = app.run_command(lambda: settle(app.event, d.bib, d.segment, use=use, reason=values["reason"],
                                                  round_code=d.round_code, attempt=d.attempt))
            if done.ok and done.value is not None:
                app.notify(tr("done.settled", n=len(done.value), which=which))

        app.push_screen(CompactForm(tr("title.settle", rider=rider, what=what, which=which), tr,
                                   ask_operator=app.needs_operator()), go)

    def diff_rows(self) -> list[dict[str, Any]]:
        """The differences shown (tests read them)."""
        return [d.as_json() for d in self.diffs]
