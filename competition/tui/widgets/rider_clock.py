"""A big running clock for one rider on course, readable from a few steps away."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Digits, Static

from competition.times import format_duration, format_penalty
from competition.tui.board import OnCourseRider, elapsed_ns
from competition.tui.i18n import Texts


class RiderClock(Vertical):
    """Bib and name, the elapsed time in large digits, and the penalties so far.

    ``tick(now_ns)`` is called ~10x/s by the screen; it only touches the
    Digits when the shown hundredths changed. Past the course's time limit the
    clock turns red (class ``over``); the selected penalty target is outlined.
    """

    def __init__(self, rider: OnCourseRider, *, tr: Texts, precision_ns: int, time_limit_ns: int) -> None:
        super().__init__(classes="rider-clock")
        self.rider = rider
        self.tr = tr
        self.precision_ns = precision_ns
        self.time_limit_ns = time_limit_ns
        self._shown = ""
        self.digits = Digits("0.00", classes="clock-digits")
        self.removing = False

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="clock-title")
        yield self.digits
        penalties = Static(self._penalties(), classes="clock-penalties")
        penalties.display = bool(self.rider.lines)
        yield penalties

    def _title(self) -> str:
        r = self.rider
        manual = f" [{self.tr('timing.manual')}]" if r.manual else ""
        return f"[b]#{r.bib}[/b] {r.name}  {r.platform}{manual}"

    def _penalties(self) -> str:
        r = self.rider
        if not r.lines:
            return ""
        parts = [
            f"{self.tr.pick(ln.segment_zh, ln.segment_en)}·{self.tr.pick(ln.name_zh, ln.name_en)}"
            + (f"×{ln.count}" if ln.count > 1 else "")
            + (" DSQ" if ln.eliminates else f" {format_penalty(ln.seconds_ns)}")
            for ln in r.lines
        ]
        total = "DSQ" if r.eliminated else format_penalty(r.penalty_ns)
        return f"[b]{total}[/b]  " + "  ".join(parts)

    def show_rider(self, rider: OnCourseRider) -> None:
        """New data for the same run (a call was added or withdrawn)."""
        changed = rider != self.rider
        self.rider = rider
        if changed and self.is_mounted:
            self.query_one(".clock-title", Static).update(self._title())
            penalties = self.query_one(".clock-penalties", Static)
            penalties.update(self._penalties())
            penalties.display = bool(rider.lines)

    def tick(self, now_ns: int, utc_now_ns: int | None = None) -> None:
        if self.removing or not self.digits.is_mounted:
            return  # finished or not drawn yet: the next tick or nothing
        elapsed = elapsed_ns(self.rider, now_ns, utc_now_ns)
        text = format_duration(elapsed, self.precision_ns)
        if text != self._shown:
            self._shown = text
            self.digits.update(text)
        self.set_class(elapsed > self.time_limit_ns, "over")

    @property
    def shown(self) -> str:
        """The clock text on screen now (tests read it)."""
        return self._shown


class ClocksBox(VerticalScroll, can_focus=False):
    """The clocks on course. Never takes the focus, so ↑/↓ always move the target (at 80×24 a
    focused scroll box ate them); the screen scrolls the target's clock into view instead."""
