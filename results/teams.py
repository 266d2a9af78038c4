"""Units and teams: 团体成绩 and 优秀组织奖 from the course's union rules.

A rider's unit is his platform, his station (named with its platform, since
two platforms can both have a 望京站) or his district / 所属工会 (a sheet
column kept in the rider's ``extra``). The team ranking and the organizing
award are pure functions of the round's standings and the entrants.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event
    from results.standings import StandingsReport

DISTRICT_KEYS = ("所属工会", "工会", "所属区", "区县", "区", "街道", "所属街道", "district", "union")


def unit_of(entrant: dict[str, Any], unit: str) -> str | None:
    """The rider's unit name of this kind, or None when the sheet did not say."""
    platform = (entrant.get("platform") or "").strip()
    if unit == "platform":
        return platform or None
    if unit == "station":
        station = (entrant.get("station") or "").strip()
        if not station:
            return None
        return f"{platform}·{station}" if platform else station
    extra = entrant.get("extra") or {}
    if isinstance(extra, str):
        import json

        extra = json.loads(extra or "{}")
    for key in DISTRICT_KEYS:
        value = str(extra.get(key) or "").strip()
        if value:
            return value
    return None


@dataclass
class TeamLine:
    unit: str
    rank: int | None
    shared: bool
    total_ns: int | None
    best_ns: int | None
    counted: list[tuple[int, int]]  # (bib, adjusted ns) of the riders who count
    finishers: int
    riders: int
    prize_zh: str | None = None
    prize_en: str | None = None
    why_not_zh: str | None = None
    why_not_en: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "rank": self.rank, "shared": self.shared, "total_ns": self.total_ns,
                "best_ns": self.best_ns, "counted": [{"bib": b, "adjusted_ns": t} for b, t in self.counted],
                "finishers": self.finishers, "riders": self.riders, "prize": self.prize_zh,
                "prize_en": self.prize_en, "not_ranked_zh": self.why_not_zh, "not_ranked_en": self.why_not_en}


@dataclass
class TeamReport:
    round_code: str
    unit: str
    best: int
    min_finishers: int
    lines: list[TeamLine]
    ties_zh: list[str] = field(default_factory=list)
    ties_en: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"round": self.round_code, "unit": self.unit, "best": self.best, "min_finishers": self.min_finishers,
                "teams": [ln.as_json() for ln in self.lines], "ties_zh": self.ties_zh, "ties_en": self.ties_en}


def _report(event: Event, round_code: str | None) -> StandingsReport:
    from results.standings import build_standings

    return build_standings(event, round_code or event.rounds()[0]["code"])


def team_standings(event: Event, round_code: str | None = None) -> TeamReport:
    """Rank the units by the course's team rule; ties on a team prize line are reported."""
    rule = event.course.teams
    if rule is None:
        raise CommandRefused("赛道文件没有团体规则（[teams]），无法计算团体成绩。",
                             "The course file has no team rule ([teams]).")
    report = _report(event, rule.round or round_code)
    riders: dict[str, int] = defaultdict(int)
    times: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s in report.standings:
        unit = unit_of(report.entrants.get(s.bib, {}), rule.unit)
        if unit is None:
            continue
        riders[unit] += 1
        c = s.rider.counting
        if s.status == "OK" and c is not None and c.adjusted_ns is not None:
            times[unit].append((c.adjusted_ns, s.bib))
    ranked: list[TeamLine] = []
    unranked: list[TeamLine] = []
    for unit in sorted(riders):
        finishers = sorted(times.get(unit, []))
        counted = finishers[: rule.best]
        line = TeamLine(unit, None, False, None, finishers[0][0] if finishers else None,
                        [(b, t) for t, b in counted], len(finishers), riders[unit])
        need = max(rule.min_finishers, rule.best)
        if len(finishers) < need:
            line.why_not_zh = f"完成比赛 {len(finishers)} 人，不足 {need} 人"
            line.why_not_en = f"{len(finishers)} finishers, fewer than {need}"
            unranked.append(line)
            continue
        line.total_ns = sum(t for t, _ in counted)
        ranked.append(line)
    ranked.sort(key=lambda ln: (ln.total_ns, ln.best_ns, ln.unit))
    for i, line in enumerate(ranked):
        prev = ranked[i - 1] if i else None
        if prev is not None and (prev.total_ns, prev.best_ns) == (line.total_ns, line.best_ns):
            line.rank, line.shared, prev.shared = prev.rank, True, True
        else:
            line.rank = i + 1
    result = TeamReport(report.round_code, rule.unit, rule.best, rule.min_finishers, ranked + unranked)
    _give_unit_prizes(result, ranked, [(p.name_zh, p.name_en, p.count) for p in rule.prizes])
    return result


