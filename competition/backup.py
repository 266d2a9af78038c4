"""Backups of the event file off the laptop, checked, and restores that check first.

A backup is taken through SQLite's online backup API in one step: one read
snapshot of the whole file, so recorders and other terminals keep writing
(WAL) while it copies, and the copy holds exactly the journal up to one row.
The copy is written under a temporary name in the target folder, checked
there (integrity, hash chain, every projection rebuilt from the journal),
switched to a single self-contained file (no ``-wal``) and only then renamed to

    <event title>-<UTC time>-seq<head row>-<head hash, 8>.trackside.db

so a file with that name is always complete up to the row it names. Nothing
is ever overwritten; each backup adds a line to ``trackside-backups.log`` in
the folder. The default folder is ``backups/`` beside the event file; an
explicit folder (a USB stick) must exist, so a stick that is not mounted is
an error rather than a silent copy onto the laptop's own disk.

``restore_backup`` checks a backup before it becomes an event file again.
Automatic backups (``BackupSchedule``, ``backup_now``) are in
``competition.backup_schedule``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from competition.durable import fsync_folder
from competition.errors import TracksideError
from competition.journal import JournalHead, journal_head, verify_chain
from competition.rebuild import compare_projections, rebuild_projections

BACKUP_SUFFIX = ".trackside.db"
DEFAULT_DIR_NAME = "backups"
LOG_NAME = "trackside-backups.log"
DEFAULT_EVERY_MIN = 5


class BackupError(TracksideError):
    """A backup could not be written, or a file is not a usable backup."""


# -- checking a copy ----------------------------------------------------------------


@dataclass
class CopyCheck:
    """What ``check_copy`` found in a file: its head, its title, and any problem."""

    path: Path
    head: JournalHead | None = None
    title: str = ""
    problems_zh: list[str] = field(default_factory=list)
    problems_en: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems_zh

    def problem(self, zh: str, en: str) -> None:
        self.problems_zh.append(zh)
        self.problems_en.append(en)

    def problems(self, lang: str) -> list[str]:
        return self.problems_en if lang == "en" else self.problems_zh


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a copy for reading without creating or changing anything beside it."""
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        # A copy still marked WAL on a read-only medium: read the file as it is.
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        conn.execute("PRAGMA schema_version").fetchone()
        return conn


def check_copy(path: str | Path) -> CopyCheck:
    """Check a backup (or any event file nobody writes): SQLite integrity, a known
    schema, an event in it, the hash chain, and every projection rebuilt from the
    journal equal to the tables stored. Read-only."""
    from competition.schema import migrations

    p = Path(path)
    check = CopyCheck(p)
    if not p.is_file():
        check.problem(f"找不到文件 {p}。", f"No file {p}.")
        return check
    try:
        conn = _connect_read_only(p)
    except sqlite3.Error as exc:
        check.problem(f"{p} 无法作为 SQLite 数据库打开（{exc}）。", f"{p} cannot be opened as SQLite ({exc}).")
        return check
    try:
        conn.execute("BEGIN")
        integrity = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
        if integrity != ["ok"]:
            check.problem(f"{p} 已损坏：{'；'.join(integrity[:3])}", f"{p} is damaged: {'; '.join(integrity[:3])}")
            return check
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "journal" not in tables or "meta" not in tables:
            check.problem(f"{p} 不是 Trackside 赛事文件（没有日志表）。", f"{p} is not a Trackside event file (no journal).")
            return check
        if "_sqlite_migrations" in tables:
            applied = {str(r[0]) for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (migrations.name,))}
            newer = applied - {m.name for m in migrations._migrations}
            if newer:
                check.problem(
                    f"{p} 由更新版本的 Trackside 写入（结构：{', '.join(sorted(newer))}），请升级后再恢复。",
                    f"{p} was written by a newer Trackside (schema {', '.join(sorted(newer))}); upgrade first.",
                )
                return check
        title = conn.execute("SELECT value FROM meta WHERE key = 'title'").fetchone()
        if conn.execute("SELECT value FROM meta WHERE key = 'course_toml'").fetchone() is None:
            check.problem(f"{p} 里还没有建立赛事。", f"{p} holds no event.")
        check.title = str(title[0]) if title else ""
        check.head = journal_head(conn)
        _, chain = verify_chain(conn)
        for c in chain[:5]:
            check.problem("日志：" + c.what_zh, "Journal: " + c.what_en)
        scratch = rebuild_projections(conn)
        try:
            differences = compare_projections(conn, scratch)
        finally:
            scratch.close()
        for table in sorted({d.table for d in differences}):
            check.problem(f"数据表 {table} 与日志不符。", f"Table {table} differs from the journal.")
    except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
        # A payload that is not JSON or lacks a field the rebuild needs: the copy is not usable.
        check.problem(f"{p} 无法校验（{type(exc).__name__}: {exc}）。", f"{p} cannot be checked ({type(exc).__name__}: {exc}).")
    finally:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        conn.close()
    return check


