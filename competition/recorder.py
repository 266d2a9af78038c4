"""The timing pipeline into the event file: bytes, frames, impulses, runs.

``TrackPipeline`` is the one path every byte takes, live or replayed: the raw
chunk is journaled first (durably, before anything parses it), then each
decoded frame is journaled and paired. ``TimingRecorder`` runs it behind a
``hardware.PortSupervisor`` reader thread; ``replay_capture`` feeds a capture
file through the same pipeline. ``listen_forever`` is ``trackside timing listen``.

A write that fails (file locked past the busy timeout, disk full) is kept in
memory and retried with the next chunk, so a bad moment on the disk never
drops an impulse the timer sent. Any other exception while one frame is
recorded (a value no check foresaw, a bug in pairing) is a *poison* frame: it
is journaled as a rejected frame with the error (its bytes are in the raw rows
already), reported through ``on_rejected`` like any rejection, and the next
frame is processed: nothing in the byte stream can stop a track.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from competition import sequence_gaps, timing_holds
from competition.errors import EventFileError
from competition.event import Event
from competition.eventfile import EventStore
from competition.port_claim import PortClaim, PortInUse, port_identities  # noqa: F401 - re-exported
from competition.replay_window import ReplayWindow
from competition.timer_records import record_timer_record
from competition.timing import (
    ImpulseOutcome,
    last_device_seq,
    record_impulse,
    record_port_status,
    record_raw_bytes,
    record_rejected,
)
from hardware.impulse import Impulse, RejectedFrame, checked
from hardware.protocols import Protocol, get_protocol
from hardware.protocols.records import TimerRecord
from hardware.protocols.settings import for_port
from hardware.supervisor import PortOfflineError, PortStatus, PortSupervisor

log = logging.getLogger(__name__)

CHECKPOINT_EVERY_S = 2.0
OutcomeListener = Callable[[ImpulseOutcome], None]
StatusListener = Callable[[PortStatus], None]
RejectedListener = Callable[[RejectedFrame], None]


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
        on_gap: Callable[[int], None] | None = None,
    ) -> None:
        self.db_path = db_path
        self.track = track
        self.protocol = protocol
        self.port = port
        self.operator = operator
        self.terminal = terminal
        self.on_outcome = on_outcome
        self.on_rejected = on_rejected
        #: Called with the journal row of each sequence gap flagged on this track.
        self.on_gap = on_gap
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

    def frame_decoded(self, frame: Impulse | RejectedFrame, *, hold: bool = False) -> None:
        """Journal and pair ``frame``; ``hold``: journal an impulse as an orphan, never paired."""
        self._submit("frame", (frame, hold))

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
                    self._record_frame(*item)
            except EventFileError:
                self.write_errors += 1
                return
            except Exception as exc:  # a poison frame: keep it as rejected, go on with the next one
                if not self._poisoned(what, item, exc):
                    return
            self._backlog.pop(0)

    def _poisoned(self, what: str, item: Any, exc: Exception) -> bool:
        """Journal an item that raised as a rejected frame; False if the write must be retried."""
        log.error("track %s: %s raised while recorded; kept as rejected", self.track, what, exc_info=exc)
        if what == "bytes":
            raw, host_ns = bytes(item[0]), int(item[1])
        else:
            frame = item[0]
            raw = frame.raw if isinstance(getattr(frame, "raw", None), bytes) else b""
            host_ns = getattr(frame, "host_ns", 0)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        rejected = RejectedFrame(
            protocol=self.protocol.name, raw=raw, host_ns=host_ns if isinstance(host_ns, int) else 0,
            reason_zh=f"内部错误，该帧未能处理（已保留原始数据）：{detail}",
            reason_en=f"internal error, frame not processed (raw bytes kept): {detail}",
        )
        try:
            self._record_rejected(rejected)
        except EventFileError:
            self.write_errors += 1
            return False
        except Exception:
            # Even the rejection could not be written: the bytes are in the raw rows; count it, go on.
            log.exception("could not journal a poison frame on track %s", self.track)
        self.counts["internal_error"] += 1
        return True

    @property
    def pending(self) -> int:
        return len(self._backlog)

    def _record_rejected(self, frame: RejectedFrame) -> None:
        record_rejected(
            self.event(), track=self.track, protocol=frame.protocol, raw=frame.raw,
            reason_zh=frame.reason_zh, reason_en=frame.reason_en,
        )
        self.counts["rejected"] += 1
        if self.on_rejected:
            try:
                self.on_rejected(frame)
            except Exception:
                log.exception("on_rejected listener failed")

    def _record_frame(self, frame: Impulse | RejectedFrame, hold: bool = False) -> None:
        if isinstance(frame, TimerRecord):
            # The timer's own net times and number lines (issue #11): kept beside the runs.
            seq = record_timer_record(self.event(), frame, track=self.track)
            self.counts["timer_record" if seq is not None else "duplicate"] += 1  # an exact repeat is dropped
            return
        if isinstance(frame, Impulse):
            # The decoders range-check already; impulses from anywhere else are checked here.
            frame = checked(frame)
        if isinstance(frame, RejectedFrame):
            self._record_rejected(frame)
            return
        event = self.event()
        with event.store.transaction():
            # A jump in the device's numbering is journaled with the impulse, and while a gap
            # on this track is open nothing pairs automatically (the referee assigns).
            gap = sequence_gaps.detect(event, self.track, frame)
            held = timing_holds.hold_reason(event, self.track, before_session=hold, new_gap=gap is not None)
            outcome = record_impulse(event, frame, track=self.track, hold_pairing=held)
        if gap is not None:
            self.counts["sequence_gap"] += 1
            if self.on_gap:
                try:
                    self.on_gap(gap)
                except Exception:
                    log.exception("on_gap listener failed")
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
        protocol: str | Protocol,
        track: int = 1,
        operator: str = "",
        terminal: str | None = None,
        on_outcome: OutcomeListener | None = None,
        on_status: StatusListener | None = None,
        on_rejected: RejectedListener | None = None,
        claim_port: bool = True,
    ) -> None:
        # A Protocol object carries this port's settings (--baud, --rtscts, --numbers);
        # by name, the settings remembered for this port (trackside run) apply.
        self.protocol = protocol if isinstance(protocol, Protocol) else for_port(url, get_protocol(protocol))
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
            # The session on this track began at its first connect: what a timer replays from
            # its memory at that connect was fired before anyone recorded this track.
            self.before_session = not _track_connected_before(event, track)
        self._first_replay_asked = False
        self._pre_session: set[int] = set()  # id() of held replayed impulses from before the session
        self._last_online: bool | None = None
        self._gap_pending = False
        self._gap_lock = threading.Lock()
        self.replay_requests = 0
        self.window = ReplayWindow(self._release, ask_again=self._ask_again)
        self._stopping = threading.Event()
        self._window_thread = threading.Thread(target=self._watch_window, name="trackside-replay-window", daemon=True)
        self.supervisor = PortSupervisor(
            url,
            self.protocol,
            on_bytes=self.pipeline.bytes_received,
            on_frame=self._frame,
            on_status=self._status,
            replay_after_seq=self._replay_after,
            # Every first connect asks the timer for its memory, exactly as after a reconnect:
            # a restart mid-event gets what was fired while we were down, and a timer that was
            # running before the laptop connected gives what it fired before the session.
            replay_on_first_connect=True,
        )

    def _frame(self, frame: Impulse | RejectedFrame) -> None:
        pre = isinstance(frame, Impulse) and frame.replayed and self.before_session
        if isinstance(frame, Impulse) and frame.bad_checksum:
            self._gap_pending = True
        if isinstance(frame, Impulse) and self.window.offer(frame):
            if pre:
                self._pre_session.add(id(frame))
            return
        self.pipeline.frame_decoded(frame, hold=pre)
        self._request_gap_replay()

    def _release(self, impulse: Impulse) -> None:
        """An impulse the replay window held, in the timer's order."""
        pre = id(impulse) in self._pre_session
        self._pre_session.discard(id(impulse))
        # Fired before the session began: recorded, never paired by itself (the referee assigns).
        self.pipeline.frame_decoded(impulse, hold=pre)

    def _watch_window(self) -> None:
        """Releases held impulses when a replay is over; checkpoints the WAL off the reader's path."""
        checkpointer: EventStore | None = None
        next_checkpoint = time.monotonic() + CHECKPOINT_EVERY_S
        while not self._stopping.wait(0.05):
            try:
                self.supervisor.ensure_running()
                if self.window.poll():
                    self._request_gap_replay()
                if self.before_session and self._first_replay_asked and not self.window.is_open:
                    self.before_session = False  # the first connect's replay is over
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
        self._first_replay_asked = True
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


def _track_connected_before(event: Event, track: int) -> bool:
    """True if a recorder was ever online on ``track`` in this event (a ``port_status`` row says so)."""
    rows = event.store.conn.execute(
        "SELECT payload FROM journal WHERE kind = 'port_status' AND payload LIKE '%\"online\":true%'"
    ).fetchall()
    return any(json.loads(r[0]).get("track") == track for r in rows)


def replay_capture(
    event: Event, data: bytes, *, protocol: str | Protocol, track: int = 1, source: str = "capture",
    chunk_size: int = 4096,
) -> Counter[str]:
    """Feed a byte capture through the live pipeline; returns what each frame became."""
    proto = protocol if isinstance(protocol, Protocol) else get_protocol(protocol)
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
    db_path: str, *, url: str, protocol: str | Protocol, track: int, lang: str, operator: str,
    terminal: str | None, echo: Callable[[str], None],
) -> None:
    """``trackside timing listen``: the recorder process (competition.recorder_process.listen)."""
    from competition.recorder_process import listen

    listen(db_path, url=url, protocol=protocol, track=track, lang=lang, operator=operator, terminal=terminal,
           echo=echo)
