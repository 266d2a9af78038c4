"""Opening an event file: one SQLite file per event, crash-safe and shared.

WAL so a second terminal, a headless timing listener and a standings board can
read while one of them writes; ``synchronous=FULL`` so a committed row survives
a power cut; foreign keys on; a busy timeout so two writers queue instead of
failing. A file that is not SQLite, a schema newer than this Trackside, or a
lock held too long becomes an ``EventFileError`` with a plain message.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from competition import journal
from competition.errors import EventFileError
from competition.schema import migrations

BUSY_TIMEOUT_MS = 10_000  # TRACKSIDE_BUSY_TIMEOUT_MS overrides (tests use a short one)
MAX_BUSY_TIMEOUT_MS = 600_000
BUSY_NOTICE_AFTER_MS = 1_000  # a waiting writer says so after about a second
DISK_FULL_BYTES = 64 * 1024
DEFAULT_EVENT_FILE = "trackside.db"
# A WAL that is reset after a complete checkpoint is cut back to this size (``journal_size_limit``);
# the bound the recorder keeps it under is in competition/wal_bound.py and docs/PERFORMANCE.md.
JOURNAL_SIZE_LIMIT_BYTES = 1024 * 1024


def default_terminal() -> str:
    """This terminal's id in journal rows: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def busy_timeout_ms() -> int:
    """How long a writer waits for the write lock; ``TRACKSIDE_BUSY_TIMEOUT_MS`` checked, not trusted."""
    raw = os.environ.get("TRACKSIDE_BUSY_TIMEOUT_MS")
    if raw is None or not raw.strip():
        return BUSY_TIMEOUT_MS
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9 and int(text) <= MAX_BUSY_TIMEOUT_MS):
        raise EventFileError(
            f"环境变量 TRACKSIDE_BUSY_TIMEOUT_MS={raw[:24]!r} 无效：必须是 0 到 {MAX_BUSY_TIMEOUT_MS} 之间的整数（毫秒）。"
            "请改正或删除它。",
            f"The environment variable TRACKSIDE_BUSY_TIMEOUT_MS={raw[:24]!r} is invalid: it must be a whole "
            f"number of milliseconds from 0 to {MAX_BUSY_TIMEOUT_MS}. Fix or unset it.",
        )
    return int(text)


def disk_is_full(path: str | Path) -> bool:
    """True when the filesystem holding ``path`` has (almost) no free space left."""
    folder = Path(path).absolute().parent
    try:
        return shutil.disk_usage(folder).free < DISK_FULL_BYTES
    except OSError:
        return False


def _disk_full_error(path: str) -> EventFileError:
    return EventFileError(
        f"磁盘已满，无法写入赛事文件 {path}；本次操作没有记录，已记录的数据完好。请腾出磁盘空间后重试。",
        f"The disk is full: cannot write {path}. This action was not recorded; nothing else changed. "
        "Free some disk space and try again.",
    )


def _translate(exc: sqlite3.Error, path: str) -> EventFileError:
    text = str(exc).lower()
    code = str(getattr(exc, "sqlite_errorname", "") or "")
    if code == "SQLITE_FULL" or "full" in text:
        return _disk_full_error(path)
    if ("disk i/o error" in text or code.startswith("SQLITE_IOERR")) and disk_is_full(path):
        return _disk_full_error(path)
    if "locked" in text or "busy" in text:
        waited = busy_timeout_ms() / 1000
        return EventFileError(
            f"赛事文件 {path} 正被另一个程序长时间占用（已等待 {waited:g} 秒）。"
            "请稍后重试，或关闭另一个终端后再试。",
            f"The event file {path} is locked by another program (waited {waited:g} s). "
            "Try again, or close the other terminal.",
        )
    if "malformed" in text or code == "SQLITE_CORRUPT":
        return EventFileError(
            f"赛事文件 {path} 已损坏（数据库页面格式错误）。请用 `trackside verify` 查看，并改用最近的备份。",
            f"The event file {path} is damaged (a malformed database page). Run `trackside verify`, "
            "and use the latest backup.",
        )
    if "no such table" in text or "no such column" in text:
        what = str(exc).split(":", 1)[-1].strip()
        return EventFileError(
            f"赛事文件 {path} 已损坏：缺少数据表或列 {what}。请运行 `trackside verify`，并改用最近的备份。",
            f"The event file {path} is damaged: the table or column {what} is missing. Run `trackside verify`, "
            "and use the latest backup.",
        )
    if "not a database" in text or "file is encrypted" in text:
        return EventFileError(
            f"{path} 不是 Trackside 赛事文件（不是 SQLite 数据库或已损坏）。请用 --db 指定正确的文件。",
            f"{path} is not a Trackside event file (not an SQLite database, or damaged). Name the right file with --db.",
        )
    if "readonly" in text or "read-only" in text:
        return _read_only_error(path)
    if "unable to open" in text:
        return EventFileError(
            f"无法写入赛事文件 {path}（只读或无权限）。",
            f"Cannot write the event file {path} (read-only or no permission).",
        )
    return EventFileError(
        f"赛事文件 {path} 出错：{exc}", f"Event file {path}: {exc}"
    )


