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


def _rank(rows: list[dict[str, object]]) -> None:
    """Rank OK rows by truncated adjusted time; equal times share a rank."""
    ok = [r for r in rows if r["status"] == "OK"]
    ok.sort(key=lambda r: (r["key"], r["bib"]))
    previous: object = None
    rank = 0
    for i, r in enumerate(ok, start=1):
        if r["key"] != previous:
            rank = i
            previous = r["key"]
        r["rank"] = rank
    for r in ok:
        r["shared"] = sum(1 for o in ok if o["rank"] == r["rank"]) > 1 if r["rank"] else False


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
    people = []
    for i in range(riders):
        people.append({
            "bib": 101 + i, "name": _name(rng), "gender": rng.choice(("男", "男", "男", "女")),
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            "platform": rng.choice(_PLATFORMS), "station": rng.choice(_STATIONS),
        })
    start = tuple(
        StartListEntry(i + 1, p["bib"], p["name"], p["gender"], p["phone"], p["platform"],
                       p["station"], 1 + i % 2)
        for i, p in enumerate(people)
    )
    prelim_raw: list[dict[str, object]] = []
    for p in people:
        status, raw, items = _run(rng, precision)
        pen = sum(i.seconds_ns for i in items)
        adjusted = raw + pen if raw is not None and status == "OK" else None
        key = truncate_ns(adjusted, precision) if adjusted is not None else None
        prelim_raw.append({**p, "status": status, "raw": raw, "items": items, "pen": pen,
                           "adj": adjusted, "key": key, "rank": None, "shared": False})
    _rank(prelim_raw)
    order = sorted(prelim_raw, key=lambda r: (r["rank"] is None, r["rank"] or 0,
                                             ("OK", "DNF", "DSQ", "DNS").index(str(r["status"])), r["bib"]))
    cut_rank = max((int(str(r["rank"])) for r in order if r["rank"] is not None and int(str(r["rank"])) <= finalists), default=0)
    prelim = tuple(
        ResultRow(r["rank"], bool(r["shared"]), r["bib"], r["name"], r["gender"], r["phone"],  # type: ignore[arg-type]
                  r["platform"], r["station"], r["status"], r["raw"], r["pen"], r["adj"],  # type: ignore[arg-type]
                  r["items"], (), r["rank"] is not None and r["rank"] <= cut_rank)  # type: ignore[arg-type, operator]
        for r in order
    )
    # Final: best of two runs over the qualified riders.
    final_raw: list[dict[str, object]] = []
    for r in order:
        if not (r["rank"] is not None and r["rank"] <= cut_rank):  # type: ignore[operator]
            continue
        runs: list[Attempt] = []
        best_items: tuple[PenaltyItem, ...] = ()
        best: tuple[int, int, int] | None = None
        for n in (1, 2):
            status, raw, items = _run(rng, precision)
            pen = sum(i.seconds_ns for i in items)
            adj = raw + pen if raw is not None and status == "OK" else None
            runs.append(Attempt(n, status, raw, pen, adj))
            if adj is not None and raw is not None and (best is None or truncate_ns(adj, precision) < truncate_ns(best[2], precision)):
                best, best_items = (raw, pen, adj), items
        status = "OK" if best else runs[-1].status
        final_raw.append({**r, "status": status, "raw": best[0] if best else None,
                          "pen": best[1] if best else 0, "adj": best[2] if best else None,
                          "key": truncate_ns(best[2], precision) if best else None,
                          "items": best_items, "runs": tuple(runs), "rank": None, "shared": False})
    _rank(final_raw)
    final_order = sorted(final_raw, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["bib"]))
    tiers = ((1, "first", "一等奖", "First Prize"), (2, "second", "二等奖", "Second Prize"),
             (3, "second", "二等奖", "Second Prize"), (4, "third", "三等奖", "Third Prize"),
             (5, "third", "三等奖", "Third Prize"), (6, "third", "三等奖", "Third Prize"))
    place_of = {"first": 1, "second": 2, "third": 3}
    awards: list[AwardEntry] = []
    final_rows: list[ResultRow] = []
    for r in final_order:
        prize = next(((code, zh, en) for rank, code, zh, en in tiers if rank == r["rank"]), None)
        final_rows.append(ResultRow(
            r["rank"], bool(r["shared"]), r["bib"], r["name"], r["gender"], r["phone"],  # type: ignore[arg-type]
            r["platform"], r["station"], r["status"], r["raw"], r["pen"], r["adj"],  # type: ignore[arg-type]
            r["items"], r["runs"], False,  # type: ignore[arg-type]
            prize[1] if prize else None, prize[2] if prize else None,
        ))
        if prize:
            awards.append(AwardEntry(prize[0], prize[1], prize[2], place_of[prize[0]], r["bib"],  # type: ignore[arg-type]
                                     r["name"], r["platform"], r["station"], r["phone"], r["adj"]))  # type: ignore[arg-type]
    for i, r in enumerate(final_order[6:8]):
        awards.append(AwardEntry("style", "最佳风采奖", "Best Style Award", 4, r["bib"], r["name"],  # type: ignore[arg-type]
                                 r["platform"], r["station"], r["phone"], None, 96 - i * 3))  # type: ignore[arg-type]
    return SampleDay(event, start, prelim, tuple(final_rows), tuple(awards), (), DEFAULT_SEGMENTS, finalists)
