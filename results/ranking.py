"""Rank riders in a round: scoring mode, status order, tie-break cascade, shared ranks.

Order: OK results by the scoring mode (adjusted time; or penalty calls, then
adjusted time), then the course's tie-break cascade in its order; then every DNF
(sharing one rank), then every DSQ (sharing one rank); riders without a result
(DNS, no run, unfinished total) are unranked and listed last. Riders equal after
the whole cascade share a rank (1, 2, 2, 4) and are listed by bib. The result does
not depend on input order, and adding a penalty never improves a rider's rank.

``rerank_after_change`` is the incremental path the trackside UI calls after each
penalty key press: it re-sorts one rider with bisect on the stored sort keys and
only rebuilds the standings whose rank could have moved.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from courses.schema import Course
from results.scoring import RiderRound, run_key

# Status classes in ranking order; UNRANKED riders get rank None.
_CLASS = {"OK": 0, "DNF": 1, "DSQ": 2}
UNRANKED = 3

_BIB = operator.attrgetter("bib")

# What separated a rider from the one listed above: Chinese and English words.
DECIDED_BY: dict[str, tuple[str, str]] = {
    "status": ("成绩状态", "result status"),
    "penalty_calls": ("违规次数", "number of penalty calls"),
    "adjusted_time": ("成绩（用时+罚时）", "adjusted time (time + penalties)"),
    "fewer_penalty_calls": ("违规次数较少", "fewer penalty calls"),
    "fewer_major_penalties": ("重大违规较少", "fewer major penalties"),
    "faster_raw": ("原始用时较快", "faster raw time"),
    "better_other_attempt": ("另一轮成绩较好", "better other attempt"),
    "style_score": ("风采分较高", "higher style score"),
}


@dataclass(frozen=True, slots=True)
class Standing:
    """One line of the standings.

    ``decided_by`` names what separated this rider from the one listed just above
    (a key of ``DECIDED_BY``); ``None`` for the first line, a shared rank, and the
    unranked. ``sort_key`` is the full ranking key, kept for incremental updates.
    """

    rank: int | None
    bib: int
    rider: RiderRound
    status: str
    shared: bool
    decided_by: str | None
    sort_key: tuple[Any, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class BoundaryTie:
    """A shared rank that straddles a cut or prize boundary, e.g. 3 riders tied 69th for a cut of 70."""

    boundary: int
    rank: int
    bibs: tuple[int, ...]
    what_zh: str
    what_en: str


def key_names(course: Course) -> tuple[str, ...]:
    """What each position of an OK rider's sort key means, for ``decided_by``."""
    names = ["status"]
    if course.scoring_mode == "faults_then_time":
        names.append("penalty_calls")
    names.append("adjusted_time")
    names.extend(course.tie_break)
    return tuple(names)


def rider_sort_key(rider: RiderRound, course: Course) -> tuple[Any, ...]:
    """The ranking key of one rider, lower = better (see the module docstring)."""
    return _sort_key(rider, course, _other_width(course))


def _other_width(course: Course) -> int:
    # "Other attempts" are compared padded to one length per course, so a rider
    # with fewer runs never looks better for having fewer.
    return max(rule.attempts for rule in course.rounds) - 1


def _sort_key(rider: RiderRound, course: Course, width: int) -> tuple[Any, ...]:
    counting = rider.counting
    if counting is None or counting.status == "DNS":
        return (UNRANKED,)
    cls = _CLASS[counting.status]
    if cls != 0:
        return (cls,)
    assert counting.adjusted_ns is not None and counting.raw_truncated_ns is not None
    key: list[Any] = [0]
    if course.scoring_mode == "faults_then_time":
        key.append(counting.calls)
    key.append(counting.adjusted_ns)
    for step in course.tie_break:
        if step == "fewer_penalty_calls":
            key.append(counting.calls)
        elif step == "fewer_major_penalties":
            key.append(counting.major_calls)
        elif step == "faster_raw":
            key.append(counting.raw_truncated_ns)
        elif step == "better_other_attempt":
            key.append(_other_attempts_key(rider, course, width))
        else:  # style_score: higher is better, no score is worst
            score = rider.style_score
            key.append((0, -score) if score is not None else (1, 0))
    return tuple(key)


def _other_attempts_key(
    rider: RiderRound, course: Course, width: int
) -> tuple[tuple[int, ...], ...]:
    # Next-best run first, then the next; a missing attempt counts like a DNS run.
    keys = [run_key(r, course) for r in rider.others[:width]]
    keys.extend([(3,)] * (width - len(keys)))
    return tuple(keys)


def _listing_key(standing: Standing) -> tuple[tuple[Any, ...], int]:
    return (standing.sort_key, standing.bib)


def rank_round(riders: Sequence[RiderRound], course: Course) -> list[Standing]:
    """Rank the riders of one round; the same output whatever the input order.

    Raises ``ValueError`` if a bib appears twice.
    """
    by_bib = {r.bib: r for r in riders}
    if len(by_bib) != len(riders):
        seen: set[int] = set()
        for r in riders:
            if r.bib in seen:
                raise ValueError(f"bib {r.bib} appears twice in the round")
            seen.add(r.bib)
    width = _other_width(course)
    # (key, bib) pairs are unique, so the sort never needs to compare riders.
    entries = sorted((_sort_key(r, course, width), r.bib) for r in riders)
    names = key_names(course)
    keys = [e[0] for e in entries]
    out: list[Standing] = []
    previous_rank: int | None = None
    for i, (key, bib) in enumerate(entries):
        rider = by_bib[bib]
        rank, shared, decided = _place(keys, i, previous_rank, names)
        out.append(Standing(rank, bib, rider, rider.status, shared, decided, key))
        previous_rank = rank
    return out


