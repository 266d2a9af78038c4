"""A reader loop that dies is started again, and asks the timer for what it missed."""

from __future__ import annotations

import threading
import time

from hardware.decoder import Decoded
from hardware.impulse import Impulse
from hardware.protocols import get_protocol
from hardware.pty_port import open_pty_simulator
from hardware.supervisor import PortStatus, PortSupervisor
from tests.hardware.test_supervisor import wait_for


class Crash(BaseException):
    """Not an Exception: nothing in the reader loop catches it."""


def test_a_reader_loop_that_dies_is_restarted_and_replays() -> None:
    port = open_pty_simulator("pad", speed=1, riders=0)
    frames: list[Decoded] = []
    statuses: list[PortStatus] = []
    crashed = threading.Event()

    def on_frame(item: Decoded) -> None:
        frames.append(item)
        if not crashed.is_set():
            crashed.set()
            raise Crash("a bug nobody foresaw")

    sup = PortSupervisor(port.url, get_protocol("pad"), on_bytes=lambda c, t: None, on_frame=on_frame,
                         on_status=statuses.append, backoff_initial_s=0.01, backoff_max_s=0.05)
    sup.start()
    try:
        assert wait_for(lambda: sup.status.online)
        first = port.press("start")
        assert wait_for(crashed.is_set)
        assert wait_for(lambda: sup.restarts == 1 and sup.status.online)
        assert any("restarting" in (s.error_en or "") for s in statuses)
        second = port.press("finish")
        seqs = lambda: {f.device_seq for f in frames if isinstance(f, Impulse)}  # noqa: E731
        assert wait_for(lambda: {first.seq, second.seq} <= seqs())
        assert b"R,-" in port.host_lines() or any(line.startswith(b"R,") for line in port.host_lines())
        assert sup.alive
    finally:
        sup.stop()
        port.close()
    assert not sup.alive


def test_ensure_running_starts_a_dead_thread_again() -> None:
    port = open_pty_simulator("pad", speed=1, riders=0)
    sup = PortSupervisor(port.url, get_protocol("pad"), on_bytes=lambda c, t: None, on_frame=lambda f: None,
                         on_status=lambda s: None)
    try:
        assert sup.ensure_running() is False  # never started: nothing to restart
        sup.start()
        assert wait_for(lambda: sup.status.online)
        assert sup.ensure_running() is False  # alive
        # A thread that ended without stop() (simulated: a finished thread in its place).
        dead = threading.Thread(target=lambda: None)
        dead.start()
        dead.join()
        real = sup._thread
        sup._thread = dead
        assert sup.ensure_running() is True and sup.restarts == 1
        assert wait_for(lambda: sup.alive)
        real_stop = sup._stop
        real_stop.set()
        if real is not None:
            real.join(2)
    finally:
        sup.stop()
        port.close()
    time.sleep(0.05)
