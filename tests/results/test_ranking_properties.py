"""Property tests: ranking is a deterministic total preorder, penalties never help,
and the incremental path agrees with a full ranking."""

from __future__ import annotations

import dataclasses
import itertools
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses import Course, load_course
from results.ranking import Standing, rank_round, rerank_after_change
from results.scoring import PenaltyCall, RiderRound, RunInput, rider_round, score_run

S = 1_000_000_000
MS = 1_000_000
DEFAULT = load_course()
STEPS = (
    "fewer_penalty_calls",
    "fewer_major_penalties",
    "faster_raw",
    "better_other_attempt",
    "style_score",
)
# A mix of every kind: minor, major, capped, 0 s, escalating, eliminating, run-wide.
INFRACTIONS = (
    ("xiankuan", "bar_touched"),
    ("xiankuan", "bar_down"),
    ("danbian", "not_mounted"),
    ("raogan", "pole_touched"),
    ("raogan", "pole_missed"),
    ("qifu", "water_spilled"),
    ("swan", "fall"),
    ("general", "no_helmet"),
)
ROUNDS = ("prelim", "final", "total")

# 60 examples per property in the default run, 200 under ``-m slow`` (the ``*_long`` twins).
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def properties(*strategies: Any):  # type: ignore[no-untyped-def]
    """A property run twice: ``test_<body>`` with FAST in the default run, ``test_<body>_long``
    with LONG under ``-m slow``; the same body and strategies."""

    def register(body):  # type: ignore[no-untyped-def]
        name = "test_" + body.__name__
        globals()[name] = FAST(given(*strategies)(body))
        globals()[name + "_long"] = pytest.mark.slow(LONG(given(*strategies)(body)))
        return body

    return register


@cache
def course_for(mode: str, tie_break: tuple[str, ...]) -> Course:
    data = DEFAULT.model_dump()
    data["scoring_mode"] = mode
    data["tie_break"] = list(tie_break)
    data["rounds"] = [
        *data["rounds"],
        {"code": "total", "name_zh": "总和", "name_en": "Total", "attempts": 2, "counting": "sum"},
    ]
    return Course.model_validate(data)


@st.composite
def courses(draw: st.DrawFn) -> Course:
    mode = draw(st.sampled_from(["time_plus_penalty", "faults_then_time"]))
    order = draw(st.permutations(STEPS))
    return course_for(mode, tuple(order[: draw(st.integers(0, len(STEPS)))]))


calls = st.lists(
    st.tuples(st.sampled_from(INFRACTIONS), st.integers(1, 3)).map(
        lambda t: PenaltyCall(t[0][0], t[0][1], t[1])
    ),
    max_size=3,
).map(tuple)


@st.composite
def run_inputs(draw: st.DrawFn, bib: int, attempts: int) -> list[RunInput]:
    runs = []
    for _ in range(draw(st.integers(0, 3))):
        status = draw(st.sampled_from(["OK"] * 5 + ["DNF", "DSQ", "DNS", "DNS"]))
        # Few distinct hundredths so ties are common; sub-precision noise must not matter.
        raw = 60 * S + draw(st.integers(0, 40)) * 100 * MS + draw(st.integers(0, 9_999_999))
        if draw(st.integers(0, 30)) == 0:
            raw = 180 * S + 10 * MS  # over the limit
        runs.append(
            RunInput(
                bib=bib,
                attempt=draw(st.integers(1, attempts)),
                status=status,  # type: ignore[arg-type]
                raw_ns=None if status in ("DNF", "DNS") and draw(st.booleans()) else raw,
                penalties=draw(calls),
                counts=draw(st.integers(0, 5)) > 0,
            )
        )
    return runs


@st.composite
def fields(draw: st.DrawFn) -> tuple[Course, str, dict[int, tuple[list[RunInput], int | None]]]:
    course = draw(courses())
    round_code = draw(st.sampled_from(ROUNDS))
    bibs = draw(st.lists(st.integers(1, 999), min_size=1, max_size=12, unique=True))
    entries = {
        bib: (
            draw(run_inputs(bib, course.round(round_code).attempts)),
            draw(st.none() | st.integers(0, 100).map(lambda x: x % 4 * 10)),
        )
        for bib in bibs
    }
    return course, round_code, entries


def build(
    course: Course, round_code: str, runs: list[RunInput], bib: int, style: int | None
) -> RiderRound:
    return rider_round(bib, [score_run(r, course) for r in runs], course, round_code, style)


def build_all(course: Course, round_code: str, entries: dict[int, Any]) -> list[RiderRound]:
    return [build(course, round_code, runs, bib, style) for bib, (runs, style) in entries.items()]


