"""综合成绩: weighted components (实操, 理论, 风采), each in points out of 100, the formula shown.

Integer hundredths of a point throughout, truncated. Ranked by the composite
(higher first); equal composites are separated by the practical's own
ranking, and equal after that share the rank.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event
    from courses.union_rules import CompositeRule
    from results.ranking import Standing
    from results.standings import StandingsReport

NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class CompositeLine:
    bib: int
    rank: int | None
    shared: bool
    total: int  # hundredths of a point
    parts: dict[str, int | None]  # component code -> hundredths (None: no score)
    practical_rank: int | None

    def as_json(self) -> dict[str, Any]:
        return {"bib": self.bib, "rank": self.rank, "shared": self.shared, "composite": self.total,
                "composite_text": points_text(self.total), "components": self.parts,
                "practical_rank": self.practical_rank}


def points_text(hundredths: int | None) -> str:
    if hundredths is None:
        return "—"
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def formula_text(rule: CompositeRule, lang: str) -> str:
    total = sum(p.weight for p in rule.parts)
    parts = " + ".join(f"{p.name_en if lang == 'en' else p.name_zh} {p.weight * 100 // total}%" for p in rule.parts)
    if rule.practical_points == "ratio":
        how = ("practical points = 100 × fastest result / your result" if lang == "en"
               else "实操得分 = 100 × 最快成绩 ÷ 本人成绩")
    else:
        how = (f"practical points = 100 − {rule.points_per_second} per second behind the fastest" if lang == "en"
               else f"实操得分 = 100 − 比最快成绩每慢 1 秒扣 {rule.points_per_second} 分")
    style = "style: judges' median × 10" if lang == "en" else "风采：裁判中位数 × 10"
    return (f"composite = {parts}; {how}; {style}; DNF/DSQ score 0 practical points" if lang == "en"
            else f"综合成绩 = {parts}；{how}；{style}；未完成/取消资格实操 0 分")


def _practical(rule: CompositeRule, adjusted: int | None, fastest: int | None) -> int:
    if adjusted is None or fastest is None or adjusted <= 0:
        return 0
    if rule.practical_points == "ratio":
        return 10_000 * fastest // adjusted
    behind = adjusted - fastest
    return max(0, 10_000 - rule.points_per_second * 100 * behind // NS)


def composite_lines(event: Event, report: StandingsReport) -> list[CompositeLine]:
    rule = event.course.composite
    if rule is None:
        raise CommandRefused("赛道文件没有综合成绩规则（[composite]）。", "The course file has no [composite] rule.")
    sheet: dict[str, dict[int, int]] = {}
    for p in rule.parts:
        if p.source == "sheet":
            sheet[p.code] = {r["bib"]: int(r["points"]) for r in event.store.query(
                "SELECT bib, points FROM component_scores WHERE component = ?", (p.code,))}
    ok = [s.rider.counting.adjusted_ns for s in report.standings
          if s.status == "OK" and s.rider.counting is not None and s.rider.counting.adjusted_ns is not None]
    fastest = min(ok) if ok else None
    weights = sum(p.weight for p in rule.parts)
    unsorted = []
    for s in report.standings:
        c = s.rider.counting
        parts: dict[str, int | None] = {}
        for p in rule.parts:
            if p.source == "practical":
                parts[p.code] = _practical(rule, c.adjusted_ns if (c and s.status == "OK") else None, fastest)
            elif p.source == "style":
                parts[p.code] = s.rider.style_score * 10 if s.rider.style_score is not None else None
            else:
                parts[p.code] = sheet[p.code].get(s.bib)
        total = sum(p.weight * (parts[p.code] or 0) for p in rule.parts) // weights
        unsorted.append((s, total, parts))
    unsorted.sort(key=lambda t: (-t[1], t[0].rank if t[0].rank is not None else 10**9, t[0].bib))
    out: list[CompositeLine] = []
    for i, (s, total, parts) in enumerate(unsorted):
        prev = out[-1] if out else None
        same = prev is not None and prev.total == total and prev.practical_rank == s.rank
        rank = prev.rank if same and prev else i + 1
        if same and prev is not None:
            out[-1] = replace(prev, shared=True)
        out.append(CompositeLine(s.bib, rank, same, total, parts, s.rank))
    return out


def composite_ranked(event: Event, report: StandingsReport) -> list[Standing]:
    """The round's standings re-ranked by the composite (for the rank prizes)."""
    by_bib = {s.bib: s for s in report.standings}
    return [replace(by_bib[ln.bib], rank=ln.rank, shared=ln.shared) for ln in composite_lines(event, report)]
