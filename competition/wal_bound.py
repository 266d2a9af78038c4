"""Keeping the WAL beside an event file small while a recorder writes (issue #13).

SQLite's own checkpoints run inside a COMMIT (``wal_autocheckpoint``); the
timing writer turns them off (``EventStore.defer_checkpoints``) so no
impulse's commit pays for one. Instead the recorder checkpoints between its
transactions, never inside one:

* the recorder's watcher thread looks at the WAL's size (one ``stat``) every
  50 ms; at ``CHECKPOINT_AT_BYTES`` or more, and anyway every ``WATCH_S``, it
  checkpoints (PASSIVE) from its own connection. PASSIVE never waits for a
  reader or a writer, and it runs beside the writer's commits, not in their
  way: a checkpoint's fsync of the event file on a busy disk can take a
  hundred milliseconds or more, and while the writer thread did it, the next
  impulse waited that long for its COMMIT. Once it has copied everything, the
  next transaction writes the WAL from its beginning again, and
  ``journal_size_limit`` (competition/eventfile.py) cuts the file back to 1 MiB;
* after each committed batch the writer looks at the size too: only if the
  watcher fell behind (``WRITER_BACKSTOP_BYTES``) it checkpoints itself,
  between two of its transactions, so the bound holds whatever the watcher does;
* on a quiet line (nothing committed for ``QUIET_S``) the watcher tries
  TRUNCATE without waiting (busy timeout 0), which empties the file.

The bound (``WAL_BOUND_BYTES``, stated in docs/PERFORMANCE.md): the WAL stays
under it as long as no reader holds one read transaction open for long. The
app and the standings read in autocommit statements (a snapshot lasts one
query); ``verify`` and ``backup`` hold one snapshot for their duration, and the
WAL may grow past the bound while they run, never losing anything.
"""

from __future__ import annotations

import logging
import threading
import time

from competition.eventfile import EventStore, busy_timeout_ms

log = logging.getLogger(__name__)

CHECKPOINT_AT_BYTES = 2 * 1024 * 1024  # the watcher checkpoints at this size
WRITER_BACKSTOP_BYTES = 4 * 1024 * 1024  # the writer checkpoints itself only at this size (the watcher fell behind)
WAL_BOUND_BYTES = 8 * 1024 * 1024  # what the WAL stays under (docs/PERFORMANCE.md)
WATCH_S = 2.0  # the watcher's checkpoint period
QUIET_S = 1.0  # nothing committed this long: the watcher empties the WAL (TRUNCATE, no waiting)


class WalKeeper:
    """The WAL of one event file, kept under ``WAL_BOUND_BYTES`` by one recorder."""

    def __init__(self, db_path: str, *, checkpoint_at: int = CHECKPOINT_AT_BYTES,
                 writer_backstop: int = WRITER_BACKSTOP_BYTES) -> None:
        self.db_path = db_path
        self.checkpoint_at = checkpoint_at
        self.writer_backstop = writer_backstop
        #: The largest WAL size seen after a commit or a watch.
        self.max_seen = 0
        self.writer_checkpoints = 0
        self.watch_checkpoints = 0
        self._last_commit = time.monotonic()
        self._next_watch = time.monotonic() + WATCH_S
        self._store: EventStore | None = None
        self._copied_size = -1  # the WAL's size when a checkpoint last copied all of it
        self._lock = threading.Lock()

    def after_commit(self, store: EventStore) -> None:
        """The writer's hook, between two of its transactions (``TrackPipeline.after_commit``)."""
        self._last_commit = time.monotonic()
        size = store.wal_bytes()
        self.max_seen = max(self.max_seen, size)
        if size >= self.writer_backstop:
            store.checkpoint("PASSIVE")
            self.writer_checkpoints += 1

    def watch(self) -> None:
        """The watcher thread's turn (every 50 ms): a PASSIVE checkpoint once the WAL reached
        ``checkpoint_at`` or ``WATCH_S`` went by, TRUNCATE when the line is quiet."""
        now = time.monotonic()
        with self._lock:
            if self._store is None:
                self._store = EventStore.open(self.db_path)
            store = self._store
            size = store.wal_bytes()
            self.max_seen = max(self.max_seen, size)
            if now < self._next_watch and (size < self.checkpoint_at or size == self._copied_size):
                return  # a WAL copied whole stays this size until the next write restarts it
            self._next_watch = now + WATCH_S
            if size == 0:
                return
            self.watch_checkpoints += 1
            if now - self._last_commit < QUIET_S:
                self._copied_size = size if store.checkpoint("PASSIVE") else -1
                return
            store.conn.execute("PRAGMA busy_timeout=0")
            try:
                store.checkpoint("TRUNCATE")
            finally:
                store.conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")

    def close(self) -> None:
        """A last PASSIVE checkpoint, and the watcher's connection closed."""
        with self._lock:
            store, self._store = self._store, None
            if store is None:
                return
            try:
                store.checkpoint("PASSIVE")
            finally:
                store.close()
