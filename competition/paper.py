"""The judges' signed paper sheets (裁判记录表) entered back, and checked against the live calls.

Judges tally on paper beside any screen. After the round each segment's
sheet is entered (``trackside paper enter SEGMENT``): the marks for every
rider on it; a rider left out has no marks. The same for a backup
stopwatch sheet (``trackside paper times``). ``paper diff`` then lists every
rider where paper and the record differ, and the head referee settles each
one (``paper settle``), choosing the paper (corrections are recorded to
match it) or the live record, with a reason. Re-entering a rider's line
replaces it; every entry and settlement is a journal row. A round cannot
become official while a difference is unsettled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason

if TYPE_CHECKING:
    from competition.event import Event

TIME = "time"  # the "segment" of a stopwatch difference
DEFAULT_TOLERANCE_NS = 300_000_000  # a hand-timed backup is trusted to about 0.3 s


@dataclass(frozen=True, slots=True)
class PaperLine:
    bib: int
    attempt: int
    counts: dict[str, int]  # infraction code -> marks


@dataclass(frozen=True, slots=True)
class Difference:
    round_code: str
    bib: int
    attempt: int
    segment: str  # a segment code, or TIME
    code: str | None  # the infraction (None for a time)
    live: int | None  # calls (or raw ns) on record
    paper: int | None  # marks (or stopwatch ns) on paper
    run_id: int | None

    @property
    def key(self) -> dict[str, Any]:
        return {"round": self.round_code, "bib": self.bib, "attempt": self.attempt, "segment": self.segment,
                "code": self.code, "live": self.live, "paper": self.paper}

    def as_json(self) -> dict[str, Any]:
        return {**self.key, "run_id": self.run_id}


def resolve_counts(event: Event, segment: str, counts: dict[str, int]) -> dict[str, int]:
    """Infractions by code, Chinese name or hotkey -> codes (as the penalty command takes them)."""
    from competition.judging import resolve_infraction

    out: dict[str, int] = {}
    for ref, n in counts.items():
        if not 0 <= n <= 99:
            raise CommandRefused(f"次数 {n} 不在 0–99 之间。", f"Count {n} is not 0–99.")
        _, code = resolve_infraction(event, segment, ref)
        out[code] = out.get(code, 0) + n
    return out


def _segment_code(event: Event, segment: str) -> str:
    for s in event.course.all_segments():
        if segment in (s.code, s.name_zh, s.name_en, s.hotkey):
            return s.code
    names = "、".join(s.code for s in event.course.all_segments())
    raise CommandRefused(f"没有赛段「{segment}」。可用赛段：{names}", f"No segment {segment!r}. Segments: {names}")


def enter_sheet(event: Event, segment: str, lines: list[PaperLine], *, round_code: str | None = None,
                entered_by: str = "") -> int:
    """Record a segment's paper sheet (all its marks); returns the journal row."""
    code = event.require_round(round_code)
    seg = _segment_code(event, segment)
    entries = []
    for line in lines:
        if not event.store.query("SELECT 1 FROM entrants WHERE bib = ?", (line.bib,)):
            raise CommandRefused(f"纸质记录表上的 {line.bib} 号不是报名选手。", f"Bib {line.bib} on the sheet is not an entrant.")
        counts = resolve_counts(event, seg, line.counts)
        entries.append({"bib": line.bib, "attempt": line.attempt, "counts": counts})
    return event.store.record("paper_sheet_entered", {"round": code, "segment": seg, "entries": entries,
                                                     "entered_by": entered_by}).seq


def enter_times(event: Event, times: list[tuple[int, int, int]], *, round_code: str | None = None,
                entered_by: str = "") -> int:
    """Record a backup stopwatch sheet: (bib, attempt, raw ns) lines."""
    code = event.require_round(round_code)
    for bib, _, raw in times:
        if not 0 < raw < 24 * 3600 * 1_000_000_000:
            raise CommandRefused(f"{bib} 号的秒表时间不合理。", f"Bib {bib}'s stopwatch time is not plausible.")
    return event.store.record("paper_times_entered", {
        "round": code, "entries": [{"bib": b, "attempt": a, "raw_ns": t} for b, a, t in times],
        "entered_by": entered_by}).seq


def _runs(event: Event, round_code: str) -> dict[tuple[int, int], dict[str, Any]]:
    return {(r["bib"], r["attempt"]): r for r in event.store.query(
        "SELECT * FROM runs WHERE round = ? AND state IN ('finished', 'on_course') AND counts = 1", (round_code,))}


