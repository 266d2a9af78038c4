"""Opening an event file: one SQLite file per event, crash-safe and shared.

WAL so a second terminal, a headless timing listener and a standings board can
read while one of them writes; ``synchronous=FULL`` so a committed row survives
a power cut; foreign keys on; a busy timeout so two writers queue instead of
failing. A file that is not SQLite, a schema newer than this Trackside, or a
lock held too long becomes an ``EventFileError`` with a plain message.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
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
DEFAULT_EVENT_FILE = "trackside.db"


def default_terminal() -> str:
    """This terminal's id in journal rows: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def busy_timeout_ms() -> int:
    return int(os.environ.get("TRACKSIDE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))


def _translate(exc: sqlite3.Error, path: str) -> EventFileError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        waited = busy_timeout_ms() / 1000
        return EventFileError(
            f"赛事文件 {path} 正被另一个程序长时间占用（已等待 {waited:g} 秒）。"
            "请稍后重试，或关闭另一个终端后再试。",
            f"The event file {path} is locked by another program (waited {waited:g} s). "
            "Try again, or close the other terminal.",
        )
    if "full" in text:
        return EventFileError(
            f"磁盘已满，无法写入赛事文件 {path}；本次操作没有记录，已记录的数据完好。",
            f"The disk is full: cannot write {path}. This action was not recorded; nothing else changed.",
        )
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return EventFileError(
            f"{path} 不是 Trackside 赛事文件（不是 SQLite 数据库或已损坏）。请用 --db 指定正确的文件。",
            f"{path} is not a Trackside event file (not an SQLite database, or damaged). Name the right file with --db.",
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return EventFileError(
            f"无法写入赛事文件 {path}（只读或无权限）。",
            f"Cannot write the event file {path} (read-only or no permission).",
        )
    return EventFileError(
        f"赛事文件 {path} 出错：{exc}", f"Event file {path}: {exc}"
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
        # (seq, hash) of the last journal row, known only inside our own write
        # transaction (BEGIN IMMEDIATE holds the lock, so nobody else appends).
        self._link: tuple[int, str] | None = None
        # Checks every append passes first (an official round refuses changes to its runs).
        self.guards: list[Callable[[str, dict[str, Any]], None]] = []
        # An appeal case the rows appended now are made under (``--case N``): written into each payload.
        self.case_id: int | None = None

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = False,
        terminal: str | None = None,
        operator: str = "",
    ) -> EventStore:
        """Open (or with ``create`` make) an event file and bring its schema up to date."""
        p = Path(path)
        shown = str(p)
        # Never open the file with plain file I/O here: closing any descriptor of
        # it drops this process's POSIX locks, including those of SQLite
        # connections other threads hold (and another process could then
        # checkpoint and delete the WAL under them). SQLite itself says
        # "not a database" for a file that is not one.
        if p.exists():
            if p.is_dir():
                raise EventFileError(f"{shown} 是一个文件夹，不是赛事文件。", f"{shown} is a folder, not an event file.")
        elif not create:
            raise EventFileError(
                f"找不到赛事文件 {shown}。请先运行 `trackside init` 建立赛事，或用 --db 指定文件。",
                f"No event file {shown}. Run `trackside init` first, or name the file with --db.",
            )
        elif not p.parent.exists():
            raise EventFileError(f"文件夹 {p.parent} 不存在。", f"The folder {p.parent} does not exist.")
        try:
            timeout_ms = busy_timeout_ms()
            # Autocommit at the driver level: transactions are explicit (BEGIN
            # IMMEDIATE in ``transaction``), never opened behind our back.
            conn = sqlite3.connect(shown, timeout=timeout_ms / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={timeout_ms}")
            conn.execute("PRAGMA schema_version").fetchone()
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise EventFileError(
                    f"无法把 {shown} 设为 WAL 模式（{mode}）。", f"Cannot put {shown} in WAL mode ({mode})."
                )
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise _translate(exc, shown) from exc
        store = cls(shown, conn, terminal=terminal or default_terminal(), operator=operator)
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
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from exc
        self._link = None
        try:
            yield
        except BaseException:
            self._link = None
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self._link = None
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
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

    def checkpoint(self) -> None:
        """Copy the WAL into the file without blocking readers or writers (PASSIVE)."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.OperationalError:
            pass  # busy: the next one will do it

    def data_version(self) -> int:
        """Changes when another connection commits: how readers notice news."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def query(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts (column name -> value)."""
        try:
            cur = self.conn.execute(sql, args)
            cols = [d[0] for d in cur.description or ()]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from exc
