"""What assigning an orphan impulse would record, shown before it is recorded (no Textual here).

A start impulse given to a bib makes his clock read ``now - impulse``; a finish
given to a run makes its raw time ``finish - start`` (``timing.elapsed_between``,
the same arithmetic the pairing uses). A result outside the course's limits
(below the minimum run or above the time limit) is named, so the dialog can
ask for a second confirmation: a six-minute-old replayed impulse must not turn
into a 6:06.87 DNF without anyone seeing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from competition import timing
from competition.errors import TracksideError
from competition.targeting import since
from competition.times import format_duration, format_time_of_day
from competition.tui.i18n import Texts

if TYPE_CHECKING:
    from competition.event import Event


@dataclass(frozen=True)
class AssignPreview:
    """The impulse, the resulting time, and why it is outside the limits (None: inside)."""

    impulse: str
    result: str
    outside: str | None
    summary: str


def age_words(ns: int, tr: Texts) -> str:
    """``12 秒`` under a minute, else ``6:06`` (minutes:seconds)."""
    seconds = ns // 1_000_000_000
    if seconds < 60:
        return tr("assign.seconds", s=seconds)
    return format_duration(ns, 1_000_000_000)


def impulse_words(impulse: dict[str, Any], now_ns: int, tr: Texts) -> str:
    """``#12 终点 · 计时器 10:02:03.4567 · 6:06 前收到`` — when the impulse happened, in words."""
    parts = [f"#{impulse['seq']} {tr('channel.' + str(impulse['channel']))}"]
    if impulse.get("device_time_ns") is not None:
        parts.append(tr("assign.device_time", time=format_time_of_day(int(impulse["device_time_ns"]))))
    age = since(now_ns, int(impulse["host_ns"]))
    if age is not None:
        parts.append(tr("assign.age", age=age_words(age, tr)))
    if impulse.get("replayed"):
        parts.append(tr("assign.replayed"))
    if impulse.get("manual"):
        parts.append(tr("timing.manual"))
    return " · ".join(parts)


def _limits(event: Event, raw_ns: int, tr: Texts) -> str | None:
    course = event.course
    precision = course.precision_ns
    if raw_ns < course.min_run_ns:
        return tr("assign.below_min", time=format_duration(raw_ns, precision),
                  limit=format_duration(course.min_run_ns, precision))
    if raw_ns > course.time_limit_ns:
        return tr("assign.over_limit", time=format_duration(raw_ns, precision),
                  limit=format_duration(course.time_limit_ns, precision))
    return None


def preview_assignment(
    event: Event, impulse: dict[str, Any], values: dict[str, str], *, now_ns: int, lang: str
) -> AssignPreview:
    """What ``timing.assign_impulse`` would record with the dialog's current ``values``."""
    tr = Texts(lang)
    what = impulse_words(impulse, now_ns, tr)
    precision = event.course.precision_ns
    if impulse["channel"] == "start":
        bib = values.get("bib", "")
        if not bib.isdigit():
            return AssignPreview(what, tr("assign.type_bib"), None, "")
        age = since(now_ns, int(impulse["host_ns"]))
        if age is None:
            return AssignPreview(what, tr("assign.start_unknown", bib=bib), None, tr("assign.summary_start", bib=bib))
        clock = format_duration(age, precision)
        outside = tr("assign.start_over", time=clock) if age > event.course.time_limit_ns else None
        return AssignPreview(what, tr("assign.start_result", bib=bib, time=clock), outside,
                             tr("assign.summary_start", bib=bib))
    run_text = values.get("run", "")
    if not run_text.isdigit():
        return AssignPreview(what, tr("assign.type_run"), None, "")
    try:
        run = timing.run(event, int(run_text))
        start = event.store.query("SELECT * FROM impulses WHERE seq = ?", (run["start_seq"],))
    except TracksideError as exc:
        return AssignPreview(what, exc.message(lang), tr("assign.no_such_run"), "")
    if not start:
        return AssignPreview(what, tr("assign.no_such_run"), tr("assign.no_such_run"), "")
    raw = timing.elapsed_between(event, start[0], impulse)
    result = tr("assign.finish_result", bib=run["bib"], name=run["name"], time=format_duration(raw, precision))
    if run["raw_ns"] is not None:
        result += "  " + tr("assign.replaces", time=format_duration(int(run["raw_ns"]), precision))
    return AssignPreview(what, result, _limits(event, raw, tr),
                         tr("assign.summary_finish", bib=run["bib"], time=format_duration(raw, precision)))
