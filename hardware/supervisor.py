"""One reader thread per serial port: open, read, decode, survive every unplug.

:class:`PortSupervisor` opens any URL pyserial accepts (``/dev/ttyUSB0``,
``COM3``, ``socket://host:port``, ``loop://``) and for every chunk it reads:

1. takes ``time.monotonic_ns()`` right at receipt;
2. calls ``on_bytes(chunk, host_ns)`` *first*, so the caller can store the raw
   bytes durably before anything parses them;
3. feeds the protocol decoder and calls ``on_frame`` for every impulse or
   rejected frame;
4. calls ``on_chunk_end()`` (if given) once every frame of the chunk was
   delivered: a journaling caller commits the chunk then, as one batch.

The protocol's ACK (TAG Heuer's flow-controlled setting) is sent after
``on_frame`` returned only with ``ack_at_decode=True`` (the default, for a
plain reader); a caller that journals the frames passes ``False`` and sends
the ACK itself once the frame is durable (``competition.recorder``).

Any error from the port (``SerialException``, ``OSError``, pyserial's "device
reports readiness to read but returned no data" on a Linux unplug) closes it,
reports offline with a Chinese and an English message, and reopens with an
exponential back-off capped at ``backoff_max_s`` (1 s by default, so a cable
put back is read again within about a second). After a *re*-connect the
supervisor asks the timer to replay its memory from ``replay_after_seq()``;
every replayed frame is passed through, and the journal drops duplicates by
``Impulse.dedupe_key``. A callback that raises is logged and ignored: the
reader thread only stops on :meth:`PortSupervisor.stop`. Should the reader
loop itself die (a bug, ``SystemExit`` from a callback, anything not caught
below), the thread's guard reports it offline, resets the decoder and runs the
loop again after the back-off; and :meth:`PortSupervisor.ensure_running`
starts a new thread if one is gone anyway (the recorder's watcher calls it).
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import serial

from hardware.decoder import Decoded, Decoder
from hardware.protocols.base import Protocol

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.05  # how often the reader looks at the stop flag
MAX_CHUNK = 4096


@dataclass(frozen=True)
class PortStatus:
    """What the hardware screen shows for one port."""

    url: str
    protocol: str
    online: bool
    since_ns: int  # time.monotonic_ns() of the last change
    error_zh: str | None
    error_en: str | None
    reconnects: int


class PortOfflineError(RuntimeError):
    """Raised by :meth:`PortSupervisor.send` when the port is not open."""

    def __init__(self, url: str, detail: str = "") -> None:
        self.message_zh = f"串口 {url} 未连接，无法发送{('：' + detail) if detail else ''}"
        self.message_en = f"port {url} is offline, cannot send{(': ' + detail) if detail else ''}"
        super().__init__(self.message_zh)


def backoff_delays(initial_s: float, max_s: float) -> Callable[[int], float]:
    """Delay before reopen attempt ``n`` (0-based): initial * 2**n, capped at ``max_s``."""

    def delay(attempt: int) -> float:
        return float(min(max_s, initial_s * (2 ** min(attempt, 30))))

    return delay


def describe_port_error(url: str, exc: BaseException, *, opening: bool) -> tuple[str, str]:
    """A (zh, en) message saying which port failed and why, in the referee's words."""
    code = getattr(exc, "errno", None)
    detail = str(exc) or type(exc).__name__
    if opening:
        if code == errno.ENOENT or "No such file" in detail or "FileNotFound" in detail:
            return (f"找不到串口 {url}：线缆未插好或设备名错误", f"port {url} not found: cable unplugged or wrong device name")
        if code in (errno.EACCES, errno.EPERM) or "Permission denied" in detail:
            return (f"没有权限打开串口 {url}（Linux 请把用户加入 dialout 组）",
                    f"no permission to open port {url} (on Linux add the user to the dialout group)")
        if (code == errno.EBUSY or "busy" in detail.lower() or "Access is denied" in detail
                or "exclusively lock" in detail):
            return (f"串口 {url} 被其他程序占用", f"port {url} is in use by another program")
        if code == errno.ECONNREFUSED or "refused" in detail.lower():
            return (f"无法连接 {url}：对方拒绝连接", f"cannot connect to {url}: connection refused")
        return (f"无法打开串口 {url}：{detail}", f"cannot open port {url}: {detail}")
    if "returned no data" in detail or code == errno.EIO or "disconnected" in detail:
        return (f"串口 {url} 连接中断（线缆被拔出或设备断电）", f"port {url} disconnected (cable pulled or device off)")
    return (f"串口 {url} 读写出错：{detail}", f"port {url} read/write error: {detail}")


