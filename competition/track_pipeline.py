"""One track's bytes and frames into the event file, in group commits.

``TrackPipeline`` is the one path every byte takes, live or replayed: the raw
chunk is journaled first (before anything parses it), then each decoded frame
is journaled and paired. Everything pending (the raw chunks and the frames of
a burst: a memory replay, a noisy line) is written in as few transactions as
it takes, oldest first: a batch holds at most ``MAX_BATCH_ITEMS`` items or
``MAX_BATCH_WORK_NS`` of work, whichever comes first. Nothing waits for more
to come: the caller commits when it has handed over what it read (the
recorder after each chunk), so a single impulse on a quiet line is committed
at once, and a burst that arrives while one batch is committing becomes the
next batch.

What a committed item causes (the counts, the ``on_outcome``/``on_rejected``/
``on_gap`` listeners, the protocol's ACK to the timer) happens only after the
COMMIT of its batch returned: a timer is told "received" only once the row is
on disk.

A write that fails (file locked past the busy timeout, disk full) rolls its
whole batch back; the batch stays pending and is retried by the next commit,
so a bad moment on the disk never drops an impulse the timer sent. Any other
exception while one frame is recorded (a value no check foresaw, a bug in
pairing) is a *poison* frame: its SAVEPOINT is rolled back alone, it is
journaled as a rejected frame with the error (its bytes are in the raw rows
already), reported through ``on_rejected`` like any rejection, and the rest
of the batch goes on: nothing in the byte stream can stop a track.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from competition import sequence_gaps, timing_holds
from competition.errors import EventFileError
from competition.event import Event
from competition.eventfile import EventStore
from competition.timer_records import record_timer_record
from competition.timing import ImpulseOutcome, record_impulse, record_raw_bytes, record_rejected
from hardware.impulse import Impulse, RejectedFrame, checked
from hardware.protocols import Protocol
from hardware.protocols.records import TimerRecord

log = logging.getLogger(__name__)

MAX_BATCH_ITEMS = 256  # items (raw chunks, frames, acks) in one transaction at most
MAX_BATCH_WORK_NS = 50_000_000  # a batch is committed once its work took this long
OutcomeListener = Callable[[ImpulseOutcome], None]
RejectedListener = Callable[[RejectedFrame], None]


class _Poison(Exception):
    """An item raised while its batch was written without savepoints: write it again guarded."""


@dataclass
class _Effects:
    """What a batch does once it is committed: counts, listener calls, ACKs, in order."""

    counts: Counter[str] = field(default_factory=Counter)
    after: list[Callable[[], None]] = field(default_factory=list)
    acks: list[bytes] = field(default_factory=list)

    def merge(self, other: _Effects) -> None:
        self.counts.update(other.counts)
        self.after.extend(other.after)
        self.acks.extend(other.acks)


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
        #: Sends an ACK to the timer (the recorder sets it): called after the commit.
        self.send_ack: Callable[[bytes], None] | None = None
        #: Called after every committed batch, once its listeners ran (the WAL keeper).
        self.after_commit: Callable[[EventStore], None] | None = None
        # Set by TimingRecorder, which keeps the WAL small itself (competition/wal_bound.py).
        self.defer_checkpoints = False
        self.counts: Counter[str] = Counter()
        self.write_errors = 0
        #: Write transactions committed, and the items they held.
        self.commits = 0
        self.items_committed = 0
        self._local = threading.local()
        self._backlog: list[tuple[str, Any, bytes | None]] = []
        # Two locks, so the reader never waits for the disk: ``_queue_lock`` only ever guards the
        # backlog list for an append or a slice; ``_write_lock`` is held by the one thread writing
        # (a COMMIT's fsync can take long on a busy disk, and the reader must go back to its port).
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()

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

    def warm_up(self) -> None:
        """Open this thread's connection and read what every impulse needs (the course, the round),
        importing what pairing imports, before the first impulse: it then pays only for its own work."""
        from competition import pairing_by_number  # noqa: F401  imported by the first impulse otherwise

        event = self.event()
        _ = event.course, event.current_round

    def use_event(self, event: Event) -> None:
        """Share an already open event in this thread (replay, tests)."""
        self._local.event = event

    # -- handing over ---------------------------------------------------------

    def bytes_received(self, chunk: bytes, host_ns: int, *, commit: bool = True) -> None:
        """A chunk as read; ``commit=False``: only queue it (the caller commits after the chunk)."""
        self._submit("bytes", (chunk, host_ns), None, commit)

    def frame_decoded(
        self, frame: Impulse | RejectedFrame, *, hold: bool = False, ack: bytes | None = None,
        commit: bool = True,
    ) -> None:
        """Journal and pair ``frame``; ``hold``: journal an impulse as an orphan, never paired.

        ``ack``: bytes sent to the timer once the transaction holding the frame is committed.
        """
        self._submit("frame", (frame, hold), ack, commit)

    def ack_when_durable(self, ack: bytes, *, commit: bool = True) -> None:
        """Send ``ack`` once everything handed over before it is committed (a frame held back
        by the replay window: its raw bytes are journaled; its row comes on release)."""
        self._submit("ack", None, ack, commit)

    def commit_pending(self) -> None:
        """Commit everything handed over so far (what the recorder's writer calls after each chunk)."""
        with self._write_lock:
            self.flush()

    def _submit(self, what: str, item: Any, ack: bytes | None, commit: bool) -> None:
        with self._queue_lock:
            self._backlog.append((what, item, ack))
        if commit:
            self.commit_pending()

    @property
    def pending(self) -> int:
        return len(self._backlog)

    # -- writing --------------------------------------------------------------

    def flush(self) -> None:
        """Write everything pending, oldest first, in bounded batches; stop at a batch that fails.

        The caller holds ``_write_lock`` (``commit_pending`` does); items handed over meanwhile
        are appended behind the batch being written and go into the next one.
        """
        while True:
            with self._queue_lock:
                batch = self._backlog[:MAX_BATCH_ITEMS]
            if not batch:
                return
            effects = _Effects()
            try:
                event = self.event()
                done = self._write_batch(event, batch, effects)
            except EventFileError:
                self.write_errors += 1
                return
            with self._queue_lock:
                del self._backlog[:done]  # only a writer removes, from the front: these are the batch's
            self.commits += 1
            self.items_committed += done
            self._committed(effects)
            if self.after_commit is not None:
                try:
                    self.after_commit(event.store)
                except Exception:
                    log.exception("after_commit hook failed")

    def _write_batch(self, event: Event, batch: list[tuple[str, Any, bytes | None]], effects: _Effects) -> int:
        """One transaction holding the oldest pending items; returns how many it holds.

        The batch is first written without a SAVEPOINT per item (four statements
        less per impulse on the way to its COMMIT); an item that raises there
        rolls the whole transaction back, and the batch is written again with a
        SAVEPOINT around each item, so the poison frame is undone alone.
        """
        attempt = _Effects()
        try:
            done = self._write_items(event, batch, attempt, guarded=False)
        except _Poison:
            attempt = _Effects()
            done = self._write_items(event, batch, attempt, guarded=True)
        effects.merge(attempt)
        return done

    def _write_items(self, event: Event, batch: list[tuple[str, Any, bytes | None]], effects: _Effects, *,
                     guarded: bool) -> int:
        done = 0
        started = time.monotonic_ns()
        with event.store.transaction():
            for what, item, ack in batch:
                if guarded:
                    self._write_item(event, what, item, effects)
                else:
                    self._write_item_unguarded(event, what, item, effects)
                if ack:
                    effects.acks.append(ack)
                done += 1
                if time.monotonic_ns() - started >= MAX_BATCH_WORK_NS:
                    break
        return done

    def _write_item_unguarded(self, event: Event, what: str, item: Any, effects: _Effects) -> None:
        if what == "ack":
            return
        try:
            self._record(event, what, item, effects)
        except EventFileError:
            raise  # the disk, not the frame: the whole batch stays pending
        except Exception as exc:
            raise _Poison from exc  # rolls the transaction back; written again item by item

    def _write_item(self, event: Event, what: str, item: Any, effects: _Effects) -> None:
        if what == "ack":
            return
        mine = _Effects()
        try:
            with event.store.savepoint("track_item"):
                self._record(event, what, item, mine)
        except EventFileError:
            raise  # the disk, not the frame: the whole batch stays pending
        except Exception as exc:  # a poison frame: undone alone, kept as rejected, the batch goes on
            self._poisoned(event, what, item, exc, effects)
            return
        effects.merge(mine)

    def _record(self, event: Event, what: str, item: Any, effects: _Effects) -> None:
        if what == "bytes":
            chunk, host_ns = item
            record_raw_bytes(event, track=self.track, port=self.port, protocol=self.protocol.name,
                             chunk=chunk, host_ns=host_ns)
        else:
            self._record_frame(event, item[0], item[1], effects)

    def _committed(self, effects: _Effects) -> None:
        self.counts.update(effects.counts)
        for ack in effects.acks:
            sender = self.send_ack
            if sender is None:
                continue
            try:
                sender(ack)
            except Exception:
                log.warning("could not ack a frame on track %s", self.track, exc_info=True)
        for call in effects.after:
            try:
                call()
            except Exception:
                log.exception("a timing listener failed on track %s", self.track)

    def _poisoned(self, event: Event, what: str, item: Any, exc: Exception, effects: _Effects) -> None:
        """Journal an item that raised as a rejected frame (in the same batch)."""
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
        mine = _Effects()
        try:
            with event.store.savepoint("track_poison"):
                self._record_rejected(event, rejected, mine)
        except EventFileError:
            raise
        except Exception:
            # Even the rejection could not be written: the bytes are in the raw rows; count it, go on.
            log.exception("could not journal a poison frame on track %s", self.track)
        else:
            effects.merge(mine)
        effects.counts["internal_error"] += 1

    def _record_rejected(self, event: Event, frame: RejectedFrame, effects: _Effects) -> None:
        record_rejected(
            event, track=self.track, protocol=frame.protocol, raw=frame.raw,
            reason_zh=frame.reason_zh, reason_en=frame.reason_en,
        )
        effects.counts["rejected"] += 1
        listener = self.on_rejected
        if listener is not None:
            effects.after.append(lambda: listener(frame))

    def _record_frame(self, event: Event, frame: Impulse | RejectedFrame, hold: bool, effects: _Effects) -> None:
        if isinstance(frame, TimerRecord):
            # The timer's own net times and number lines (issue #11): kept beside the runs.
            seq = record_timer_record(event, frame, track=self.track)
            effects.counts["timer_record" if seq is not None else "duplicate"] += 1  # an exact repeat is dropped
            return
        if isinstance(frame, Impulse):
            # The decoders range-check already; impulses from anywhere else are checked here.
            frame = checked(frame)
        if isinstance(frame, RejectedFrame):
            self._record_rejected(event, frame, effects)
            return
        # A jump in the device's numbering is journaled with the impulse, and while a gap
        # on this track is open nothing pairs automatically (the referee assigns).
        gap = sequence_gaps.detect(event, self.track, frame)
        held = timing_holds.hold_reason(event, self.track, before_session=hold, new_gap=gap is not None)
        outcome = record_impulse(event, frame, track=self.track, hold_pairing=held)
        if gap is not None:
            effects.counts["sequence_gap"] += 1
            on_gap = self.on_gap
            if on_gap is not None:
                effects.after.append(lambda: on_gap(gap))
        effects.counts[outcome.disposition] += 1
        on_outcome = self.on_outcome
        if on_outcome is not None:
            effects.after.append(lambda: on_outcome(outcome))
