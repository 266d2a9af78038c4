"""Riding a round in tests without a timer: host-stamped pad impulses through the real pairing."""

from __future__ import annotations

from competition.event import Event
from competition.timing import record_impulse
from hardware.impulse import Channel, Impulse

S = 1_000_000_000


def pad_impulse(channel: Channel, host_ns: int, seq: int, *, device: str = "pad:test") -> Impulse:
    """An impulse from a simple pad box: host-stamped, no device clock."""
    return Impulse(
        protocol="pad", device=device, channel=channel, channel_raw=channel.value[0].upper(), device_seq=seq,
        device_time_ns=None, clock_modulus_ns=None, resolution_ns=1_000_000, host_ns=host_ns, bib=None,
        manual=False, replayed=False, cleared=False, bad_checksum=False, raw=f"{channel.value} {seq}\n".encode(),
    )


def finish_all(event: Event, seconds: list[int], *, track: int = 1, t0: int = 1_000 * S) -> None:
    """The queue's riders ride one after another, taking these whole seconds each."""
    t = t0
    seq = 1000
    for secs in seconds:
        seq += 1
        record_impulse(event, pad_impulse(Channel.START, t, seq, device="pad:rounds"), track=track)
        seq += 1
        record_impulse(event, pad_impulse(Channel.FINISH, t + secs * S, seq, device="pad:rounds"), track=track)
        t += (secs + 10) * S


def ride_round(event: Event, seconds: list[int], calls: tuple[tuple[int, str, str, int], ...] = ()) -> Event:
    """Riders 1..n registered, checked in on track 1, ridden in these seconds; then the live
    calls ``(bib, segment, infraction, count)``. The shared start of the union-results tests."""
    from competition.judging import call_penalty
    from competition.start_queue import check_in
    from tests.conftest import register

    register(event, len(seconds))
    check_in(event, list(range(1, len(seconds) + 1)), track=1)
    finish_all(event, seconds)
    for bib, segment, infraction, count in calls:
        call_penalty(event, bib, segment, infraction, count=count)
    return event


def prelim_ranks(event: Event) -> dict[int, tuple[str, int | None]]:
    """Each bib's (status, rank) in the preliminary's standings."""
    from results.standings import build_standings

    return {s.bib: (s.status, s.rank) for s in build_standings(event, "prelim").standings}
