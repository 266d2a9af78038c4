"""Score one run, and one rider's round, from the course rules. Pure functions.

Inputs are plain frozen dataclasses the journal projections fill in; nothing here
reads SQLite or knows about the UI. Times are integer nanoseconds; the raw time is
truncated (never rounded) to the course precision before penalties are added, so
62.349 s with +3 s gives 65.34 s.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from competition.times import truncate_ns
from courses.schema import Course, InfractionRef

RunStatus = Literal["OK", "DNF", "DSQ", "DNS"]
RUN_STATUSES: tuple[str, ...] = ("OK", "DNF", "DSQ", "DNS")


@dataclass(frozen=True, slots=True)
class PenaltyCall:
    """Calls of one infraction in one run, already net of withdrawals."""

    segment: str
    code: str
    count: int


@dataclass(frozen=True, slots=True)
class RunInput:
    """One run as the journal knows it.

    ``counts=False`` marks a run superseded by a granted rerun: it is kept and
    shown, but never counts towards the round.
    """

    bib: int
    attempt: int
    status: RunStatus
    raw_ns: int | None
    penalties: tuple[PenaltyCall, ...] = ()
    counts: bool = True


@dataclass(frozen=True, slots=True)
class PenaltyLine:
    """One infraction's total in a run, ready to print: 限宽门 碰杆 ×2 = +6 s."""

    segment: str
    segment_name_zh: str
    segment_name_en: str
    code: str
    name_zh: str
    name_en: str
    count: int
    """Calls counted, after the infraction's cap."""
    seconds_ns: int
    """Penalty for the whole line (count × the infraction's penalty)."""
    eliminates: bool
    """This line disqualifies the run (an eliminating call, or ``eliminates_after`` reached)."""
    called: int = 0
    """Calls made before the cap (equal to ``count`` unless capped)."""


@dataclass(frozen=True, slots=True)
class ScoredRun:
    """A run with its status and times resolved by the course rules."""

    bib: int
    attempt: int
    status: RunStatus
    raw_ns: int | None
    """Full precision, as recorded."""
    raw_truncated_ns: int | None
    penalty_ns: int
    adjusted_ns: int | None
    """Truncated raw + penalties; ``None`` unless the status is OK."""
    calls: int
    """Penalty calls counted (after caps); calls of 0-second infractions are not counted."""
    major_calls: int
    lines: tuple[PenaltyLine, ...]
    counts: bool = True


def score_run(run: RunInput, course: Course) -> ScoredRun:
    """Apply the course to one run: penalties, caps, eliminations, time limit, truncation.

    Status: DNS stays DNS; otherwise a referee DSQ or any eliminating call gives DSQ;
    otherwise a DNF, or a truncated time over the time limit (compared after
    truncation, as shown), gives DNF; else OK.
    Raises ``KeyError`` for a call of an infraction the course does not have, and
    ``ValueError`` for an OK run without a time or a negative call count.
    """
    lines: list[PenaltyLine] = []
    penalty_ns = calls = major_calls = 0
    eliminated = False
    memo = _line_memo(course) if run.penalties else {}
    for ref, called in _called_in_course_order(run, course):
        if called == 0:
            continue
        line = memo.get((ref.order, called))
        if line is None:
            line = memo[(ref.order, called)] = _penalty_line(ref, called)
        lines.append(line)
        penalty_ns += line.seconds_ns
        eliminated = eliminated or line.eliminates
        inf = ref.infraction
        if inf.penalty_ns > 0 or inf.eliminates:
            calls += line.count
        if ref.major:
            major_calls += line.count

    raw = run.raw_ns
    truncated = None if raw is None else truncate_ns(raw, course.precision_ns)
    status: RunStatus
    if run.status == "DNS":
        # A run that never started stays DNS: calls stay listed but cannot turn it
        # into a DSQ (that would rank the rider above the non-starters, so a call
        # would improve the rank). A rider refused the start is set DSQ by status.
        status = "DNS"
    elif eliminated or run.status == "DSQ":
        status = "DSQ"
    elif run.status == "DNF" or (truncated is not None and truncated > course.time_limit_ns):
        status = "DNF"
    else:
        if truncated is None:
            raise ValueError(f"bib {run.bib} attempt {run.attempt}: an OK run needs a time")
        status = "OK"
    adjusted = truncated + penalty_ns if status == "OK" and truncated is not None else None
    return ScoredRun(
        bib=run.bib,
        attempt=run.attempt,
        status=status,
        raw_ns=run.raw_ns,
        raw_truncated_ns=truncated,
        penalty_ns=penalty_ns,
        adjusted_ns=adjusted,
        calls=calls,
        major_calls=major_calls,
        lines=tuple(lines),
        counts=run.counts,
    )


