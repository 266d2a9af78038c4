"""组别: categories ranked and awarded on their own (男子组/女子组, per platform, or a sheet column)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event
    from courses.union_rules import CategoryRule
    from results.standings import StandingsReport

GENDER_NAMES = {"男": "男子组", "女": "女子组", "M": "男子组", "F": "女子组"}


def category_of(entrant: dict[str, Any], rule: CategoryRule) -> str | None:
    """The rider's category name by the course rule, or None when the sheet did not say."""
    if rule.by == "gender":
        raw = (entrant.get("gender") or "").strip()
        value = rule.names.get(raw) or GENDER_NAMES.get(raw) or (raw or None)
        return value
    if rule.by == "platform":
        raw = (entrant.get("platform") or "").strip()
    else:
        extra = entrant.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra or "{}")
        raw = str(extra.get(rule.by) or "").strip()
    return (rule.names.get(raw) or raw) or None


def categories(event: Event, report: StandingsReport) -> list[str]:
    rule = event.course.categories
    if rule is None:
        return []
    found = {category_of(e, rule) for e in report.entrants.values()}
    return sorted(c for c in found if c)


def restrict(report: StandingsReport, bibs: set[int]) -> StandingsReport:
    """The same round ranked among these riders only (ranks and prize-line ties recomputed)."""
    from results.ranking import boundary_ties, prize_boundaries, rank_round

    standings = rank_round([s.rider for s in report.standings if s.bib in bibs], report.course)
    entrants = {b: e for b, e in report.entrants.items() if b in bibs}
    out = replace(report, standings=standings, entrants=entrants, ties=[],
                  on_course={b for b in report.on_course if b in bibs})
    if report.is_last_round:
        out.ties += boundary_ties(standings, prize_boundaries(report.course), "奖项分界", "a prize boundary")
    return out


def category_report(event: Event, report: StandingsReport, category: str) -> StandingsReport:
    rule = event.course.categories
    if rule is None:
        raise CommandRefused("赛道文件没有设组别（[categories]）。", "The course file defines no categories ([categories]).")
    bibs = {b for b, e in report.entrants.items() if category_of(e, rule) == category}
    if not bibs:
        names = "、".join(categories(event, report))
        raise CommandRefused(f"没有组别「{category}」（可用：{names}）。", f"No category {category!r} ({names}).")
    return restrict(report, bibs)
