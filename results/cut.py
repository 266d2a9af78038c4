"""The cut: the best N OK results of a round ride the next one.

Everyone ranked within N advances, so a tie at the cut takes all the tied
riders through, and the report says so by name. The next round's start order
is the reverse of the rank (the best rider starts last) unless asked otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from competition.errors import CommandRefused
from competition.rounds import next_round_code, open_round
from results.ranking import BoundaryTie, boundary_ties
from results.standings import build_standings

if TYPE_CHECKING:
    from competition.event import Event


@dataclass
class AdvanceReport:
    source_round: str
    round_code: str
    top: int
    bibs: list[int]
    names: dict[int, str]
    ties: list[BoundaryTie] = field(default_factory=list)


def qualifiers(event: Event, source_round: str, top: int) -> tuple[list[int], list[BoundaryTie], dict[int, str]]:
    """Bibs of the OK riders ranked within ``top``, in rank order, and any tie at the line."""
    report = build_standings(event, source_round)
    chosen = [s for s in report.standings if s.status == "OK" and s.rank is not None and s.rank <= top]
    ties = boundary_ties(report.standings, [top], "晋级线", "the cut")
    names = {b: e["name"] for b, e in report.entrants.items()}
    return [s.bib for s in chosen], ties, names


def advance(event: Event, *, top: int, order: str = "reverse", source_round: str | None = None) -> AdvanceReport:
    """Open the next round with the qualifiers of ``source_round`` (default: the current round)."""
    if top < 1:
        raise CommandRefused(f"晋级人数必须至少为 1（收到 {top}）。", f"--top must be at least 1 (got {top}).")
    source = event.require_round(source_round)
    target = next_round_code(event, source)
    busy = event.store.query(
        "SELECT COUNT(*) AS n FROM runs WHERE round = ? AND state = 'on_course'", (source,)
    )[0]["n"]
    waiting = event.store.query(
        "SELECT COUNT(*) AS n FROM queue WHERE round = ? AND state = 'waiting'", (source,)
    )[0]["n"]
    if busy or waiting:
        raise CommandRefused(
            f"本轮尚未结束：{busy} 人在赛道上，{waiting} 人在出发队列中。请先完成或取消他们的出发。",
            f"The round is not over: {busy} on course, {waiting} waiting to start. Finish or scratch them first.",
        )
    bibs, ties, names = qualifiers(event, source, top)
    if not bibs:
        raise CommandRefused("没有有效成绩，无人可以晋级。", "No valid results: nobody can advance.")
    start_order = list(reversed(bibs)) if order == "reverse" else list(bibs)
    open_round(event, target, source_round=source, top=top, bibs=start_order, ties=[b for t in ties for b in t.bibs])
    return AdvanceReport(source, target, top, start_order, names, ties)
