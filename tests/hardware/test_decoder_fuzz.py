"""Hypothesis: no decoder ever raises, and chunking never changes what comes out."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.decoder import Decoded
from hardware.impulse import Impulse, RejectedFrame
from hardware.protocols import PROTOCOLS, get_protocol
from hardware.protocols.records import TimerRecord
from hardware.simulator import TimerSimulator

NAMES = sorted(PROTOCOLS)
_ELAPSED = re.compile(r":elapsed:\d+$")
# Protocols whose lines carry the device's own sequence number.
SEQUENCED = {"alge", "timy", "tagheuer", "microgate", "pad"}

# Bytes that matter to framers and parsers, mixed with anything at all.
_special = st.sampled_from([b"\r", b"\n", b"\r\n", b"\x00", b"\x10", b" ", b",", b"\t", b"C0", b"TN ",
                            b"P,1,1,S,5,", b"BOOT", b"ALGE-TIMING", b":", b"."])
streams = st.lists(st.one_of(_special, st.binary(max_size=40)), max_size=40).map(b"".join)


def _decode(name: str, chunks: list[bytes]) -> list[Decoded]:
    dec = get_protocol(name).new_decoder()
    out: list[Decoded] = []
    for i, chunk in enumerate(chunks):
        out += dec.feed(chunk, i)
    out += dec.flush(len(chunks))
    # Host times depend on chunking by nature; so does the made-up clock's device id
    # (hardware/protocols/synthetic.py names it after the host time it was first heard).
    return [replace(item, host_ns=0, **({"device": _ELAPSED.sub(":elapsed", item.device)}
                                         if isinstance(item, Impulse | TimerRecord) else {})) for item in out]


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(data[last:p])
        last = p
    pieces.append(data[last:])
    return pieces


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), data=streams, cuts=st.lists(st.integers(0, 2000), max_size=12))
def test_arbitrary_bytes_never_raise_and_chunking_is_invisible(name: str, data: bytes, cuts: list[int]) -> None:
    whole = _decode(name, [data])
    split = _decode(name, _split(data, cuts))
    assert whole == split
    for item in whole:
        assert isinstance(item, Impulse | RejectedFrame)
        assert item.raw in data or not item.raw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), seed=st.integers(0, 10_000), cuts=st.lists(st.integers(0, 5000), max_size=30))
def test_valid_streams_split_anywhere_give_the_same_impulses(name: str, seed: int, cuts: list[int]) -> None:
    # A StackMat is one timer: one rider at a time, and no bounces (the pad debounces).
    one_at_a_time = name == "stackmat"
    sim = TimerSimulator(name, riders=4, gap_ns=(12 if one_at_a_time else 3) * 10**9,
                         course_ns=(5 * 10**9, 9 * 10**9), seed=seed,
                         bounce_probability=0.0 if one_at_a_time else 0.3, noise_probability=0.3,
                         bad_checksum_probability=0.0 if one_at_a_time else 0.2)
    data = sim.run_all()
    whole = _decode(name, [data])
    assert whole == _decode(name, _split(data, cuts))
    impulses = [i for i in whole if isinstance(i, Impulse)]
    sent = sim.sent_impulses()
    # Every emitted impulse comes out exactly once (noise lines never swallow one).
    if name in SEQUENCED:
        assert [i.device_seq for i in impulses] == [s.seq for s in sent]
    assert [i.channel for i in impulses] == [s.channel for s in sent]
    assert len(impulses) == len(sent)


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=600))
def test_feed_accepts_bytearray_and_memoryview(name: str, data: bytes) -> None:
    dec = get_protocol(name).new_decoder()
    out = dec.feed(bytearray(data), 1) + dec.feed(memoryview(data), 2) + dec.flush(3)
    assert all(isinstance(i, Impulse | RejectedFrame) for i in out)
