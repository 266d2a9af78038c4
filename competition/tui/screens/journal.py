"""记录 Journal and corrections: every fact, newest first; corrections as new rows.

Filter by bib (digits) or kind (``penalty_called`` or its Chinese label
``判罚``). On a selected row: ``t`` corrects the run's time, ``s`` sets its
status, ``w`` withdraws a penalty call, ``e`` edits the rider. Each asks for a
reason, and the first correction of a session for the operator's name: a
head referee's change is always journaled under a name. Nothing is edited in
place; each correction is a new row that appears at the top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Input, Static

from competition import entrants, judging, timing
from competition.journal import JournalRow, recent_rows
from competition.privacy import mask_phone
from competition.tui.dialogs.correct_time import CorrectTimeDialog
from competition.tui.dialogs.form import Field, FormDialog
from competition.tui.i18n import localize_bindings
from competition.tui.journal_words import describe
from competition.tui.screens.base import EventScreen
from competition.tui.widgets.fitted_table import Col, FittedTable
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from results.journal_view import KIND_ZH, kind_label

if TYPE_CHECKING:
    pass

ROWS = 200
HIDDEN_BY_DEFAULT = ("raw_bytes",)  # one row per serial chunk: shown only when asked for
COLUMNS = (Col("col.seq", 5), Col("col.time", 8), Col("col.operator", 6, drop=1), Col("col.kind", 8),
           Col("col.what", 30, flex=True))


class JournalScreen(EventScreen):
    """The journal and the head referee's corrections."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash,ctrl+f", "focus_filter", "key.filter", id="journal.filter", key_display="/"),
        Binding("t", "correct_time", "key.correct_time", id="journal.correct_time"),
        Binding("s", "set_status", "key.set_status", id="journal.set_status"),
        Binding("w", "withdraw", "key.withdraw", id="journal.withdraw"),
        Binding("e", "edit_rider", "key.edit_rider", id="journal.edit_rider"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[JournalRow] = []
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        tr = self.trackside.tr
        localize_bindings(self, tr)
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "journal", id="tabs")
        yield Input(placeholder=tr("journal.filter_placeholder"), id="journal-filter")
        yield Static("", id="journal-title", classes="heading")
        yield FittedTable(tr, COLUMNS, id="journal", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#journal", DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.query_one("#journal-filter", Input).has_focus:
            self.query_one("#journal", DataTable).focus()
            event.stop()
            return
        self.explain_key(event)

    # -- data ---------------------------------------------------------------------------------

    def _query(self) -> tuple[tuple[str, ...] | None, int | None]:
        text = self.filter_text.strip()
        if not text:
            return tuple(k for k in KIND_ZH if k not in HIDDEN_BY_DEFAULT), None
        if text.lstrip("#").isdigit():
            return None, int(text.lstrip("#"))
        kinds = tuple(k for k, zh in KIND_ZH.items() if text in k or text in zh)
        return kinds or ("-",), None

    def refresh_data(self) -> None:
        app = self.trackside
        self.generation = app.generation
        kinds, bib = self._query()
        rows = app.run_query(lambda: recent_rows(app.event.store.conn, limit=ROWS, kinds=kinds, bib=bib))
        if rows is None:
            return
        self.rows = rows
        tr = app.tr
        title = tr("journal.title", n=len(rows))
        if self.filter_text:
            title += "   " + tr("journal.filtered", what=self.filter_text)
        self.query_one("#journal-title", Static).update(title)
        table = self.query_one("#journal", FittedTable)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            table.add_full_row(str(row.seq), row.utc[11:19], row.operator, kind_label(row.kind, app.lang),
                               describe(row, tr, app.event.course), key=str(row.seq))
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))

    @on(Input.Submitted, "#journal-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.filter_text = event.value
        self.refresh_data()
        self.query_one("#journal", DataTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#journal-filter", Input).focus()

    # -- the selected row ----------------------------------------------------------------------

    def selected(self) -> JournalRow | None:
        table = self.query_one("#journal", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @staticmethod
    def run_id_of(row: JournalRow) -> int | None:
        if row.kind == "run_started":
            return row.seq
        value = row.payload.get("run_id")
        return int(value) if value is not None else None

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        tr = self.trackside.tr
        if action in ("correct_time", "set_status", "withdraw", "edit_rider"):
            row = self.selected()
            if row is None:
                return tr("why.no_selection")
            if action in ("correct_time", "set_status") and self.run_id_of(row) is None:
                return tr("why.no_run_row")
            if action == "withdraw" and row.kind != "penalty_called":
                return tr("why.no_penalty_row")
            if action == "edit_rider" and row.payload.get("bib") is None:
                return tr("why.no_rider_row")
        return None

    def _after(self, values: dict[str, str] | None, command: Any) -> None:
        app = self.trackside
        if not values:
            return
        if values.get("operator"):
            app.set_operator(values["operator"])
        app.run_command(lambda: command(values), done=app.tr("journal.corrected"))

    def _selected_run(self) -> tuple[int, dict[str, Any]] | None:
        """The run the highlighted journal row is about, read fresh (None if it is about no run)."""
        row = self.selected()
        run_id = self.run_id_of(row) if row else None
        if run_id is None:
            return None
        run = self.trackside.run_query(lambda: timing.run(self.trackside.event, run_id))
        return None if run is None else (run_id, run)

    def action_correct_time(self) -> None:
        app = self.trackside
        found = self._selected_run()
        if found is None:
            return
        run_id, run = found
        dialog = CorrectTimeDialog(
            app.tr("title.correct_time", run=run_id, bib=run["bib"], name=run["name"]), app.tr,
            raw_ns=run["raw_ns"], precision_ns=app.event.course.precision_ns, ask_operator=app.needs_operator(),
        )
        app.push_screen(dialog, lambda values: self._after(values, lambda v: judging.correct_time(
            app.event, run_id, judging.seconds_text_to_ns(v["time"]), reason=v["reason"])))

    def action_set_status(self) -> None:
        app = self.trackside
        found = self._selected_run()
        if found is None:
            return
        run_id, run = found
        dialog = FormDialog(
            app.tr("title.set_status", run=run_id, bib=run["bib"], name=run["name"]), app.tr,
            [Field("status", app.tr("dialog.status"), run["status"])], ask_operator=app.needs_operator(),
        )
        app.push_screen(dialog, lambda values: self._after(values, lambda v: judging.set_status(
            app.event, run_id, v["status"], reason=v["reason"])))

    def action_withdraw(self) -> None:
        app = self.trackside
        row = self.selected()
        if row is None or row.kind != "penalty_called":
            return
        penalty_id = row.seq
        dialog = FormDialog(app.tr("title.withdraw", penalty=penalty_id, bib=row.payload.get("bib")), app.tr,
                            ask_operator=app.needs_operator())
        app.push_screen(dialog, lambda values: self._after(values, lambda v: judging.withdraw_penalty(
            app.event, penalty_id, reason=v["reason"])))

    def action_edit_rider(self) -> None:
        app = self.trackside
        row = self.selected()
        bib = row.payload.get("bib") if row else None
        if bib is None:
            return
        rider = app.run_query(lambda: entrants.get_entrant(app.event, int(bib)))
        if rider is None:
            return
        tr = app.tr
        fields = [
            Field("name", tr("dialog.name"), rider["name"]),
            Field("phone", tr("dialog.phone"), rider["phone"], mask_phone(rider["phone"])),
            Field("platform", tr("dialog.platform"), rider.get("platform") or ""),
        ]
        dialog = FormDialog(tr("title.edit_rider", bib=bib), tr, fields, ask_operator=app.needs_operator())

        def edit(v: dict[str, str]) -> None:
            changes = {k: v[k] for k in ("name", "phone", "platform") if v.get(k, "") != (rider.get(k) or "")}
            entrants.edit_entrant(app.event, int(bib), changes, reason=v["reason"])

        app.push_screen(dialog, lambda values: self._after(values, edit))