def _penalty_line(ref: InfractionRef, called: int) -> PenaltyLine:
    seg, inf = ref.segment, ref.infraction
    count = called if inf.cap is None else min(called, inf.cap)
    eliminates = inf.eliminates or (
        inf.eliminates_after is not None and count >= inf.eliminates_after
    )
    return PenaltyLine(
        seg.code,
        seg.name_zh,
        seg.name_en,
        inf.code,
        inf.name_zh,
        inf.name_en,
        count,
        count * inf.penalty_ns,
        eliminates,
        called,
    )


# PenaltyLines are immutable and depend only on (course, infraction, calls), so
# one object per combination is shared: scoring 100 000 runs then allocates
# little. Keyed by id(course); the entry is dropped when the course is collected.
_LINE_MEMOS: dict[int, dict[tuple[int, int], PenaltyLine]] = {}


def _line_memo(course: Course) -> dict[tuple[int, int], PenaltyLine]:
    memo = _LINE_MEMOS.get(id(course))
    if memo is None:
        memo = _LINE_MEMOS[id(course)] = {}
        weakref.finalize(course, _LINE_MEMOS.pop, id(course), None)
    return memo


def _called_in_course_order(run: RunInput, course: Course) -> list[tuple[InfractionRef, int]]:
    """Calls per infraction, summed, in course order (riding order, then 全程)."""
    if not run.penalties:
        return []
    totals: dict[tuple[str, str], int] = {}
    for call in run.penalties:
        if call.count < 0:
            raise ValueError(f"bib {run.bib}: negative count for {call.segment}/{call.code}")
        key = (call.segment, call.code)
        totals[key] = totals.get(key, 0) + call.count
    found = [(course.locate(seg, code), called) for (seg, code), called in totals.items()]
    if len(found) > 1:
        found.sort(key=_by_order)
    return found


def _by_order(item: tuple[InfractionRef, int]) -> int:
    return item[0].order


_STATUS_ORDER = {"OK": 0, "DNF": 1, "DSQ": 2, "DNS": 3}


def run_key(run: ScoredRun, course: Course) -> tuple[int, ...]:
    """Sort key of one run, lower = better: status, the scoring mode, then run-level tie-breaks.

    OK runs compare by the mode (adjusted time, or calls then adjusted time), then by
    the run-level steps of the course's tie-break cascade in its order (fewer calls,
    fewer major penalties, faster raw time). DNF, DSQ and DNS runs compare by status
    only: they are not ordered by time among themselves.
    """
    order = _STATUS_ORDER[run.status]
    if order != 0:
        return (order,)
    assert run.adjusted_ns is not None and run.raw_truncated_ns is not None
    key: list[int] = [0]
    if course.scoring_mode == "faults_then_time":
        key.append(run.calls)
    key.append(run.adjusted_ns)
    for step in course.tie_break:
        if step == "fewer_penalty_calls":
            key.append(run.calls)
        elif step == "fewer_major_penalties":
            key.append(run.major_calls)
        elif step == "faster_raw":
            key.append(run.raw_truncated_ns)
    return tuple(key)


