"""What the timing screen shows, read from the event in one go (no Textual here).

Screens call ``timing_board`` after each change and hand the plain dataclasses
down to their widgets, so widgets never touch SQL. Everything comes through the
competition and results APIs: ``timing.on_course``, ``start_queue.waiting``,
``timing.orphans`` and ``results.standings`` for scores and provisional ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from competition import judging, start_queue, timing
from competition.journal import iter_rows
from competition.targeting import Candidate, reference_run_ns
from competition.tui.run_flags import flags_for_run
from competition.tui.timer_flags import TimerFlags, timer_flags
from results.scoring import PenaltyCall, RunInput, ScoredRun, score_run
from results.standings import StandingsReport, build_standings, scored_runs

if TYPE_CHECKING:
    from competition.event import Event

# A host clock more than this far from a start is not the same boot: the
# monotonic clock restarted (the laptop rebooted), so use the journal's UTC.
PLAUSIBLE_RUN_NS = 6 * 3600 * 1_000_000_000


@dataclass(frozen=True)
class PenaltyText:
    """One infraction line of a run: names in both languages, count and seconds."""

    segment_zh: str
    segment_en: str
    name_zh: str
    name_en: str
    count: int
    seconds_ns: int
    eliminates: bool


@dataclass(frozen=True)
class OnCourseRider:
    """A run on course: who, since when (host monotonic ns), and the calls so far."""

    run_id: int
    bib: int
    name: str
    platform: str
    start_host_ns: int
    start_utc: str
    penalty_ns: int
    eliminated: bool
    lines: tuple[PenaltyText, ...]
    manual: bool
    status: str = "OK"  # a DSQ/DNF declared while he still rides keeps him on course


@dataclass(frozen=True)
class Finisher:
    """A finished run with its result and the rider's provisional rank."""

    run_id: int
    bib: int
    name: str
    raw_ns: int | None
    penalty_ns: int
    adjusted_ns: int | None
    status: str
    rank: int | None
    manual: bool
    confirmed: bool
    counts: bool
    lines: tuple[PenaltyText, ...]
    flags: tuple[str, ...] = ()  # implausible: "below_min", "over_limit", "far_from_field"
    # The timer's own net time for this run (issue #11), None when it printed none.
    timer_ns: int | None = None
    timer_resolution_ns: int = 1
    timer_agrees: bool | None = None
    timer_kept: bool = False  # the referee kept Trackside's time, with a reason
    number_mismatch: bool = False  # the timer's rider number and the queue disagreed on this run


@dataclass
class TimingBoard:
    """Everything the timing screen draws for one track."""

    track: int
    on_course: list[OnCourseRider]
    queue: list[dict[str, Any]]
    finishers: list[Finisher]
    orphans: list[dict[str, Any]]
    precision_ns: int
    time_limit_ns: int
    standings: StandingsReport | None = None
    targets: list[Candidate] = field(default_factory=list)  # on course oldest first, then finishers newest first
    reference_ns: int = 1  # a typical run time, to estimate where a rider on course is
    timer: TimerFlags | None = None  # the timer's own net times and number mismatches


def penalty_texts(scored: ScoredRun) -> tuple[PenaltyText, ...]:
    return tuple(
        PenaltyText(ln.segment_name_zh, ln.segment_name_en, ln.name_zh, ln.name_en, ln.count, ln.seconds_ns,
                    ln.eliminates)
        for ln in scored.lines
    )


def _score_on_course(event: Event, run: dict[str, Any]) -> ScoredRun:
    calls: dict[tuple[str, str], int] = {}
    for p in judging.penalties_of(event, run["run_id"]):
        calls[(p["segment"], p["code"])] = calls.get((p["segment"], p["code"]), 0) + int(p["count"])
    # Scored as DNF (no time yet): the penalty total and eliminations are what matter here.
    return score_run(
        RunInput(run["bib"], run["attempt"], "DNF", None,
                 tuple(PenaltyCall(s, c, n) for (s, c), n in calls.items())),
        event.course,
    )


def _start_utc(event: Event, run_id: int) -> str:
    for row in iter_rows(event.store.conn, after_seq=run_id - 1):
        return row.utc
    return ""


