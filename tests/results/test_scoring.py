"""score_run and rider_round: penalties, caps, eliminations, truncation, statuses, counting."""

from __future__ import annotations

from typing import Any

import pytest

from courses import Course, load_course
from results.scoring import PenaltyCall, RunInput, ScoredRun, rider_round, score_run

S = 1_000_000_000
MS = 1_000_000


def mini_course(**overrides: Any) -> Course:
    """A small course with one of each kind of infraction."""
    data: dict[str, Any] = {
        "id": "mini",
        "name_zh": "小赛道",
        "name_en": "Mini",
        "segments": [
            {
                "code": "gate",
                "name_zh": "限宽门",
                "name_en": "Gate",
                "hotkey": "1",
                "infractions": [
                    {
                        "code": "touch",
                        "name_zh": "碰杆",
                        "name_en": "Touch",
                        "hotkey": "t",
                        "penalty_ns": 3 * S,
                    },
                    {
                        "code": "down",
                        "name_zh": "倒杆",
                        "name_en": "Down",
                        "hotkey": "d",
                        "penalty_ns": 5 * S,
                    },
                    {
                        "code": "wheel",
                        "name_zh": "未上桥",
                        "name_en": "Wheel",
                        "hotkey": "w",
                        "penalty_ns": 10 * S,
                        "cap": 2,
                    },
                    {
                        "code": "missed",
                        "name_zh": "漏杆",
                        "name_en": "Missed",
                        "hotkey": "m",
                        "penalty_ns": 20 * S,
                        "eliminates_after": 2,
                    },
                    {
                        "code": "note",
                        "name_zh": "碰杆未出框",
                        "name_en": "Touch in box",
                        "hotkey": "n",
                        "penalty_ns": 0,
                    },
                    {
                        "code": "fall",
                        "name_zh": "摔车",
                        "name_en": "Fall",
                        "hotkey": "f",
                        "eliminates": True,
                    },
                ],
            },
            {
                "code": "bumps",
                "name_zh": "起伏路",
                "name_en": "Bumps",
                "hotkey": "2",
                "infractions": [
                    {
                        "code": "foot",
                        "name_zh": "支脚",
                        "name_en": "Foot",
                        "hotkey": "z",
                        "penalty_ns": 3 * S,
                    },
                    {
                        "code": "water",
                        "name_zh": "洒水",
                        "name_en": "Water",
                        "hotkey": "w",
                        "penalty_ns": 2_500 * MS,
                    },
                ],
            },
        ],
        "general": {
            "code": "general",
            "name_zh": "全程",
            "name_en": "Whole run",
            "hotkey": "0",
            "infractions": [
                {
                    "code": "helmet",
                    "name_zh": "未戴头盔",
                    "name_en": "No helmet",
                    "hotkey": "k",
                    "eliminates": True,
                }
            ],
        },
        "time_limit_ns": 180 * S,
        "precision_ns": 10 * MS,
        "double_trigger_ns": 300 * MS,
        "min_run_ns": 5 * S,
        "scoring_mode": "time_plus_penalty",
        "tie_break": [
            "fewer_penalty_calls",
            "fewer_major_penalties",
            "faster_raw",
            "better_other_attempt",
        ],
        "rounds": [
            {
                "code": "prelim",
                "name_zh": "预赛",
                "name_en": "Prelim",
                "attempts": 1,
                "counting": "best",
            },
            {
                "code": "final",
                "name_zh": "决赛",
                "name_en": "Final",
                "attempts": 2,
                "counting": "best",
            },
            {
                "code": "total",
                "name_zh": "总和",
                "name_en": "Total",
                "attempts": 2,
                "counting": "sum",
            },
        ],
        "prizes": [],
    }
    data.update(overrides)
    return Course.model_validate(data)


COURSE = mini_course()


def run(
    raw_ns: int | None,
    *calls: tuple[str, str, int],
    bib: int = 7,
    attempt: int = 1,
    status: str = "OK",
    counts: bool = True,
) -> RunInput:
    return RunInput(
        bib=bib,
        attempt=attempt,
        status=status,  # type: ignore[arg-type]
        raw_ns=raw_ns,
        penalties=tuple(PenaltyCall(s, c, n) for s, c, n in calls),
        counts=counts,
    )


def scored(raw_ns: int | None, *calls: tuple[str, str, int], **kw: Any) -> ScoredRun:
    return score_run(run(raw_ns, *calls, **kw), COURSE)


# --- score_run -----------------------------------------------------------------


def test_truncation_never_rounds() -> None:
    r = scored(62_349_999_999)
    assert r.raw_ns == 62_349_999_999  # full precision kept
    assert r.raw_truncated_ns == 62_340_000_000
    assert r.adjusted_ns == 62_340_000_000
    assert r.status == "OK"


def test_truncation_then_penalty() -> None:
    r = scored(62_349 * MS, ("gate", "touch", 1))
    assert r.raw_truncated_ns == 62_340 * MS
    assert r.penalty_ns == 3 * S
    assert r.adjusted_ns == 65_340 * MS