class PortSupervisor:
    """Owns one reader thread for one port; see the module docstring."""

    def __init__(
        self,
        url: str,
        protocol: Protocol,
        *,
        on_bytes: Callable[[bytes, int], None],
        on_frame: Callable[[Decoded], None],
        on_status: Callable[[PortStatus], None],
        replay_after_seq: Callable[[], int | None] | None = None,
        replay_on_first_connect: bool = False,
        backoff_initial_s: float = 0.05,
        backoff_max_s: float = 1.0,
        baudrate: int | None = None,
        device_id: str | None = None,
        read_timeout_s: float = READ_TIMEOUT_S,
        on_chunk_end: Callable[[], None] | None = None,
        ack_at_decode: bool = True,
    ) -> None:
        self.url = url
        self._on_chunk_end = on_chunk_end
        self._ack_at_decode = ack_at_decode
        self.protocol = protocol
        self._on_bytes = on_bytes
        self._on_frame = on_frame
        self._on_status = on_status
        self._replay_after_seq = replay_after_seq
        self._replay_on_first_connect = replay_on_first_connect
        self._delay = backoff_delays(backoff_initial_s, backoff_max_s)
        self.baudrate = baudrate or protocol.baudrate
        self._read_timeout_s = read_timeout_s
        self._device_id = device_id
        self.decoder: Decoder = protocol.new_decoder(device_id)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: serial.SerialBase | None = None
        self._write_lock = threading.Lock()
        self._status = PortStatus(url, protocol.name, False, time.monotonic_ns(), None, None, 0)
        self._status_lock = threading.Lock()
        #: How many times the reader loop died and was started again.
        self.restarts = 0
        self._connected_before = False

    # -- public -----------------------------------------------------------------
    @property
    def status(self) -> PortStatus:
        """The latest status (also delivered through ``on_status``)."""
        with self._status_lock:
            return self._status

    def start(self) -> None:
        """Start the reader thread (once)."""
        if self._thread is not None:
            return
        self._spawn()

    def _spawn(self) -> None:
        self._thread = threading.Thread(target=self._guarded_run, name=f"trackside-port {self.url}", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        """True while the reader thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def ensure_running(self) -> bool:
        """Start a new reader thread if the started one died; True if it had to."""
        if self._thread is None or self._stop.is_set() or self.alive:
            return False
        log.error("reader thread of %s was dead; restarting it", self.url)
        self.restarts += 1
        self._spawn()
        return True

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the reader to stop, close the port and wait up to ``timeout`` seconds."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def send(self, data: bytes) -> None:
        """Write ``data`` to the timer now; PortOfflineError if the port is not open."""
        with self._write_lock:
            port = self._port
            if port is None:
                raise PortOfflineError(self.url)
            try:
                port.write(data)
                port.flush()
            except (serial.SerialException, OSError) as exc:
                raise PortOfflineError(self.url, str(exc)) from exc

    # -- reader thread ----------------------------------------------------------
    def _guarded_run(self) -> None:
        """The reader loop, started again whenever it dies of anything but stop()."""
        while not self._stop.is_set():
            try:
                self._run()
                return
            except BaseException as exc:  # the reader must outlive any bug
                log.exception("reader loop of %s died; restarting", self.url)
                self.restarts += 1
                with self._write_lock:
                    port, self._port = self._port, None
                if port is not None:
                    try:
                        port.close()
                    except Exception:
                        log.debug("closing %s failed", self.url, exc_info=True)
                try:
                    self.decoder.discard_partial(time.monotonic_ns())
                except Exception:
                    self.decoder = self.protocol.new_decoder(self._device_id)
                detail = f"{type(exc).__name__}: {exc}"[:200]
                self._set_status(online=False, error_zh=f"读取线程出错，正在重启：{detail}",
                                 error_en=f"reader failed, restarting: {detail}")
                self._stop.wait(self._delay(1))
        self._set_status(online=False, error_zh="已停止", error_en="stopped")

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                port = self._open()
            except Exception as exc:
                zh, en = describe_port_error(self.url, exc, opening=True)
                self._set_status(online=False, error_zh=zh, error_en=en)
                self._stop.wait(self._delay(attempt))
                attempt += 1
                continue
            attempt = 0
            # A loop restarted after a crash counts as a reconnect: ask for the memory.
            reconnect = self._connected_before
            self._connected_before = True
            with self._write_lock:
                self._port = port
            self._set_status(online=True, error_zh=None, error_en=None, reconnected=reconnect)
            error: BaseException | None = None
            try:
                if reconnect or self._replay_on_first_connect:
                    self._request_replay()
                self._read_loop(port)
            except Exception as exc:
                error = exc
            finally:
                with self._write_lock:
                    self._port = None
                try:
                    port.close()
                except Exception:
                    log.debug("closing %s failed", self.url, exc_info=True)
                for item in self.decoder.discard_partial(time.monotonic_ns()):
                    self._deliver(item)
                self._chunk_end()
            if error is not None and not self._stop.is_set():
                zh, en = describe_port_error(self.url, error, opening=False)
                log.warning("%s", en)
                self._set_status(online=False, error_zh=zh, error_en=en)
                self._stop.wait(self._delay(0))
                attempt = 1
        self._set_status(online=False, error_zh="已停止", error_en="stopped")

    def _open(self) -> serial.SerialBase:
        # A device node is locked (flock, pyserial's exclusive=True) while we read it: a second
        # reader, even through another name for it (a by-id link), cannot open it meanwhile.
        local = "://" not in self.url and os.name == "posix"
        port = serial.serial_for_url(
            self.url, baudrate=self.baudrate, timeout=self._read_timeout_s, write_timeout=1.0,
            rtscts=bool(getattr(self.protocol, "rtscts", False)), do_not_open=True,
            **({"exclusive": True} if local else {}),
        )
        port.open()
        self._request_low_latency(port)
        return port

    def _request_low_latency(self, port: serial.SerialBase) -> None:
        """FTDI adapters hold bytes 16 ms by default; ask the driver not to."""
        if not sys.platform.startswith("linux"):
            return
        real = os.path.realpath(self.url)
        if "ttyUSB" not in real and "ttyACM" not in real:
            return
        setter = getattr(port, "set_low_latency_mode", None)
        if setter is None:
            return
        try:
            setter(True)
        except Exception:
            log.info("low-latency mode not available on %s", self.url, exc_info=True)

    def _request_replay(self) -> None:
        after: int | None = None
        if self._replay_after_seq is not None:
            try:
                after = self._replay_after_seq()
            except Exception:
                log.exception("replay_after_seq callback failed; asking for everything")
        request = self.protocol.replay_request(after)
        if request:
            self.send(request)

    def _read_loop(self, port: serial.SerialBase) -> None:
        while not self._stop.is_set():
            first = port.read(1)
            if not first:
                continue
            host_ns = time.monotonic_ns()
            waiting = port.in_waiting
            chunk = first + port.read(min(waiting, MAX_CHUNK)) if waiting else first
            self._handle_chunk(chunk, host_ns)

    def _handle_chunk(self, chunk: bytes, host_ns: int) -> None:
        try:
            self._on_bytes(chunk, host_ns)
        except Exception:
            log.exception("on_bytes callback failed; parsing anyway")
        for item in self.decoder.feed(chunk, host_ns):
            self._deliver(item)
            if not self._ack_at_decode:
                continue  # the caller acknowledges once the frame is durable
            # Some settings (TAG Heuer flow-controlled 9600) want an ACK after every frame.
            ack = self.protocol.ack(item)
            if ack:
                try:
                    self.send(ack)
                except PortOfflineError:
                    log.warning("could not ack a frame on %s", self.url)
        self._chunk_end()

    def _chunk_end(self) -> None:
        if self._on_chunk_end is None:
            return
        try:
            self._on_chunk_end()
        except Exception:
            log.exception("on_chunk_end callback failed")

    def _deliver(self, item: Decoded) -> None:
        try:
            self._on_frame(item)
        except Exception:
            log.exception("on_frame callback failed")

    def _set_status(self, *, online: bool, error_zh: str | None, error_en: str | None,
                    reconnected: bool = False) -> None:
        with self._status_lock:
            old = self._status
            reconnects = old.reconnects + (1 if reconnected else 0)
            if (old.online, old.error_zh, old.reconnects) == (online, error_zh, reconnects):
                return
            since = time.monotonic_ns() if old.online != online or old.error_zh != error_zh else old.since_ns
            new = PortStatus(self.url, self.protocol.name, online, since, error_zh, error_en, reconnects)
            self._status = new
        try:
            self._on_status(new)
        except Exception:
            log.exception("on_status callback failed")
