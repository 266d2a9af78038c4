"""A second laptop times track 2 and forwards to the hub; the hub dies and comes back; nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path

from competition.event import Event
from competition.judges import issue_satellite_token
from competition.satellite import Forwarder
from competition.start_queue import check_in
from competition.timing import record_impulse
from competition.verify import verify_event
from courses.loader import load_course
from hardware.impulse import Channel, Impulse
from results.standings import build_standings, standings_json
from tests.conftest import register
from tests.web.browser import free_port
from tests.web.venue_helpers import S, serving

RIDERS = 9


def impulses() -> list[Impulse]:
    """Three riders' runs per phase: an ALGE-like device clock for some, host stamps (a pad) for others."""
    out = []
    base = 10 * 3600 * S
    for i in range(RIDERS):
        start = base + i * 20 * S
        finish = start + (40 + i) * S + i * 1_230_000
        for n, (channel, t) in enumerate(((Channel.START, start), (Channel.FINISH, finish))):
            device_timed = i % 2 == 0
            out.append(Impulse(
                protocol="alge" if device_timed else "pad", device="alge:1" if device_timed else "pad:2",
                channel=channel, channel_raw="C0" if channel is Channel.START else "C1", device_seq=2 * i + n + 1,
                device_time_ns=t if device_timed else None, clock_modulus_ns=86_400 * S if device_timed else None,
                resolution_ns=100_000 if device_timed else 1_000_000, host_ns=t - base + 1000 * S, bib=None,
                manual=False, replayed=False, cleared=False, bad_checksum=False, raw=f"{channel.value} {i}\n".encode(),
            ))
    return sorted(out, key=lambda imp: imp.host_ns)


def riders_on_track_2(path: Path, *, create: bool) -> Event:
    ev = Event.create(path, title="副机测试", course=load_course(None), day="2026-11-28") if create else Event.open(path)
    if create:
        register(ev, RIDERS)
        check_in(ev, list(range(1, RIDERS + 1)), track=2)
    return ev


def wait_until(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def results(event: Event) -> list[tuple[int, str, int | None, int | None]]:
    data = standings_json(build_standings(event, event.current_round))
    return [(r["bib"], r["status"], r["raw_ns"], r["rank"]) for r in data["standings"]]


def test_hub_killed_mid_session_gets_every_impulse_once(tmp_path: Path) -> None:
    hub_path, sat_path, ref_path = tmp_path / "hub.db", tmp_path / "satellite.db", tmp_path / "single.db"
    hub = riders_on_track_2(hub_path, create=True)
    token = issue_satellite_token(hub, 2).token
    satellite = Event.create(sat_path, title="副机", course=load_course(None), day="2026-11-28")
    reference = riders_on_track_2(ref_path, create=True)
    sent = impulses()
    for imp in sent:  # the single-laptop run of the same impulses
        record_impulse(reference, imp, track=2)

    def hub_count() -> int:
        with Event.open(hub_path) as ev:
            return int(ev.store.query("SELECT COUNT(*) AS n FROM satellite_impulses")[0]["n"])

    port = free_port()
    third = len(sent) // 3
    forwarder = Forwarder(sat_path, f"http://127.0.0.1:{port}", token)
    forwarder.start()
    try:
        with serving(hub_path, port):
            for imp in sent[:third]:
                record_impulse(satellite, imp, track=2)
            wait_until(lambda: hub_count() == third)
            assert forwarder.status.online
        for imp in sent[third : 2 * third]:  # the hub is down: timing goes on locally
            record_impulse(satellite, imp, track=2)
        wait_until(lambda: not forwarder.status.online)
        assert hub_count() == third
        with serving(hub_path, port):
            for imp in sent[2 * third :]:
                record_impulse(satellite, imp, track=2)
            wait_until(lambda: hub_count() == len(sent))
            time.sleep(2.5)  # a heartbeat or two more: nothing is sent twice
    finally:
        forwarder.stop()
    with Event.open(hub_path) as ev:
        assert hub_count() == len(sent)
        assert ev.store.query("SELECT COUNT(*) AS n FROM impulses WHERE device LIKE 'track2-1/%'")[0]["n"] == len(sent)
        assert results(ev) == results(reference)
        assert all(status == "OK" for _, status, _, _ in results(ev))
        assert verify_event(ev).ok
    hub.close()
    satellite.close()
    reference.close()