def timing_board(
    event: Event, track: int, *, finishers: int = 8, queue: int = 8, report: StandingsReport | None = None
) -> TimingBoard:
    """Read the timing screen's state for ``track``: one call, a few ms for 500 riders."""
    course = event.course
    round_code = event.current_round
    riders = []
    for run in timing.on_course(event, track):
        scored = _score_on_course(event, run)
        riders.append(
            OnCourseRider(
                run["run_id"], run["bib"], run["name"], run.get("platform") or "", int(run["start_host_ns"]),
                _start_utc(event, run["run_id"]), scored.penalty_ns, scored.status == "DSQ", penalty_texts(scored),
                bool(run["manual"]), str(run["status"] or "OK"),
            )
        )
    if report is None:
        report = build_standings(event, round_code)
    rank_of = {s.bib: s.rank for s in report.standings}
    round_runs = scored_runs(event, round_code)
    finished = [(row, scored) for row, scored in round_runs if row["track"] == track and row["state"] == "finished"]
    finished.sort(key=lambda item: item[0]["finished_seq"] or 0, reverse=True)
    field_ns = [int(row["raw_ns"]) for row, scored in round_runs
                if row["state"] == "finished" and scored.status == "OK" and row["raw_ns"] is not None]
    flags = timer_flags(event, track)
    last = []
    for row, scored in finished[:finishers]:
        check = flags.checks.get(row["run_id"])
        last.append(Finisher(
            row["run_id"], row["bib"], row["name"], row["raw_ns"], scored.penalty_ns, scored.adjusted_ns,
            scored.status, rank_of.get(row["bib"]) if scored.counts else None, bool(row["manual"]),
            bool(row["confirmed"]), bool(row["counts"]), penalty_texts(scored),
            flags_for_run(row["raw_ns"], scored.status, course, field_ns),
            check.timer_net_ns if check else None, check.resolution_ns if check else 1,
            check.agrees if check else None, row["run_id"] in flags.kept, flags.run_mismatched(row),
        ))
    finish_host = _finish_host_ns(event, [row for row, _ in finished[:3]])
    by_run = {row["run_id"]: row for row, _ in finished[:3]}
    targets = [
        Candidate(r.run_id, r.bib, r.name, True, r.start_host_ns, None, "DSQ" if r.eliminated else r.status, None,
                  False, True)
        for r in riders
    ]
    targets += [
        Candidate(f.run_id, f.bib, f.name, False, by_run[f.run_id]["start_host_ns"], finish_host.get(f.run_id),
                  f.status, f.raw_ns, f.confirmed, f.counts)
        for f in last[:3]
    ]
    return TimingBoard(
        track=track,
        on_course=riders,
        queue=start_queue.waiting(event, track)[:queue],
        finishers=last,
        orphans=timing.orphans(event, track),
        precision_ns=course.precision_ns,
        time_limit_ns=course.time_limit_ns,
        standings=report,
        targets=targets,
        reference_ns=reference_run_ns(field_ns, course.time_limit_ns),
        timer=flags,
    )


def _finish_host_ns(event: Event, runs: list[dict[str, Any]]) -> dict[int, int]:
    """Host time of each run's finish impulse (the grace window for late calls counts from it)."""
    seqs = {int(r["finish_seq"]): int(r["run_id"]) for r in runs if r["finish_seq"] is not None}
    if not seqs:
        return {}
    marks = ",".join("?" * len(seqs))
    rows = event.store.query(f"SELECT seq, host_ns FROM impulses WHERE seq IN ({marks})", list(seqs))
    return {seqs[int(r["seq"])]: int(r["host_ns"]) for r in rows}


def elapsed_ns(rider: OnCourseRider, now_ns: int, utc_now_ns: int | None = None) -> int:
    """How long a rider has been on course by the host clock.

    The start impulse carries ``time.monotonic_ns()`` taken by the reader at
    receipt, so ``now - start`` is exact on this machine. After a reboot the
    monotonic clock restarts; then the journal row's UTC time gives the
    (coarser) elapsed time so the clock still reads sensibly.
    """
    elapsed = now_ns - rider.start_host_ns
    if 0 <= elapsed <= PLAUSIBLE_RUN_NS or utc_now_ns is None or not rider.start_utc:
        return max(0, elapsed)
    from datetime import datetime

    started = datetime.fromisoformat(rider.start_utc)
    started_ns = int(started.timestamp()) * 1_000_000_000 + started.microsecond * 1000
    return max(0, utc_now_ns - started_ns)
