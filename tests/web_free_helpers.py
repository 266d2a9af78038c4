"""Riding a round in tests without a timer: host-stamped pad impulses through the real pairing."""

from __future__ import annotations

from competition.event import Event
from competition.timing import record_impulse
from hardware.impulse import Channel, Impulse

S = 1_000_000_000


def _pad(channel: Channel, host_ns: int, seq: int) -> Impulse:
    return Impulse(
        protocol="pad", device="pad:rounds", channel=channel, channel_raw=channel.value[0].upper(), device_seq=seq,
        device_time_ns=None, clock_modulus_ns=None, resolution_ns=1_000_000, host_ns=host_ns, bib=None,
        manual=False, replayed=False, cleared=False, bad_checksum=False, raw=f"{channel.value} {seq}\n".encode(),
    )


def finish_all(event: Event, seconds: list[int], *, track: int = 1, t0: int = 1_000 * S) -> None:
    """The queue's riders ride one after another, taking these whole seconds each."""
    t = t0
    seq = 1000
    for secs in seconds:
        seq += 1
        record_impulse(event, _pad(Channel.START, t, seq), track=track)
        seq += 1
        record_impulse(event, _pad(Channel.FINISH, t + secs * S, seq), track=track)
        t += (secs + 10) * S