@pytest.mark.parametrize(
    ("precision_ns", "expected"),
    [(100 * MS, 62_300 * MS), (1 * MS, 62_349 * MS), (1, 62_349_876_543), (S, 62 * S)],
)
def test_truncation_follows_course_precision(precision_ns: int, expected: int) -> None:
    course = mini_course(precision_ns=precision_ns)
    assert score_run(run(62_349_876_543), course).raw_truncated_ns == expected


def test_penalties_add_and_repeat_calls_sum() -> None:
    r = scored(
        60 * S,
        ("gate", "touch", 1),
        ("bumps", "water", 1),
        ("gate", "touch", 2),  # a second entry for the same infraction adds up
    )
    assert r.penalty_ns == 3 * 3 * S + 2_500 * MS
    assert r.adjusted_ns == 60 * S + r.penalty_ns
    assert r.calls == 4
    touch = next(line for line in r.lines if line.code == "touch")
    assert (touch.count, touch.seconds_ns, touch.name_zh, touch.segment_name_zh) == (
        3,
        9 * S,
        "碰杆",
        "限宽门",
    )


def test_lines_follow_course_order_not_call_order() -> None:
    r = scored(60 * S, ("bumps", "foot", 1), ("gate", "down", 1), ("gate", "touch", 1))
    assert [(line.segment, line.code) for line in r.lines] == [
        ("gate", "touch"),
        ("gate", "down"),
        ("bumps", "foot"),
    ]


def test_cap_limits_counted_calls() -> None:
    r = scored(60 * S, ("gate", "wheel", 3))
    (line,) = r.lines
    assert (line.count, line.called, line.seconds_ns) == (2, 3, 20 * S)
    assert r.calls == 2
    assert r.adjusted_ns == 80 * S


def test_zero_second_infraction_is_recorded_but_not_a_call() -> None:
    r = scored(60 * S, ("gate", "note", 2))
    assert r.penalty_ns == 0 and r.adjusted_ns == 60 * S
    assert r.calls == 0 and r.major_calls == 0
    assert r.lines[0].count == 2


def test_withdrawn_calls_leave_no_line() -> None:
    r = scored(60 * S, ("gate", "touch", 0))
    assert r.lines == () and r.penalty_ns == 0


def test_major_calls_use_course_threshold() -> None:
    r = scored(60 * S, ("gate", "touch", 1), ("gate", "down", 2))
    assert r.major_calls == 2  # down = 5 s = threshold
    lower = mini_course(major_threshold_ns=3 * S)
    assert score_run(run(60 * S, ("gate", "touch", 1), ("gate", "down", 2)), lower).major_calls == 3


def test_eliminating_call_gives_dsq() -> None:
    r = scored(55 * S, ("gate", "fall", 1), ("gate", "touch", 1))
    assert r.status == "DSQ"
    assert r.adjusted_ns is None
    assert r.raw_truncated_ns == 55 * S  # the time is still shown
    assert any(line.eliminates for line in r.lines)


def test_general_infraction_eliminates() -> None:
    assert scored(55 * S, ("general", "helmet", 1)).status == "DSQ"


def test_eliminates_after_threshold() -> None:
    one = scored(55 * S, ("gate", "missed", 1))
    assert one.status == "OK" and one.adjusted_ns == 75 * S
    two = scored(55 * S, ("gate", "missed", 2))
    assert two.status == "DSQ" and two.lines[0].eliminates


def test_time_limit_on_truncated_time() -> None:
    at_limit = scored(180 * S + 9 * MS)  # shows 180.00: within the limit
    assert at_limit.status == "OK" and at_limit.adjusted_ns == 180 * S
    over = scored(180 * S + 10 * MS)
    assert over.status == "DNF" and over.adjusted_ns is None


def test_penalties_do_not_push_over_time_limit() -> None:
    r = scored(179 * S, ("gate", "down", 1))
    assert r.status == "OK" and r.adjusted_ns == 184 * S


@pytest.mark.parametrize("status", ["DNF", "DSQ", "DNS"])
def test_input_status_passes_through(status: str) -> None:
    r = scored(None, status=status)
    assert r.status == status
    assert r.adjusted_ns is None and r.raw_truncated_ns is None


def test_dsq_beats_dnf_and_dns_stays_dns() -> None:
    assert scored(200 * S, status="DSQ").status == "DSQ"
    assert scored(None, ("gate", "fall", 1), status="DNF").status == "DSQ"
    # A call on a run that never started is listed but cannot make it a ranked DSQ.
    dns = scored(None, ("general", "helmet", 1), status="DNS")
    assert dns.status == "DNS" and dns.lines[0].eliminates


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        scored(None)  # OK without a time
    with pytest.raises(KeyError):
        scored(60 * S, ("gate", "nope", 1))
    with pytest.raises(KeyError):
        scored(60 * S, ("nope", "touch", 1))
    with pytest.raises(ValueError):
        scored(60 * S, ("gate", "touch", -1))


