"""PortSupervisor end to end over real ptys and socket:// with simulated timers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hardware.decoder import Decoded
from hardware.impulse import Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.alge import AlgeProtocol
from hardware.pty_port import open_pty_simulator
from hardware.sim_playback import SimulatorPort
from hardware.supervisor import PortOfflineError, PortStatus, PortSupervisor, backoff_delays
from hardware.tcp_port import open_tcp_simulator

S = 10**9
# Liveness guard only: how long to wait for something that should happen at once.
GUARD_S = 15.0


def wait_for(condition: Callable[[], bool], guard_s: float = GUARD_S) -> bool:
    deadline = time.monotonic() + guard_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


class Recorder:
    """Collects what a supervisor reports; tracks the seq to replay after."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data = bytearray()
        self.frames: list[Decoded] = []
        self.statuses: list[PortStatus] = []
        self.order_ok = True

    def on_bytes(self, chunk: bytes, host_ns: int) -> None:
        with self.lock:
            self.data += chunk

    def on_frame(self, item: Decoded) -> None:
        with self.lock:
            # on_bytes must have delivered these bytes before the frame appears
            # (a frame cut short by a disconnect is emitted when the link drops).
            if item.raw and item.raw not in self.data:
                self.order_ok = False
            self.frames.append(item)

    def on_status(self, status: PortStatus) -> None:
        with self.lock:
            self.statuses.append(status)

    def impulses(self) -> list[Impulse]:
        with self.lock:
            return [f for f in self.frames if isinstance(f, Impulse)]

    def contiguous_seq(self) -> int | None:
        """Highest seq with every seq from 1 up to it received usable (what to replay after)."""
        seen = {i.device_seq for i in self.impulses() if i.usable}
        n = 0
        while n + 1 in seen:
            n += 1
        return n or None


def supervise(url: str, protocol: str, rec: Recorder, port: SimulatorPort | None = None,
              **kw: Any) -> PortSupervisor:
    """Start a supervisor; then (if given) start the simulated timer once the port is open,
    so that no impulse is sent before anyone listens (that case is what replays are for)."""
    sup = PortSupervisor(url, get_protocol(protocol), on_bytes=rec.on_bytes, on_frame=rec.on_frame,
                         on_status=rec.on_status, replay_after_seq=rec.contiguous_seq, **kw)
    sup.start()
    if port is not None:
        assert wait_for(lambda: sup.status.online)
        port.start()
    return sup


def all_received(port: SimulatorPort, rec: Recorder) -> bool:
    got = {i.dedupe_key() for i in rec.impulses() if i.usable}
    return port.wait_done(0) and all(
        (s.device, s.seq, s.channel_raw, s.device_time_ns) in got for s in port.sent_impulses()
    )


def check_nothing_lost_nothing_doubled(port: SimulatorPort, rec: Recorder) -> None:
    sent_keys = {(s.device, s.seq, s.channel_raw, s.device_time_ns) for s in port.sent_impulses()}
    live: dict[tuple[str, int | None, str, int | None], int] = {}
    for imp in rec.impulses():
        key = imp.dedupe_key()
        assert key in sent_keys, imp  # nothing invented
        if not imp.replayed:
            live[key] = live.get(key, 0) + 1
    assert all(n == 1 for n in live.values())  # duplicates only ever as replayed frames
    assert rec.order_ok


SIM: dict[str, Any] = {"riders": 6, "gap_ns": 2 * S, "course_ns": (3 * S, 5 * S), "seed": 11}


@pytest.fixture(params=["alge", "tagheuer", "microgate", "pad"])
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["pty", "socket"])
def sim_port(request: pytest.FixtureRequest, protocol: str) -> Iterator[SimulatorPort]:
    opener = open_pty_simulator if request.param == "pty" else open_tcp_simulator
    port = opener(protocol, speed=40, autostart=False, **SIM)
    yield port
    port.close()


def test_end_to_end(sim_port: SimulatorPort, protocol: str) -> None:
    rec = Recorder()
    sup = supervise(sim_port.url, protocol, rec, sim_port)
    try:
        assert wait_for(lambda: all_received(sim_port, rec)), rec.frames
        assert sup.status.online and sup.status.reconnects == 0
        check_nothing_lost_nothing_doubled(sim_port, rec)
        assert not any(i.replayed for i in rec.impulses())
        assert sim_port.host_lines() == []  # no replay on first connect by default
    finally:
        sup.stop()
    assert not sup.status.online


@pytest.mark.parametrize("protocol", ["alge", "tagheuer", "pad"])
@pytest.mark.parametrize("link", ["pty", "socket"])
def test_unplug_and_return_loses_nothing(protocol: str, link: str) -> None:
    opener = open_pty_simulator if link == "pty" else open_tcp_simulator
    port = opener(protocol, speed=25, autostart=False, **{**SIM, "riders": 10})
    rec = Recorder()
    sup = supervise(port.url, protocol, rec, port)
    try:
        assert wait_for(lambda: len(rec.impulses()) >= 2)
        port.unplug()
        assert wait_for(lambda: not sup.status.online)
        before = len(port.sent_impulses())
        assert wait_for(lambda: len(port.sent_impulses()) > before)  # the timer kept timing
        port.replug()
        assert wait_for(lambda: sup.status.online and sup.status.reconnects == 1)
        assert wait_for(lambda: all_received(port, rec)), (port.sent_impulses(), rec.frames)
        assert port.host_lines(), "no replay was requested after the reconnect"
        assert any(i.replayed for i in rec.impulses())
        check_nothing_lost_nothing_doubled(port, rec)
        online_flags = [s.online for s in rec.statuses]
        assert online_flags[0] is True and False in online_flags and online_flags[-1] is True
        offline = next(s for s in rec.statuses if not s.online)
        assert offline.error_zh and offline.error_en and port.url in offline.error_en
    finally:
        sup.stop()
        port.close()


