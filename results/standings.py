"""Standings of a round, read from the event's projections and ranked by the course.

This is the bridge between the journal's tables and the pure scoring in
``results.scoring`` / ``results.ranking``: it gathers each rider's runs and
net penalty calls, scores and ranks them, and marks the cut and prize places.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from competition.privacy import mask_phone
from competition.times import format_duration, format_penalty
from results.ranking import BoundaryTie, Standing, boundary_ties, prize_boundaries, rank_round
from results.scoring import (
    PenaltyCall,
    RiderRound,
    RunInput,
    RunStatus,
    ScoredRun,
    rider_round,
    score_run,
)

if TYPE_CHECKING:
    from competition.event import Event
    from courses.schema import Course

DEFAULT_CUT = 70


@dataclass
class StandingsReport:
    """A ranked round with everything a screen or a print needs."""

    round_code: str
    course: Course
    standings: list[Standing]
    entrants: dict[int, dict[str, Any]]
    cut: int | None
    is_last_round: bool
    ties: list[BoundaryTie] = field(default_factory=list)
    on_course: set[int] = field(default_factory=set)

    def prize_of(self, standing: Standing) -> tuple[str, str] | None:
        """The rank prize a place earns in the last round (一等奖 …), by the course tiers."""
        if not self.is_last_round or standing.rank is None or standing.status != "OK":
            return None
        place = 0
        for tier in self.course.prizes:
            if tier.source != "rank":
                continue
            place += tier.count
            if standing.rank <= place:
                return tier.name_zh, tier.name_en
        return None

    def qualified(self, standing: Standing) -> bool:
        return (
            self.cut is not None and not self.is_last_round and standing.rank is not None
            and standing.status == "OK" and standing.rank <= self.cut
        )


def median_tenths(scores: list[int]) -> int:
    """The judges' median style score; for an even count the lower middle pair's mean, truncated."""
    ordered = sorted(scores)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) // 2


def round_riders(event: Event, round_code: str) -> list[dict[str, Any]]:
    """Who rides the round: the preliminary is everyone active; later rounds the qualifiers."""
    entries = event.store.query(
        "SELECT e.* FROM round_entries re JOIN entrants e ON e.bib = re.bib WHERE re.round = ? ORDER BY re.start_order",
        (round_code,),
    )
    if entries or round_code != "prelim":
        return entries
    return event.store.query(
        "SELECT * FROM entrants WHERE status = 'active' OR bib IN (SELECT bib FROM runs WHERE round = ?) ORDER BY bib",
        (round_code,),
    )


def scored_runs(event: Event, round_code: str | None, bib: int | None = None) -> list[tuple[dict[str, Any], ScoredRun]]:
    """Every finished (or statused) run with its score, in journal order."""
    course = event.course
    where = ["r.state IN ('finished', 'void')"]
    args: list[Any] = []
    if round_code is not None:
        where.append("r.round = ?")
        args.append(round_code)
    if bib is not None:
        where.append("r.bib = ?")
        args.append(bib)
    runs = event.store.query(
        "SELECT r.*, e.name FROM runs r JOIN entrants e ON e.bib = r.bib WHERE " + " AND ".join(where)
        + " ORDER BY r.run_id",
        args,
    )
    calls: dict[int, list[PenaltyCall]] = defaultdict(list)
    if runs:
        for p in event.store.query(
            "SELECT run_id, segment, code, SUM(count) AS n FROM penalties WHERE withdrawn = 0"
            " AND run_id IN (SELECT run_id FROM runs r WHERE " + " AND ".join(where) + ")"
            " GROUP BY run_id, segment, code ORDER BY run_id, MIN(penalty_id)",
            args,
        ):
            calls[p["run_id"]].append(PenaltyCall(p["segment"], p["code"], int(p["n"])))
    out = []
    for r in runs:
        counts = bool(r["counts"]) and r["state"] != "void"
        status: RunStatus = r["status"] if r["raw_ns"] is not None or r["status"] != "OK" else "DNF"
        scored = score_run(
            RunInput(r["bib"], r["attempt"], status, r["raw_ns"], tuple(calls.get(r["run_id"], ())), counts),
            course,
        )
        out.append((r, scored))
    return out


def build_standings(event: Event, round_code: str) -> StandingsReport:
    """Score and rank one round from the event file."""
    course = event.course
    riders = round_riders(event, round_code)
    by_bib: dict[int, list[ScoredRun]] = defaultdict(list)
    for row, scored in scored_runs(event, round_code):
        if row["state"] != "void":
            by_bib[row["bib"]].append(scored)
    style: dict[int, list[int]] = defaultdict(list)
    for s in event.store.query("SELECT bib, score FROM style_scores WHERE round = ?", (round_code,)):
        style[s["bib"]].append(int(s["score"]))
    inputs: list[RiderRound] = [
        rider_round(e["bib"], by_bib.get(e["bib"], []), course, round_code,
                    median_tenths(style[e["bib"]]) if style.get(e["bib"]) else None)
        for e in riders
    ]
    standings = rank_round(inputs, course)
    codes = [r.code for r in course.rounds]
    is_last = codes.index(round_code) == len(codes) - 1 if round_code in codes else True
    cut: int | None = None
    if not is_last:
        nxt = event.store.query("SELECT top FROM rounds WHERE source_round = ?", (round_code,))
        cut = nxt[0]["top"] if nxt else (getattr(course.round(round_code), "advance", None) or DEFAULT_CUT)
    report = StandingsReport(
        round_code, course, standings, {e["bib"]: e for e in riders}, cut, is_last,
        on_course={r["bib"] for r in event.store.query("SELECT bib FROM runs WHERE state = 'on_course' AND round = ?", (round_code,))},
    )
    if cut is not None:
        report.ties += boundary_ties(standings, [cut], "晋级线", "the cut")
    if is_last:
        report.ties += boundary_ties(standings, prize_boundaries(course), "奖项分界", "a prize boundary")
    return report


def _lines_json(scored: ScoredRun) -> list[dict[str, Any]]:
    return [
        {"segment": ln.segment, "segment_name_zh": ln.segment_name_zh, "segment_name_en": ln.segment_name_en,
         "code": ln.code, "name_zh": ln.name_zh, "name_en": ln.name_en, "count": ln.count,
         "seconds_ns": ln.seconds_ns, "eliminates": ln.eliminates}
        for ln in scored.lines
    ]


def standings_json(report: StandingsReport, *, platform: str | None = None) -> dict[str, Any]:
    """The documented ``standings --json`` shape (docs/CLI.md)."""
    precision = report.course.precision_ns
    rows = []
    for s in report.standings:
        e = report.entrants.get(s.bib, {})
        if platform and e.get("platform") != platform:
            continue
        c = s.rider.counting
        prize = report.prize_of(s)
        rows.append({
            "rank": s.rank, "shared": s.shared, "bib": s.bib, "name": e.get("name"), "phone": mask_phone(e.get("phone")),
            "platform": e.get("platform"), "station": e.get("station"), "status": s.status,
            "raw_ns": c.raw_ns if c else None, "penalty_ns": c.penalty_ns if c else 0,
            "adjusted_ns": c.adjusted_ns if c else None,
            "raw": format_duration(c.raw_truncated_ns if c else None, precision),
            "adjusted": format_duration(c.adjusted_ns if c else None, precision),
            "penalty": format_penalty(c.penalty_ns) if c else "+0",
            "penalties": _lines_json(c) if c else [],
            "decided_by": s.decided_by, "qualified": report.qualified(s),
            "prize": prize[0] if prize else None, "style_score": s.rider.style_score,
            "attempts": [
                {"attempt": r.attempt, "status": r.status, "raw_ns": r.raw_ns, "penalty_ns": r.penalty_ns,
                 "adjusted_ns": r.adjusted_ns, "counts": r.counts, "penalties": _lines_json(r)}
                for r in s.rider.runs
            ],
        })
    return {
        "round": report.round_code,
        "cut": report.cut,
        "precision_ns": precision,
        "standings": rows,
        "ties": [{"boundary": t.boundary, "rank": t.rank, "bibs": list(t.bibs), "what_zh": t.what_zh,
                  "what_en": t.what_en} for t in report.ties],
    }


def runs_report(event: Event, round_code: str | None, *, bib: int | None = None) -> list[dict[str, Any]]:
    """The documented ``runs --json`` shape: one object per run, voided ones included."""
    out = []
    for row, scored in scored_runs(event, round_code, bib):
        out.append({
            "run_id": row["run_id"], "round": row["round"], "bib": row["bib"], "name": row["name"],
            "attempt": row["attempt"], "track": row["track"], "state": row["state"], "status": scored.status,
            "raw_ns": row["raw_ns"], "penalty_ns": scored.penalty_ns, "adjusted_ns": scored.adjusted_ns,
            "counts": bool(row["counts"]) and row["state"] != "void", "confirmed": bool(row["confirmed"]),
            "manual": bool(row["manual"]), "reason": row["status_reason"], "penalties": _lines_json(scored),
        })
    for row in event.store.query(
        "SELECT r.*, e.name FROM runs r JOIN entrants e ON e.bib = r.bib WHERE r.state = 'on_course'"
        + (" AND r.round = ?" if round_code else "") + (" AND r.bib = ?" if bib is not None else "")
        + " ORDER BY r.run_id",
        [a for a in (round_code, bib) if a is not None],
    ):
        out.append({
            "run_id": row["run_id"], "round": row["round"], "bib": row["bib"], "name": row["name"],
            "attempt": row["attempt"], "track": row["track"], "state": "on_course", "status": "OK",
            "raw_ns": None, "penalty_ns": 0, "adjusted_ns": None, "counts": True, "confirmed": False,
            "manual": bool(row["manual"]), "reason": None, "penalties": [],
        })
    return out


def rider_line(event: Event, bib: int, lang: str) -> str:
    """One line on a rider's current result: ``#12 张三 45.12 +6 = 51.12 第 3 名``."""
    report = build_standings(event, event.current_round)
    for s in report.standings:
        if s.bib != bib:
            continue
        e = report.entrants.get(bib, {})
        c = s.rider.counting
        precision = report.course.precision_ns
        if c is None:
            return f"#{bib} {e.get('name', '')}"
        text = f"#{bib} {e.get('name', '')} {format_duration(c.raw_truncated_ns, precision)} {format_penalty(c.penalty_ns)}"
        if c.adjusted_ns is not None:
            text += f" = {format_duration(c.adjusted_ns, precision)}"
        else:
            text += f" {s.status}"
        if s.rank is not None:
            text += f" (rank {s.rank})" if lang == "en" else f"（第 {s.rank} 名）"
        return text
    return f"#{bib}"
