"""The timing pipeline end to end: simulated timers on real ptys and sockets into the event file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from competition import start_queue, timing
from competition.event import Event
from competition.recorder import PortInUse, TimingRecorder
from competition.verify import verify_event
from hardware.pty_port import open_pty_simulator
from hardware.sim_playback import SimulatorPort
from hardware.tcp_port import open_tcp_simulator
from tests.conftest import register

S = 10**9
ROOT = Path(__file__).resolve().parents[2]
GUARD_S = 20.0  # liveness guard only


def wait_for(condition: Callable[[], bool], guard_s: float = GUARD_S) -> bool:
    deadline = time.monotonic() + guard_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def recorded_keys(event_path: Path) -> list[tuple[str, int | None, str]]:
    with Event.open(event_path) as ev:
        rows = ev.store.query("SELECT device, device_seq, channel_raw FROM impulses WHERE bad_checksum = 0")
    return [(r["device"], r["device_seq"], r["channel_raw"]) for r in rows]


def sent_keys(port: SimulatorPort) -> list[tuple[int, str]]:
    return [(i.seq, i.channel_raw) for i in port.sent_impulses()]


def finished_bibs(event_path: Path) -> list[int]:
    with Event.open(event_path) as ev:
        return [r["bib"] for r in ev.store.query("SELECT bib FROM runs WHERE state = 'finished' ORDER BY run_id")]


@pytest.fixture
def queued(event: Event, event_path: Path) -> Path:
    register(event, 12)
    start_queue.check_in(event, list(range(1, 13)), track=1)
    event.close()
    return event_path


def _sim(opener: Callable[..., SimulatorPort], protocol: str, riders: int = 12, **kw: object) -> SimulatorPort:
    # The riders start once the recorder has the port open (as on the day; see test_late_attach).
    return opener(protocol, speed=100.0, riders=riders, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=5,
                  wait_for_reader=True, **kw)


@pytest.mark.parametrize("protocol", ["alge", "tagheuer", "microgate", "pad"])
def test_each_protocol_over_a_pty_into_runs(queued: Path, protocol: str) -> None:
    port = _sim(open_pty_simulator, protocol, bounce_probability=0.2, noise_probability=0.1)
    recorder = TimingRecorder(str(queued), url=port.path, protocol=protocol, track=1)
    recorder.start()
    try:
        assert port.wait_done(GUARD_S)
        assert wait_for(lambda: len(finished_bibs(queued)) == 12)
    finally:
        recorder.stop()
        port.close()
    assert finished_bibs(queued) == list(range(1, 13))
    keys = recorded_keys(queued)
    assert sorted(k[1:] for k in keys) == sorted(sent_keys(port))  # every impulse once, bounces kept
    with Event.open(queued) as ev:
        assert verify_event(ev).ok
        raws = ev.store.query("SELECT COUNT(*) AS n FROM journal WHERE kind = 'raw_bytes'")[0]["n"]
        assert raws > 0


def test_socket_unplug_and_return_loses_nothing(queued: Path) -> None:
    port = _sim(open_tcp_simulator, "alge")
    statuses: list[bool] = []
    recorder = TimingRecorder(str(queued), url=port.url, protocol="alge", track=1,
                              on_status=lambda s: statuses.append(s.online))
    recorder.start()
    try:
        assert wait_for(lambda: len(finished_bibs(queued)) >= 2)
        port.unplug()
        assert wait_for(lambda: statuses and statuses[-1] is False)
        time.sleep(0.5)  # impulses fire into the timer's memory while the cable is out
        port.replug()
        assert wait_for(lambda: statuses[-1] is True)
        assert port.wait_done(GUARD_S)
        assert wait_for(lambda: len(finished_bibs(queued)) == 12)
    finally:
        recorder.stop()
        port.close()
    assert statuses.count(False) >= 1
    keys = recorded_keys(queued)
    assert len(keys) == len(set(keys))
    assert sorted(k[1:] for k in keys) == sorted(sent_keys(port))
    assert finished_bibs(queued) == list(range(1, 13))


def test_pty_unplug_and_replug(queued: Path) -> None:
    port = _sim(open_pty_simulator, "pad")
    recorder = TimingRecorder(str(queued), url=port.path, protocol="pad", track=1)
    recorder.start()
    try:
        assert wait_for(lambda: len(finished_bibs(queued)) >= 1)
        port.unplug()
        time.sleep(0.4)
        port.replug()
        assert port.wait_done(GUARD_S)
        assert wait_for(lambda: len(finished_bibs(queued)) == 12)
    finally:
        recorder.stop()
        port.close()
    keys = recorded_keys(queued)
    assert sorted(k[1:] for k in keys) == sorted(sent_keys(port))


def test_only_one_process_owns_a_port(queued: Path) -> None:
    port = _sim(open_pty_simulator, "alge", riders=1)
    first = TimingRecorder(str(queued), url=port.path, protocol="alge", track=1)
    first.start()
    try:
        second = TimingRecorder(str(queued), url=port.path, protocol="alge", track=1)
        with pytest.raises(PortInUse):
            second.start()
    finally:
        first.stop()
        port.close()


def test_listener_killed_and_restarted_during_a_stream(queued: Path) -> None:
    # 40x: the two kills still land mid-stream (3 and 7 of 12 finished, a start every 0.5 s).
    port = open_pty_simulator("alge", speed=40.0, riders=12, gap_ns=20 * S, course_ns=(38 * S, 55 * S), seed=9,
                              autostart=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(ROOT / "main.py"), "--db", str(queued), "timing", "listen", "--port", port.path,
           "--protocol", "alge", "--track", "1"]

    def online() -> bool:
        with Event.open(queued) as ev:
            rows = ev.store.query("SELECT payload FROM journal WHERE kind = 'port_status' ORDER BY seq DESC LIMIT 1")
        return bool(rows) and '"online":true' in rows[0]["payload"]

    proc: subprocess.Popen[bytes] | None = None
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(online)
        port.start()  # the riders start once the timing desk is listening
        for threshold in (3, 7):
            assert wait_for(lambda t=threshold: len(finished_bibs(queued)) >= t)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            time.sleep(0.6)  # the timer keeps firing into its memory while nobody listens
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert port.wait_done(GUARD_S * 2)
        assert wait_for(lambda: len(finished_bibs(queued)) == 12)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    finally:
        if proc is not None and proc.poll() is None:  # never leave a recorder behind holding the port
            proc.kill()
            proc.wait()
        port.close()
    keys = recorded_keys(queued)
    assert len(keys) == len(set(keys))
    assert sorted(k[1:] for k in keys) == sorted(sent_keys(port))
    assert finished_bibs(queued) == list(range(1, 13))
    with Event.open(queued) as ev:
        assert verify_event(ev).ok
        assert timing.orphans(ev) == []


def test_a_damaged_line_is_fetched_again_from_the_timer(queued: Path) -> None:
    port = _sim(open_pty_simulator, "pad", bad_checksum_probability=0.25)
    recorder = TimingRecorder(str(queued), url=port.path, protocol="pad", track=1)
    recorder.start()
    try:
        assert port.wait_done(GUARD_S)
        assert wait_for(lambda: len(finished_bibs(queued)) == 12)
    finally:
        recorder.stop()
        port.close()
    assert recorder.replay_requests >= 1
    with Event.open(queued) as ev:
        bad = ev.store.query("SELECT COUNT(*) AS n FROM impulses WHERE bad_checksum = 1")[0]["n"]
        assert bad >= 1  # the damaged copies are kept and shown
    assert sorted(k[1:] for k in recorded_keys(queued)) == sorted(sent_keys(port))
    assert finished_bibs(queued) == list(range(1, 13))


def test_the_journal_says_which_serial_settings_a_port_was_read_with(queued: Path) -> None:
    """A port coming online journals its settings: a changed baud or numbers mode is on the record."""
    import json

    from hardware.protocols.settings import configured

    master, slave = os.openpty()
    try:
        proto = configured("alge", baudrate=19200, rtscts=True, numbers="bib")
        recorder = TimingRecorder(str(queued), url=os.ttyname(slave), protocol=proto, track=1)
        recorder.start()
        try:
            def online_rows() -> list[dict[str, object]]:
                with Event.open(queued) as ev:
                    rows = ev.store.query("SELECT payload FROM journal WHERE kind = 'port_status'")
                return [json.loads(r["payload"]) for r in rows if json.loads(r["payload"])["online"]]

            assert wait_for(lambda: bool(online_rows()))
        finally:
            recorder.stop()
        assert online_rows()[-1]["settings"] == "19200 8N1, RTS/CTS on, numbers bib"
    finally:
        os.close(master)
        os.close(slave)