def _place(
    keys: Sequence[tuple[Any, ...]], i: int, previous_rank: int | None, names: Sequence[str]
) -> tuple[int | None, bool, str | None]:
    """Rank, shared flag and deciding step of position ``i`` given the rank above it."""
    key = keys[i]
    if key[0] == UNRANKED:
        return None, False, None
    same_as_above = i > 0 and keys[i - 1] == key
    same_as_below = i + 1 < len(keys) and keys[i + 1] == key
    if same_as_above:
        return previous_rank, True, None
    decided = _first_difference(keys[i - 1], key, names) if i > 0 else None
    return i + 1, same_as_below, decided


def _first_difference(above: tuple[Any, ...], below: tuple[Any, ...], names: Sequence[str]) -> str:
    if above[0] != below[0]:
        return "status"
    for pos in range(1, min(len(above), len(below))):
        if above[pos] != below[pos]:
            return names[pos]
    return "status"  # not reached for distinct keys of the same class


def rerank_after_change(
    previous: Sequence[Standing], changed: RiderRound, course: Course
) -> list[Standing]:
    """Standings after one rider's result changed (a penalty call, a finish, a withdrawal).

    ``previous`` must come from ``rank_round``/``rerank_after_change`` with the same
    course. The rider is taken out, re-inserted by bisect on the sort keys, and only
    the lines between the old and the new place (plus the tie groups at both ends)
    are rebuilt; everyone else keeps their Standing object. Equal to a full
    ``rank_round`` over the updated riders. A bib not in ``previous`` is added.
    """
    lines = list(previous)
    old: int | None
    try:
        old = list(map(_BIB, lines)).index(changed.bib)  # C-level scan, ~1 ms at 50 000
    except ValueError:
        old = None  # a rider not yet in the standings
    else:
        del lines[old]
    key = rider_sort_key(changed, course)
    placeholder = Standing(None, changed.bib, changed, changed.status, False, None, key)
    new = bisect.bisect_left(lines, (key, changed.bib), key=_listing_key)
    lines.insert(new, placeholder)

    # A newcomer moves everyone below down one place; a moved rider only shifts the
    # lines between its old and new place.
    lo = new if old is None else min(old, new)
    hi = len(lines) - 1 if old is None else max(old, new)
    keys = _KeyView(lines)
    start = max(lo - 1, 0)
    while start > 0 and keys[start] == keys[start - 1]:
        start -= 1
    end = min(hi + 1, len(lines) - 1)
    while end + 1 < len(lines) and keys[end + 1] == keys[end]:
        end += 1
    names = key_names(course)
    previous_rank = lines[start - 1].rank if start > 0 else None
    for i in range(start, end + 1):
        rank, shared, decided = _place(keys, i, previous_rank, names)
        line = lines[i]
        if (line.rank, line.shared, line.decided_by) != (
            rank,
            shared,
            decided,
        ) or line is placeholder:
            lines[i] = Standing(
                rank, line.bib, line.rider, line.status, shared, decided, line.sort_key
            )
        previous_rank = rank
    return lines


class _KeyView(Sequence[tuple[Any, ...]]):
    """The sort keys of a standings list, without copying them out."""

    def __init__(self, lines: list[Standing]) -> None:
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [s.sort_key for s in self._lines[i]]
        return self._lines[i].sort_key


def prize_boundaries(course: Course) -> list[int]:
    """Last rank of each prize-by-rank tier, cumulative: 1, 2, 3 places -> [1, 3, 6]."""
    out: list[int] = []
    total = 0
    for tier in course.prizes:
        if tier.source != "rank" or tier.count == 0:
            continue
        total += tier.count
        out.append(total)
    return out


def boundary_ties(
    standings: Sequence[Standing], boundaries: Sequence[int], label_zh: str, label_en: str
) -> list[BoundaryTie]:
    """Shared ranks that straddle a boundary (a tie across the cut or a prize line).

    A boundary ``b`` means "the first ``b`` places". A rank shared by riders on
    places ``p..q`` straddles ``b`` when ``p <= b < q``: some of them are inside
    and some outside, so the organizer must decide (all advance, run-off, shared
    prize). Reported by bib, in boundary order.
    """
    groups: dict[int, list[int]] = {}
    for s in standings:
        if s.rank is not None:
            groups.setdefault(s.rank, []).append(s.bib)
    out: list[BoundaryTie] = []
    for b in sorted(set(boundaries)):
        for rank, bibs in sorted(groups.items()):
            last_place = rank + len(bibs) - 1
            if len(bibs) > 1 and rank <= b < last_place:
                ordered = tuple(sorted(bibs))
                shown = "、".join(str(x) for x in ordered)
                out.append(
                    BoundaryTie(
                        boundary=b,
                        rank=rank,
                        bibs=ordered,
                        what_zh=(
                            f"{label_zh}：第 {rank} 名 {len(bibs)} 人并列（号码 {shown}），"
                            f"跨越前 {b} 名的界线"
                        ),
                        what_en=(
                            f"{label_en}: {len(bibs)} riders share rank {rank} "
                            f"(bibs {', '.join(str(x) for x in ordered)}) across the top-{b} line"
                        ),
                    )
                )
    return out


def prize_boundary_ties(standings: Sequence[Standing], course: Course) -> list[BoundaryTie]:
    """Ties across each prize-by-rank line, labelled with the prize (一等奖名额 …)."""
    out: list[BoundaryTie] = []
    total = 0
    for tier in course.prizes:
        if tier.source != "rank" or tier.count == 0:
            continue
        total += tier.count
        out.extend(
            boundary_ties(standings, [total], f"{tier.name_zh}名额", f"{tier.name_en} places")
        )
    return out
