"""Keeping the WAL beside an event file small while a recorder writes (issue #13).

SQLite's own checkpoints run inside a COMMIT (``wal_autocheckpoint``); the
timing writer turns them off (``EventStore.defer_checkpoints``) so no
impulse's commit pays for one. Instead the recorder checkpoints between its
transactions, never inside one:

* after each committed batch the writer looks at the WAL's size (one
  ``stat``); at ``CHECKPOINT_AT_BYTES`` or more it checkpoints (PASSIVE) on its
  own connection before it starts the next batch. PASSIVE never waits for a
  reader or a writer; once it has copied everything, the next transaction
  writes the WAL from its beginning again, and ``journal_size_limit``
  (competition/eventfile.py) cuts the file back to 1 MiB;
* every ``WATCH_S`` the recorder's watcher thread checkpoints (PASSIVE) from
  its own connection, so on an ordinary day the writer seldom has to; on a
  quiet line (nothing committed for ``QUIET_S``) it tries TRUNCATE without
  waiting (busy timeout 0), which empties the file.

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

CHECKPOINT_AT_BYTES = 2 * 1024 * 1024  # the writer checkpoints after a batch at this size
WAL_BOUND_BYTES = 8 * 1024 * 1024  # what the WAL stays under (docs/PERFORMANCE.md)
WATCH_S = 2.0  # the watcher's checkpoint period
QUIET_S = 1.0  # nothing committed this long: the watcher empties the WAL (TRUNCATE, no waiting)


class WalKeeper:
    """The WAL of one event file, kept under ``WAL_BOUND_BYTES`` by one recorder."""

    def __init__(self, db_path: str, *, checkpoint_at: int = CHECKPOINT_AT_BYTES) -> None:
        self.db_path = db_path
        self.checkpoint_at = checkpoint_at
        #: The largest WAL size seen after a commit or a watch.
        self.max_seen = 0
        self.writer_checkpoints = 0
        self.watch_checkpoints = 0
        self._last_commit = time.monotonic()
        self._next_watch = time.monotonic() + WATCH_S
        self._store: EventStore | None = None
        self._lock = threading.Lock()

    def after_commit(self, store: EventStore) -> None:
        """The writer's hook, between two of its transactions (``TrackPipeline.after_commit``)."""
        self._last_commit = time.monotonic()
        size = store.wal_bytes()
        self.max_seen = max(self.max_seen, size)
        if size >= self.checkpoint_at:
            store.checkpoint("PASSIVE")
            self.writer_checkpoints += 1

    def watch(self) -> None:
        """The watcher thread's turn: a PASSIVE checkpoint every ``WATCH_S``, TRUNCATE when quiet."""
        now = time.monotonic()
        if now < self._next_watch:
            return
        self._next_watch = now + WATCH_S
        with self._lock:
            if self._store is None:
                self._store = EventStore.open(self.db_path)
            store = self._store
            size = store.wal_bytes()
            self.max_seen = max(self.max_seen, size)
            if size == 0:
                return
            self.watch_checkpoints += 1
            if now - self._last_commit < QUIET_S:
                store.checkpoint("PASSIVE")
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