# -- writing a backup ---------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    """A backup written and checked."""

    path: Path
    head: JournalHead
    size_bytes: int
    reason: str

    def line(self, lang: str) -> str:
        if lang == "en":
            return (f"Backup written: {self.path} (row {self.head.seq}, hash {self.head.short}, "
                    f"{self.head.rows} rows, checked).")
        return f"备份完成：{self.path}（第 {self.head.seq} 行，哈希 {self.head.short}，共 {self.head.rows} 行，已校验）。"


def default_backup_dir(event_path: str | Path) -> Path:
    """``backups/`` in the event file's folder."""
    return Path(event_path).resolve().parent / DEFAULT_DIR_NAME


_UNSAFE_NAME = re.compile(r"[^\w\-]+")


def _label(title: str, event_path: Path) -> str:
    """The event's name as a file-name part: letters (CJK too), digits, - and _."""
    for candidate in (title, event_path.stem):
        text = _UNSAFE_NAME.sub("_", candidate).strip("_.")
        if text:
            return text[:40]
    return "event"


def backup_name(title: str, event_path: Path, when: datetime, head: JournalHead) -> str:
    return f"{_label(title, event_path)}-{when.strftime('%Y%m%dT%H%M%SZ')}-seq{head.seq}-{head.short}{BACKUP_SUFFIX}"


def _sqlite_failure(exc: sqlite3.Error, target: Path) -> BackupError:
    text = str(exc).lower()
    if "full" in text:
        return BackupError(f"备份位置 {target} 已满，备份未写成。", f"The backup target {target} is full; no backup written.")
    if "readonly" in text or "read-only" in text or "unable to open" in text or "disk i/o" in text:
        return BackupError(f"无法写入备份位置 {target}（只读、已拔出或无权限）。",
                           f"Cannot write to the backup target {target} (read-only, removed or no permission).")
    if "locked" in text or "busy" in text:
        return BackupError("赛事文件正忙，备份未完成，稍后会再试。", "The event file is busy; the backup will be tried again.")
    return BackupError(f"备份失败：{exc}", f"Backup failed: {exc}")


def place_without_overwrite(temp: Path, final: Path) -> None:
    """Move a finished file to its name, refusing (FileExistsError) if the name is taken."""
    try:
        os.link(temp, final)  # atomic, and fails if ``final`` exists
    except FileExistsError:
        raise
    except OSError:
        # No hard links on this file system (FAT on a USB stick).
        if final.exists():
            raise FileExistsError(str(final)) from None
        os.rename(temp, final)
    else:
        os.unlink(temp)
    fsync_folder(final.parent)


def copy_database(source: sqlite3.Connection, temp: Path) -> None:
    """One-step online copy into ``temp``, left as one self-contained file."""
    dest = sqlite3.connect(str(temp), isolation_level=None)
    try:
        source.backup(dest)  # pages=-1: the whole file from one read snapshot
        dest.execute("PRAGMA journal_mode=DELETE").fetchone()
        dest.execute("PRAGMA synchronous=FULL")
    finally:
        dest.close()


