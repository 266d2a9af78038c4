"""The referee's answer when the timer's own net time and Trackside's disagree (issue #11).

A disagreement (``timer_records.disagreements``) is never resolved silently.
The referee either

* uses the timer's time: ``judging.correct_time`` sets the run's raw time to
  the timer's net time (a ``run_time_corrected`` row with the reason), after
  a ``timer_check_decided`` row saying which timer record it follows; or
* keeps Trackside's time: a ``timer_check_decided`` row with
  ``decision = "trackside"``, the timer record, both times and the reason.

``timer_check_decided`` is journal only (no projection table; read here).
A kept disagreement stays shown, quietly, and is open again as soon as
either time changes (a new net time from the timer, a corrected run).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from competition import judging, timing
from competition.errors import CommandRefused, require_reason
from competition.timer_records import TimerCheck, timer_checks

if TYPE_CHECKING:
    from competition.event import Event

KIND = "timer_check_decided"
DECISIONS = ("timer", "trackside")


def _kept(event: Event) -> set[tuple[int, int, int]]:
    """(run, timer record, Trackside's time) the referee chose to keep."""
    rows = event.store.conn.execute("SELECT payload FROM journal WHERE kind = ? ORDER BY seq", (KIND,))
    out = set()
    for (text,) in rows:
        p = json.loads(text)
        if p["decision"] == "trackside":
            out.add((int(p["run_id"]), int(p["timer_record_seq"]), int(p["trackside_ns"])))
    return out


def is_kept(check: TimerCheck, kept: set[tuple[int, int, int]]) -> bool:
    return check.trackside_ns is not None and (check.run_id, check.record_seq, check.trackside_ns) in kept


def review(event: Event, track: int | None = None) -> tuple[dict[int, TimerCheck], set[int]]:
    """The timer checks per run, and the runs whose disagreement the referee decided to keep."""
    checks = timer_checks(event, track)
    kept = _kept(event) if any(c.agrees is False for c in checks.values()) else set()
    return checks, {c.run_id for c in checks.values() if c.agrees is False and is_kept(c, kept)}


def open_disagreements(event: Event, track: int | None = None) -> list[TimerCheck]:
    """Disagreements nobody has decided yet, oldest run first."""
    checks, kept = review(event, track)
    return sorted((c for c in checks.values() if c.agrees is False and c.run_id not in kept), key=lambda c: c.run_id)


def _disagreement(event: Event, run_id: int) -> TimerCheck:
    check = timer_checks(event).get(run_id)
    if check is None:
        raise CommandRefused(f"成绩 #{run_id} 没有计时器自己的用时。", f"Run #{run_id} has no net time from the timer.")
    if check.agrees is None:
        raise CommandRefused(f"成绩 #{run_id} 还没有完成。", f"Run #{run_id} is not finished.")
    if check.agrees:
        raise CommandRefused(f"成绩 #{run_id} 与计时器一致，无需处理。", f"Run #{run_id} agrees with the timer.")
    return check


def decide(event: Event, run_id: int, decision: str, *, reason: str) -> None:
    """Use the timer's time (``timer``) or keep Trackside's (``trackside``) for a disagreeing run."""
    require_reason(reason)
    if decision not in DECISIONS:
        raise CommandRefused(f"只能选 timer 或 trackside（收到 {decision}）。",
                             f"Choose timer or trackside (got {decision}).")
    with event.store.transaction():
        check = _disagreement(event, run_id)
        assert check.trackside_ns is not None
        if decision == "trackside" and is_kept(check, _kept(event)):
            raise CommandRefused(f"成绩 #{run_id} 已决定保留本机用时。", f"Run #{run_id}: Trackside's time was already kept.")
        run = timing.run(event, run_id)
        if decision == "timer":
            judging.require_unlocked(run)  # refused before anything is journaled
        event.store.append(KIND, {
            "run_id": run_id, "bib": run["bib"], "decision": decision, "timer_record_seq": check.record_seq,
            "timer_net_ns": check.timer_net_ns, "timer_resolution_ns": check.resolution_ns,
            "trackside_ns": check.trackside_ns, "reason": reason,
        })
        if decision == "timer":
            judging.correct_time(event, run_id, check.timer_net_ns, reason=reason)
