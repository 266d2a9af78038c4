"""Implausible runs are flagged: under the minimum, over the limit, far from the field."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from competition import judging, start_queue, timing
from competition.event import Event
from competition.plausibility import (
    BELOW_MIN_RUN,
    FAR_FROM_FIELD,
    MIN_FIELD,
    OVER_TIME_LIMIT,
    field_spread,
    round_flags,
    run_flags,
)
from hardware.impulse import Channel
from main import cli
from tests.competition.test_pairing import T0, S, imp
from tests.conftest import register

LIMITS = {"min_run_ns": 5 * S, "time_limit_ns": 180 * S}


def test_no_field_judgement_under_five_runs() -> None:
    assert field_spread([40 * S] * (MIN_FIELD - 1)) is None
    assert run_flags(9 * S, spread=None, **LIMITS) == []


def test_limits_and_field() -> None:
    spread = field_spread([38 * S, 41 * S, 44 * S, 47 * S, 50 * S, 53 * S])
    assert spread is not None and spread.low_ns < 38 * S and spread.high_ns > 53 * S
    assert run_flags(45 * S, spread=spread, **LIMITS) == []
    assert run_flags(11 * S, spread=spread, **LIMITS) == [FAR_FROM_FIELD]
    assert run_flags(4 * S, spread=spread, **LIMITS) == [BELOW_MIN_RUN, FAR_FROM_FIELD]
    assert run_flags(366 * S, spread=None, **LIMITS) == [OVER_TIME_LIMIT]
    assert run_flags(None, spread=spread, **LIMITS) == []


@given(st.lists(st.integers(min_value=1, max_value=10**12), min_size=MIN_FIELD, max_size=60))
def test_the_median_itself_is_never_far(times: list[int]) -> None:
    spread = field_spread(times)
    assert spread is not None
    assert spread.low_ns <= spread.median_ns <= spread.high_ns
    assert FAR_FROM_FIELD not in run_flags(spread.median_ns, spread=spread, min_run_ns=0, time_limit_ns=10**13)


def test_a_mispaired_run_is_flagged_in_runs_json(event: Event, event_path: Path) -> None:
    register(event, 7)
    start_queue.check_in(event, list(range(1, 8)), track=1)
    t = T0
    seq = 0
    for course_s in (41, 44, 39, 47, 43, 45):
        seq += 1
        timing.record_impulse(event, imp(Channel.START, t, seq), track=1)
        seq += 1
        timing.record_impulse(event, imp(Channel.FINISH, t + course_s * S, seq), track=1)
        t += 60 * S
    seq += 1
    last = timing.record_impulse(event, imp(Channel.START, t, seq), track=1)
    seq += 1
    timing.record_impulse(event, imp(Channel.FINISH, t + 9 * S, seq), track=1)  # someone else's finish
    assert round_flags(event) == {last.run_id: [FAR_FROM_FIELD]}
    judging.correct_time(event, last.run_id or 0, 42 * S, reason="纸质记录")
    assert round_flags(event) == {}
    judging.correct_time(event, last.run_id or 0, 4 * S, reason="录入错误演示")
    event.close()
    result = CliRunner().invoke(cli, ["--db", str(event_path), "runs", "--json"], catch_exceptions=False)
    flags = {r["bib"]: r["flags"] for r in json.loads(result.output)}
    assert flags[7] == [BELOW_MIN_RUN, FAR_FROM_FIELD] and all(flags[b] == [] for b in range(1, 7))
