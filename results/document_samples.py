"""Deterministic, realistic view models for previews, tests and the output bench.

``sample_day(500)`` gives a whole competition's printable data (start list,
preliminary and final results, awards, the six default judge sheets) without
an event file, so output layout can be checked and timed on its own. Data are
invented; phones are 11-digit but fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from competition.times import NS_PER_SECOND, truncate_ns
from results.documents import (
    Attempt,
    AwardEntry,
    EventInfo,
    Infraction,
    PenaltyItem,
    ResultRow,
    SegmentSheet,
    StartListEntry,
)

_S = NS_PER_SECOND
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇"
_PLATFORMS = ("美团", "饿了么", "京东到家", "顺丰同城", "闪送", "达达快送")
_STATIONS = ("朝阳门站", "望京站", "中关村站", "西单站", "亦庄站", "通州北苑站", "回龙观站")

# The default course's segments and infractions (scoring-rules.md proposed defaults).
DEFAULT_SEGMENTS: tuple[SegmentSheet, ...] = (
    SegmentSheet("plank", "单边桥", "Plank", (
        Infraction("no_mount", "未上桥", "Wheel not mounted", 10 * _S, False, 2),
        Infraction("drop", "掉桥", "Dropped off", 5 * _S, False, None),
        Infraction("foot", "支脚", "Foot down", 3 * _S, False, None),
        Infraction("fall", "摔车", "Fall", 0, True, None),
    )),
    SegmentSheet("gate", "限宽门", "Width gate", (
        Infraction("touch", "碰杆", "Bar touched", 3 * _S, False, None),
        Infraction("down", "撞倒", "Bar down", 5 * _S, False, None),
        Infraction("bypass", "漏项", "Bypassed", 0, True, None),
    )),
    SegmentSheet("s_bend", "S弯", "S-bend", (
        Infraction("line", "压线", "On the line", 3 * _S, False, None),
        Infraction("out", "出线", "Out of lane", 10 * _S, False, None),
        Infraction("stop", "停车超2秒", "Stop > 2 s", 3 * _S, False, None),
    )),
    SegmentSheet("slalom", "绕杆", "Slalom", (
        Infraction("pole_down", "碰倒杆", "Pole down", 3 * _S, False, None),
        Infraction("missed", "漏杆", "Pole missed", 20 * _S, False, 1),
        Infraction("foot", "支脚", "Foot down", 3 * _S, False, None),
    )),
    SegmentSheet("signal", "信号灯路口", "Signal junction", (
        Infraction("red", "闯红灯", "Ran the red", 0, True, None),
        Infraction("past_line", "越线停车", "Stopped past line", 3 * _S, False, None),
    )),
    SegmentSheet("bumps", "起伏路", "Bumpy road", (
        Infraction("foot", "支脚", "Foot down", 3 * _S, False, None),
        Infraction("out", "出线", "Out of lane", 5 * _S, False, None),
        Infraction("spill", "洒水", "Water spilled", 5 * _S, False, None),
    )),
)


@dataclass(frozen=True)
class SampleDay:
    """Everything the printed outputs of one competition day need."""

    event: EventInfo
    start_list: tuple[StartListEntry, ...]
    prelim: tuple[ResultRow, ...]
    final: tuple[ResultRow, ...]
    awards: tuple[AwardEntry, ...]
    ties: tuple[str, ...]
    segments: tuple[SegmentSheet, ...]
    cut: int


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _run(rng: random.Random, precision_ns: int) -> tuple[str, int | None, tuple[PenaltyItem, ...]]:
    status = rng.choices(("OK", "DNF", "DSQ", "DNS"), weights=(90, 4, 4, 2))[0]
    if status == "DNS":
        return status, None, ()
    raw = 55 * _S + rng.randrange(0, 40 * _S) + rng.randrange(0, 10_000_000)
    counts: dict[tuple[int, int], int] = {}
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        seg_i = rng.randrange(len(DEFAULT_SEGMENTS))
        options = [i for i, inf in enumerate(DEFAULT_SEGMENTS[seg_i].infractions) if not inf.eliminates]
        key = (seg_i, rng.choice(options))
        counts[key] = counts.get(key, 0) + rng.choice((1, 1, 2))
    items: list[PenaltyItem] = []
    for (seg_i, inf_i), count in sorted(counts.items()):
        seg = DEFAULT_SEGMENTS[seg_i]
        inf = seg.infractions[inf_i]
        items.append(PenaltyItem(seg.name_zh, seg.name_en, inf.name_zh, inf.name_en, count,
                                 inf.seconds_ns * count, False, seg.code, inf.code))
    if status == "DSQ":
        seg = DEFAULT_SEGMENTS[0]
        items.append(PenaltyItem(seg.name_zh, seg.name_en, "摔车", "Fall", 1, 0, True, seg.code, "fall"))
    return status, (None if status == "DNF" else raw), tuple(items)


@dataclass
class _Entry:
    """A rider's result while the sample is built (mutable, then frozen into a ResultRow)."""

    person: StartListEntry
    status: str
    raw: int | None
    pen: int
    adj: int | None
    items: tuple[PenaltyItem, ...]
    runs: tuple[Attempt, ...] = ()
    rank: int | None = None
    shared: bool = False

    def key(self, precision_ns: int) -> int | None:
        return truncate_ns(self.adj, precision_ns) if self.adj is not None else None

    def row(self, qualified: bool = False, prize: tuple[str, str, str] | None = None) -> ResultRow:
        p = self.person
        return ResultRow(
            self.rank, self.shared, p.bib, p.name, p.gender, p.phone, p.platform, p.station,
            self.status, self.raw, self.pen, self.adj, self.items, self.runs, qualified,
            prize[1] if prize else None, prize[2] if prize else None,
        )


