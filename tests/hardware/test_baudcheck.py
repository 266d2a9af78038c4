"""A timer at another baud rate is named, not silently dropped or misread."""

from __future__ import annotations

import random

import pytest

from hardware.impulse import Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.baudcheck import reframe
from tests.hardware.corpus import ALGE_CAPTURES

LINES = ALGE_CAPTURES[1].read_bytes().replace(b"\n", b"\r")


def test_reframe_at_the_same_rate_is_the_identity() -> None:
    assert reframe(LINES[:500], 9600, 9600) == LINES[:500]


@pytest.mark.parametrize(("sent", "opened"), [(38400, 9600), (9600, 38400), (2400, 9600), (19200, 9600)])
def test_alge_at_another_baud_is_named(sent: int, opened: int) -> None:
    decoder = get_protocol("alge").configured(baudrate=opened).new_decoder()
    items = decoder.feed(reframe(LINES[3000:9000], sent, opened), 1)
    assert items and not any(isinstance(i, Impulse) for i in items)
    assert f"looks like {sent} baud: bytes are not ALGE lines" in items[-1].reason_en
    assert f"看起来是 {sent} 波特" in items[-1].reason_zh


def test_tagheuer_at_38400_read_at_9600_is_named() -> None:
    from hardware.simulator import TimerSimulator

    raw = TimerSimulator("tagheuer", riders=40, seed=2).run_all()
    items = get_protocol("tagheuer").new_decoder().feed(reframe(raw, 38400, 9600), 1)
    assert items and "looks like 38400 baud: bytes are not TAG Heuer lines" in items[-1].reason_en


def test_noise_is_not_given_a_baud_rate_it_does_not_have() -> None:
    rng = random.Random(5)
    noise = bytes(rng.randrange(128, 256) for _ in range(2000))
    items = get_protocol("alge").new_decoder().feed(noise, 1)
    assert items and all(isinstance(i, RejectedFrame) for i in items)
    assert all("bytes are not ALGE lines" in i.reason_en for i in items)


def test_good_lines_clear_the_suspicion() -> None:
    decoder = get_protocol("alge").new_decoder()
    decoder.feed(reframe(LINES[3000:5000], 38400, 9600), 1)
    items = decoder.feed(b"\r 0012 C0  14:06:58.1029 00\rxyz\r", 2)
    assert isinstance(items[-2], Impulse)
    assert "looks like" not in items[-1].reason_en  # plain text garbage is not a baud problem
