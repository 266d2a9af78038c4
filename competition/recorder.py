"""The timing pipeline into the event file: bytes, frames, impulses, runs.

``TrackPipeline`` is the one path every byte takes, live or replayed: the raw
chunk is journaled first (durably, before anything parses it), then each
decoded frame is journaled and paired. ``TimingRecorder`` runs it behind a
``hardware.PortSupervisor`` reader thread; ``replay_capture`` feeds a capture
file through the same pipeline. ``listen_forever`` is ``trackside timing listen``.

A write that fails (file locked past the busy timeout, disk full) is kept in
memory and retried with the next chunk, so a bad moment on the disk never
drops an impulse the timer sent.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from competition.errors import EventFileError, TracksideError
from competition.event import Event
from competition.eventfile import EventStore
from competition.replay_window import ReplayWindow
from competition.timing import (
    ImpulseOutcome,
    last_device_seq,
    record_impulse,
    record_port_status,
    record_raw_bytes,
    record_rejected,
)
from hardware.impulse import Impulse, RejectedFrame
from hardware.protocols import Protocol, get_protocol
from hardware.supervisor import PortOfflineError, PortStatus, PortSupervisor

CHECKPOINT_EVERY_S = 2.0
OutcomeListener = Callable[[ImpulseOutcome], None]
StatusListener = Callable[[PortStatus], None]
RejectedListener = Callable[[RejectedFrame], None]


class PortInUse(TracksideError):
    """Another Trackside process already reads this port."""


class PortClaim:
    """An advisory lock so only one process on this machine reads a given port."""

    def __init__(self, url: str) -> None:
        digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
        self.path = Path(tempfile.gettempdir()) / f"trackside-port-{digest}.lock"
        self.url = url
        self._fh: Any = None

    def acquire(self) -> None:
        fh = self.path.open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise PortInUse(
                f"端口 {self.url} 已被另一个 Trackside 进程使用（计时终端或 timing listen）。同一端口只能由一个进程读取。",
                f"Port {self.url} is already read by another Trackside process. Only one process may own a port.",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class TrackPipeline:
    """Journals bytes and frames of one track, pairing impulses into runs.

    Opens its own connection to the event file in whichever thread calls it
    first (SQLite connections stay in their thread).
    """

    def __init__(
        self,
        db_path: str,
        *,
        track: int,
        protocol: Protocol,
        port: str,
        operator: str = "",
        terminal: str | None = None,
        on_outcome: OutcomeListener | None = None,
        on_rejected: RejectedListener | None = None,
    ) -> None:
        self.db_path = db_path
        self.track = track
        self.protocol = protocol
        self.port = port
        self.operator = operator
        self.terminal = terminal
        self.on_outcome = on_outcome
        self.on_rejected = on_rejected
        # Set by TimingRecorder, which checkpoints from its own thread instead.
        self.defer_checkpoints = False
        self.counts: Counter[str] = Counter()
        self.write_errors = 0
        self._local = threading.local()
        self._backlog: list[tuple[str, Any]] = []
        self._lock = threading.Lock()

    def event(self) -> Event:
        ev = getattr(self._local, "event", None)
        if ev is None:
            ev = Event.open(self.db_path, operator=self.operator, terminal=self.terminal)
            if self.defer_checkpoints:
                ev.store.defer_checkpoints()
            self._local.event = ev
        return ev

    def close(self) -> None:
        ev = getattr(self._local, "event", None)
        if ev is not None:
            ev.close()
            self._local.event = None

    def use_event(self, event: Event) -> None:
        """Share an already open event in this thread (replay, tests)."""
        self._local.event = event

    # -- the pipeline -------------------------------------------------------

    def bytes_received(self, chunk: bytes, host_ns: int) -> None:
        self._submit("bytes", (chunk, host_ns))

    def frame_decoded(self, frame: Impulse | RejectedFrame) -> None:
        self._submit("frame", frame)

    def _submit(self, what: str, item: Any) -> None:
        with self._lock:
            self._backlog.append((what, item))
            self.flush()

    def flush(self) -> None:
        """Write everything pending, oldest first; stop at the first write that fails."""
        while self._backlog:
            what, item = self._backlog[0]
            try:
                if what == "bytes":
                    chunk, host_ns = item
                    record_raw_bytes(
                        self.event(), track=self.track, port=self.port, protocol=self.protocol.name,
                        chunk=chunk, host_ns=host_ns,
                    )
                else:
                    self._record_frame(item)
            except EventFileError:
                self.write_errors += 1
                return
            self._backlog.pop(0)

    @property
    def pending(self) -> int:
        return len(self._backlog)

    def _record_frame(self, frame: Impulse | RejectedFrame) -> None:
        if isinstance(frame, RejectedFrame):
            record_rejected(
                self.event(), track=self.track, protocol=frame.protocol, raw=frame.raw,
                reason_zh=frame.reason_zh, reason_en=frame.reason_en,
            )
            self.counts["rejected"] += 1
            if self.on_rejected:
                self.on_rejected(frame)
            return
        outcome = record_impulse(self.event(), frame, track=self.track)
        self.counts[outcome.disposition] += 1
        if self.on_outcome:
            self.on_outcome(outcome)


class TimingRecorder:
    """A serial port read by a supervisor thread into the event file."""

    def __init__(
        self,
        db_path: str,
        *,
        url: str,
        protocol: str,
        track: int = 1,
        operator: str = "",
        terminal: str | None = None,
        on_outcome: OutcomeListener | None = None,
        on_status: StatusListener | None = None,
        on_rejected: RejectedListener | None = None,
        claim_port: bool = True,
    ) -> None:
        self.protocol = get_protocol(protocol)
        self.url = url
        self.track = track
        self.on_status = on_status
        self.pipeline = TrackPipeline(
            db_path, track=track, protocol=self.protocol, port=url, operator=operator, terminal=terminal,
            on_outcome=on_outcome, on_rejected=on_rejected,
        )
        self.pipeline.defer_checkpoints = True
        self.claim = PortClaim(url) if claim_port else None
        with Event.open(db_path, operator=operator, terminal=terminal) as event:
            self._resume = last_device_seq(event, track) is not None
        self._last_online: bool | None = None
        self._gap_pending = False
        self._gap_lock = threading.Lock()
        self.replay_requests = 0
        self.window = ReplayWindow(self.pipeline.frame_decoded, ask_again=self._ask_again)
        self._stopping = threading.Event()
        self._window_thread = threading.Thread(target=self._watch_window, name="trackside-replay-window", daemon=True)
        self.supervisor = PortSupervisor(
            url,
            self.protocol,
            on_bytes=self.pipeline.bytes_received,
            on_frame=self._frame,
            on_status=self._status,
            replay_after_seq=self._replay_after,
            # A restart mid-event asks the timer for what it recorded while we were down.
            replay_on_first_connect=self._resume,
        )

    def _frame(self, frame: Impulse | RejectedFrame) -> None:
        if isinstance(frame, Impulse) and frame.bad_checksum:
            self._gap_pending = True
        if isinstance(frame, Impulse) and self.window.offer(frame):
            return
        self.pipeline.frame_decoded(frame)
        self._request_gap_replay()

    def _watch_window(self) -> None:
        """Releases held impulses when a replay is over; checkpoints the WAL off the reader's path."""
        checkpointer: EventStore | None = None
        next_checkpoint = time.monotonic() + CHECKPOINT_EVERY_S
        while not self._stopping.wait(0.05):
            try:
                if self.window.poll():
                    self._request_gap_replay()
                if time.monotonic() >= next_checkpoint:
                    next_checkpoint = time.monotonic() + CHECKPOINT_EVERY_S
                    if checkpointer is None:
                        checkpointer = EventStore.open(self.pipeline.db_path)
                    checkpointer.checkpoint()
            except Exception:  # a bug here must not stop the release of held impulses later
                time.sleep(0.2)
        if checkpointer is not None:
            checkpointer.checkpoint()
            checkpointer.close()

    def _request_gap_replay(self) -> None:
        """A line arrived damaged: ask the timer for its memory, holding what comes meanwhile.

        Not while a replay is still answering (some timers, ALGE ``RSM``, send
        their whole memory); a damaged line seen meanwhile asks again after.
        """
        with self._gap_lock:
            if not self._gap_pending or self.window.is_open:
                return
            self._gap_pending = False
            request = self.protocol.replay_request(self._replay_after())
            if request is None:
                return
            self.window.open()
            try:
                self.supervisor.send(request)
                self.replay_requests += 1
            except PortOfflineError:
                pass  # offline: the reconnect asks for the replay anyway

    def _ask_again(self) -> bool:
        """The window still holds a damaged line: ask the timer once more."""
        request = self.protocol.replay_request(self._replay_after())
        if request is None:
            return False
        try:
            self.supervisor.send(request)
        except PortOfflineError:
            return False
        self.replay_requests += 1
        return True

    def _replay_after(self) -> int | None:
        # The supervisor asks this right before it sends a replay request.
        if self.protocol.replay_request(None) is not None:
            self.window.open()
        try:
            return last_device_seq(self.pipeline.event(), self.track)
        except EventFileError:
            return None

    def _status(self, status: PortStatus) -> None:
        if status.online != self._last_online:
            self._last_online = status.online
            try:
                record_port_status(
                    self.pipeline.event(), track=self.track, url=self.url, protocol=self.protocol.name,
                    online=status.online, error=status.error_en,
                )
            except EventFileError:
                self.pipeline.write_errors += 1
        if self.on_status:
            self.on_status(status)

    @property
    def status(self) -> PortStatus:
        return self.supervisor.status

    def start(self) -> None:
        if self.claim:
            self.claim.acquire()
        self._window_thread.start()
        self.supervisor.start()

    def stop(self) -> None:
        self.supervisor.stop()
        self._stopping.set()
        if self._window_thread.is_alive():
            self._window_thread.join(timeout=2)
        self.window.close()
        with self.pipeline._lock:
            self.pipeline.flush()
        self.pipeline.close()
        if self.claim:
            self.claim.release()

    def send(self, data: bytes) -> None:
        self.supervisor.send(data)


