"""A memory replay is put back in the timer's order before pairing."""

from __future__ import annotations

import pytest

from competition import start_queue, timing
from competition.event import Event
from competition.replay_window import ReplayWindow
from hardware.impulse import DAY_NS, Channel, Impulse
from tests.conftest import register

S = 10**9


def imp(channel: Channel, t: int, seq: int, *, replayed: bool) -> Impulse:
    return Impulse("alge", "alge:1", channel, "C0" if channel is Channel.START else "C1", seq, t, DAY_NS,
                   100_000, 0, None, False, replayed, False, False, b"")


class Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


def test_live_impulse_ahead_of_the_replay_is_put_back_in_order(event: Event) -> None:
    register(event, 3)
    start_queue.check_in(event, [1, 2, 3])
    t0 = 10 * 3600 * S
    timing.record_impulse(event, imp(Channel.START, t0, 1, replayed=False), track=1)  # bib 1 before the crash
    released: list[int] = []
    clock = Clock()

    def release(i: Impulse) -> None:
        released.append(i.device_seq or 0)
        timing.record_impulse(event, i, track=1)

    window = ReplayWindow(release, clock=clock)
    window.open()  # the restarted listener asked for the memory
    # Rider 3's start arrives live before the replay of rider 2's start (fired while we were down).
    assert window.offer(imp(Channel.START, t0 + 40 * S, 3, replayed=False))
    assert window.offer(imp(Channel.START, t0, 1, replayed=True))
    assert window.offer(imp(Channel.START, t0 + 20 * S, 2, replayed=True))
    clock.now += 100_000_000
    assert window.poll() == 0  # the replay may still be answering
    clock.now += 400_000_000
    assert window.poll() == 3
    assert released == [1, 2, 3]
    runs = {r["bib"]: r["start_seq"] for r in event.store.query("SELECT bib, start_seq FROM runs")}
    starts = {i["seq"]: i["device_time_ns"] for i in timing.impulses(event)}
    assert starts[runs[2]] == t0 + 20 * S and starts[runs[3]] == t0 + 40 * S
    assert not window.offer(imp(Channel.FINISH, t0 + 60 * S, 4, replayed=False))  # closed: live again


@pytest.mark.parametrize("first", [DAY_NS - 5 * S, 3 * S])
def test_order_survives_midnight(first: int) -> None:
    out: list[int] = []
    window = ReplayWindow(lambda i: out.append(i.device_seq or 0), clock=Clock())
    window.open()
    window.offer(imp(Channel.START, (first + 10 * S) % DAY_NS, 2, replayed=False))
    window.offer(imp(Channel.START, first, 1, replayed=True))
    assert window.close() == 2
    assert out == [1, 2]
