"""A simulated timer on a pseudo-terminal, at a stable path that survives unplugs.

``open_pty_simulator`` opens a pty pair and points a symlink (by default
``<tmpdir>/ttyTRACKSIDE0``) at the slave, so ``PortSupervisor`` (or any serial
program) opens it like ``/dev/ttyUSB0``. ``unplug()`` closes the master and
removes the symlink: the reader gets EIO / "returned no data" and reopening
fails with "not found", as with a USB adapter pulled out. ``replug()`` opens a
new pty and replaces the symlink atomically, so the same path works again.

``attached()`` is True once a serial program has configured the slave: the
link parks it at 50 baud, which no reader of ours asks for, and every serial
program (pyserial included) sets its own speed when it opens a port.

POSIX only (``os.openpty``).
"""

from __future__ import annotations

import contextlib
import os
import select
import tempfile
import termios
import threading
import tty
from pathlib import Path
from typing import Any

from hardware.sim_playback import SimulatorPort
from hardware.simulator import TimerSimulator

DEFAULT_LINK_NAME = "ttyTRACKSIDE0"


class PtyLink:
    """The pty 'cable' of a simulated timer; see the module docstring."""

    def __init__(self, directory: str | Path | None = None, name: str = DEFAULT_LINK_NAME) -> None:
        self._own_dir = directory is None
        self.directory = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="trackside-pty-"))
        self.url = str(self.directory / name)
        self._lock = threading.Lock()
        self._master: int | None = None
        self._slave: int | None = None
        self._idle: list[Any] = []
        self.dropped_bytes = 0
        self._plug()

    def _plug(self) -> None:
        master, slave = os.openpty()
        # Raw: no echo, no CR->NL translation, no line buffering. We keep a slave
        # fd open so the master never sees EIO while the reader is away.
        tty.setraw(slave)
        attrs = termios.tcgetattr(slave)
        attrs[4] = attrs[5] = termios.B50  # the "nobody has opened me" mark, see attached()
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        idle = termios.tcgetattr(slave)
        os.set_blocking(master, False)
        tmp = self.url + ".new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.url)
        with self._lock:
            self._master, self._slave, self._idle = master, slave, idle

    def read(self, timeout: float) -> bytes:
        with self._lock:
            fd = self._master
            if fd is not None:
                ready, _, _ = select.select([fd], [], [], timeout)
                if not ready:
                    return b""
                try:
                    return os.read(fd, 4096)
                except OSError:
                    return b""
        threading.Event().wait(timeout)
        return b""

    def write(self, data: bytes) -> None:
        with self._lock:
            fd = self._master
            if fd is None:
                self.dropped_bytes += len(data)
                return
            view = memoryview(data)
            while view:
                try:
                    n = os.write(fd, view)
                    view = view[n:]
                except BlockingIOError:
                    _, writable, _ = select.select([], [fd], [], 0.5)
                    if not writable:
                        self.dropped_bytes += len(view)
                        return
                except OSError:
                    self.dropped_bytes += len(view)
                    return

    def attached(self) -> bool:
        with self._lock:
            if self._slave is None:
                return False
            try:
                return termios.tcgetattr(self._slave) != self._idle
            except termios.error:
                return False

    def unplug(self) -> None:
        with self._lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._master = self._slave = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.url)

    def replug(self) -> None:
        self._plug()

    def close(self) -> None:
        self.unplug()
        if self._own_dir:
            with contextlib.suppress(OSError):
                self.directory.rmdir()


def open_pty_simulator(
    protocol_name: str, *, speed: float = 1.0, autostart: bool = True, directory: str | Path | None = None,
    link_name: str = DEFAULT_LINK_NAME, wait_for_reader: bool = False, **simulator_options: Any,
) -> SimulatorPort:
    """Start a simulated ``protocol_name`` timer on a pty; ``.path`` is the port to open.

    ``simulator_options`` go to :class:`~hardware.simulator.TimerSimulator`
    (riders, gap_ns, course_ns, seed, bounce_probability, ...). ``speed`` plays
    that many virtual seconds per real second; ``wait_for_reader`` holds the
    clock until a reader opened the pty (see ``hardware.sim_playback``).
    """
    simulator = TimerSimulator(protocol_name, **simulator_options)
    return SimulatorPort(simulator, PtyLink(directory, link_name), speed=speed, autostart=autostart,
                         wait_for_reader=wait_for_reader)
