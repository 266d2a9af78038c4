"""The recorder's health file: what a running recorder says about itself, beside the event file.

``trackside timing listen`` (the recorder process) keeps
``<event>.recorder-track<N>.json`` up to date: replaced atomically about once
a second (the heartbeat) and at once on every change (port online/offline, an
impulse). The app reads it to show the recorder on its status bar and to tell
a live recorder from a dead or hung one: a heartbeat older than
``STALE_AFTER_NS`` means nobody is recording, whatever else the file says.

Times: ``*_host_ns`` are ``time.monotonic_ns()`` (one clock for every process
on the machine, the one impulses are stamped with); ``*_utc_ns`` are wall
time, for people. Nothing here is part of the event: the journal is the
record, this file is only a window on a process.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHANGE_EVERY_S = 0.2  # at most this often on changes; the heartbeat still every HEARTBEAT_S
HEARTBEAT_S = 1.0
STALE_AFTER_NS = 4_000_000_000  # four missed heartbeats: the recorder is dead or hung
NS_SLACK = 1_000_000_000  # clock reading order between processes, wall-clock steps


def health_path(db_path: str | os.PathLike[str], track: int) -> Path:
    return Path(f"{os.fspath(db_path)}.recorder-track{track}.json")


def log_path(db_path: str | os.PathLike[str], track: int) -> Path:
    """Where a recorder started by the app writes its output (never onto the screen)."""
    return Path(f"{os.fspath(db_path)}.recorder-track{track}.log")


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, somebody else's
    return True


@dataclass(frozen=True)
class RecorderHealth:
    """One reading of the health file."""

    pid: int
    url: str
    protocol: str
    track: int
    settings: str
    started_utc_ns: int
    heartbeat_host_ns: int
    heartbeat_utc_ns: int
    state: str  # running | stopped
    online: bool | None  # None: the port was never open yet
    error_zh: str | None
    error_en: str | None
    last_impulse_host_ns: int | None
    backlog: int
    write_errors: int
    counts: dict[str, int] = field(default_factory=dict)
    nice: int | None = None  # the process's scheduling priority (lower: more urgent; 0 the default)

    def age_ns(self, now_host_ns: int | None = None) -> int:
        return (time.monotonic_ns() if now_host_ns is None else now_host_ns) - self.heartbeat_host_ns

    def fresh(self, now_host_ns: int | None = None) -> bool:
        """Running, and its heartbeat is recent: a recorder that is alive and not hung.

        Both clocks must agree: a file left from before a reboot (the monotonic
        clock started again) is not fresh, whatever its monotonic stamp says.
        """
        age = self.age_ns(now_host_ns)
        wall_age = abs(time.time_ns() - self.heartbeat_utc_ns) if now_host_ns is None else 0
        return (self.state == "running" and -NS_SLACK <= age <= STALE_AFTER_NS
                and wall_age <= STALE_AFTER_NS + NS_SLACK)

    def live(self, now_host_ns: int | None = None) -> bool:
        """Fresh and its process exists: a recorder one may attach to."""
        return self.fresh(now_host_ns) and pid_alive(self.pid)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RecorderHealth:
        counts = d.get("counts") or {}
        return cls(
            pid=int(d["pid"]), url=str(d["url"]), protocol=str(d["protocol"]), track=int(d["track"]),
            settings=str(d.get("settings", "")), started_utc_ns=int(d.get("started_utc_ns", 0)),
            heartbeat_host_ns=int(d["heartbeat_host_ns"]), heartbeat_utc_ns=int(d.get("heartbeat_utc_ns", 0)),
            state=str(d.get("state", "running")), online=d.get("online"),
            error_zh=d.get("error_zh"), error_en=d.get("error_en"),
            last_impulse_host_ns=None if d.get("last_impulse_host_ns") is None else int(d["last_impulse_host_ns"]),
            backlog=int(d.get("backlog", 0)), write_errors=int(d.get("write_errors", 0)),
            counts={str(k): int(v) for k, v in counts.items()},
            nice=None if d.get("nice") is None else int(d["nice"]),
        )


def read_health(db_path: str | os.PathLike[str], track: int) -> RecorderHealth | None:
    """The recorder's last word on ``track``; None if there is none (or it cannot be read now)."""
    try:
        data = json.loads(health_path(db_path, track).read_text(encoding="utf-8"))
        return RecorderHealth.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` whole (write a temporary file, rename): a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


class HealthWriter:
    """Writes the health file from its own thread: every ``HEARTBEAT_S`` and whenever ``changed()``.

    ``snapshot`` is called in that thread and returns the fields that vary
    (online, backlog, counts…); the writer adds pid, heartbeat and the fixed
    fields. A write that fails (disk full) is retried on the next beat: the
    file going stale is then the truthful signal.
    """

    def __init__(self, db_path: str, *, track: int, url: str, protocol: str, settings: str,
                 snapshot: Callable[[], dict[str, Any]], heartbeat_s: float = HEARTBEAT_S) -> None:
        self.path = health_path(db_path, track)
        self.fixed = {"pid": os.getpid(), "url": url, "protocol": protocol, "track": track, "settings": settings,
                      "started_utc_ns": time.time_ns(), "db": os.path.abspath(db_path)}
        self.snapshot = snapshot
        self.heartbeat_s = heartbeat_s
        self.writes = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trackside-recorder-health", daemon=True)

    def changed(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self.write("running")
        self._thread.start()

    def stop(self) -> None:
        """The last word: ``stopped`` (a clean exit, not a death)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=3)
        self.write("stopped")

    def write(self, state: str) -> None:
        try:
            varying = self.snapshot()
        except Exception:
            varying = {}
        data = {**self.fixed, **varying, "state": state, "heartbeat_host_ns": time.monotonic_ns(),
                "heartbeat_utc_ns": time.time_ns()}
        try:
            write_atomically(self.path, data)
            self.writes += 1
        except OSError:
            pass

    def _run(self) -> None:
        last = 0.0
        while not self._stop.is_set():
            self._wake.wait(self.heartbeat_s)
            # A burst (a memory replay) changes things per impulse: one write per CHANGE_EVERY_S
            # holds them all, so the health file never competes with the reader for the interpreter.
            pause = last + CHANGE_EVERY_S - time.monotonic()
            if pause > 0 and self._stop.wait(pause):
                break
            self._wake.clear()
            if self._stop.is_set():
                break
            self.write("running")
            last = time.monotonic()
