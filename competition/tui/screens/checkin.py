"""签到 Check-in: find a rider by bib, phone tail, name or pinyin initials, queue them.

The desk types into the search field; Enter checks in the highlighted match
(the first one by default) to the chosen track's start queue. The queue on
the right can be reordered (ctrl+↑/↓) and a rider scratched (Delete).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Static

from competition import entrants, start_queue, timing
from competition.privacy import mask_phone
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.dialogs.form import FormDialog
from competition.tui.i18n import localize_bindings
from competition.tui.screens.base import EventScreen
from competition.tui.widgets.fitted_table import Col, FittedTable
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar

if TYPE_CHECKING:
    pass

MAX_TRACK = 4
# The status column (queued on track n, on course, rode, withdrawn) stays at 80×24; station goes first.
RESULT_COLUMNS = (Col("col.bib", 5), Col("col.name", 8), Col("col.phone", 11), Col("col.platform", 6, flex=True, drop=1),
                  Col("col.station", 8, drop=2), Col("col.status", 6, flex=True))
QUEUE_COLUMNS = (Col("col.queue_pos", 3), Col("col.bib", 5), Col("col.name", 8, flex=True),
                 Col("col.platform", 6, drop=1))


class CheckinScreen(EventScreen):
    """The check-in desk."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "check_in", "key.checkin_selected", id="checkin.check_in", priority=False),
        Binding("slash,ctrl+f", "focus_search", "key.search", id="checkin.search", key_display="/"),
        Binding("ctrl+t", "next_track", "key.next_track", id="checkin.next_track"),
        Binding("ctrl+up", "move(-1)", "key.move_up", id="checkin.move_up"),
        Binding("ctrl+down", "move(1)", "key.move_down", id="checkin.move_down"),
        Binding("delete,ctrl+d", "scratch", "key.scratch", id="checkin.scratch", key_display="Del"),
        Binding("ctrl+l", "focus_queue", "key.focus_queue", id="checkin.focus_queue"),
        Binding("ctrl+o", "withdraw", "key.withdraw_rider", id="checkin.withdraw"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.track = 0
        self.results: list[dict[str, Any]] = []
        self.queue: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        tr = self.trackside.tr
        localize_bindings(self, tr)
        self.track = self.trackside.track
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "checkin", id="tabs")
        yield Input(placeholder=tr("checkin.search_placeholder"), id="search")
        with Horizontal(id="checkin-main"):
            with Vertical(id="results-box"):
                yield Static(tr("checkin.results"), classes="heading")
                yield FittedTable(self.trackside.tr, RESULT_COLUMNS, id="results", cursor_type="row",
                                  zebra_stripes=True)
            with Vertical(id="queue-box"):
                yield Static("", id="checkin-queue-heading", classes="heading")
                yield FittedTable(self.trackside.tr, QUEUE_COLUMNS, id="checkin-queue", cursor_type="row",
                                  zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()

    # -- data ---------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        app = self.trackside
        self.generation = app.generation
        self._search(self.query_one("#search", Input).value)
        self._show_queue()

    def _search(self, text: str) -> None:
        app = self.trackside
        tr = app.tr
        found = app.run_query(lambda: entrants.search_entrants(app.event, text, limit=30)) or []
        waiting = {w["bib"]: w["track"] for w in start_queue.waiting(app.event)}
        rode = app.run_query(lambda: timing.run_states(app.event)) or {}
        self.results = found
        table = self.query_one("#results", FittedTable)
        table.clear()
        for e in found:
            if e["status"] == "withdrawn":
                state = Text(tr("status.withdrawn"), style="red")
            elif e["bib"] in waiting:
                state = Text(tr("status.track", track=waiting[e["bib"]]), style="bold")
            elif rode.get(e["bib"]) == "on_course":
                state = Text(tr("status.on_course"), style="bold")
            elif e["bib"] in rode:
                state = Text(tr("status.rode"))
            else:
                state = Text("")
            table.add_full_row(f"#{e['bib']}", e["name"], mask_phone(e["phone"]), e.get("platform") or "",
                               e.get("station") or "", state, key=str(e["bib"]))

    def _show_queue(self) -> None:
        app = self.trackside
        self.queue = start_queue.waiting(app.event, self.track)
        self.query_one("#checkin-queue-heading", Static).update(
            app.tr("checkin.queue", track=self.track, n=len(self.queue))
        )
        table = self.query_one("#checkin-queue", FittedTable)
        row = table.cursor_row
        table.clear()
        for i, w in enumerate(self.queue, start=1):
            table.add_full_row(str(i), f"#{w['bib']}", w["name"], w.get("platform") or "", key=str(w["bib"]))
        if self.queue:
            table.move_cursor(row=min(row, len(self.queue) - 1))

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check_in()

    @on(DataTable.RowSelected, "#results")
    def result_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_check_in()

    def on_key(self, event: events.Key) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus and event.key in ("down", "up") and self.results:
            # Arrow keys in the search field move through the matches.
            table = self.query_one("#results", DataTable)
            table.move_cursor(row=table.cursor_row + (1 if event.key == "down" else -1))
            event.stop()
            event.prevent_default()
            return
        self.explain_key(event)

    # -- keys ----------------------------------------------------------------------------------

    def _queue_focused(self) -> bool:
        return self.query_one("#checkin-queue", DataTable).has_focus

    def _selected_queue_bib(self) -> int | None:
        table = self.query_one("#checkin-queue", DataTable)
        if not self.queue or table.cursor_row < 0 or table.cursor_row >= len(self.queue):
            return None
        return int(self.queue[table.cursor_row]["bib"])

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        tr = self.trackside.tr
        if action == "check_in":
            if self._queue_focused():
                return None  # Enter on the queue does nothing harmful: it is the row select
            return None if self.results else tr("why.no_result")
        if action in ("move", "scratch"):
            return None if self.queue else tr("why.queue_empty")
        if action == "withdraw":
            return None if self.results else tr("why.no_result")
        return None

    def action_withdraw(self) -> None:
        """The highlighted rider withdraws from the event (kept on file, off every queue; reason asked)."""
        app = self.trackside
        if not self.results:
            return
        table = self.query_one("#results", DataTable)
        rider = self.results[table.cursor_row if 0 <= table.cursor_row < len(self.results) else 0]

        def answer(values: dict[str, str] | None) -> None:
            if values:
                app.run_command(
                    lambda: entrants.withdraw_entrant(app.event, rider["bib"], reason=values["reason"]),
                    done=app.tr("checkin.withdrawn", bib=rider["bib"], name=rider["name"]),
                )

        app.push_screen(FormDialog(app.tr("title.withdraw_rider", bib=rider["bib"], name=rider["name"]), app.tr), answer)

    def action_check_in(self) -> None:
        if self._queue_focused():
            return
        app = self.trackside
        if not self.results:
            app.notify(app.tr("why.no_result"), severity="warning", timeout=3)
            return
        table = self.query_one("#results", DataTable)
        row = table.cursor_row if 0 <= table.cursor_row < len(self.results) else 0
        rider = self.results[row]
        track = self.track
        done = app.run_command(lambda: start_queue.check_in(app.event, [rider["bib"]], track=track))
        if done.ok:
            pos = len(start_queue.waiting(app.event, track))
            app.notify(app.tr("checkin.checked_in", bib=rider["bib"], name=rider["name"], track=track, pos=pos),
                       timeout=3)
            search = self.query_one("#search", Input)
            search.value = ""
            search.focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_queue(self) -> None:
        self.query_one("#checkin-queue", DataTable).focus()

    def action_next_track(self) -> None:
        self.track = self.track % MAX_TRACK + 1
        self.app.notify(self.trackside.tr("checkin.track", track=self.track), timeout=2)
        self._show_queue()

    def action_move(self, offset: int) -> None:
        app = self.trackside
        bib = self._selected_queue_bib()
        if bib is None:
            return
        table = self.query_one("#checkin-queue", DataTable)
        target_row = max(0, min(len(self.queue) - 1, table.cursor_row + offset))
        if app.run_command(lambda: start_queue.move(app.event, bib, offset)).ok:
            table.move_cursor(row=target_row)

    def action_scratch(self) -> None:
        app = self.trackside
        bib = self._selected_queue_bib()
        if bib is None:
            return
        name = next((w["name"] for w in self.queue if w["bib"] == bib), "")

        def answer(yes: bool | None) -> None:
            if yes:
                app.run_command(lambda: start_queue.scratch(app.event, bib, reason="DNS"),
                                done=app.tr("timing.scratched", bib=bib, name=name))

        app.push_screen(ConfirmDialog(app.tr("title.scratch", bib=bib, name=name), app.tr), answer)
