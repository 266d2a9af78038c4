"""The timing pipeline into the event file: bytes, frames, impulses, runs.

``TrackPipeline`` (competition/track_pipeline.py) is the one path every byte
takes, live or replayed, written in group commits. ``TimingRecorder`` runs it
behind a ``hardware.PortSupervisor`` reader thread, which only reads, stamps
and decodes: each chunk (its raw bytes and every frame decoded from it) is
handed to the recorder's writer thread, which commits everything handed over
at once, so a burst that arrives while one batch commits is the next, bigger
batch, and a slow disk never delays the next read (nor a host stamp). The
protocol's ACK for a frame is sent once the batch holding it is committed,
never at decode; the WAL is kept small between transactions
(competition/wal_bound.py).
``replay_capture`` feeds a capture file through the same pipeline.
``listen_forever`` is ``trackside timing listen``.

A write that fails (file locked past the busy timeout, disk full) is kept in
memory and retried (the writer tries again twice a second), so a bad
moment on the disk never drops an impulse the timer sent, and no ACK goes out
for it meanwhile.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from competition.errors import EventFileError
from competition.event import Event
from competition.port_claim import PortClaim, PortInUse, port_identities  # noqa: F401 - re-exported
from competition.replay_window import ReplayWindow
from competition.timing import last_device_seq, record_port_status
from competition.track_pipeline import (
    OutcomeListener,
    RejectedListener,
    TrackPipeline,
)
from competition.wal_bound import WalKeeper
from hardware.impulse import Impulse, RejectedFrame
from hardware.protocols import Protocol, get_protocol
from hardware.protocols.settings import for_port
from hardware.supervisor import PortOfflineError, PortStatus, PortSupervisor

log = logging.getLogger(__name__)

RETRY_EVERY_S = 0.5  # a batch that could not be written is tried again this often
WARM_UP_WAIT_S = 5.0  # the port opens after the writer is ready, or after this long at most
StatusListener = Callable[[PortStatus], None]


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
        # ACKs go out after the commit (TrackPipeline._committed), never at decode.
        self.pipeline.send_ack = self._send_ack
        self.wal = WalKeeper(db_path)
        self.pipeline.after_commit = self.wal.after_commit
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
        self._handed_over = threading.Event()
        self._warm = threading.Event()
        self._writer_thread = threading.Thread(target=self._write_loop, name="trackside-writer", daemon=True)
        self.supervisor = PortSupervisor(
            url,
            self.protocol,
            on_bytes=self._bytes,
            on_frame=self._frame,
            on_status=self._status,
            on_chunk_end=self._handed_over.set,
            ack_at_decode=False,
            replay_after_seq=self._replay_after,
            # Every first connect asks the timer for its memory, exactly as after a reconnect:
            # a restart mid-event gets what was fired while we were down, and a timer that was
            # running before the laptop connected gives what it fired before the session.
            replay_on_first_connect=True,
        )

    def _bytes(self, chunk: bytes, host_ns: int) -> None:
        # Queued only: at the chunk's end the writer thread commits it with its frames.
        self.pipeline.bytes_received(chunk, host_ns, commit=False)

    def _frame(self, frame: Impulse | RejectedFrame) -> None:
        pre = isinstance(frame, Impulse) and frame.replayed and self.before_session
        if isinstance(frame, Impulse) and frame.bad_checksum:
            self._gap_pending = True
        # Some settings (TAG Heuer flow-controlled 9600) want an ACK after every frame.
        ack = self.protocol.ack(frame)
        if isinstance(frame, Impulse) and self.window.offer(frame):
            if pre:
                self._pre_session.add(id(frame))
            if ack:
                # Held until the replay is over (a flow-controlled timer would stall meanwhile):
                # acknowledged once the raw bytes holding it are committed.
                self.pipeline.ack_when_durable(ack, commit=False)
            return
        self.pipeline.frame_decoded(frame, hold=pre, ack=ack, commit=False)
        self._request_gap_replay()

    def _send_ack(self, ack: bytes) -> None:
        try:
            self.supervisor.send(ack)
        except PortOfflineError:
            log.warning("could not ack a frame on %s", self.url)

    def _release(self, impulse: Impulse) -> None:
        """An impulse the replay window held, in the timer's order (committed after the poll)."""
        pre = id(impulse) in self._pre_session
        self._pre_session.discard(id(impulse))
        # Fired before the session began: recorded, never paired by itself (the referee assigns).
        self.pipeline.frame_decoded(impulse, hold=pre, commit=False)
        self._handed_over.set()

    def _write_loop(self) -> None:
        """The writer: commits what the reader handed over, at once; retries a batch that failed."""
        if not self._warm.is_set():
            try:
                self.pipeline.warm_up()
            except Exception:  # a file that cannot be read now: the first batch will say so
                log.warning("warming up the writer of %s failed", self.url, exc_info=True)
            finally:
                self._warm.set()
        while not self._stopping.is_set():
            self._handed_over.wait(RETRY_EVERY_S)
            self._handed_over.clear()
            if not self.pipeline.pending:
                continue
            try:
                self.pipeline.commit_pending()
            except Exception:  # a bug here must not stop the writer: what is pending stays pending
                log.exception("the writer of %s failed; retrying", self.url)
                time.sleep(0.2)

    def _watch_window(self) -> None:
        """Releases held impulses when a replay is over, keeps the WAL small."""
        while not self._stopping.wait(0.05):
            try:
                self.supervisor.ensure_running()
                if self._writer_thread.ident is not None and not self._writer_thread.is_alive():
                    log.error("the writer of %s was dead; restarting it", self.url)
                    self._writer_thread = threading.Thread(target=self._write_loop, name="trackside-writer",
                                                           daemon=True)
                    self._writer_thread.start()
                if self.window.poll():
                    self._request_gap_replay()
                if self.before_session and self._first_replay_asked and not self.window.is_open:
                    self.before_session = False  # the first connect's replay is over
                self.wal.watch()
            except Exception:  # a bug here must not stop the release of held impulses later
                time.sleep(0.2)
        try:
            self.wal.close()
        except Exception:
            log.exception("closing the WAL keeper failed")

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
            self.pipeline.commit_pending()  # what was read before the request counts
            return last_device_seq(self.pipeline.event(), self.track)
        except EventFileError:
            return None

    def _status(self, status: PortStatus) -> None:
        # Frames delivered when the port closed (a partial line) come first in the journal.
        self.pipeline.commit_pending()
        if status.online != self._last_online:
            self._last_online = status.online
            try:
                record_port_status(
                    self.pipeline.event(), track=self.track, url=self.url, protocol=self.protocol.name,
                    online=status.online, error=status.error_en,
                    settings=self.protocol.settings_text() if status.online else None,
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
        self._writer_thread.start()
        # The writer's connection open and the course parsed before the first byte is read:
        # otherwise the first impulse of the day pays for them (tens of ms before its COMMIT).
        self._warm.wait(WARM_UP_WAIT_S)
        self.supervisor.start()

    def stop(self) -> None:
        self.supervisor.stop()
        self._stopping.set()
        self._handed_over.set()
        for thread in (self._window_thread, self._writer_thread):
            if thread.is_alive():
                thread.join(timeout=2)
        self.window.close()
        self.pipeline.commit_pending()
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
        pipeline.bytes_received(chunk, host_ns, commit=False)
        for frame in decoder.feed(chunk, host_ns):
            pipeline.frame_decoded(frame, commit=False)
        pipeline.commit_pending()  # one chunk, its frames: as few transactions as it takes
    for frame in decoder.flush(time.monotonic_ns()):
        pipeline.frame_decoded(frame, commit=False)
    pipeline.commit_pending()
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
