"""Give an orphan impulse to a rider, or choose a replayed finish over a hand-keyed one.

Before anything is recorded the dialog shows when the impulse happened and the
time it would give, updated as the bib or run is typed. The arithmetic is the
core's (``competition.assignment.preview_assignment``, with the app's clock as
``now_host_ns``); this module only words it. A result outside the course's
limits needs a second Enter (ctrl+s): the first one only shows why it looks
wrong. An assignment the core refuses (a bib not in the queue, a locked run)
keeps the dialog open with the core's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.widgets import Input, Static

from competition import timing
from competition.assignment import impulse_when, preview_assignment
from competition.errors import TracksideError
from competition.times import format_duration
from competition.tui.dialogs.form import Field, FormDialog
from competition.tui.i18n import Texts

if TYPE_CHECKING:
    from competition.event import Event


@dataclass(frozen=True)
class AssignPreview:
    """The impulse, the resulting time, why it is outside the limits (None: inside), or why it cannot be."""

    impulse: str
    result: str
    outside: str | None
    summary: str
    refused: bool = False


Preview = Callable[[dict[str, str]], AssignPreview]


def age_words(ns: int, tr: Texts) -> str:
    """``12 秒`` under a minute, else ``6:06`` (minutes:seconds)."""
    seconds = ns // 1_000_000_000
    if seconds < 60:
        return tr("assign.seconds", s=seconds)
    return format_duration(ns, 1_000_000_000)


def impulse_words(impulse: dict[str, Any], pv: dict[str, Any] | None, tr: Texts) -> str:
    """``#12 终点 · 计时器 10:02:03.4567 · 6:06 前收到`` — when the impulse happened, in words."""
    parts = [f"#{impulse['seq']} {tr('channel.' + str(impulse['channel']))}"]
    if pv is not None and pv["time_of_day"]:
        parts.append(tr("assign.device_time", time=pv["time_of_day"]))
    if pv is not None and pv["age_ns"] is not None:
        parts.append(tr("assign.age", age=age_words(int(pv["age_ns"]), tr)))
    if impulse.get("replayed"):
        parts.append(tr("assign.replayed"))
    if impulse.get("manual"):
        parts.append(tr("timing.manual"))
    return " · ".join(parts)


def words_for(event: Event, impulse: dict[str, Any], values: dict[str, str], *, now_ns: int,
              tr: Texts) -> AssignPreview:
    """What ``timing.assign_impulse`` would record with the dialog's current ``values``, in words."""
    start = impulse["channel"] == "start"
    key = "bib" if start else "run"
    text = values.get(key, "")
    if not text.isdigit():
        pv = impulse_when(event, int(impulse["seq"]), now_host_ns=now_ns)  # its time and age, before a number
        return AssignPreview(impulse_words(impulse, pv, tr), tr("assign.type_bib" if start else "assign.type_run"),
                             None, "")
    number = int(text)
    try:
        pv = preview_assignment(event, int(impulse["seq"]), bib=number if start else None,
                                run_id=None if start else number, now_host_ns=now_ns)
    except TracksideError as exc:
        when = impulse_words(impulse, impulse_when(event, int(impulse["seq"]), now_host_ns=now_ns), tr)
        return AssignPreview(when, exc.message(tr.lang), None, "", refused=True)
    what = impulse_words(impulse, pv, tr)
    course = event.course
    precision = course.precision_ns
    if pv["action"] == "start":
        bib = pv["bib"]
        summary = tr("assign.summary_start", bib=bib)
        if pv["running_ns"] is None:
            return AssignPreview(what, tr("assign.start_unknown", bib=bib), None, summary)
        outside = tr("assign.start_over", time=pv["running"]) if pv["outside_limits"] else None
        return AssignPreview(what, tr("assign.start_result", bib=bib, time=pv["running"]), outside, summary)
    run = timing.run(event, int(pv["run_id"]))
    result = tr("assign.finish_result", bib=pv["bib"], name=run["name"], time=pv["raw"])
    if run["raw_ns"] is not None:
        result += "  " + tr("assign.replaces", time=format_duration(int(run["raw_ns"]), precision))
    outside = None
    if "below_min_run" in pv["outside_limits"]:
        outside = tr("assign.below_min", time=pv["raw"], limit=format_duration(course.min_run_ns, precision))
    elif "over_time_limit" in pv["outside_limits"]:
        outside = tr("assign.over_limit", time=pv["raw"], limit=format_duration(course.time_limit_ns, precision))
    return AssignPreview(what, result, outside, tr("assign.summary_finish", bib=pv["bib"], time=pv["raw"]))


class AssignOrphanDialog(FormDialog):
    """A start impulse asks for a bib; a finish (or candidate) asks for a run number.

    Returns {"bib" | "run": text, "reason": text, "summary": text}; the screen
    calls ``timing.assign_impulse`` / ``timing.choose_finish`` with it.
    """

    def __init__(self, impulse: dict[str, Any], tr: Texts, *, default_bib: int | None,
                 default_run: int | None, runs_hint: str, preview: Preview) -> None:
        self.impulse = impulse
        self.preview = preview
        self.warned: str | None = None  # the out-of-limits warning already shown once
        start = impulse["channel"] == "start"
        candidate = impulse["disposition"] == "candidate"
        if start:
            fields = [Field("bib", tr("dialog.bib"), str(default_bib or ""), tr("assign.start_hint"))]
        else:
            hint = tr("assign.candidate_hint") if candidate else tr("assign.finish_hint")
            label = tr("dialog.run") + (f"（{runs_hint}）" if runs_hint else "")
            fields = [Field("run", label, str(default_run or ""), hint)]
        channel = tr(f"channel.{impulse['channel']}")
        super().__init__(
            tr("title.assign", seq=impulse["seq"], track=impulse["track"], channel=channel), tr, fields,
            default_reason=tr("assign.default_reason") if candidate else "", validate=self._check,
        )

    def on_mount(self) -> None:
        super().on_mount()
        dialog = self.query_one(".dialog")
        dialog.mount(Static("", id="assign-preview", classes="dialog-preview"), after=0)
        self._show_preview()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id in ("field-bib", "field-run"):
            self.warned = None
            self._error("")
            self._show_preview()

    def current(self) -> AssignPreview:
        return self.preview(self.values())

    def _show_preview(self) -> None:
        if not self.is_mounted:
            return
        p = self.current()
        text = f"{p.impulse}\n[b]{p.result}[/b]"
        if p.outside:
            text += f"\n[b red]{p.outside}[/b red]"
        self.query_one("#assign-preview", Static).update(text)

    def preview_text(self) -> str:
        """What the preview shows (tests read it)."""
        p = self.current()
        return "\n".join(x for x in (p.impulse, p.result, p.outside or "") if x)

    def _check(self, values: dict[str, str]) -> str | None:
        key = "bib" if "bib" in values else "run"
        if not values.get(key, "").isdigit():
            return TracksideError("请填写数字。", "Type a number.").message(self.tr.lang)
        p = self.preview(values)
        if p.refused:
            return p.result
        if p.outside and self.warned != p.outside:
            self.warned = p.outside
            return self.tr("assign.confirm_outside", why=p.outside)
        values["summary"] = p.summary
        return None
