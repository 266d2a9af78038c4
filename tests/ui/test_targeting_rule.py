"""The target rule itself (competition.targeting, no UI): picks, grace, nearest segment, refusals."""

from __future__ import annotations

from competition.targeting import (
    GRACE_NS,
    Candidate,
    Pick,
    choose_target,
    refusal,
    segment_position,
)

S = 1_000_000_000
NOW = 10_000 * S


def rider(run_id: int, start_s: int) -> Candidate:
    return Candidate(run_id, run_id, f"选手{run_id}", True, NOW - start_s * S, None, "OK", None, False, True)


def finisher(run_id: int, finished_s_ago: int, *, confirmed: bool = False, raw_s: int = 45) -> Candidate:
    return Candidate(run_id, run_id, f"选手{run_id}", False, NOW - (finished_s_ago + raw_s) * S,
                     NOW - finished_s_ago * S, "OK", raw_s * S, confirmed, True)


def test_oldest_on_course_by_default_then_nearest_to_the_armed_segment() -> None:
    riders = [rider(1, 40), rider(2, 10)]
    assert choose_target(riders, now_ns=NOW, pick=None).target == riders[0]
    first_segment = segment_position(0, 6)
    last_segment = segment_position(5, 6)
    assert choose_target(riders, now_ns=NOW, pick=None, position=first_segment, reference_ns=45 * S).target == riders[1]
    assert choose_target(riders, now_ns=NOW, pick=None, position=last_segment, reference_ns=45 * S).target == riders[0]


def test_a_finisher_is_never_chosen_while_someone_rides_unless_picked() -> None:
    done = finisher(1, 2)
    riding = rider(2, 10)
    assert choose_target([riding, done], now_ns=NOW, pick=None).target == riding
    # picked while he rode: his finish ends the pick
    choice = choose_target([riding, done], now_ns=NOW, pick=Pick(1, NOW - 5 * S, on_course=True))
    assert choice.target == riding and choice.dropped == done
    # picked as a finisher (a late call): holds for the grace window
    choice = choose_target([riding, done], now_ns=NOW, pick=Pick(1, NOW - 1 * S, on_course=False))
    assert choice.target == done and choice.why == "picked"


def test_grace_window_counts_down_and_ends() -> None:
    done = finisher(1, 5)
    choice = choose_target([done], now_ns=NOW, pick=None)
    assert choice.target == done and choice.grace_left_ns == GRACE_NS - 5 * S
    assert choose_target([finisher(1, 16)], now_ns=NOW, pick=None).target is None
    assert choose_target([finisher(1, 2, confirmed=True)], now_ns=NOW, pick=None).target is None
    # a finish from another boot of the host clock never counts as "just now"
    other_boot = Candidate(1, 1, "x", False, None, NOW + 50 * S, "OK", 45 * S, False, True)
    assert choose_target([other_boot], now_ns=NOW, pick=None).target is None


def test_refusals_fit_the_state() -> None:
    riding, done = rider(1, 10), finisher(2, 3)
    assert refusal("dnf", done) == "dnf_has_time"
    assert refusal("dnf", riding) is None
    assert refusal("manual_finish", done) == "not_on_course"
    assert refusal("confirm_run", riding) == "still_on_course"
    assert refusal("penalty", finisher(3, 1, confirmed=True)) == "confirmed"
    assert refusal("confirm_run", finisher(3, 1, confirmed=True)) == "already_confirmed"
    assert refusal("penalty", None) == "no_target"
    assert refusal("penalty", done) is None
