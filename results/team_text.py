"""``standings --teams``: the team ranking and the organizing award as text or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from competition.times import format_duration

if TYPE_CHECKING:
    from competition.event import Event


def teams_json(event: Event) -> dict[str, Any]:
    from results.teams import organizing_award, team_standings

    course = event.course
    out: dict[str, Any] = {"teams": None, "organizing_award": None}
    if course.teams is not None:
        out["teams"] = team_standings(event).as_json()
    if course.organizing_award is not None:
        out["organizing_award"] = {"name_zh": course.organizing_award.name_zh,
                                   "units": [ln.as_json() for ln in organizing_award(event)]}
    if out["teams"] is None and out["organizing_award"] is None:
        from competition.errors import CommandRefused

        raise CommandRefused("赛道文件没有团体规则（[teams]）或优秀组织奖规则（[organizing_award]）。",
                             "The course file has no [teams] or [organizing_award] rule.")
    return out


def teams_text(event: Event, lang: str) -> str:
    data = teams_json(event)
    en = lang == "en"
    precision = event.course.precision_ns
    lines: list[str] = []
    if data["teams"]:
        lines.append("Team results" if en else "团体成绩")
        for t in data["teams"]["teams"]:
            rank = "" if t["rank"] is None else f"{t['rank']}{'=' if t['shared'] else ''}"
            total = format_duration(t["total_ns"], precision) if t["total_ns"] is not None else "—"
            members = " ".join(f"#{c['bib']}" for c in t["counted"])
            prize = (t["prize_en"] if en else t["prize"]) or ""
            why = (t["not_ranked_en"] if en else t["not_ranked_zh"]) or ""
            lines.append(f"{rank:>4}  {t['unit']}  {total}  {members}  {t['finishers']}/{t['riders']}  {prize}{why}")
    if data["organizing_award"]:
        lines.append("")
        lines.append("Organizing award" if en else data["organizing_award"]["name_zh"])
        for u in data["organizing_award"]["units"]:
            rate = f"{u['finish_rate_permille'] // 10}.{u['finish_rate_permille'] % 10}%"
            mark = ("award" if en else "获奖") if u["prize"] else ((u["not_eligible_en"] if en else u["not_eligible_zh"]) or "")
            rank = "" if u["rank"] is None else str(u["rank"])
            lines.append(f"{rank:>4}  {u['unit']}  {u['riders']}  {rate}  {mark}")
    return "\n".join(lines)