def open_source(event_path: Path) -> sqlite3.Connection:
    from competition.eventfile import busy_timeout_ms

    timeout_ms = busy_timeout_ms()
    conn = sqlite3.connect(str(event_path), timeout=timeout_ms / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={timeout_ms}")
    return conn


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass


def backup_event(
    event_path: str | Path, to_dir: str | Path | None = None, *, reason: str = "manual",
    now: Callable[[], datetime] | None = None,
) -> BackupResult:
    """Copy the event file into ``to_dir`` (default ``backups/`` beside it), checked and named
    by its journal head. Safe while other processes write. Raises BackupError."""
    source_path = Path(event_path)
    if not source_path.is_file():
        raise BackupError(f"找不到赛事文件 {source_path}。", f"No event file {source_path}.")
    if to_dir is None:
        folder = default_backup_dir(source_path)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise BackupError(f"无法建立备份文件夹 {folder}：{exc.strerror}",
                              f"Cannot create the backup folder {folder}: {exc.strerror}") from exc
    else:
        folder = Path(to_dir)
        try:
            usable = folder.is_dir()
        except OSError as exc:  # a name too long, a folder we may not look into
            raise BackupError(f"无法使用备份文件夹 {folder}：{exc.strerror}",
                              f"Cannot use the backup folder {folder}: {exc.strerror}") from exc
        if not usable:
            raise BackupError(f"备份文件夹 {folder} 不存在（U 盘插好并挂载了吗？）。",
                              f"The backup folder {folder} does not exist (is the USB stick plugged in and mounted?).")
    temp = folder / f".{source_path.stem}.{os.getpid()}.{threading.get_ident()}.partial"
    leftovers = (temp, Path(f"{temp}-journal"))
    _remove_quietly(*leftovers)
    try:
        source = open_source(source_path)
        try:
            copy_database(source, temp)
        finally:
            source.close()
    except sqlite3.Error as exc:
        _remove_quietly(*leftovers)
        raise _sqlite_failure(exc, folder) from exc
    except OSError as exc:
        _remove_quietly(*leftovers)
        raise BackupError(f"无法写入备份位置 {folder}：{exc.strerror}",
                          f"Cannot write to the backup target {folder}: {exc.strerror}") from exc
    check = check_copy(temp)
    if not check.ok or check.head is None:
        _remove_quietly(*leftovers)
        raise BackupError(
            "备份副本未通过校验，已删除该副本：" + "；".join(check.problems_zh[:3]) + "。请运行 trackside verify 检查赛事文件。",
            "The backup copy failed its check and was removed: " + "; ".join(check.problems_en[:3])
            + ". Run trackside verify on the event file.",
        )
    when = (now or (lambda: datetime.now(UTC)))()
    final = folder / backup_name(check.title, source_path, when, check.head)
    n = 2
    while True:
        try:
            place_without_overwrite(temp, final)
            break
        except FileExistsError:
            final = folder / backup_name(check.title, source_path, when, check.head).replace(
                BACKUP_SUFFIX, f"-{n}{BACKUP_SUFFIX}")
            n += 1
        except OSError as exc:
            _remove_quietly(*leftovers)
            raise BackupError(f"无法写入备份位置 {folder}：{exc.strerror}",
                              f"Cannot write to the backup target {folder}: {exc.strerror}") from exc
    result = BackupResult(final, check.head, final.stat().st_size, reason)
    _log(folder, when, result)
    return result


def _log(folder: Path, when: datetime, result: BackupResult) -> None:
    """One line per backup in the folder's log; the backup itself is already safe."""
    line = (f"{when.strftime('%Y-%m-%dT%H:%M:%SZ')}\tseq={result.head.seq}\thead={result.head.short}"
            f"\trows={result.head.rows}\treason={result.reason}\tfile={result.path.name}\n")
    try:
        with open(folder / LOG_NAME, "a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError:
        pass


def source_head(event_path: str | Path) -> tuple[int, str] | None:
    """The live file's last (seq, hash), cheaply; None if it cannot be read now."""
    try:
        conn = open_source(Path(event_path))
        try:
            row = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return (int(row[0]), str(row[1])) if row else (0, "")


# -- restoring ----------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    head: JournalHead
    title: str
    renamed: bool  # the requested name was taken, so a new one was chosen


def restore_backup(backup: str | Path, *, to: str | Path | None, default_target: str | Path,
                   now: Callable[[], datetime] | None = None) -> RestoreResult:
    """Check ``backup`` and make it an event file again, never over an existing file.

    ``to`` must not exist. Without it the restored file is ``default_target`` (the
    ``--db`` file) when that does not exist, else a new name beside it.
    """
    source = Path(backup)
    check = check_copy(source)
    if not check.ok or check.head is None:
        raise BackupError(
            f"{source} 不能用于恢复：" + "；".join(check.problems_zh[:5]),
            f"{source} cannot be restored: " + "; ".join(check.problems_en[:5]),
        )
    renamed = False
    if to is not None:
        target = Path(to)
        if target.exists() or Path(f"{target}-wal").exists():
            raise BackupError(f"{target} 已存在，恢复不会覆盖任何文件。请用 --to 指定一个新文件名。",
                              f"{target} exists; a restore never overwrites a file. Name a new file with --to.")
    else:
        target = Path(default_target)
        if target.exists() or Path(f"{target}-wal").exists():
            stamp = (now or (lambda: datetime.now(UTC)))().strftime("%Y%m%dT%H%M%SZ")
            target = target.with_name(f"{target.stem}-restored-{stamp}{target.suffix or '.db'}")
            renamed = True
            if target.exists():
                raise BackupError(f"{target} 已存在，请用 --to 指定一个新文件名。", f"{target} exists; name a new file with --to.")
    if not target.parent.is_dir():
        raise BackupError(f"文件夹 {target.parent} 不存在。", f"The folder {target.parent} does not exist.")
    temp = target.parent / f".{target.name}.{os.getpid()}.restoring"
    leftovers = (temp, Path(f"{temp}-journal"))
    _remove_quietly(*leftovers)
    try:
        conn = _connect_read_only(source)
        try:
            copy_database(conn, temp)
        finally:
            conn.close()
        again = check_copy(temp)
        if not again.ok or again.head != check.head:
            raise BackupError(f"恢复到 {target} 的副本未通过校验，未恢复。", f"The copy restored to {target} failed its check; nothing restored.")
        place_without_overwrite(temp, target)
    except FileExistsError:
        _remove_quietly(*leftovers)
        raise BackupError(f"{target} 已存在，恢复不会覆盖任何文件。", f"{target} exists; a restore never overwrites a file.") from None
    except sqlite3.Error as exc:
        _remove_quietly(*leftovers)
        raise _sqlite_failure(exc, target.parent) from exc
    except OSError as exc:
        _remove_quietly(*leftovers)
        raise BackupError(f"无法写入 {target}：{exc.strerror}", f"Cannot write {target}: {exc.strerror}") from exc
    except BackupError:
        _remove_quietly(*leftovers)
        raise
    return RestoreResult(target, check.head, check.title, renamed)