def _writable(p: Path) -> bool:
    """Can this process write the file and create its -wal/-shm beside it?"""
    folder = p.absolute().parent
    return os.access(p, os.W_OK) and os.access(folder, os.W_OK)


def _connect(shown: str, timeout_ms: int) -> sqlite3.Connection:
    # Autocommit at the driver level: transactions are explicit (BEGIN
    # IMMEDIATE in ``transaction``), never opened behind our back.
    conn = sqlite3.connect(shown, timeout=timeout_ms / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout={timeout_ms}")
        conn.execute("PRAGMA schema_version").fetchone()
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise EventFileError(
                f"无法把 {shown} 设为 WAL 模式（{mode}）。", f"Cannot put {shown} in WAL mode ({mode})."
            )
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT_BYTES}")
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_read_only(p: Path) -> sqlite3.Connection:
    """Open a file we cannot write: ``mode=ro``, or ``immutable=1`` when even the -shm cannot be made.

    Immutable ignores a WAL, so it is used only when there is no WAL with rows
    in it (a file closed cleanly, or a copy): nothing is ever read stale.
    """
    target = urllib.parse.quote(str(p.absolute()))
    try:
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, isolation_level=None)
        conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "unable to open" not in text and "readonly" not in text and "read-only" not in text:
            raise
    wal = Path(f"{p}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise EventFileError(
            f"赛事文件 {p} 是只读的，且旁边的 {wal.name} 还有未并入的记录；无法只读打开。"
            f"请把 {p.name} 与 {wal.name} 一起复制到可写的位置再打开。",
            f"The event file {p} is read-only and {wal.name} beside it holds rows not yet merged; it cannot "
            f"be opened read-only. Copy {p.name} together with {wal.name} somewhere writable.",
        )
    conn = sqlite3.connect(f"file:{target}?immutable=1", uri=True, isolation_level=None)
    conn.execute("PRAGMA schema_version").fetchone()
    return conn


def _read_only_error(path: str) -> EventFileError:
    return EventFileError(
        f"赛事文件 {path} 是只读的（只读文件、文件夹或磁盘），只能查看、校验和导出，不能写入。本次操作没有记录。",
        f"The event file {path} is read-only (read-only file, folder or disk): it can be read, verified and "
        "exported, not written. This action was not recorded.",
    )


class EventStore:
    """A connection to one event file, with the journal append that all writes go through.

    One store per thread: SQLite connections are not shared across threads.
    """

    def __init__(self, path: str | Path, conn: sqlite3.Connection, *, terminal: str, operator: str):
        self.path = str(path)
        self.conn = conn
        self.db = Database(conn)
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

    def _migrate(self) -> None:
        known = {m.name for m in migrations._migrations}
        applied = {m.name for m in migrations.applied(self.db)}
        newer = applied - known
        if newer:
            raise EventFileError(
                f"{self.path} 由更新版本的 Trackside 写入（结构：{', '.join(sorted(newer))}）。请升级 Trackside 后再打开。",
                f"{self.path} was written by a newer Trackside (schema {', '.join(sorted(newer))}). Upgrade Trackside to open it.",
            )
        if migrations.pending(self.db):
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
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._link = None
        self._meta_cache = None
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
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
                utc=datetime.now(UTC).isoformat(timespec="microseconds"),
                mono_ns=time.monotonic_ns(),
                terminal=self.terminal,
                operator=self.operator if operator is None else operator,
                kind=kind,
                payload=payload,
                link=self._link,
            )
            self._link = (row.seq, row.hash)
            apply_row(self.conn, row)
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from exc
        return row

    def append_many(
        self, items: list[tuple[str, dict[str, Any]]], *, operator: str | None = None
    ) -> list[journal.JournalRow]:
        """``append`` for many rows, in the open transaction, with a few statements instead of two per row.

        The rows are the ones ``append`` would write one by one (same guards,
        case, chain and projections); the guards see the tables as they were
        before the batch (they read rounds and runs, which no batched kind writes).
        """
        from competition.projections import apply_rows

        if not self.conn.in_transaction:
            raise RuntimeError("append_many() outside a transaction")
        entries: list[tuple[str, int, str, dict[str, Any]]] = []
        for kind, payload in items:
            for guard in self.guards:
                guard(kind, payload)
            if self.case_id is not None:
                payload = {**payload, "case_id": self.case_id}
            self._forget_meta(kind)
            entries.append((datetime.now(UTC).isoformat(timespec="microseconds"), time.monotonic_ns(), kind, payload))
        if not entries:
            return []
        try:
            rows = journal.insert_rows(self.conn, entries, terminal=self.terminal,
                                       operator=self.operator if operator is None else operator, link=self._link)
            self._link = (rows[-1].seq, rows[-1].hash)
            apply_rows(self.conn, rows)
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
