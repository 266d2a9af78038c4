"""Everything a union contest hands out: prizes per category, team prizes, the organizing award."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from results.awards import AwardsResult, compute_awards

if TYPE_CHECKING:
    from competition.event import Event
    from results.teams import OrganizingLine, TeamReport


@dataclass
class UnionAwards:
    riders: AwardsResult
    teams: TeamReport | None = None
    organizing: list[OrganizingLine] = field(default_factory=list)
    organizing_name: tuple[str, str] = ("优秀组织奖", "Organizing award")

    @property
    def ties_zh(self) -> list[str]:
        return self.riders.ties_zh + (self.teams.ties_zh if self.teams else [])

    @property
    def ties_en(self) -> list[str]:
        return self.riders.ties_en + (self.teams.ties_en if self.teams else [])

    @property
    def unit_winners(self) -> list[tuple[str, str, str]]:
        """(unit, prize zh, prize en) for the unit certificates, team prizes first."""
        out = [(ln.unit, ln.prize_zh, ln.prize_en or "") for ln in (self.teams.lines if self.teams else [])
               if ln.prize_zh]
        for line in self.organizing:
            if line.prize:
                out.append((line.unit, *self.organizing_name))
        return out


def union_awards(event: Event, round_code: str | None = None) -> UnionAwards:
    """Rider prizes (per category when the course has them), then team prizes and the organizing award."""
    from results.categories import categories
    from results.teams import organizing_award, team_standings

    course = event.course
    if course.categories is None:
        riders = compute_awards(event, round_code)
    else:
        base = compute_awards(event, round_code)
        riders = AwardsResult(base.round_code, [], report=base.report)
        for name in categories(event, base.report) if base.report else []:
            part = compute_awards(event, round_code, category=name)
            riders.entries += part.entries
            riders.ties_zh += part.ties_zh
            riders.ties_en += part.ties_en
    result = UnionAwards(riders)
    if course.teams is not None:
        result.teams = team_standings(event)
    if course.organizing_award is not None:
        lines = organizing_award(event)
        name = (course.organizing_award.name_zh, course.organizing_award.name_en)
        result.organizing = lines
        result.organizing_name = name
    return result
