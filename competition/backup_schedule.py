"""Automatic backups: every N minutes from the app and ``timing listen``, and ``backup_now``.

``BackupSchedule`` runs ``competition.backup.backup_event`` in its own thread;
a failing target (a USB stick pulled, full, read-only) is reported to its
listener as an alarm and never stops timing. ``backup_now`` is the hook for
"a round became official": an immediate backup into the running schedule's
folder.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from competition.backup import (
    DEFAULT_EVERY_MIN,
    BackupError,
    BackupResult,
    backup_event,
    default_backup_dir,
    source_head,
)
from competition.errors import TracksideError

if TYPE_CHECKING:
    from competition.event import Event


@dataclass(frozen=True)
class BackupOutcome:
    """What one scheduled backup did: written, unchanged since the last one, or failed."""

    reason: str
    result: BackupResult | None = None
    unchanged: bool = False
    error_zh: str | None = None
    error_en: str | None = None

    @property
    def failed(self) -> bool:
        return self.error_zh is not None

    def line(self, lang: str) -> str:
        if self.result is not None:
            return self.result.line(lang)
        if self.failed:
            return ("BACKUP FAILED: " + (self.error_en or "")) if lang == "en" else ("备份失败：" + (self.error_zh or ""))
        return "Backup: nothing new since the last one." if lang == "en" else "备份：自上次备份以来没有新记录。"


BackupListener = Callable[[BackupOutcome], None]

_running: list[BackupSchedule] = []
_running_lock = threading.Lock()


class BackupSchedule:
    """Backs an event file up into one folder every ``every_s`` seconds, in its own thread.

    The first backup is taken at ``start``, so a bad target shows at once. A tick
    with nothing new since the last backup writes nothing but still checks that the
    folder can be written. Every outcome goes to ``on_outcome`` (called in this
    thread); nothing that goes wrong here ever leaves the thread.
    """

    def __init__(self, event_path: str | Path, to_dir: str | Path | None, *, every_s: float,
                 on_outcome: BackupListener | None = None) -> None:
        if every_s <= 0:
            raise ValueError("every_s must be positive")
        self.event_path = Path(event_path)
        self.to_dir = Path(to_dir) if to_dir is not None else None
        self.every_s = every_s
        self.on_outcome = on_outcome
        self.last: BackupOutcome | None = None
        self.last_result: BackupResult | None = None
        self.written = 0
        self.failures = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._requests: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="trackside-backup", daemon=True)

    @property
    def folder(self) -> Path:
        return self.to_dir if self.to_dir is not None else default_backup_dir(self.event_path)

    def start(self) -> None:
        with _running_lock:
            _running.append(self)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)
        with _running_lock:
            if self in _running:
                _running.remove(self)

    def request(self, reason: str) -> None:
        """Back up as soon as possible (in this schedule's thread), whatever changed."""
        with self._lock:
            self._requests.append(reason)
        self._wake.set()

    def _loop(self) -> None:
        self._run_once("start", force=True)
        while not self._stopping.is_set():
            self._wake.wait(self.every_s)
            if self._stopping.is_set():
                break
            self._wake.clear()
            with self._lock:
                requests, self._requests = self._requests, []
            if requests:
                self._run_once(requests[0], force=True)
            else:
                self._run_once("auto", force=False)

    def _run_once(self, reason: str, *, force: bool) -> None:
        try:
            outcome = self._backup(reason, force=force)
        except TracksideError as exc:
            outcome = BackupOutcome(reason, error_zh=exc.message_zh, error_en=exc.message_en)
        except Exception as exc:  # never let a backup problem end the thread
            outcome = BackupOutcome(reason, error_zh=f"{type(exc).__name__}: {exc}", error_en=f"{type(exc).__name__}: {exc}")
        self.last = outcome
        if outcome.failed:
            self.failures += 1
        elif outcome.result is not None:
            self.written += 1
            self.last_result = outcome.result
        if self.on_outcome is not None:
            try:
                self.on_outcome(outcome)
            except Exception:  # a listener's bug must not stop the backups
                pass

    def _backup(self, reason: str, *, force: bool) -> BackupOutcome:
        if not force and self.last_result is not None:
            head = source_head(self.event_path)
            last = self.last_result.head
            if head == (last.seq, last.hash):
                folder = self.folder
                if not folder.is_dir() or not os.access(folder, os.W_OK):
                    raise BackupError(f"备份位置 {folder} 不可写（已拔出？）。",
                                      f"The backup target {folder} cannot be written (removed?).")
                return BackupOutcome(reason, unchanged=True)
        return BackupOutcome(reason, result=backup_event(self.event_path, self.to_dir, reason=reason))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def backup_now(event: Event | str | Path, reason: str, *, to_dir: str | Path | None = None) -> BackupResult:
    """Back the event up now, synchronously (for "a round became official").

    Goes to ``to_dir``, else to the folder of a schedule running in this process for
    the same file (the USB stick given with ``--backup-dir``), else to ``backups/``
    beside the event file. Raises BackupError.
    """
    path = Path(event if isinstance(event, str | Path) else event.path)
    if to_dir is None:
        with _running_lock:
            folders = [s.to_dir for s in _running if _same_file(s.event_path, path)]
        to_dir = folders[0] if folders else None
    return backup_event(path, to_dir, reason=reason)


def schedule_from_options(event_path: str | Path, backup_dir: str | Path | None, every_min: int | None, *,
                          on_outcome: BackupListener | None = None) -> BackupSchedule | None:
    """The schedule ``--backup-dir``/``--backup-every`` ask for (not started), or None if neither was given."""
    if backup_dir is None and every_min is None:
        return None
    return BackupSchedule(event_path, backup_dir, every_s=60 * (every_min or DEFAULT_EVERY_MIN), on_outcome=on_outcome)