def differences(event: Event, round_code: str | None = None, *, tolerance_ns: int = DEFAULT_TOLERANCE_NS,
                include_settled: bool = False) -> list[Difference]:
    """Every place where the paper and the record disagree (unsettled ones unless asked)."""
    code = event.require_round(round_code)
    runs = _runs(event, code)
    out: list[Difference] = []
    entered = {(r["segment"], r["bib"], r["attempt"]) for r in event.store.query(
        "SELECT segment, bib, attempt FROM paper_lines WHERE round = ?", (code,))}
    sheets = sorted({s for s, _, _ in entered})
    for segment in sheets:
        paper: dict[tuple[int, int, str], int] = {}
        for r in event.store.query("SELECT * FROM paper_calls WHERE round = ? AND segment = ?", (code, segment)):
            paper[(r["bib"], r["attempt"], r["code"])] = int(r["count"])
        live: dict[tuple[int, int, str], int] = {}
        for r in event.store.query(
            "SELECT r.bib, r.attempt, p.code, SUM(p.count) AS n FROM penalties p JOIN runs r ON r.run_id = p.run_id"
            " WHERE r.round = ? AND p.segment = ? AND p.withdrawn = 0 AND r.counts = 1 AND r.state != 'void'"
            " GROUP BY r.bib, r.attempt, p.code", (code, segment)):
            live[(r["bib"], r["attempt"], r["code"])] = int(r["n"])
        for key in sorted(set(paper) | set(live)):
            bib, attempt, inf = key
            if paper.get(key, 0) != live.get(key, 0):
                run = runs.get((bib, attempt))
                out.append(Difference(code, bib, attempt, segment, inf, live.get(key, 0), paper.get(key, 0),
                                      run["run_id"] if run else None))
    for r in event.store.query("SELECT * FROM paper_times WHERE round = ? ORDER BY bib, attempt", (code,)):
        run = runs.get((r["bib"], r["attempt"]))
        recorded = run["raw_ns"] if run else None
        if recorded is None or abs(int(recorded) - int(r["raw_ns"])) > tolerance_ns:
            out.append(Difference(code, r["bib"], r["attempt"], TIME, None, recorded, int(r["raw_ns"]),
                                  run["run_id"] if run else None))
    if include_settled:
        return out
    settled = {(s["segment"], s["bib"], s["attempt"], s["code"], s["live"], s["paper"]) for s in event.store.query(
        "SELECT * FROM paper_settlements WHERE round = ?", (code,))}
    return [d for d in out if (d.segment, d.bib, d.attempt, d.code, d.live, d.paper) not in settled]


def settle(event: Event, bib: int, segment: str, *, use: str, reason: str, round_code: str | None = None,
           attempt: int = 1) -> list[Difference]:
    """The head referee decides one rider's differences on a segment (or his time): paper or live."""
    from competition.judging import call_penalty, correct_time, withdraw_penalty

    require_reason(reason)
    if use not in ("paper", "live"):
        raise CommandRefused("只能选择 paper（以纸质记录为准）或 live（以现场记录为准）。", "Choose paper or live.")
    seg = TIME if segment in (TIME, "秒表") else _segment_code(event, segment)
    pending = [d for d in differences(event, round_code) if d.bib == bib and d.segment == seg and d.attempt == attempt]
    if not pending:
        raise CommandRefused(f"{bib} 号在该赛段没有待处理的差异。", f"No open difference for bib {bib} there.")
    with event.store.transaction():
        for d in pending:
            if use == "paper":
                if d.run_id is None:
                    raise CommandRefused(f"{bib} 号没有可更正的成绩。", f"Bib {bib} has no run to correct.")
                why = f"纸质记录为准 paper sheet: {reason}"
                if d.segment == TIME:
                    correct_time(event, d.run_id, int(d.paper or 0), reason=why)
                elif (d.paper or 0) > (d.live or 0):
                    call_penalty(event, bib, d.segment, d.code or "", count=(d.paper or 0) - (d.live or 0), run_id=d.run_id)
                else:
                    extra = (d.live or 0) - (d.paper or 0)
                    for p in event.store.query(
                        "SELECT penalty_id, count FROM penalties WHERE run_id = ? AND segment = ? AND code = ?"
                        " AND withdrawn = 0 ORDER BY penalty_id DESC", (d.run_id, d.segment, d.code)):
                        if extra <= 0:
                            break
                        withdraw_penalty(event, p["penalty_id"], reason=why)
                        extra -= int(p["count"])
                    if extra < 0:  # withdrew a multi-count call: put back what the paper keeps
                        call_penalty(event, bib, d.segment, d.code or "", count=-extra, run_id=d.run_id)
            event.store.append("paper_settled", {**d.key, "use": use, "reason": reason})
    return pending