def replay_capture(
    event: Event, data: bytes, *, protocol: str, track: int = 1, source: str = "capture",
    chunk_size: int = 4096,
) -> Counter[str]:
    """Feed a byte capture through the live pipeline; returns what each frame became."""
    proto = get_protocol(protocol)
    pipeline = TrackPipeline(event.path, track=track, protocol=proto, port=f"replay:{Path(source).name}")
    pipeline.use_event(event)
    decoder = proto.new_decoder()
    for start in range(0, len(data), chunk_size):
        chunk = data[start : start + chunk_size]
        host_ns = time.monotonic_ns()
        pipeline.bytes_received(chunk, host_ns)
        for frame in decoder.feed(chunk, host_ns):
            pipeline.frame_decoded(frame)
    for frame in decoder.flush(time.monotonic_ns()):
        pipeline.frame_decoded(frame)
    if pipeline.pending:
        raise EventFileError(
            f"有 {pipeline.pending} 条数据未能写入赛事文件。", f"{pipeline.pending} items could not be written."
        )
    return pipeline.counts


def listen_forever(
    db_path: str, *, url: str, protocol: str, track: int, lang: str, operator: str, terminal: str | None,
    echo: Callable[[str], None],
) -> None:
    """``trackside timing listen``: record until Ctrl-C, printing what happens (in words and seconds)."""
    from competition.glossary import counts_text, outcome_line

    en = lang == "en"
    with Event.open(db_path) as event:
        precision_ns = event.course.precision_ns

    def outcome(o: ImpulseOutcome) -> None:
        if o.disposition == "duplicate":
            return
        echo(outcome_line(o, lang, precision_ns))

    def status(s: PortStatus) -> None:
        if s.online:
            echo(f"{url}: online ({protocol})" if en else f"{url}：已连接（{protocol}）")
        else:
            err = (s.error_en if en else s.error_zh) or ""
            echo(f"{url}: OFFLINE {err}" if en else f"{url}：断开 {err}")

    recorder = TimingRecorder(db_path, url=url, protocol=protocol, track=track, operator=operator,
                              terminal=terminal, on_outcome=outcome, on_status=status)
    recorder.start()
    echo(f"Listening on {url}, track {track}. Ctrl-C to stop." if en
         else f"正在记录 {url}（{track} 道）。按 Ctrl-C 停止。")
    try:
        while True:
            time.sleep(0.5)
            if recorder.pipeline.pending:
                with recorder.pipeline._lock:
                    recorder.pipeline.flush()
    except KeyboardInterrupt:
        pass
    finally:
        recorder.stop()
        echo(("Stopped. " if en else "已停止。") + counts_text(dict(recorder.pipeline.counts), lang))
