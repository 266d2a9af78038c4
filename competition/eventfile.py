"""Opening an event file: one SQLite file per event, crash-safe and shared.

WAL so a second terminal, a headless timing listener and a standings board can
read while one of them writes; ``synchronous=FULL`` so a committed row survives
a power cut; foreign keys on; a busy timeout so two writers queue instead of
failing. A file that is not SQLite, a schema newer than this Trackside, or a
lock held too long becomes an ``EventFileError`` with a plain message.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competition import journal
from competition.errors import EventFileError
from competition.payload_json import payload_text
from competition.schema import migrations
from competition.sqlite_connection import (  # noqa: F401 - re-exported: the names callers know
    BUSY_NOTICE_AFTER_MS,
    BUSY_TIMEOUT_MS,
    DEFAULT_EVENT_FILE,
    DISK_FULL_BYTES,
    JOURNAL_SIZE_LIMIT_BYTES,
    MAX_BUSY_TIMEOUT_MS,
    _connect,
    _connect_read_only,
    _disk_full_error,
    _read_only_error,
    _translate,
    _writable,
    busy_timeout_ms,
    default_terminal,
    disk_is_full,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

APPEND_CHUNK = 2000
"""Rows ``EventStore.append_many`` writes and applies with one statement each."""


class _UtcClock:
    """``datetime.now(UTC).isoformat(timespec="microseconds")``, the date and time of day formatted once a second.

    A bulk append stamps every row; formatting a datetime for each costs more
    than hashing the row.
    """

    def __init__(self) -> None:
        self.second = -1
        self.prefix = ""

    def __call__(self) -> str:
        second, rest = divmod(time.time_ns(), 1_000_000_000)
        if second != self.second:
            self.second = second
            self.prefix = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds").removesuffix("+00:00")
        return f"{self.prefix}.{rest // 1000:06d}+00:00"


class EventStore:
    """A connection to one event file, with the journal append that all writes go through.

    One store per thread: SQLite connections are not shared across threads.
    """

    def __init__(self, path: str | Path, conn: sqlite3.Connection, *, terminal: str, operator: str):
        self.path = str(path)
        self.conn = conn
        self._db: Database | None = None
        self.terminal = terminal
        self.operator = operator
        self.read_only = False
        self.busy_notice: Callable[[], None] | None = None
        # (seq, hash) of the last journal row, known only inside our own write
        # transaction (BEGIN IMMEDIATE holds the lock, so nobody else appends).
        self._link: tuple[int, str] | None = None
        # Checks every append passes first (an official round refuses changes to its runs).
        self.guards: list[Callable[[str, dict[str, Any]], None]] = []
        # An appeal case the rows appended now are made under (``--case N``): written into each payload.
        self.case_id: int | None = None
        # Meta values read inside our own write transaction (nobody else can change them
        # while we hold the lock): the timing path asks for the course and round per impulse.
        self._meta_cache: dict[str, str | None] | None = None
        # The rows' UTC stamps (the timing path appends three rows per impulse).
        self._utc_now = _UtcClock()
        #: Transactions and savepoints rolled back so far: what was read inside them may be gone
        #: (``competition/gap_hold.py`` reads the journal again after one).
        self.rollbacks = 0

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        terminal: str | None = None,
        operator: str = "",
        busy_notice: Callable[[], None] | None = None,
    ) -> EventStore:
        """Open (or with ``create`` make) an event file and bring its schema up to date.

        A file that cannot be written (read-only file, folder or disk) is opened
        read-only, with no WAL or schema writes: it can still be read, verified
        and exported; a write to it says it is read-only. ``busy_notice`` is
        called once when a write has waited about a second for another writer.
        """
        p = Path(path)
        shown = str(p)
        try:
            p.exists()
        except OSError as exc:  # a name too long, a loop of links, …
            raise EventFileError(f"无法打开赛事文件 {shown[:200]}（{exc.strerror}）。",
                                 f"Cannot open the event file {shown[:200]} ({exc.strerror}).") from exc
        # Never open the file with plain file I/O here: closing any descriptor of
        # it drops this process's POSIX locks, including those of SQLite
        # connections other threads hold (and another process could then
        # checkpoint and delete the WAL under them). SQLite itself says
        # "not a database" for a file that is not one.
        if p.exists():
            if p.is_dir():
                raise EventFileError(f"{shown} 是一个文件夹，不是赛事文件。", f"{shown} is a folder, not an event file.")
            if not p.is_file():
                raise EventFileError(f"{shown} 不是普通文件，不是赛事文件。", f"{shown} is not a regular file, not an event file.")
        elif not create:
            raise EventFileError(
                f"找不到赛事文件 {shown}。请先运行 `trackside init` 建立赛事，或用 --db 指定文件。",
                f"No event file {shown}. Run `trackside init` first, or name the file with --db.",
            )
        elif not p.parent.exists():
            raise EventFileError(f"文件夹 {p.parent} 不存在。", f"The folder {p.parent} does not exist.")
        timeout_ms = busy_timeout_ms()
        read_only = p.exists() and not _writable(p)
        try:
            conn = _connect_read_only(p) if read_only else _connect(shown, timeout_ms)
        except sqlite3.Error as exc:
            raise _translate(exc, shown) from exc
        store = cls(shown, conn, terminal=terminal or default_terminal(), operator=operator)
        store.read_only = read_only
        store.busy_notice = busy_notice
        try:
            store._migrate()
        except sqlite3.Error as exc:
            conn.close()
            raise _translate(exc, shown) from exc
        except EventFileError:
            conn.close()
            raise
        return store

    @property
    def db(self) -> Database:
        """The connection as a ``sqlite_utils.Database`` (sqlite-utils imported on first use: migrations, tests)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def _migrate(self) -> None:
        known = set(migrations.names)
        applied = migrations.applied_names(self.conn)
        newer = applied - known
        if newer:
            raise EventFileError(
                f"{self.path} 由更新版本的 Trackside 写入（结构：{', '.join(sorted(newer))}）。请升级 Trackside 后再打开。",
                f"{self.path} was written by a newer Trackside (schema {', '.join(sorted(newer))}). Upgrade Trackside to open it.",
            )
        if known - applied:  # pending
            if self.read_only:
                raise EventFileError(
                    f"{self.path} 是只读的，且需要升级文件结构后才能打开。请复制到可写的位置再打开。",
                    f"{self.path} is read-only and needs a schema upgrade to open. Copy it somewhere writable.",
                )
            # One writer at a time, also for migrations: take the lock first.
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("COMMIT")
            migrations.apply(self.db)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; it takes the write lock at once (BEGIN IMMEDIATE).

        Nested use joins the outer transaction. A referee action is reported
        done only after this block's COMMIT returned.
        """
        if self.conn.in_transaction:
            yield
            return
        if self.read_only:
            raise _read_only_error(self.path)
        self._begin_immediate()
        self._link = None
        self._meta_cache = {}
        try:
            yield
        except BaseException:
            self._link = None
            self._meta_cache = None
            self.rollbacks += 1
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._link = None
        self._meta_cache = None
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.rollbacks += 1
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _translate(exc, self.path) from exc

    @contextmanager
    def savepoint(self, name: str = "item") -> Iterator[None]:
        """A part of the open transaction that can fail alone (rolled back to, the rest kept).

        Used by the timing pipeline's group commit: one frame that raises is
        undone without losing the other frames of its batch.
        """
        if not self.conn.in_transaction:
            raise RuntimeError("savepoint() outside a transaction")
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            # The link cache may name a row that is rolled back now: read it again (and the meta).
            self._link = None
            self.rollbacks += 1
            if self._meta_cache is not None:
                self._meta_cache.clear()
            if self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        self.conn.execute(f"RELEASE {name}")

    def _begin_immediate(self) -> None:
        """Take the write lock; after about a second of waiting, say so, and keep waiting."""
        total = busy_timeout_ms()
        first = min(total, BUSY_NOTICE_AFTER_MS) if self.busy_notice is not None else total
        try:
            if first < total:
                self.conn.execute(f"PRAGMA busy_timeout={first}")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if first >= total or not ("locked" in text or "busy" in text):
                    raise _translate(exc, self.path) from exc
            assert self.busy_notice is not None
            self.busy_notice()
            self.conn.execute(f"PRAGMA busy_timeout={total - first}")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc
        finally:
            if first < total:
                self.conn.execute(f"PRAGMA busy_timeout={total}")

    def journal_head(self) -> int:
        """The last journal row's seq (0 for an empty journal): what a change moves."""
        try:
            return journal.last_link(self.conn)[0]
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc

    def append(
        self, kind: str, payload: dict[str, Any], *, operator: str | None = None
    ) -> journal.JournalRow:
        """Append a journal row and apply it to the projections, in the open transaction."""
        from competition.projections import apply_row

        if not self.conn.in_transaction:
            raise RuntimeError("append() outside a transaction")
        for guard in self.guards:
            guard(kind, payload)
        if self.case_id is not None:
            payload = {**payload, "case_id": self.case_id}
        self._forget_meta(kind)
        try:
            row = journal.insert_row(
                self.conn,
                utc=self._utc_now(),
                mono_ns=time.monotonic_ns(),
                terminal=self.terminal,
                operator=self.operator if operator is None else operator,
                kind=kind,
                payload=payload,
                link=self._link,
                encode=payload_text,
            )
            self._link = (row.seq, row.hash)
            apply_row(self.conn, row)
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from exc
        return row

    def append_many(
        self, items: list[tuple[str, dict[str, Any]]], *, operator: str | None = None, keep_rows: bool = True
    ) -> list[journal.JournalRow]:
        """``append`` for many rows, in the open transaction, with a few statements instead of two per row.

        The rows are the ones ``append`` would write one by one (same guards,
        case, chain and projections); the guards see the tables as they were
        before the batch (they read rounds and runs, which no batched kind
        writes), and every guard has passed before the first row is written.
        Rows are written and applied ``APPEND_CHUNK`` at a time, in order, so
        the statements' values for 50,000 rows are never all held at once.
        With ``keep_rows=False`` the written rows are not kept and ``[]`` is
        returned (a 50,000-row import would hold 20 MB of rows it never reads).
        """
        from competition.projections import LEAVES_META, apply_rows

        if not self.conn.in_transaction:
            raise RuntimeError("append_many() outside a transaction")
        entries: list[tuple[str, int, str, dict[str, Any]]] = []
        guards, case_id, utc_now = self.guards, self.case_id, _UtcClock()
        for kind, payload in items:
            for guard in guards:
                guard(kind, payload)
            if case_id is not None:
                payload = {**payload, "case_id": case_id}
            if self._meta_cache and kind not in LEAVES_META:  # _forget_meta, without its import per row
                self._meta_cache.clear()
            entries.append((utc_now(), time.monotonic_ns(), kind, payload))
        if not entries:
            return []
        rows: list[journal.JournalRow] = []
        who = self.operator if operator is None else operator
        try:
            for start in range(0, len(entries), APPEND_CHUNK):
                chunk = journal.insert_rows(self.conn, entries[start:start + APPEND_CHUNK], terminal=self.terminal,
                                            operator=who, link=self._link, encode=payload_text)
                self._link = (chunk[-1].seq, chunk[-1].hash)
                apply_rows(self.conn, chunk)
                if keep_rows:
                    rows += chunk
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from exc
        return rows

    def _forget_meta(self, kind: str) -> None:
        """Drop the meta read so far in this transaction unless ``kind`` is known to leave meta alone."""
        from competition.projections import LEAVES_META

        if self._meta_cache and kind not in LEAVES_META:
            self._meta_cache.clear()

    def record(self, kind: str, payload: dict[str, Any], *, operator: str | None = None) -> journal.JournalRow:
        """Append one row in its own durable transaction."""
        with self.transaction():
            return self.append(kind, payload, operator=operator)

    # -- reading ----------------------------------------------------------

    def defer_checkpoints(self) -> None:
        """Never checkpoint the WAL inside this connection's commits.

        A timing writer must not spend a checkpoint's fsync of the whole file
        (tens to hundreds of ms) between a pad slap and its durable row; whoever
        calls this runs ``checkpoint()`` from another thread now and then.
        """
        self.conn.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self, mode: str = "PASSIVE") -> bool:
        """Copy the WAL into the file; True if all of it was copied (nothing left to do).

        PASSIVE never blocks readers or writers. TRUNCATE also empties the WAL
        file, which needs a moment with no reader and no writer: call it with
        ``busy_timeout`` 0 (see competition/wal_bound.py) so it gives up at once
        instead of holding the write lock while it waits.
        """
        if mode not in ("PASSIVE", "TRUNCATE"):
            raise ValueError(f"unknown checkpoint mode {mode!r}")
        try:
            busy, log_frames, done = self.conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.OperationalError:
            return False  # busy: the next one will do it
        return not busy and log_frames == done

    def wal_bytes(self) -> int:
        """The size of the WAL file beside the event file now (0 when there is none)."""
        try:
            return os.stat(f"{self.path}-wal").st_size
        except OSError:
            return 0

    def data_version(self) -> int:
        """Changes when another connection commits: how readers notice news."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def meta(self, key: str, default: str | None = None) -> str | None:
        cache = self._meta_cache if self.conn.in_transaction else None
        if cache is not None and key in cache:
            value = cache[key]
        else:
            try:
                row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                raise _translate(exc, self.path) from exc
            value = None if row is None else str(row[0])
            if cache is not None:
                cache[key] = value
        return default if value is None else value

    def query(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts (column name -> value)."""
        try:
            cur = self.conn.execute(sql, args)
            cols = [d[0] for d in cur.description or ()]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from exc