def _rank(entries: list[_Entry], precision_ns: int) -> list[_Entry]:
    """Rank OK entries by truncated adjusted time (equal = shared); return in rank order."""
    ok = sorted((e for e in entries if e.status == "OK"), key=lambda e: (e.key(precision_ns), e.person.bib))
    first_at: dict[int | None, int] = {}
    size: dict[int | None, int] = {}
    for i, e in enumerate(ok, start=1):
        first_at.setdefault(e.key(precision_ns), i)
        size[e.key(precision_ns)] = size.get(e.key(precision_ns), 0) + 1
    for e in ok:
        e.rank = first_at[e.key(precision_ns)]
        e.shared = size[e.key(precision_ns)] > 1
    rest = sorted(
        (e for e in entries if e.status != "OK"),
        key=lambda e: (("DNF", "DSQ", "DNS").index(e.status), e.person.bib),
    )
    return ok + rest


def _entry(person: StartListEntry, rng: random.Random, precision_ns: int) -> _Entry:
    status, raw, items = _run(rng, precision_ns)
    pen = sum(i.seconds_ns for i in items)
    adj = raw + pen if raw is not None and status == "OK" else None
    return _Entry(person, status, raw, pen, adj, items)


def _final_entry(person: StartListEntry, rng: random.Random, precision_ns: int) -> _Entry:
    """Best of two runs: the OK run with the lowest truncated adjusted time counts."""
    tries = [_entry(person, rng, precision_ns) for _ in (1, 2)]
    runs = tuple(Attempt(n, t.status, t.raw, t.pen, t.adj) for n, t in enumerate(tries, start=1))
    ok = [t for t in tries if t.adj is not None]
    if not ok:
        return _Entry(person, tries[-1].status, None, 0, None, (), runs)
    best = min(ok, key=lambda t: t.key(precision_ns) or 0)
    return _Entry(person, "OK", best.raw, best.pen, best.adj, best.items, runs)


_PRIZES = {1: ("first", "一等奖", "First Prize"), 2: ("second", "二等奖", "Second Prize"),
           3: ("third", "三等奖", "Third Prize")}
_PRIZE_BY_RANK = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 3}


def sample_day(riders: int = 500, finalists: int = 70, seed: int = 2026) -> SampleDay:
    """A deterministic competition day of ``riders`` riders and a ``finalists`` final."""
    rng = random.Random(seed)
    precision = 10_000_000
    event = EventInfo(
        title="2026年朝阳区第三届快递员驾驶技能竞赛",
        date="2026-11-28",
        course_name_zh="标准六项赛道",
        course_name_en="Standard six-segment course",
        precision_ns=precision,
        organizer="朝阳区总工会",
    )
    start = tuple(
        StartListEntry(
            i + 1, 101 + i, _name(rng), rng.choice(("男", "男", "男", "女")),
            f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            rng.choice(_PLATFORMS), rng.choice(_STATIONS), 1 + i % 2,
        )
        for i in range(riders)
    )
    prelim = _rank([_entry(p, rng, precision) for p in start], precision)
    cut_rank = max((e.rank for e in prelim if e.rank is not None and e.rank <= finalists), default=0)
    qualified = [e for e in prelim if e.rank is not None and e.rank <= cut_rank]
    final = _rank([_final_entry(e.person, rng, precision) for e in qualified], precision)
    awards: list[AwardEntry] = []
    final_rows: list[ResultRow] = []
    for e in final:
        tier = _PRIZE_BY_RANK.get(e.rank or 0)
        prize = _PRIZES[tier] if tier else None
        final_rows.append(e.row(prize=prize))
        if prize and tier:
            p = e.person
            awards.append(AwardEntry(prize[0], prize[1], prize[2], tier, p.bib, p.name,
                                     p.platform, p.station, p.phone, e.adj))
    for i, e in enumerate(final[6:8]):
        p = e.person
        awards.append(AwardEntry("style", "最佳风采奖", "Best Style Award", 4, p.bib, p.name,
                                 p.platform, p.station, p.phone, None, 96 - i * 3))
    return SampleDay(
        event, start, tuple(e.row(qualified=e in qualified) for e in prelim),
        tuple(final_rows), tuple(awards), (), DEFAULT_SEGMENTS, finalists,
    )
