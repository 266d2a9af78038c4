"""Who wins what: rank prizes from the last round, style prizes from the judges' scores.

A tie on a prize boundary is never broken silently: it is reported with the
riders' names, and the head referee settles it (a run-off, then
``trackside prize BIB PRIZE --reason …``), which names the winner by hand.
Hand-named winners of a prize take its places first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused
from competition.glossary import round_name, score_text
from results.documents import AwardEntry
from results.standings import StandingsReport, build_standings

# Style medians are kept in hundredths of a point: judges score in tenths, and
# the median of an even count is the mean of the middle two, which needs one
# more digit (8.5 and 9.0 -> 8.75). Truncating it to 8.7 would tie it with a
# real 8.7 and print a score nobody gave.
STYLE_SCALE = 100


def style_median(scores: list[int]) -> int:
    """The judges' median style score in hundredths, exact: tenths (85, 90) -> 875."""
    ordered = sorted(scores)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid] * (STYLE_SCALE // 10)
    return (ordered[mid - 1] + ordered[mid]) * (STYLE_SCALE // 20)

if TYPE_CHECKING:
    from competition.event import Event


@dataclass
class AwardsResult:
    round_code: str
    entries: list[AwardEntry]
    ties_zh: list[str] = field(default_factory=list)
    ties_en: list[str] = field(default_factory=list)
    report: StandingsReport | None = None


def awards_round(event: Event, round_code: str | None) -> str:
    """The round whose ranking gives the prizes: the named one, else the last opened."""
    if round_code:
        return event.require_round(round_code)
    return event.rounds()[-1]["code"]


def compute_awards(event: Event, round_code: str | None = None, *, category: str | None = None) -> AwardsResult:
    """Prizes of the round; with ``category``, the prizes of that 组别 among its riders only."""
    code = awards_round(event, round_code)
    busy = event.store.query(
        "SELECT (SELECT COUNT(*) FROM runs WHERE round = ? AND state = 'on_course') AS on_course,"
        " (SELECT COUNT(*) FROM queue WHERE round = ? AND state = 'waiting') AS waiting",
        (code, code),
    )[0]
    zh_name, en_name = round_name(code, "zh", event.course), round_name(code, "en", event.course)
    if busy["on_course"] or busy["waiting"]:
        raise CommandRefused(
            f"{zh_name}尚未结束（{busy['on_course']} 人在赛道上，{busy['waiting']} 人等待出发），现在不能颁奖。",
            f"The {en_name} is not over ({busy['on_course']} on course, {busy['waiting']} waiting): no awards yet.",
        )
    report = build_standings(event, code)
    if category is not None:
        from results.categories import category_report

        report = category_report(event, report, category)
    ranked = [s for s in report.standings if s.status == "OK" and s.rank is not None]
    if event.course.composite is not None:  # rank prizes follow the composite (综合成绩)
        from results.composite import composite_ranked

        ranked = [s for s in composite_ranked(event, report) if s.status == "OK" and s.rank is not None]
    if not ranked:
        raise CommandRefused(
            f"{zh_name}还没有有效成绩，不能颁奖。", f"The {en_name} has no valid results yet: no awards."
        )
    course = event.course
    named: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in event.store.query(
        "SELECT * FROM named_prizes WHERE round = ? AND withdrawn = 0 ORDER BY seq", (code,)
    ):
        named[n["prize"]].append(n)
    named_bibs = {n["bib"] for rows in named.values() for n in rows}
    entrants = report.entrants
    all_entrants = {e["bib"]: e for e in event.store.query("SELECT * FROM entrants")}
    result = AwardsResult(code, [], report=report)
    taken: set[int] = set()

    def entry(tier: Any, place: int, bib: int, *, result_ns: int | None = None, style: int | None = None,
              tie_zh: str | None = None, tie_en: str | None = None) -> AwardEntry:
        e = entrants.get(bib) or all_entrants[bib]
        if category is not None:  # 男子组一等奖: each category's prizes are their own
            return AwardEntry(f"{category}:{tier.code}", f"{category}{tier.name_zh}", f"{category} {tier.name_en}",
                              place, bib, e["name"], e.get("platform"), e.get("station"), e["phone"], result_ns,
                              style, tie_zh, tie_en)
        return AwardEntry(tier.code, tier.name_zh, tier.name_en, place, bib, e["name"], e.get("platform"),
                          e.get("station"), e["phone"], result_ns, style, tie_zh, tie_en, style_scale=STYLE_SCALE)

    queue_ranked = [s for s in ranked if s.bib not in named_bibs]
    for place, tier in enumerate(course.prizes, start=1):
        hand = named.get(tier.code, [])
        for n in hand:
            result.entries.append(entry(tier, place, n["bib"]))
            taken.add(n["bib"])
        remaining = tier.count - len(hand)
        if remaining <= 0:
            continue
        if tier.source == "rank":
            candidates = [s for s in queue_ranked if s.bib not in taken]
            chosen = candidates[:remaining]
            if not chosen:
                continue
            boundary_rank = chosen[-1].rank
            tied_out = [s for s in candidates[remaining:] if s.rank == boundary_rank]
            flag_zh = flag_en = None
            if tied_out:
                tied = [s for s in candidates if s.rank == boundary_rank]
                who = "、".join(f"{s.bib}号{entrants[s.bib]['name']}" for s in tied)
                who_en = ", ".join(f"#{s.bib} {entrants[s.bib]['name']}" for s in tied)
                msg_zh = f"{tier.name_zh}分界并列第 {boundary_rank} 名：{who}，需加赛决定（加赛后用 trackside prize 指定）。"
                msg_en = f"{tier.name_en}: tie at rank {boundary_rank} between {who_en}; a run-off must decide (then `trackside prize`)."
                result.ties_zh.append(msg_zh)
                result.ties_en.append(msg_en)
                flag_zh, flag_en = "并列，需加赛决定", "tied: run-off needed"
            for s in chosen:
                c = s.rider.counting
                tie = s.rank == boundary_rank and bool(tied_out)
                result.entries.append(entry(tier, place, s.bib, result_ns=c.adjusted_ns if c else None,
                                            tie_zh=flag_zh if tie else None, tie_en=flag_en if tie else None))
                taken.add(s.bib)
        else:
            scores: dict[int, list[int]] = defaultdict(list)
            for row in event.store.query("SELECT bib, score FROM style_scores"):
                scores[row["bib"]].append(int(row["score"]))
            pool = sorted(
                ((style_median(v), b) for b, v in scores.items()
                 if (b not in taken or not course.one_prize_per_person) and b not in named_bibs
                 and (category is None or b in entrants)),
                key=lambda t: (-t[0], t[1]),
            )
            chosen_style = pool[:remaining]
            if not chosen_style:
                continue
            edge = chosen_style[-1][0]
            tied_out_style = [b for sc, b in pool[remaining:] if sc == edge]
            if tied_out_style:
                tied_bibs = [b for sc, b in pool if sc == edge]
                result.ties_zh.append(
                    f"{tier.name_zh}分界风采分并列（{score_text(edge, STYLE_SCALE)}）：" + "、".join(f"{b}号" for b in tied_bibs)
                    + "，请裁判长指定。"
                )
                result.ties_en.append(
                    f"{tier.name_en}: style scores tied at {score_text(edge, STYLE_SCALE)}: " + ", ".join(f"#{b}" for b in tied_bibs)
                    + "; the head referee must decide."
                )
            for sc, b in chosen_style:
                tie = sc == edge and bool(tied_out_style)
                result.entries.append(entry(tier, place, b, style=sc, tie_zh="并列，需裁判长指定" if tie else None,
                                            tie_en="tied: head referee decides" if tie else None))
                taken.add(b)
    return result