def rank_of(standings: list[Standing], bib: int) -> float:
    rank = next(s.rank for s in standings if s.bib == bib)
    return float("inf") if rank is None else float(rank)


@properties(fields(), st.randoms(use_true_random=False))
def same_standings_whatever_input_order(field: Any, rnd: Any) -> None:
    course, round_code, entries = field
    riders = build_all(course, round_code, entries)
    shuffled = list(riders)
    rnd.shuffle(shuffled)
    assert rank_round(shuffled, course) == rank_round(riders, course)


@properties(fields())
def standings_form_a_total_preorder(field: Any) -> None:
    course, round_code, entries = field
    standings = rank_round(build_all(course, round_code, entries), course)
    classes = {"OK": 0, "DNF": 1, "DSQ": 2}
    ranked = [s for s in standings if s.rank is not None]
    unranked = [s for s in standings if s.rank is None]
    # Ranked first, unranked last and by bib.
    assert standings == ranked + unranked
    assert [s.bib for s in unranked] == sorted(s.bib for s in unranked)
    assert all(s.status in ("DNS", "PENDING") for s in unranked)
    ranks = [s.rank for s in ranked if s.rank is not None]
    for place, (s, rank) in enumerate(zip(ranked, ranks, strict=True), start=1):
        # Competition ranking: rank = 1 + number of riders strictly ahead.
        assert rank == 1 + sum(1 for r in ranks if r < rank)
        assert rank <= place
        assert s.shared == (ranks.count(rank) > 1)
    for (a, b), (ra, rb) in zip(itertools.pairwise(ranked), itertools.pairwise(ranks), strict=True):
        assert ra <= rb
        assert classes[a.status] <= classes[b.status]
        if a.rank == b.rank:
            assert a.status == b.status and a.bib < b.bib
            assert b.decided_by is None
        else:
            assert b.decided_by is not None
        if a.status == b.status == "OK":
            ca, cb = a.rider.counting, b.rider.counting
            assert ca is not None and cb is not None
            assert ca.adjusted_ns is not None and cb.adjusted_ns is not None
            if course.scoring_mode == "faults_then_time":
                assert (ca.calls, ca.adjusted_ns) <= (cb.calls, cb.adjusted_ns)
            else:
                assert ca.adjusted_ns <= cb.adjusted_ns
        elif a.status == b.status:
            assert a.rank == b.rank  # DNF (or DSQ) all share one rank
    # Riders on the same rank really are equal in what the mode ranks by.
    for a in ranked:
        for b in ranked:
            if a.rank == b.rank and a.status == "OK":
                assert a.rider.counting.adjusted_ns == b.rider.counting.adjusted_ns  # type: ignore[union-attr]


@properties(fields(), st.data())
def adding_a_penalty_never_improves_a_rank(field: Any, data: st.DataObject) -> None:
    course, round_code, entries = field
    riders = build_all(course, round_code, entries)
    before = rank_round(riders, course)
    bib = data.draw(st.sampled_from(sorted(entries)))
    runs, style = entries[bib]
    if not runs:
        runs = [RunInput(bib, 1, "OK", 70 * S)]
        entries = {**entries, bib: (runs, style)}
        riders = build_all(course, round_code, entries)
        before = rank_round(riders, course)
    i = data.draw(st.integers(0, len(runs) - 1))
    segment, code = data.draw(st.sampled_from(INFRACTIONS))
    penalized = list(runs)
    penalized[i] = dataclasses.replace(
        runs[i], penalties=(*runs[i].penalties, PenaltyCall(segment, code, 1))
    )
    changed = build(course, round_code, penalized, bib, style)
    after_riders = [changed if r.bib == bib else r for r in riders]
    after = rank_round(after_riders, course)
    assert rank_of(after, bib) >= rank_of(before, bib)
    for other in entries:
        if other != bib:
            assert rank_of(after, other) <= rank_of(before, other)
    # The UI's incremental path gives the very same standings.
    assert rerank_after_change(before, changed, course) == after


@properties(fields(), st.data())
def incremental_rerank_equals_full_ranking(field: Any, data: st.DataObject) -> None:
    course, round_code, entries = field
    riders = build_all(course, round_code, entries)
    standings = rank_round(riders, course)
    for _ in range(data.draw(st.integers(1, 4))):
        bib = data.draw(st.sampled_from([*sorted(entries), 1000 + len(entries)]))
        runs = data.draw(run_inputs(bib, course.round(round_code).attempts))
        style = data.draw(st.none() | st.integers(0, 3).map(lambda x: x * 10))
        entries = {**entries, bib: (runs, style)}
        changed = build(course, round_code, runs, bib, style)
        standings = rerank_after_change(standings, changed, course)
        assert standings == rank_round(build_all(course, round_code, entries), course)
