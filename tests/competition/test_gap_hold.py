"""``pairing_held`` (read incrementally, competition/gap_hold.py) answers as ``open_gaps`` computed from scratch.

Random days of gaps on two tracks, the impulses that fill them, acknowledgements
made from another connection (the referee's terminal) and gap rows written in a
transaction that is then rolled back: after every step the memo's answer is the
from-scratch one, on the same connection the pipeline keeps all day.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competition import sequence_gaps
from competition.event import Event
from competition.timing import record_impulse
from courses.loader import load_course
from hardware.impulse import Channel
from tests.web_free_helpers import pad_impulse

DEVICE = "pad:gaps"
MODULUS = 2**32

_track = st.integers(1, 2)
_number = st.integers(0, 40)
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("gap"), _track, _number, st.integers(1, 4)),
        st.tuples(st.just("impulse"), _track, _number),
        st.tuples(st.just("ack"), st.integers(0, 20)),
        st.tuples(st.just("rolled_back_gap"), _track, _number, st.integers(1, 4)),
    ),
    max_size=25,
)


def _gap(ev: Event, track: int, first: int, missing: int) -> None:
    ev.store.append(sequence_gaps.GAP_KIND, {
        "track": track, "device": DEVICE, "protocol": "pad", "after_seq": (first - 1) % MODULUS,
        "before_seq": first + missing, "first_missing": first, "missing": missing, "modulus": MODULUS})


def _same_answer(ev: Event) -> None:
    for track in (1, 2):
        assert sequence_gaps.pairing_held(ev, track) == bool(sequence_gaps.open_gaps(ev, track)), track


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_the_incremental_answer_is_the_one_computed_from_scratch(tmp_path: Path, actions: list[tuple]) -> None:
    path = tmp_path / f"e{next(_files)}.db"
    with Event.create(path, title="t", course=load_course(None), day="2026-12-02") as ev, \
            Event.open(path, operator="裁判长") as referee:
        host = 10**12
        for action in actions:
            if action[0] == "gap":
                with ev.store.transaction():
                    _gap(ev, action[1], action[2], action[3])
            elif action[0] == "impulse":
                host += 10**9
                record_impulse(ev, pad_impulse(Channel.SPLIT, host, action[2], device=DEVICE), track=action[1])
            elif action[0] == "ack":
                unacked = [g for g in sequence_gaps.gaps(referee) if g.state != "acknowledged"]
                if unacked:
                    sequence_gaps.acknowledge(referee, unacked[action[1] % len(unacked)].seq, reason="重赛")
            else:
                with pytest.raises(RuntimeError), ev.store.transaction():
                    _gap(ev, action[1], action[2], action[3])
                    _same_answer(ev)  # read inside, then taken back
                    raise RuntimeError("the write failed")
            _same_answer(ev)


_files = itertools.count()


def test_fifty_filled_gaps_are_counted_once_not_for_every_impulse(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    with Event.create(path, title="t", course=load_course(None), day="2026-12-02") as ev:
        for n in range(60):
            record_impulse(ev, pad_impulse(Channel.SPLIT, 10**12 + n, n, device=DEVICE), track=1)
        with ev.store.transaction():
            for k in range(50):
                _gap(ev, 1, k, 1)  # each filled: its number was recorded
        statements: list[str] = []
        ev.store.conn.set_trace_callback(statements.append)
        assert not sequence_gaps.pairing_held(ev, 1)
        first = sum("COUNT(DISTINCT device_seq)" in s for s in statements)
        statements.clear()
        assert not sequence_gaps.pairing_held(ev, 1)
        again = sum("COUNT(DISTINCT device_seq)" in s for s in statements)
        ev.store.conn.set_trace_callback(None)
    assert (first, again) == (50, 0)
