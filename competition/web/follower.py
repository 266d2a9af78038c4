"""The server's view of the event file: one reader thread that follows the journal.

Like the trackside app, it polls ``PRAGMA data_version`` (cheap when nothing
changed) and, on news, rebuilds the public snapshot once; every page and SSE
client then gets the same bytes. Subscribers are asyncio queues on the
server's loop, fed with ``call_soon_threadsafe``; a slow client whose queue
is full simply misses an intermediate version (the next one carries all).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from competition.event import Event

log = logging.getLogger(__name__)

POLL_S = 0.1


@dataclass
class Snapshot:
    version: int
    data: dict[str, Any]
    live_bytes: bytes
    standings_bytes: bytes
    taken_ns: int = field(default_factory=time.monotonic_ns)


class EventFollower:
    """Follows one event file from its own thread; thread-safe reads of the latest snapshot."""

    def __init__(self, db_path: str, *, poll_s: float = POLL_S) -> None:
        self.db_path = db_path
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._subscribers: set[asyncio.Queue[Snapshot]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._version = 0
        self.error: str | None = None

    # -- lifecycle --------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start following; returns once the first snapshot is there (or raises why not)."""
        self._loop = loop
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(ready, failure), name="event-follower", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        # The connection is made, used and closed in this thread only (SQLite's rule).
        try:
            event = Event.open(self.db_path, terminal="venue-server")
            seen = event.store.data_version()
            self._take(event)  # the first snapshot before the first request
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            return
        ready.set()
        try:
            while not self._stop.wait(self.poll_s):
                try:
                    version = event.store.data_version()
                    if version != seen:
                        seen = version
                        self._take(event)
                except Exception as exc:  # a locked or busy file: keep the last snapshot, try again
                    self.error = str(exc)
                    log.exception("following the event file failed")
        finally:
            event.close()

    # -- snapshots ----------------------------------------------------------

    def _take(self, event: Event) -> None:
        from results.live import live_snapshot

        data = live_snapshot(event)
        self._version += 1
        standings = data.pop("standings")
        data["version"] = self._version
        snap = Snapshot(
            self._version, {**data, "standings": standings},
            json.dumps(data, ensure_ascii=False).encode(),
            json.dumps(standings, ensure_ascii=False).encode(),
        )
        with self._lock:
            self._snapshot = snap
            subscribers = list(self._subscribers)
        self.error = None
        if self._loop is not None:
            for queue in subscribers:
                self._loop.call_soon_threadsafe(_offer, queue, snap)

    @property
    def snapshot(self) -> Snapshot:
        with self._lock:
            if self._snapshot is None:
                raise RuntimeError("follower not started")
            return self._snapshot

    def subscribe(self) -> asyncio.Queue[Snapshot]:
        queue: asyncio.Queue[Snapshot] = asyncio.Queue(maxsize=4)
        with self._lock:
            self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Snapshot]) -> None:
        with self._lock:
            self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


def _offer(queue: asyncio.Queue[Snapshot], snap: Snapshot) -> None:
    if queue.full():
        try:
            queue.get_nowait()  # drop the stale one: the newest carries everything
        except asyncio.QueueEmpty:
            pass
    queue.put_nowait(snap)