def _give_unit_prizes(result: TeamReport, ranked: list[TeamLine], tiers: list[tuple[str, str, int]]) -> None:
    place = 0
    for zh, en, count in tiers:
        edge = place + count
        for line in ranked:
            if line.rank is not None and place < line.rank <= edge and line.prize_zh is None:
                line.prize_zh, line.prize_en = zh, en
        over = [ln for ln in ranked if ln.rank is not None and ln.rank <= edge and ln.prize_zh == zh]
        if len(over) > count:
            names = "、".join(ln.unit for ln in over if ln.shared)
            result.ties_zh.append(f"{zh}分界并列：{names}，需裁判长决定。")
            result.ties_en.append(f"{en}: tie on the line between {names}; the head referee decides.")
        place = edge


@dataclass
class OrganizingLine:
    unit: str
    riders: int
    finishers: int
    eliminations: int
    rank: int | None
    prize: bool
    why_not_zh: str | None = None
    why_not_en: str | None = None

    @property
    def finish_rate_permille(self) -> int:
        return self.finishers * 1000 // self.riders if self.riders else 0

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "riders": self.riders, "finishers": self.finishers,
                "finish_rate_permille": self.finish_rate_permille, "safety_eliminations": self.eliminations,
                "rank": self.rank, "prize": self.prize, "not_eligible_zh": self.why_not_zh,
                "not_eligible_en": self.why_not_en}


def organizing_award(event: Event, round_code: str | None = None) -> list[OrganizingLine]:
    """优秀组织奖: units ranked by finish rate, then riders sent; the first ``count`` win."""
    rule = event.course.organizing_award
    if rule is None:
        raise CommandRefused("赛道文件没有优秀组织奖规则（[organizing_award]）。",
                             "The course file has no organizing-award rule ([organizing_award]).")
    report = _report(event, round_code)
    # A safety elimination: a run disqualified by an infraction (摔车, 闯红灯, two missed poles…).
    eliminated = {s.bib for s in report.standings
                  if any(run.status == "DSQ" and any(ln.eliminates for ln in run.lines) for run in s.rider.runs)}
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for e in event.store.query("SELECT * FROM entrants WHERE status = 'active'"):
        unit = unit_of(e, rule.unit)
        if unit is not None:
            stats[unit][0] += 1
    for s in report.standings:
        unit = unit_of(report.entrants.get(s.bib, {}), rule.unit)
        if unit is None:
            continue
        if s.status == "OK":
            stats[unit][1] += 1
        if s.bib in eliminated:
            stats[unit][2] += 1
    lines = [OrganizingLine(u, v[0], v[1], v[2], None, False) for u, v in sorted(stats.items())]
    eligible = []
    for line in lines:
        if line.riders < rule.min_riders:
            line.why_not_zh, line.why_not_en = f"参赛 {line.riders} 人，不足 {rule.min_riders} 人", f"{line.riders} riders, fewer than {rule.min_riders}"
        elif rule.no_safety_eliminations and line.eliminations:
            line.why_not_zh, line.why_not_en = f"有 {line.eliminations} 人因安全违规被取消资格", f"{line.eliminations} safety eliminations"
        else:
            eligible.append(line)
    eligible.sort(key=lambda ln: (-ln.finish_rate_permille, -ln.riders, ln.unit))
    for i, line in enumerate(eligible):
        prev = eligible[i - 1] if i else None
        same = prev is not None and (prev.finish_rate_permille, prev.riders) == (line.finish_rate_permille, line.riders)
        line.rank = prev.rank if same and prev else i + 1
        line.prize = line.rank is not None and line.rank <= rule.count
    return sorted(lines, key=lambda ln: (ln.rank is None, ln.rank or 0, ln.unit))