def test_default_course_example() -> None:
    course = load_course()
    r = score_run(
        run(
            62_349 * MS,
            ("danbian", "not_mounted", 3),  # capped at 2 wheels: +20
            ("xiankuan", "bar_touched", 1),  # +3
            ("raogan", "pole_touched", 1),  # 0 s, recorded
            ("qifu", "water_spilled", 1),  # +5
        ),
        course,
    )
    assert r.penalty_ns == 28 * S
    assert r.adjusted_ns == 90_340 * MS
    assert r.calls == 4  # 2 wheels + bar + water; the 0 s touch is not a call
    assert r.major_calls == 3  # wheels (10 s) and water (5 s)


# --- rider_round ---------------------------------------------------------------


def test_best_of_two_picks_lower_adjusted() -> None:
    a = scored(60 * S, ("gate", "down", 1), attempt=1)  # 65
    b = scored(63 * S, attempt=2)  # 63
    rr = rider_round(7, [a, b], COURSE, "final")
    assert rr.counting == b
    assert rr.others == (a,)
    assert rr.status == "OK"
    assert rr.runs == (a, b)


def test_best_of_two_tie_uses_run_level_tie_breaks_then_earlier_attempt() -> None:
    a = scored(60 * S, ("gate", "touch", 1), attempt=1)  # 63, one call
    b = scored(63 * S, attempt=2)  # 63, no call
    assert rider_round(7, [a, b], COURSE, "final").counting == b
    c = scored(63 * S, attempt=1)
    assert rider_round(7, [b, c], COURSE, "final").counting == c


def test_ok_beats_dnf_and_dsq_in_best() -> None:
    ok = scored(170 * S, attempt=2)
    dsq = scored(50 * S, ("gate", "fall", 1), attempt=1)
    assert rider_round(7, [dsq, ok], COURSE, "final").counting == ok
    dnf = scored(None, status="DNF", attempt=2)
    rr = rider_round(7, [dsq, dnf], COURSE, "final")
    assert rr.counting == dnf and rr.status == "DNF"


def test_superseded_run_does_not_count() -> None:
    """A granted rerun: the first attempt 1 (light failure) is kept but does not count."""
    first = scored(50 * S, attempt=1, counts=False)
    rerun = scored(70 * S, attempt=1)
    rr = rider_round(7, [rerun, first], COURSE, "prelim")
    assert rr.counting == rerun
    assert first in rr.runs and rr.others == ()


def test_attempts_beyond_the_round_do_not_count() -> None:
    one = scored(70 * S, attempt=1)
    extra = scored(50 * S, attempt=2)
    assert rider_round(7, [one, extra], COURSE, "prelim").counting == one


def test_no_runs_and_dns() -> None:
    empty = rider_round(7, [], COURSE, "prelim")
    assert empty.counting is None and empty.status == "DNS"
    dns = rider_round(7, [scored(None, status="DNS")], COURSE, "prelim")
    assert dns.counting is not None and dns.status == "DNS"


def test_sum_counting_adds_both_runs() -> None:
    a = scored(60_005 * MS, ("gate", "touch", 1), attempt=1)
    b = scored(61_009 * MS, ("gate", "down", 1), attempt=2)
    rr = rider_round(7, [a, b], COURSE, "total")
    total = rr.counting
    assert total is not None and total.attempt == 0
    assert total.status == "OK"
    assert total.raw_truncated_ns == 60 * S + 61 * S  # each truncated, then added
    assert total.penalty_ns == 8 * S
    assert total.adjusted_ns == 129 * S
    assert (total.calls, total.major_calls) == (2, 1)
    assert len(total.lines) == 2


def test_sum_waits_for_every_attempt() -> None:
    a = scored(60 * S, attempt=1)
    rr = rider_round(7, [a], COURSE, "total")
    assert rr.counting is None and rr.status == "PENDING"


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (dict(raw_ns=None, status="DNF"), "DNF"),
        (dict(raw_ns=None, status="DNS"), "DNF"),
        (dict(raw_ns=50 * S, status="DSQ"), "DSQ"),
    ],
)
def test_sum_status(second: dict[str, Any], expected: str) -> None:
    a = scored(60 * S, attempt=1)
    b = score_run(RunInput(7, 2, second["status"], second["raw_ns"]), COURSE)
    rr = rider_round(7, [a, b], COURSE, "total")
    assert rr.counting is not None and rr.counting.status == expected
    assert rr.counting.adjusted_ns is None


def test_sum_all_dns_is_dns() -> None:
    runs = [scored(None, status="DNS", attempt=i) for i in (1, 2)]
    assert rider_round(7, runs, COURSE, "total").status == "DNS"


def test_rider_round_checks_bib_and_round() -> None:
    with pytest.raises(ValueError):
        rider_round(8, [scored(60 * S)], COURSE, "prelim")
    with pytest.raises(KeyError):
        rider_round(7, [scored(60 * S)], COURSE, "semifinal")


def test_scoring_and_ranking_stay_pure() -> None:
    """No SQLite, Textual or jinja2 behind scoring and ranking: the UI calls them per key."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, results.scoring, results.ranking;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlite3', 'sqlite_utils', 'textual', 'jinja2', 'hardware'}))"
    )
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
