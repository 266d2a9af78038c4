"""rank_round: status order, scoring modes, every tie-break step, shared ranks, boundaries."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from courses import Course, load_course
from courses.schema import TieBreakStep
from results.ranking import (
    DECIDED_BY,
    Standing,
    boundary_ties,
    prize_boundaries,
    prize_boundary_ties,
    rank_round,
    rerank_after_change,
)
from results.scoring import PenaltyCall, RiderRound, RunInput, rider_round, score_run

S = 1_000_000_000
MS = 1_000_000
DEFAULT = load_course()

TOUCH = ("xiankuan", "bar_touched")  # +3 s, minor
DOWN = ("xiankuan", "bar_down")  # +5 s, major
POLE = ("raogan", "pole_down")  # +3 s, minor
WATER = ("qifu", "water_spilled")  # +5 s, major
FALL = ("swan", "fall")  # DSQ


def variant(**overrides: Any) -> Course:
    """The default course with some top-level rules changed (validated again)."""
    return Course.model_validate({**DEFAULT.model_dump(), **overrides})


def rider(
    bib: int,
    *runs: tuple[int | None, tuple[tuple[str, str], ...]] | str,
    course: Course = DEFAULT,
    round_code: str = "prelim",
    style: int | None = None,
) -> RiderRound:
    """A rider whose attempts 1, 2, … are given as (raw_ns, calls) or a status string."""
    scored = []
    for attempt, spec in enumerate(runs, start=1):
        if isinstance(spec, str):
            inp = RunInput(bib, attempt, spec, None)  # type: ignore[arg-type]
        else:
            raw, calls = spec
            inp = RunInput(bib, attempt, "OK", raw, tuple(PenaltyCall(s, c, 1) for s, c in calls))
        scored.append(score_run(inp, course))
    return rider_round(bib, scored, course, round_code, style)


def ok(raw_s: float | int, *calls: tuple[str, str]) -> tuple[int, tuple[tuple[str, str], ...]]:
    # Test inputs written in ms to keep them readable; converted exactly.
    return (round(raw_s * 1000) * MS, calls)


def order(standings: list[Standing]) -> list[tuple[int | None, int]]:
    return [(s.rank, s.bib) for s in standings]


def test_time_plus_penalty_order_and_statuses() -> None:
    riders = [
        rider(1, ok(62.349, TOUCH)),  # 65.34
        rider(2, ok(64)),  # 64.00
        rider(3, "DNF"),
        rider(4, ok(50, FALL)),  # DSQ
        rider(5, "DNS"),
        rider(6, ok(181)),  # over the limit -> DNF
        rider(7),  # no run at all
        rider(8, ok(70)),
        rider(9, "DSQ"),
    ]
    standings = rank_round(riders, DEFAULT)
    assert order(standings) == [
        (1, 2),
        (2, 1),
        (3, 8),
        (4, 3),  # DNF share rank 4, listed by bib
        (4, 6),
        (6, 4),  # DSQ share rank 6
        (6, 9),
        (None, 5),  # unranked, by bib
        (None, 7),
    ]
    by_bib = {s.bib: s for s in standings}
    assert by_bib[3].shared and by_bib[6].shared and by_bib[4].shared
    assert not by_bib[2].shared
    assert by_bib[5].status == "DNS" and by_bib[7].status == "DNS"
    assert by_bib[1].decided_by == "adjusted_time"
    assert by_bib[3].decided_by == "status" and by_bib[4].decided_by == "status"
    assert by_bib[6].decided_by is None and by_bib[2].decided_by is None


def test_faults_then_time_puts_fewer_calls_first() -> None:
    course = variant(scoring_mode="faults_then_time")
    fast_but_faulty = rider(1, ok(50, TOUCH, POLE), course=course)  # 56, 2 calls
    slow_clean = rider(2, ok(90), course=course)  # 90, 0 calls
    one_call = rider(3, ok(60, DOWN), course=course)  # 65, 1 call
    standings = rank_round([fast_but_faulty, slow_clean, one_call], course)
    assert order(standings) == [(1, 2), (2, 3), (3, 1)]
    assert standings[1].decided_by == "penalty_calls"
    time_mode = rank_round(
        [rider(1, ok(50, TOUCH, POLE)), rider(2, ok(90)), rider(3, ok(60, DOWN))], DEFAULT
    )
    assert order(time_mode) == [(1, 1), (2, 3), (3, 2)]


def test_faults_mode_equal_calls_ranked_by_adjusted_time() -> None:
    course = variant(scoring_mode="faults_then_time")
    standings = rank_round(
        [rider(1, ok(60, DOWN), course=course), rider(2, ok(61, TOUCH), course=course)], course
    )
    assert order(standings) == [(1, 2), (2, 1)]
    assert standings[1].decided_by == "adjusted_time"


def test_tie_break_fewer_penalty_calls() -> None:
    a = rider(1, ok(60, TOUCH))  # 63, 1 call
    b = rider(2, ok(63))  # 63, 0 calls
    standings = rank_round([a, b], DEFAULT)
    assert order(standings) == [(1, 2), (2, 1)]
    assert standings[1].decided_by == "fewer_penalty_calls"


def test_tie_break_fewer_major_penalties() -> None:
    a = rider(1, ok(58, DOWN))  # 63, 1 major
    b = rider(2, ok(60, TOUCH))  # 63, 1 minor
    standings = rank_round([a, b], DEFAULT)
    assert order(standings) == [(1, 2), (2, 1)]
    assert standings[1].decided_by == "fewer_major_penalties"
    without = variant(tie_break=["fewer_penalty_calls", "faster_raw"])
    # Without the majors step, faster raw time decides the other way.
    swapped = rank_round(
        [rider(1, ok(58, DOWN), course=without), rider(2, ok(60, TOUCH), course=without)], without
    )
    assert order(swapped) == [(1, 1), (2, 2)]
    assert swapped[1].decided_by == "faster_raw"


def test_tie_break_faster_raw_on_truncated_time() -> None:
    course = variant(tie_break=["faster_raw"])
    a = rider(1, ok(60, TOUCH, POLE), course=course)  # 66, raw 60
    b = rider(2, ok(63, TOUCH), course=course)  # 66, raw 63
    assert order(rank_round([b, a], course)) == [(1, 1), (2, 2)]
    # 63.001 and 63.009 both truncate to 63.00: still equal -> shared.
    c = rider(3, (63_001 * MS, (TOUCH,)), course=course)
    d = rider(4, (63_009 * MS, (TOUCH,)), course=course)
    standings = rank_round([d, c], course)
    assert order(standings) == [(1, 3), (1, 4)]
    assert all(s.shared for s in standings)


def test_tie_break_better_other_attempt() -> None:
    a = rider(1, ok(60), ok(70), round_code="final")
    b = rider(2, ok(65), ok(60), round_code="final")
    standings = rank_round([a, b], DEFAULT)
    assert order(standings) == [(1, 2), (2, 1)]
    assert standings[1].decided_by == "better_other_attempt"


def test_better_other_attempt_missing_run_is_worst() -> None:
    only_one = rider(1, ok(60), round_code="final")
    other_dnf = rider(2, ok(60), "DNF", round_code="final")
    other_dsq = rider(3, ok(60), (50 * S, (FALL,)), round_code="final")
    standings = rank_round([only_one, other_dsq, other_dnf], DEFAULT)
    assert order(standings) == [(1, 2), (2, 3), (3, 1)]


def test_tie_break_style_score() -> None:
    course = variant(tie_break=["style_score"])
    a = rider(1, ok(60), course=course, style=85)
    b = rider(2, ok(60), course=course, style=92)
    c = rider(3, ok(60), course=course, style=None)
    standings = rank_round([a, b, c], course)
    assert order(standings) == [(1, 2), (2, 1), (3, 3)]
    assert standings[1].decided_by == "style_score"
    # Not in the cascade: the style score does not separate anyone.
    plain = rank_round(
        [rider(1, ok(60), style=85), rider(2, ok(60), style=92)],
        DEFAULT,
    )
    assert order(plain) == [(1, 1), (1, 2)]


def test_cascade_order_matters() -> None:
    a = (60_000 * MS, (DOWN,))  # 65, raw 60, 1 major
    b = (62_000 * MS, (TOUCH,))  # 65, raw 62, 1 minor
    majors_first = variant(tie_break=["fewer_major_penalties", "faster_raw"])
    raw_first = variant(tie_break=["faster_raw", "fewer_major_penalties"])
    for course, winner in ((majors_first, 2), (raw_first, 1)):
        standings = rank_round([rider(1, a, course=course), rider(2, b, course=course)], course)
        assert standings[0].bib == winner


def test_shared_rank_skips_the_next() -> None:
    riders = [
        rider(10, ok(60)),
        rider(4, ok(61)),
        rider(2, ok(61)),
        rider(3, ok(62)),
        rider(1, ok(61)),
    ]
    standings = rank_round(riders, DEFAULT)
    assert order(standings) == [(1, 10), (2, 1), (2, 2), (2, 4), (5, 3)]
    assert [s.shared for s in standings] == [False, True, True, True, False]
    assert standings[1].decided_by == "adjusted_time"
    assert standings[2].decided_by is None


def test_empty_cascade_shares_equal_adjusted() -> None:
    course = variant(tie_break=[])
    standings = rank_round(
        [rider(1, ok(60, TOUCH), course=course), rider(2, ok(63), course=course)], course
    )
    assert order(standings) == [(1, 1), (1, 2)]


def test_rerun_not_counting_in_ranking() -> None:
    fast_void = score_run(RunInput(1, 1, "OK", 40 * S, (), counts=False), DEFAULT)
    slow_rerun = score_run(RunInput(1, 1, "OK", 70 * S), DEFAULT)
    a = rider_round(1, [fast_void, slow_rerun], DEFAULT, "prelim")
    b = rider(2, ok(60))
    assert order(rank_round([a, b], DEFAULT)) == [(1, 2), (2, 1)]


def test_sum_counting_in_ranking() -> None:
    course = variant(
        rounds=[
            {
                "code": "total",
                "name_zh": "总和",
                "name_en": "Total",
                "attempts": 2,
                "counting": "sum",
            }
        ]
    )
    a = rider(1, ok(60), ok(60), course=course, round_code="total")  # 120
    b = rider(2, ok(50), ok(75), course=course, round_code="total")  # 125
    c = rider(3, ok(40), course=course, round_code="total")  # pending
    standings = rank_round([c, b, a], course)
    assert order(standings) == [(1, 1), (2, 2), (None, 3)]
    assert standings[2].status == "PENDING"


def test_call_on_a_run_that_never_started_keeps_rider_unranked() -> None:
    helmet = score_run(
        RunInput(5, 1, "DNS", None, (PenaltyCall("general", "no_helmet", 1),)), DEFAULT
    )
    standings = rank_round([rider_round(5, [helmet], DEFAULT, "prelim"), rider(6, "DSQ")], DEFAULT)
    assert order(standings) == [(1, 6), (None, 5)]


def test_same_output_whatever_input_order() -> None:
    riders = [rider(b, ok(60 + b % 3)) for b in range(1, 12)] + [rider(20, "DNF"), rider(21)]
    forward = rank_round(riders, DEFAULT)
    assert rank_round(list(reversed(riders)), DEFAULT) == forward


def test_duplicate_bib_rejected() -> None:
    with pytest.raises(ValueError, match="17"):
        rank_round([rider(17, ok(60)), rider(3, ok(70)), rider(17, ok(61))], DEFAULT)


def test_decided_by_has_words_for_every_step() -> None:
    steps = get_args(TieBreakStep)
    assert len(steps) == 5
    for step in ("status", "penalty_calls", "adjusted_time", *steps):
        assert step in DECIDED_BY


# --- boundaries ------------------------------------------------------------------


def test_prize_boundaries() -> None:
    assert prize_boundaries(DEFAULT) == [1, 3, 6]
    course = variant(
        prizes=[
            {"code": "a", "name_zh": "一", "name_en": "A", "count": 2, "source": "rank"},
            {"code": "s", "name_zh": "风采", "name_en": "Style", "count": 5, "source": "style"},
            {"code": "b", "name_zh": "二", "name_en": "B", "count": 0, "source": "rank"},
            {"code": "c", "name_zh": "三", "name_en": "C", "count": 4, "source": "rank"},
        ]
    )
    assert prize_boundaries(course) == [2, 6]


def _ranked(times: list[int]) -> list[Standing]:
    return rank_round([rider(i + 1, ok(t)) for i, t in enumerate(times)], DEFAULT)


def test_boundary_ties_report_only_straddling_groups() -> None:
    # ranks: 1, 2, 2, 4, 4, 6   (places 2-3 tied, 4-5 tied)
    standings = _ranked([60, 61, 61, 62, 62, 63])
    ties = boundary_ties(standings, [1, 3, 6], "奖项", "prizes")
    assert ties == []  # 2-3 ends at 3, 4-5 is inside 6: nothing straddles
    ties = boundary_ties(standings, [2, 4], "奖项", "prizes")
    assert [(t.boundary, t.rank, t.bibs) for t in ties] == [(2, 2, (2, 3)), (4, 4, (4, 5))]
    assert "2、3" in ties[0].what_zh and "并列" in ties[0].what_zh
    assert "bibs 2, 3" in ties[0].what_en


def test_cut_tie_at_seventy() -> None:
    times = [50 + i for i in range(68)] + [150, 150, 150, 151]  # 69th-71st tied
    standings = _ranked(times)
    (tie,) = boundary_ties(standings, [70], "晋级决赛", "cut to the final")
    assert (tie.boundary, tie.rank, tie.bibs) == (70, 69, (69, 70, 71))
    assert "晋级决赛" in tie.what_zh and "前 70 名" in tie.what_zh


def test_prize_boundary_ties_are_labelled_by_tier() -> None:
    standings = _ranked([60, 60, 61, 62, 63, 64, 64])  # rank 1 shared by two; 6-7 shared
    ties = prize_boundary_ties(standings, DEFAULT)
    assert [(t.boundary, t.rank) for t in ties] == [(1, 1), (6, 6)]
    assert ties[0].what_zh.startswith("一等奖名额")
    assert ties[1].what_zh.startswith("三等奖名额")


# --- incremental ------------------------------------------------------------------


def test_rerank_after_penalty_matches_full_ranking() -> None:
    riders = {b: rider(b, ok(60 + b)) for b in range(1, 30)}
    riders[30] = rider(30, "DNF")
    riders[31] = rider(31)
    standings = rank_round(list(riders.values()), DEFAULT)
    # bib 3 (63 s) gets +5 twice: 73 s like bib 13, who has fewer calls
    riders[3] = rider(3, ok(63, DOWN, WATER))
    updated = rerank_after_change(standings, riders[3], DEFAULT)
    assert updated == rank_round(list(riders.values()), DEFAULT)
    by_bib = {s.bib: s for s in updated}
    assert (by_bib[13].rank, by_bib[3].rank) == (12, 13)
    assert by_bib[3].decided_by == "fewer_penalty_calls"
    assert by_bib[4].rank == 3  # moved up
    assert updated[0] is standings[0] and updated[1] is standings[1]  # untouched lines reused
    # A DSQ call sends the rider below the DNF.
    riders[5] = rider(5, ok(65, FALL))
    again = rerank_after_change(updated, riders[5], DEFAULT)
    assert again == rank_round(list(riders.values()), DEFAULT)
    assert [s.bib for s in again[-3:]] == [30, 5, 31]


def test_rerank_adds_a_new_rider() -> None:
    riders = [rider(b, ok(60 + b)) for b in range(1, 6)]
    standings = rank_round(riders, DEFAULT)
    newcomer = rider(9, ok(62.5))
    assert rerank_after_change(standings, newcomer, DEFAULT) == rank_round(
        [*riders, newcomer], DEFAULT
    )