def test_microgate_reconnects_without_replay() -> None:
    port = open_pty_simulator("microgate", speed=25, autostart=False, **SIM)
    rec = Recorder()
    sup = supervise(port.url, "microgate", rec, port)
    try:
        assert wait_for(lambda: len(rec.impulses()) >= 1)
        port.unplug()
        assert wait_for(lambda: not sup.status.online)
        port.replug()
        assert wait_for(lambda: sup.status.online and sup.status.reconnects == 1)
        assert port.wait_done(GUARD_S)
        assert port.host_lines() == []
        check_nothing_lost_nothing_doubled(port, rec)
    finally:
        sup.stop()
        port.close()


def test_replay_on_first_connect() -> None:
    port = open_pty_simulator("pad", speed=1, riders=0)
    press = port.press("start")
    rec = Recorder()
    sup = supervise(port.url, "pad", rec, replay_on_first_connect=True)
    try:
        assert wait_for(lambda: any(i.replayed for i in rec.impulses()))
        assert port.host_lines() == [b"R,-"]
        [imp] = rec.impulses()
        assert imp.device_seq == press.seq
    finally:
        sup.stop()
        port.close()


def test_garbage_nul_split_frames_and_reboot_never_stop_the_reader() -> None:
    port = open_pty_simulator("pad", speed=1, riders=0)
    rec = Recorder()
    sup = supervise(port.url, "pad", rec)
    try:
        assert wait_for(lambda: sup.status.online)
        port.send_raw(b"\x00\x00\xff\xfe garbage \x00\r\n")
        port.send_raw(b"P,1,5,S,")
        time.sleep(0.02)
        port.send_raw(b"1000,")
        port.send_raw(b"06\n")
        port.send_raw(b"\x00" * 600 + b"\n")
        port.reboot()
        pressed = port.press("finish")
        assert wait_for(lambda: any(i.device_seq == pressed.seq and i.device == "pad:2" for i in rec.impulses()))
        split = [i for i in rec.impulses() if i.device_seq == 5]
        assert len(split) == 1 and split[0].device_time_ns == 1000 * 10**6 and split[0].usable
        rejected = [f for f in rec.frames if isinstance(f, RejectedFrame)]
        assert any("rebooted" in r.reason_en for r in rejected)
        assert any(b"garbage" in r.raw for r in rejected)
        assert sup.status.online and sup.status.reconnects == 0
    finally:
        sup.stop()
        port.close()


def test_callbacks_that_raise_do_not_kill_the_thread() -> None:
    port = open_pty_simulator("alge", speed=40, **SIM)
    frames: list[Decoded] = []
    calls = {"bytes": 0, "status": 0}

    def bad_bytes(chunk: bytes, host_ns: int) -> None:
        calls["bytes"] += 1
        raise RuntimeError("disk full")

    def flaky_frame(item: Decoded) -> None:
        frames.append(item)
        if len(frames) % 2:
            raise ValueError("projection bug")

    def bad_status(status: PortStatus) -> None:
        calls["status"] += 1
        raise RuntimeError("ui gone")

    def bad_replay() -> int | None:
        raise RuntimeError("db locked")

    sup = PortSupervisor(port.url, get_protocol("alge"), on_bytes=bad_bytes, on_frame=flaky_frame,
                         on_status=bad_status, replay_after_seq=bad_replay, replay_on_first_connect=True)
    sup.start()
    try:
        assert wait_for(lambda: port.wait_done(0) and
                        len({f.dedupe_key() for f in frames if isinstance(f, Impulse)}) == len(port.sent_impulses()))
        assert calls["bytes"] > 0 and calls["status"] > 0
        assert port.host_lines() == [b"RSM"]  # a failing callback means "replay everything"
    finally:
        sup.stop()
        port.close()


def test_loop_url_send_and_ack() -> None:
    class AckingAlge(AlgeProtocol):
        def ack(self, impulse: Impulse) -> bytes | None:
            return b"  ALGE-TIMING ACK\r"

    rec = Recorder()
    sup = PortSupervisor("loop://", AckingAlge(), on_bytes=rec.on_bytes, on_frame=rec.on_frame,
                         on_status=rec.on_status)
    sup.start()
    try:
        assert wait_for(lambda: sup.status.online)
        sup.send(b" 0012 C0  14:06:58.1029 00\r")
        assert wait_for(lambda: any(isinstance(f, RejectedFrame) for f in rec.frames))
        [imp] = rec.impulses()
        assert imp.device_seq == 12
        assert rec.frames[-1].raw == b"  ALGE-TIMING ACK\r"  # the ack came back through the loop
    finally:
        sup.stop()


def test_missing_port_reports_offline_and_send_raises(tmp_path: object) -> None:
    rec = Recorder()
    url = f"{tmp_path}/ttyNOPE"
    sup = supervise(url, "alge", rec)
    try:
        assert wait_for(lambda: bool(rec.statuses))
        status = rec.statuses[0]
        assert not status.online and status.error_en and "not found" in status.error_en
        assert status.error_zh and "找不到串口" in status.error_zh
        with pytest.raises(PortOfflineError) as err:
            sup.send(b"RSM\r")
        assert err.value.message_en and str(err.value) == err.value.message_zh
    finally:
        sup.stop()
    assert not sup._thread.is_alive()  # type: ignore[union-attr]


def test_backoff_is_exponential_and_capped() -> None:
    delay = backoff_delays(0.05, 1.0)
    assert [delay(n) for n in range(6)] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
    assert delay(1000) == 1.0
