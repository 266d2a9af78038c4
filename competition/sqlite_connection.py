"""Connections to an event file, and SQLite's errors in plain words.

How long a writer waits for the lock (``TRACKSIDE_BUSY_TIMEOUT_MS``, checked),
the pragmas every connection gets (WAL, ``synchronous=FULL``, foreign keys,
``journal_size_limit``), a read-only connection for a file we may not write,
and ``sqlite3`` errors turned into an ``EventFileError`` that says what to do
(busy, disk full, not an event file, read-only). ``competition.eventfile``
builds the ``EventStore`` on these.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import urllib.parse
from pathlib import Path

from competition.errors import EventFileError

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
