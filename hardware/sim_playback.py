"""Play a :class:`~hardware.simulator.TimerSimulator` in real time onto a link.

A link is the simulated cable: a pty (``pty_port``) or a localhost TCP server
(``tcp_port``). It can be unplugged and plugged back; while it is out, the
simulated timer keeps timing and remembering, and its output is lost on the
floor, exactly like a real timer with its cable pulled.

One playback thread owns the simulator; the test thread reaches it only
through :class:`SimulatorPort` methods, which take the same lock.

``wait_for_reader=True`` holds the riders at the start until a reader has
opened the link (a pty configured by a serial program, a TCP client), the way
an organizer does not send riders before the timing desk is listening; the
simulated timer answers the host meanwhile. Without it the clock runs from
the start, like a real timer switched on before the laptop: what it fires
meanwhile is in its memory, and the recorder asks for that memory at connect.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol as TypingProtocol

from hardware.impulse import Channel
from hardware.protocols.base import SimulatedImpulse
from hardware.simulator import TimerSimulator

POLL_S = 0.01


class SimulatorLink(TypingProtocol):
    """The transport a playback writes to and reads host requests from."""

    url: str

    def read(self, timeout: float) -> bytes:
        """Wait up to ``timeout`` s for host bytes; b"" if none (or unplugged)."""
        ...

    def write(self, data: bytes) -> None:
        """Send to the host; silently lost while unplugged, like a real cable."""
        ...

    def unplug(self) -> None:
        """Pull the cable."""
        ...

    def replug(self) -> None:
        """Put the cable back (same path / URL)."""
        ...

    def close(self) -> None:
        """Remove everything the link created."""
        ...

    def attached(self) -> bool:
        """True once a reader has opened the link."""
        ...


class SimulatorPort:
    """A running simulated timer on a link, paced at ``speed`` x real time."""

    def __init__(self, simulator: TimerSimulator, link: SimulatorLink, *, speed: float = 1.0,
                 autostart: bool = True, wait_for_reader: bool = False) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.simulator = simulator
        self.link = link
        self.speed = speed
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._plugged = True
        self._wait_for_reader = wait_for_reader
        #: Set once the clock runs (at start, or when the reader attached if waiting for one).
        self.clock_started = threading.Event()
        self._t0 = time.monotonic_ns()
        self._v0 = simulator.virtual_ns
        self._thread = threading.Thread(target=self._run, name="trackside-simulator", daemon=True)
        if autostart:
            self.start()

    def start(self) -> None:
        """Start the clock and the playback (once; the constructor does it unless told not to)."""
        if self._thread.is_alive() or self._stop.is_set():
            return
        with self._lock:
            self._t0 = time.monotonic_ns()
            self._v0 = self.simulator.virtual_ns
        self._thread.start()

    @property
    def url(self) -> str:
        """What to give ``PortSupervisor`` (a device path or a ``socket://`` URL)."""
        return self.link.url

    @property
    def path(self) -> str:
        """Alias of :attr:`url` for pty links."""
        return self.link.url

    def _virtual_now(self) -> int:
        return self._v0 + int((time.monotonic_ns() - self._t0) * self.speed)

    def _due_real_ns(self, virtual_ns: int) -> int:
        return self._t0 + int((virtual_ns - self._v0) / self.speed)

    def _await_reader(self) -> None:
        """Hold the riders until a reader opened the link, answering the host meanwhile."""
        while self._wait_for_reader and not self._stop.is_set() and not self.link.attached():
            data = self.link.read(POLL_S)
            if data:
                with self._lock:
                    reply = self.simulator.receive(data)
                    if reply:
                        self.link.write(reply)
        with self._lock:
            self._t0 = time.monotonic_ns()
            self._v0 = self.simulator.virtual_ns
        self.clock_started.set()

    def _run(self) -> None:
        self._await_reader()
        while not self._stop.is_set():
            with self._lock:
                nxt = self.simulator.next_event_ns()
            if nxt is None:
                self._done.set()
                timeout = POLL_S
            else:
                timeout = max(0.0, (self._due_real_ns(nxt) - time.monotonic_ns()) / 1e9)
            data = self.link.read(min(timeout, POLL_S))
            with self._lock:
                if data:
                    reply = self.simulator.receive(data)
                    if reply:
                        self.link.write(reply)
                if nxt is not None and time.monotonic_ns() >= self._due_real_ns(nxt):
                    out = self.simulator.step()
                    if out:
                        self.link.write(out)

    # -- controls for tests and the CLI -----------------------------------------
    def press(self, channel: Channel | str, *, manual: bool = False) -> SimulatedImpulse:
        """Fire ``channel`` now; returns what the timer recorded."""
        with self._lock:
            out = self.simulator.advance_to(self._virtual_now())
            out += self.simulator.press(channel, manual=manual)
            self.link.write(out)
            return self.simulator.sent_impulses()[-1]

    def manual_impulse(self, channel: Channel | str) -> SimulatedImpulse:
        """The operator presses the keypad key for ``channel`` now."""
        return self.press(channel, manual=True)

    def send_raw(self, data: bytes) -> None:
        """Write arbitrary bytes (garbage, NULs, half lines) to the host."""
        with self._lock:
            self.link.write(data)

    def reboot(self) -> None:
        """Power-cycle the simulated timer (prints its banner)."""
        with self._lock:
            self.link.write(self.simulator.reboot())

    def unplug(self) -> None:
        """Pull the cable: the host's reader sees EIO / a dropped socket."""
        with self._lock:
            if self._plugged:
                self.link.unplug()
                self._plugged = False

    def replug(self) -> None:
        """Put the cable back at the same path / URL."""
        with self._lock:
            if not self._plugged:
                self.link.replug()
                self._plugged = True

    def wait_done(self, timeout: float | None = None) -> bool:
        """Wait until every scheduled impulse was played; False on timeout."""
        return self._done.wait(timeout)

    def sent_impulses(self) -> list[SimulatedImpulse]:
        """Every impulse the simulated timer emitted so far."""
        with self._lock:
            return self.simulator.sent_impulses()

    def host_lines(self) -> list[bytes]:
        """Every complete line the host sent to the simulated timer so far."""
        with self._lock:
            return list(self.simulator.host_lines)

    def close(self) -> None:
        """Stop playing and remove the link."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2.0)
        with self._lock:
            self.link.close()

    def __enter__(self) -> SimulatorPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
