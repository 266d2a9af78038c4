"""F6 裁判长 Head referee: each round 进行中 → 成绩公示 → 正式成绩, and its appeals.

The top table lists every opened round with its state (成绩公示 until HH:MM,
正式成绩 with the seal code) and its open appeals; the bottom one the
highlighted round's appeals. The keys do what ``trackside round`` and
``trackside appeal`` do, through the same core (``competition.round_states``,
``competition.appeals``, ``results.seal``): ``p`` posts the results, ``a``
files an appeal, ``u``/``d`` rule the highlighted one, ``s``/``t``/``w``
apply an upheld ruling as ordinary corrections filed under the case (the
CLI's ``--case N``), ``o`` makes the round official and shows its seal. Every
action asks first (and for a reason where the CLI needs one), and is
journaled under the named operator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from competition.appeals import Case
from competition.round_states import OFFICIAL, PROVISIONAL, RUNNING, RoundState
from competition.tui.dialogs.compact_form import CompactForm
from competition.tui.dialogs.confirm import ConfirmDialog
from competition.tui.dialogs.form import Field
from competition.tui.i18n import localize_bindings
from competition.tui.screens.base import EventScreen
from competition.tui.screens.rounds_actions import CaseCorrections, case_run, under_case
from competition.tui.widgets.fitted_table import Col, FittedTable
from competition.tui.widgets.screen_tabs import ScreenTabs
from competition.tui.widgets.timer_status_bar import TimerStatusBar

ROUND_COLUMNS = (Col("col.round", 6), Col("col.round_state", 8), Col("col.round_detail", 24, flex=True),
                 Col("col.open_appeals", 6))
APPEAL_COLUMNS = (Col("col.case", 5), Col("col.bib", 5), Col("col.filed_by", 8, drop=2), Col("col.case_state", 8),
                  Col("col.appeal_reason", 16, flex=True), Col("col.corrections", 4, drop=1))


def utc_now() -> datetime:
    """The wall clock the screen hands the core (tests move it past the appeal window)."""
    return datetime.now(UTC)


def local_hhmm(iso_utc: str | None) -> str:
    return datetime.fromisoformat(iso_utc).astimezone().strftime("%H:%M") if iso_utc else ""


class RoundsScreen(CaseCorrections, EventScreen):
    """The head referee's rounds and appeals."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "publish", "key.publish", id="rounds.publish"),
        Binding("a", "file_appeal", "key.file_appeal", id="rounds.file_appeal"),
        Binding("u", "rule('upheld')", "key.uphold", id="rounds.uphold"),
        Binding("d", "rule('dismissed')", "key.dismiss", id="rounds.dismiss"),
        Binding("o", "official", "key.official", id="rounds.official"),
        Binding("s", "case_status", "key.case_status", id="rounds.case_status"),
        Binding("t", "case_time", "key.case_time", id="rounds.case_time"),
        Binding("w", "case_withdraw", "key.case_withdraw", id="rounds.case_withdraw"),
        Binding("tab", "next_table", "key.next_table", id="rounds.next_table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.states: list[RoundState] = []
        self.cases: list[Case] = []
        self.unsettled = 0  # paper differences still open in the highlighted round
        self.window_minutes = 0
        self.placed = False  # the round cursor was put on the current round once

    def compose(self) -> ComposeResult:
        tr = self.trackside.tr
        localize_bindings(self, tr)
        yield TimerStatusBar(tr, id="status")
        yield ScreenTabs(tr, "rounds", id="tabs")
        yield Static(tr("rounds.title"), classes="heading")
        yield FittedTable(tr, ROUND_COLUMNS, id="rounds", cursor_type="row")
        yield Static("", id="appeals-title", classes="heading")
        yield FittedTable(tr, APPEAL_COLUMNS, id="appeals", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rounds-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#rounds", DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        self.explain_key(event)

    # -- data ---------------------------------------------------------------------------------

    def round_name(self, code: str) -> str:
        try:
            rule = self.trackside.event.course.round(code)
        except KeyError:
            return code
        return self.trackside.tr.pick(rule.name_zh, rule.name_en)

    def refresh_data(self) -> None:
        from competition.round_states import all_round_states

        app = self.trackside
        self.generation = app.generation
        states = app.run_query(lambda: all_round_states(app.event))
        if states is None:
            return
        self.states = states
        self.window_minutes = app.event.course.appeal_window_minutes
        tr = app.tr
        table = self.query_one("#rounds", FittedTable)
        cursor = table.cursor_row if self.placed else -1  # first drawn: on the current round
        table.clear()
        current = app.event.current_round
        for i, s in enumerate(states):
            detail = ""
            if s.state == PROVISIONAL:
                closed = s.appeal_closes_utc and utc_now() > datetime.fromisoformat(s.appeal_closes_utc)
                detail = tr("rounds.window_closed" if closed else "rounds.until", time=local_hhmm(s.appeal_closes_utc))
            elif s.state == OFFICIAL:
                detail = tr("rounds.seal", seal=s.seal)
            table.add_full_row(
                Text(self.round_name(s.round_code), style="bold" if s.round_code == current else ""),
                Text(tr(f"round_state.{s.state}"), style="bold" if s.state != RUNNING else ""),
                detail,
                Text(str(len(s.open_appeals)) if s.open_appeals else "", style="bold red", justify="right"),
                key=s.round_code,
            )
            if cursor < 0 and s.round_code == current:
                cursor = i
        if states:
            table.move_cursor(row=min(max(cursor, 0), len(states) - 1))
            self.placed = True
        self._fill_appeals()

    def selected_state(self) -> RoundState | None:
        table = self.query_one("#rounds", DataTable)
        if not self.states or not 0 <= table.cursor_row < len(self.states):
            return None
        return self.states[table.cursor_row]

    def selected_case(self) -> Case | None:
        table = self.query_one("#appeals", DataTable)
        if not self.cases or not 0 <= table.cursor_row < len(self.cases):
            return None
        return self.cases[table.cursor_row]

    def _fill_appeals(self) -> None:
        from competition.appeals import cases
        from competition.paper import differences

        app = self.trackside
        tr = app.tr
        state = self.selected_state()
        found = app.run_query(lambda: cases(app.event, state.round_code)) if state else []
        self.unsettled = len(app.run_query(lambda: differences(app.event, state.round_code)) or []) if state else 0
        self.cases = found or []
        table = self.query_one("#appeals", FittedTable)
        cursor = table.cursor_row
        table.clear()
        for c in self.cases:
            ruling = tr(f"case.{c.ruling}") if c.ruling else tr("case.open")
            table.add_full_row(
                f"#{c.case_id}", f"#{c.bib}", c.filed_by, Text(ruling, style="bold red" if c.state == "open" else ""),
                c.reason, Text(str(len(c.corrections)) if c.corrections else "", justify="right"), key=str(c.case_id),
            )
        if self.cases:
            table.move_cursor(row=min(max(cursor, 0), len(self.cases) - 1))
        name = self.round_name(state.round_code) if state else ""
        open_n = sum(1 for c in self.cases if c.state == "open")
        self.query_one("#appeals-title", Static).update(tr("rounds.appeals", round=name, n=len(self.cases), open=open_n))
        self._show_detail()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#rounds")
    def round_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._fill_appeals()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#appeals")
    def case_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        tr = self.trackside.tr
        state = self.selected_state()
        lines: list[str] = []
        case = self.selected_case()
        if case is not None:
            lines.append(tr("rounds.case_line", case=case.case_id, rider=self.rider(case.bib), by=case.filed_by,
                            reason=case.reason, evidence=case.evidence or tr("rounds.no_evidence")))
            if case.ruling:
                lines.append(tr("rounds.case_ruling", ruling=tr(f"case.{case.ruling}"), jury=case.jury or "",
                                reasoning=case.reasoning or "", n=len(case.corrections)))
                if case.ruling == "upheld" and state is not None and state.state == PROVISIONAL:
                    lines.append(tr("rounds.case_fix"))
            else:
                lines.append(tr("rounds.case_open"))
        elif state is not None and state.state == PROVISIONAL:
            lines.append(tr("rounds.no_appeals"))
        if state is not None:
            if state.state == RUNNING:
                lines.append(tr("rounds.hint_running"))
            elif state.state == PROVISIONAL:
                lines.append(tr("rounds.hint_provisional"))
            else:
                lines.append(tr("rounds.hint_official", seal=state.seal))
        self.query_one("#rounds-detail", Static).update("\n".join(lines))

    def rider(self, bib: int) -> str:
        rows = self.trackside.event.store.query("SELECT name FROM entrants WHERE bib = ?", (bib,))
        return self.trackside.tr("rider", bib=bib, name=rows[0]["name"] if rows else "")

    # -- what applies now -------------------------------------------------------------------------

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        tr = self.trackside.tr
        state = self.selected_state()
        if action in ("publish", "file_appeal", "official", "rule", "case_status", "case_time", "case_withdraw"):
            if state is None:
                return tr("why.no_round")
            name, words = self.round_name(state.round_code), tr(f"round_state.{state.state}")
            if action == "publish" and state.state != RUNNING:
                return tr("why.not_running", round=name, state=words)
            if action == "file_appeal" and state.state != PROVISIONAL:
                return tr("why.not_provisional", round=name, state=words)
            if action == "official":
                if state.state == RUNNING:
                    return tr("why.official_running", round=name)
                if state.state == OFFICIAL:
                    return tr("why.not_running", round=name, state=words)
                if state.open_appeals:
                    return tr("why.open_appeals", round=name, cases="、".join(f"#{c}" for c in state.open_appeals))
                if self.unsettled:
                    return tr("why.paper_open", round=name, n=self.unsettled)
        if action in ("rule", "case_status", "case_time", "case_withdraw"):
            case = self.selected_case()
            if case is None:
                return tr("why.no_case")
            if action == "rule" and case.state != "open":
                return tr("why.case_ruled", case=case.case_id, ruling=tr(f"case.{case.ruling}"))
            if action != "rule":
                if state is not None and state.state == OFFICIAL:
                    return tr("why.sealed", round=self.round_name(state.round_code), seal=state.seal)
                if case.ruling != "upheld":
                    return tr("why.case_not_upheld", case=case.case_id)
                if case_run(self.trackside.event, case) is None:
                    return tr("why.case_no_run", case=case.case_id)
        return None

    def action_next_table(self) -> None:
        rounds, appeals = self.query_one("#rounds", DataTable), self.query_one("#appeals", DataTable)
        (appeals if rounds.has_focus else rounds).focus()

    # -- asking, then doing --------------------------------------------------------------------------

    def ask(self, question: str, then: Callable[[], None]) -> None:
        """y/n; the first decision of a session also asks who is deciding."""
        app = self.trackside
        if app.needs_operator():
            def named(values: dict[str, str] | None) -> None:
                if values:
                    app.set_operator(values["operator"])
                    then()

            app.push_screen(CompactForm(question, app.tr, ask_reason=False, ask_operator=True), named)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                then()

        app.push_screen(ConfirmDialog(question, app.tr), answer)

    def form(self, title: str, fields: list[Field], then: Callable[[dict[str, str]], None], *,
             validate: Callable[[dict[str, str]], str | None] | None = None, default_reason: str = "") -> None:
        app = self.trackside

        def done(values: dict[str, str] | None) -> None:
            if not values:
                return
            if values.get("operator"):
                app.set_operator(values["operator"])
            then(values)

        app.push_screen(CompactForm(title, app.tr, fields, ask_operator=app.needs_operator(), validate=validate,
                                   default_reason=default_reason), done)

    def action_publish(self) -> None:
        from datetime import timedelta

        from competition.round_states import publish_round

        app, state = self.trackside, self.selected_state()
        if state is None:
            return
        code, name = state.round_code, self.round_name(state.round_code)
        closes = (utc_now() + timedelta(minutes=self.window_minutes)).astimezone().strftime("%H:%M")

        def go() -> None:
            done = app.run_command(lambda: publish_round(app.event, code, now=utc_now()))
            if done.ok and done.value is not None:
                app.notify(app.tr("done.published", round=name, time=local_hhmm(done.value.appeal_closes_utc)))

        self.ask(app.tr("title.publish", round=name, minutes=self.window_minutes, time=closes), go)

    def action_file_appeal(self) -> None:
        from competition.appeals import file_appeal

        app, state = self.trackside, self.selected_state()
        if state is None:
            return
        tr, code = app.tr, state.round_code
        fields = [Field("bib", tr("dialog.bib")), Field("by", tr("dialog.filed_by")),
                  Field("run", tr("dialog.run_optional")), Field("evidence", tr("dialog.evidence"),
                                                                 placeholder=tr("dialog.grounds"))]

        def check(v: dict[str, str]) -> str | None:
            if not v.get("bib", "").lstrip("#").isdigit():
                return tr("dialog.need_bib")
            if v.get("run") and not v["run"].lstrip("#").isdigit():
                return tr("dialog.need_number", what=tr("dialog.run"))
            if not v.get("by"):
                return tr("dialog.need_filed_by")
            return None

        def go(v: dict[str, str]) -> None:
            run_id = int(v["run"].lstrip("#")) if v.get("run") else None
            done = app.run_command(lambda: file_appeal(
                app.event, int(v["bib"].lstrip("#")), reason=v["reason"], filed_by=v["by"],
                evidence=v.get("evidence", ""), run_id=run_id, round_code=code, now=utc_now()))
            if done.ok:
                app.notify(tr("done.appeal_filed", case=done.value))

        self.form(tr("title.file_appeal", round=self.round_name(code)), fields, go, validate=check)

    def action_rule(self, ruling: str) -> None:
        from competition.appeals import rule_appeal

        app, case = self.trackside, self.selected_case()
        if case is None:
            return
        tr = app.tr
        words = tr(f"case.{ruling}")

        def check(v: dict[str, str]) -> str | None:
            return None if v.get("jury") else tr("dialog.need_jury")

        def go(v: dict[str, str]) -> None:
            done = app.run_command(lambda: rule_appeal(app.event, case.case_id, ruling=ruling, reasoning=v["reason"],
                                                       jury=v["jury"]))
            if done.ok:
                app.notify(tr("done.ruled", case=case.case_id, ruling=words))

        self.form(tr("title.rule", case=case.case_id, rider=self.rider(case.bib), ruling=words),
                  [Field("jury", tr("dialog.jury"), placeholder=tr("dialog.reasoning"))], go, validate=check)

    def action_official(self) -> None:
        app, state = self.trackside, self.selected_state()
        if state is None:
            return
        code, name = state.round_code, self.round_name(state.round_code)
        closes = datetime.fromisoformat(state.appeal_closes_utc) if state.appeal_closes_utc else None
        if closes is not None and utc_now() < closes:
            self.form(app.tr("title.official_early", time=local_hhmm(state.appeal_closes_utc), round=name), [],
                      lambda v: self._make_official(code, name, v["reason"]))
            return
        self.ask(app.tr("title.official", round=name), lambda: self._make_official(code, name, None))

    def _make_official(self, code: str, name: str, early_reason: str | None) -> None:
        from competition.backup import BackupError
        from competition.backup_schedule import backup_now
        from results.seal import make_official

        app = self.trackside
        done = app.run_command(lambda: make_official(app.event, code, early_reason=early_reason, now=utc_now()))
        if not done.ok or done.value is None:
            return
        app.notify(app.tr("done.official", round=name, seal=done.value.seal), timeout=15)
        try:  # an official round is a moment worth a copy off this laptop's file, as the CLI does
            copy = backup_now(app.event.path, f"{code} 正式成绩 official")
        except BackupError as exc:
            app.notify(exc.message(app.lang), severity="warning", timeout=8)
        else:
            app.notify(copy.line(app.lang), timeout=6)

    # -- state for tests and the palette --------------------------------------------------------------

    def round_rows(self) -> list[dict[str, Any]]:
        return [{"round": s.round_code, "state": s.state, "seal": s.seal, "open": list(s.open_appeals)}
                for s in self.states]


__all__ = ["RoundsScreen", "under_case", "utc_now"]
