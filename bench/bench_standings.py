"""Benchmark: recomputing standings, in full and after one penalty key press.

    python bench/bench_standings.py

Full recompute = score_run for every run + rider_round + rank_round, as the
standings board does on start-up or after a course change. The incremental path
is what the timing screen does after a penalty key: re-score the one rider and
``rerank_after_change``. Prints a table and one ``BENCH|what|figure|target`` line
per figure.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from courses import Course, load_course
from results.ranking import Standing, rank_round, rerank_after_change
from results.scoring import (
    PenaltyCall,
    RiderRound,
    RunInput,
    rider_round,
    score_run,
)

S = 1_000_000_000
MS = 1_000_000


def field(course: Course, riders: int, attempts: int, seed: int = 7) -> dict[int, list[RunInput]]:
    """Riders with realistic runs: mostly OK, some penalties, a few DNF/DSQ/DNS."""
    rnd = random.Random(seed)
    codes = [(seg.code, inf.code) for seg in course.all_segments() for inf in seg.infractions]
    minor = [c for c in codes if not course.infraction(*c).eliminates]
    out: dict[int, list[RunInput]] = {}
    for bib in range(1, riders + 1):
        runs = []
        for attempt in range(1, attempts + 1):
            roll = rnd.random()
            status = (
                "OK" if roll < 0.93 else "DNF" if roll < 0.96 else "DNS" if roll < 0.98 else "DSQ"
            )
            calls = tuple(
                PenaltyCall(*rnd.choice(minor), 1) for _ in range(rnd.choice([0, 0, 0, 1, 1, 2, 3]))
            )
            if rnd.random() < 0.01:
                calls = (*calls, PenaltyCall("swan", "fall", 1))
            raw = rnd.randint(45_000, 120_000) * MS + rnd.randint(0, 999_999)
            runs.append(RunInput(bib, attempt, status, None if status == "DNS" else raw, calls))  # type: ignore[arg-type]
        out[bib] = runs
    return out


def full_standings(
    course: Course, runs: dict[int, list[RunInput]], round_code: str
) -> list[Standing]:
    riders = [
        rider_round(bib, [score_run(r, course) for r in rs], course, round_code)
        for bib, rs in runs.items()
    ]
    return rank_round(riders, course)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call, ``repeat`` times."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t0) / 1e6)
    return out


def incremental(
    course: Course, runs: dict[int, list[RunInput]], round_code: str, presses: int
) -> list[float]:
    """Milliseconds per penalty key press: re-score one rider, rerank_after_change."""
    standings = full_standings(course, runs, round_code)
    rnd = random.Random(11)
    bibs = list(runs)
    keys = [("xiankuan", "bar_touched"), ("raogan", "pole_down"), ("qifu", "water_spilled")]
    out = []
    for _ in range(presses):
        bib = rnd.choice(bibs)
        rs = runs[bib]
        i = rnd.randrange(len(rs))
        t0 = time.perf_counter_ns()
        r = rs[i]
        rs[i] = RunInput(
            r.bib, r.attempt, r.status, r.raw_ns, (*r.penalties, PenaltyCall(*rnd.choice(keys), 1))
        )
        changed: RiderRound = rider_round(
            bib, [score_run(x, course) for x in rs], course, round_code
        )
        standings = rerank_after_change(standings, changed, course)
        out.append((time.perf_counter_ns() - t0) / 1e6)
    return out


def main() -> None:
    course = load_course()
    rows: list[tuple[str, float, str, str]] = []

    small = field(course, 500, 2)
    t = timed(lambda: full_standings(course, small, "final"), 30)
    rows.append(
        ("standings full recompute, 500 riders x 2 runs", statistics.median(t), "ms", "< 20 ms")
    )

    big = field(course, 50_000, 2)
    t = timed(lambda: full_standings(course, big, "final"), 3)
    rows.append(
        ("standings full recompute, 50000 riders x 2 runs", statistics.median(t), "ms", "< 2000 ms")
    )

    t = incremental(course, small, "final", 500)
    rows.append(
        ("incremental after one penalty call, 500 riders", statistics.median(t), "ms", "< 5 ms")
    )
    rows.append(
        (
            "incremental after one penalty call, 500 riders (p99)",
            sorted(t)[int(len(t) * 0.99)],
            "ms",
            "< 5 ms",
        )
    )

    t = incremental(course, big, "final", 50)
    rows.append(
        ("incremental after one penalty call, 50000 riders", statistics.median(t), "ms", "< 5 ms")
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'what'.ljust(width)}  {'figure':>10}  target")
    for what, value, unit, target in rows:
        print(f"{what.ljust(width)}  {value:>7.2f} {unit:<2}  {target}")
    for what, value, unit, target in rows:
        print(f"BENCH|{what}|{value:.2f} {unit}|{target}")


if __name__ == "__main__":
    main()