@dataclass(frozen=True, slots=True)
class RiderRound:
    """One rider's runs in a round and the result that counts.

    ``counting`` is the best run (``counting="best"``) or a synthetic total with
    attempt 0 (``counting="sum"``, only once every attempt has a run); ``None`` when
    there is nothing to count yet. ``style_score`` is in tenths of a point (the
    median of the judges), supplied by the caller.
    """

    bib: int
    runs: tuple[ScoredRun, ...]
    counting: ScoredRun | None
    style_score: int | None = None
    round_code: str = ""
    others: tuple[ScoredRun, ...] = ()
    """The other counting attempts, best first (for "better other attempt")."""

    @property
    def status(self) -> str:
        """OK / DNF / DSQ / DNS of the counting result; PENDING for an unfinished total."""
        if self.counting is not None:
            return self.counting.status
        if any(r.counts for r in self.runs):
            return "PENDING"
        return "DNS"


def rider_round(
    bib: int,
    runs: Sequence[ScoredRun],
    course: Course,
    round_code: str,
    style_score: int | None = None,
) -> RiderRound:
    """Pick what counts for one rider in a round.

    Runs marked ``counts=False`` (superseded by a granted rerun) are kept for display
    but ignored. Only attempts 1..``attempts`` of the round count. ``best``: the
    best run by ``run_key`` (ties go to the earlier attempt). ``sum``: once every
    attempt has a run, a synthetic total — DSQ if any run is DSQ, else DNS if every
    run is DNS, else DNF if any run is not OK, else the sum of times and penalties.
    """
    rule = course.round(round_code)
    for r in runs:
        if r.bib != bib:
            raise ValueError(f"run of bib {r.bib} given for bib {bib}")
    ordered = tuple(sorted(runs, key=_display_order)) if len(runs) > 1 else tuple(runs)
    counting_runs = [r for r in ordered if r.counts and 1 <= r.attempt <= rule.attempts]
    if len(counting_runs) > 1:
        keyed = sorted((run_key(r, course), r.attempt, i) for i, r in enumerate(counting_runs))
        ranked = [counting_runs[i] for _, _, i in keyed]
    else:
        ranked = counting_runs
    counting: ScoredRun | None
    others: tuple[ScoredRun, ...]
    if not ranked:
        counting, others = None, ()
    elif rule.counting == "best":
        counting, others = ranked[0], tuple(ranked[1:])
    else:
        attempts_done = {r.attempt for r in counting_runs}
        if len(attempts_done) < rule.attempts:
            counting = None
        else:
            counting = _sum_of(bib, counting_runs, course)
        others = ()
    return RiderRound(bib, ordered, counting, style_score, round_code, others)


def _display_order(run: ScoredRun) -> tuple[int, bool]:
    # By attempt; a superseded run before the rerun that replaced it.
    return (run.attempt, run.counts)


def _sum_of(bib: int, runs: Sequence[ScoredRun], course: Course) -> ScoredRun:
    statuses = {r.status for r in runs}
    status: RunStatus
    if "DSQ" in statuses:
        status = "DSQ"
    elif statuses == {"DNS"}:
        status = "DNS"
    elif statuses != {"OK"}:
        status = "DNF"
    else:
        status = "OK"
    raws = [r.raw_ns for r in runs]
    truncs = [r.raw_truncated_ns for r in runs]
    raw = sum(x for x in raws if x is not None) if all(x is not None for x in raws) else None
    trunc = sum(x for x in truncs if x is not None) if all(x is not None for x in truncs) else None
    penalty = sum(r.penalty_ns for r in runs)
    adjusted = None
    if status == "OK":
        adjusted = sum(r.adjusted_ns for r in runs if r.adjusted_ns is not None)
    return ScoredRun(
        bib=bib,
        attempt=0,
        status=status,
        raw_ns=raw,
        raw_truncated_ns=trunc,
        penalty_ns=penalty,
        adjusted_ns=adjusted,
        calls=sum(r.calls for r in runs),
        major_calls=sum(r.major_calls for r in runs),
        lines=tuple(line for r in runs for line in r.lines),
        counts=True,
    )
