"""A simulated timer behind a localhost TCP server, for ``socket://`` URLs.

This is how a serial-to-Ethernet converter (or ser2net) looks to Trackside.
``unplug()`` drops the connection and closes the listening socket, so
reconnect attempts are refused; ``replug()`` listens again on the same port.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from typing import Any

from hardware.sim_playback import SimulatorPort
from hardware.simulator import TimerSimulator


class TcpLink:
    """The TCP 'cable' of a simulated timer; one host connection at a time."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._lock = threading.Lock()
        self._client: socket.socket | None = None
        self._listener: socket.socket | None = None
        self.dropped_bytes = 0
        self.port: int = port
        self._listen(port)
        assert self._listener is not None
        self.port = self._listener.getsockname()[1]
        self.url = f"socket://{host}:{self.port}"

    def _listen(self, port: int) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, port))
        listener.listen(4)
        listener.setblocking(False)
        with self._lock:
            self._listener = listener

    def _accept(self) -> None:
        """Take a waiting connection; a new one replaces a stale one."""
        if self._listener is None:
            return
        try:
            conn, _ = self._listener.accept()
        except (BlockingIOError, OSError):
            return
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(0.5)
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
        self._client = conn

    def read(self, timeout: float) -> bytes:
        with self._lock:
            self._accept()
            client = self._client
            if client is not None:
                ready, _, _ = select.select([client], [], [], timeout)
                if not ready:
                    return b""
                try:
                    data = client.recv(4096)
                except OSError:
                    data = b""
                if not data:  # the host closed its end
                    with contextlib.suppress(OSError):
                        client.close()
                    self._client = None
                return data
        threading.Event().wait(timeout)
        return b""

    def write(self, data: bytes) -> None:
        with self._lock:
            self._accept()
            if self._client is None:
                self.dropped_bytes += len(data)
                return
            try:
                self._client.sendall(data)
            except OSError:
                self.dropped_bytes += len(data)
                with contextlib.suppress(OSError):
                    self._client.close()
                self._client = None

    def attached(self) -> bool:
        with self._lock:
            self._accept()
            return self._client is not None

    def unplug(self) -> None:
        with self._lock:
            for sock in (self._client, self._listener):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
            self._client = self._listener = None

    def replug(self) -> None:
        self._listen(self.port)

    def close(self) -> None:
        self.unplug()


def open_tcp_simulator(protocol_name: str, *, speed: float = 1.0, autostart: bool = True, host: str = "127.0.0.1",
                       port: int = 0, wait_for_reader: bool = False, **simulator_options: Any) -> SimulatorPort:
    """Start a simulated timer behind ``socket://host:port``; ``.url`` is the URL."""
    simulator = TimerSimulator(protocol_name, **simulator_options)
    return SimulatorPort(simulator, TcpLink(host, port), speed=speed, autostart=autostart,
                         wait_for_reader=wait_for_reader)
