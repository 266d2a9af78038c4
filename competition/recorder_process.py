"""The recorder in its own process: ``trackside timing listen``, and the app's handle on it.

One process per port reads the timer into the event file, so nothing the
screen does (a long redraw, a dialog) can delay a reader thread that shares
its interpreter. ``listen`` is that process's main loop (the CLI's
``timing listen``): a ``TimingRecorder`` plus the health file
(``competition.recorder_health``), stopped cleanly by Ctrl-C or SIGTERM.

``RecorderProcess`` is what ``trackside run --port`` holds instead of an
in-process recorder: it starts ``python -m main … timing listen …`` as a child
(its output goes to ``<event>.recorder-track<N>.log``, never onto the screen)
or attaches to a recorder already running for that port and track (health
file fresh, process alive, same port). ``watch`` is called by the app every
poll: it reads the health file, notices a recorder that died or hangs, and
starts a new one; the timer's memory replay on first connect fills the gap,
as after a cable pull. The app then sees impulses like a second terminal
does, through ``PRAGMA data_version``.
"""

from __future__ import annotations

import gc
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from competition.errors import TracksideError
from competition.process_priority import current_nice, raise_recorder_priority, restore_priority
from competition.process_priority import describe as describe_priority
from competition.recorder_health import (
    HealthWriter,
    RecorderHealth,
    log_path,
    pid_alive,
    read_health,
)
from hardware.protocols import Protocol, get_protocol

ROOT = Path(__file__).resolve().parents[1]
STOP_WAIT_S = 5.0
HUNG_KILL_NS = 15_000_000_000  # a recorder silent this long is killed and started again
RESTART_BACKOFF_S = (0.0, 0.5, 1.0, 2.0, 5.0)
# How long a thread of the recorder process keeps the interpreter while another waits for it
# (Python's default is 5 ms): the reader thread stamps a chunk once it has the interpreter back
# after its read returned, so a writer thread busy journaling must hand it over quickly.
READER_SWITCH_INTERVAL_S = 0.0002
GC_YOUNG_FACTOR = 10  # the recorder's youngest generation is collected this many times less often


class RecorderElsewhere(TracksideError):
    """Another recorder already records this track from a different port."""


# -- the recorder process (trackside timing listen) ------------------------------------------


def listen(
    db_path: str, *, url: str, protocol: str | Protocol, track: int, lang: str, operator: str,
    terminal: str | None, echo: Callable[[str], None],
) -> None:
    """Record until Ctrl-C or SIGTERM, printing what happens and keeping the health file."""
    from competition import recorder as core
    from competition.event import Event
    from competition.glossary import counts_text, outcome_line
    from competition.timing import ImpulseOutcome
    from hardware.impulse import RejectedFrame
    from hardware.supervisor import PortStatus

    en = lang == "en"
    with Event.open(db_path) as event:
        precision_ns = event.course.precision_ns
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(READER_SWITCH_INTERVAL_S)
    nice_before = current_nice()
    raised, nice = raise_recorder_priority()
    proto = protocol if isinstance(protocol, Protocol) else get_protocol(protocol)
    port: dict[str, Any] = {"online": None, "error_zh": None, "error_en": None}
    last_seq: list[int | None] = [None]
    health: HealthWriter | None = None

    def outcome(o: ImpulseOutcome) -> None:
        if o.seq is not None:
            last_seq[0] = o.seq
        if health is not None:
            health.changed()
        if o.disposition == "duplicate":
            return
        echo(outcome_line(o, lang, precision_ns))

    def rejected(f: RejectedFrame) -> None:
        if health is not None:
            health.changed()
        echo(f"[{track}] " + (f"rejected: {f.reason_en}" if en else f"拒收：{f.reason_zh}"))

    def status(s: PortStatus) -> None:
        port.update(online=s.online, error_zh=s.error_zh, error_en=s.error_en)
        if health is not None:
            health.changed()
        if s.online:
            echo(f"{url}: online ({proto.name}, {proto.settings_text()})" if en
                 else f"{url}：已连接（{proto.name}，{proto.settings_text()}）")
        else:
            err = (s.error_en if en else s.error_zh) or ""
            echo(f"{url}: OFFLINE {err}" if en else f"{url}：断开 {err}")

    recorder = core.TimingRecorder(db_path, url=url, protocol=proto, track=track, operator=operator,
                                   terminal=terminal, on_outcome=outcome, on_status=status,
                                   on_rejected=rejected)

    def gap(row: int) -> None:
        from competition.sequence_gaps import describe, gaps

        found = [g for g in gaps(recorder.pipeline.event(), track) if g.seq == row]
        if found:
            echo(f"[{track}] " + describe(found[0], lang))

    recorder.pipeline.on_gap = gap
    impulse_times = _ImpulseTimes(db_path)

    def snapshot() -> dict[str, Any]:
        pipeline = recorder.pipeline
        return {
            **port,
            "last_impulse_host_ns": impulse_times.host_ns(last_seq[0]),
            "backlog": int(getattr(pipeline, "pending", 0)),
            "write_errors": int(getattr(pipeline, "write_errors", 0)),
            "counts": dict(Counter(getattr(pipeline, "counts", {}))),
            "nice": nice,
        }

    health = HealthWriter(db_path, track=track, url=url, protocol=proto.name, settings=proto.settings_text(),
                          snapshot=snapshot)
    previous = _stop_on_sigterm()
    try:
        recorder.start()  # a port another process reads is refused here (PortInUse): no health file then
    except BaseException:
        impulse_times.close()
        _restore_sigterm(previous)
        sys.setswitchinterval(switch_interval)
        restore_priority(nice_before)
        raise
    gc_frozen = _freeze_the_heap()  # after start(): the writer's connection and the course are built
    health.start()
    echo(f"Listening on {url}, track {track}. Ctrl-C to stop." if en
         else f"正在记录 {url}（{track} 道）。按 Ctrl-C 停止。")
    echo(describe_priority(raised, nice, lang))
    try:
        while True:
            time.sleep(0.5)
            if recorder.pipeline.pending:
                recorder.pipeline.commit_pending()
                health.changed()
    except KeyboardInterrupt:
        pass
    finally:
        try:
            recorder.stop()
        finally:
            health.stop()
            impulse_times.close()
            _restore_sigterm(previous)
            sys.setswitchinterval(switch_interval)
            _thaw_the_heap(gc_frozen)
            restore_priority(nice_before)
        echo(("Stopped. " if en else "已停止。") + counts_text(dict(recorder.pipeline.counts), lang))


def _freeze_the_heap() -> tuple[int, int, int]:
    """Keep the garbage collector off the reader's way: everything built at start-up is moved out of
    its reach (``gc.freeze``), and the youngest generation is collected ten times less often. A full
    collection of the start-up heap (pydantic, the course, sqlite) took milliseconds, now and then
    between a pad slap and its COMMIT. Returns the thresholds to restore."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(before[0] * GC_YOUNG_FACTOR, before[1], before[2])
    return before


def _thaw_the_heap(before: tuple[int, int, int]) -> None:
    gc.set_threshold(*before)
    gc.unfreeze()


class _ImpulseTimes:
    """Host stamp of a journaled impulse, read in the health thread (its own read-only connection)."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._conn: sqlite3.Connection | None = None
        self._cache: tuple[int | None, int | None] = (None, None)

    def host_ns(self, seq: int | None) -> int | None:
        if seq is None:
            return self._cache[1]
        if self._cache[0] == seq:
            return self._cache[1]
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(f"file:{Path(self.db_path).resolve()}?mode=ro", uri=True,
                                             timeout=0.2, check_same_thread=False)
            row = self._conn.execute("SELECT host_ns FROM impulses WHERE seq = ?", (seq,)).fetchone()
        except sqlite3.Error:
            return self._cache[1]
        if row is not None and row[0] is not None:
            self._cache = (seq, int(row[0]))
        return self._cache[1]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _raise_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> Any:
    """SIGTERM stops the recorder like Ctrl-C (only the main thread may set a handler).

    Ctrl-C (SIGINT) stops it too even when it was started as a background job, which
    starts with SIGINT ignored: a recorder nobody can interrupt outlives its terminal.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return signal.signal(signal.SIGTERM, _raise_interrupt)


def _restore_sigterm(previous: Any) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)


# -- the app's handle -----------------------------------------------------------------------


@dataclass(frozen=True)
class RecorderNews:
    """Something the app tells the referee about its recorder (``watch``)."""

    kind: str  # died | hung | restarted | failed
    exit_code: int | None = None
    detail: str = ""


def listen_command(db_path: str, *, url: str, protocol: Protocol, track: int, operator: str,
                   terminal: str | None, settings: dict[str, Any], lang: str = "zh") -> list[str]:
    """``python -m main --db … timing listen …`` with this port's serial settings."""
    cmd = [sys.executable, "-m", "main", "--db", os.path.abspath(db_path), "--lang", "en" if lang == "en" else "zh"]
    if operator:
        cmd += ["--operator", operator]
    if terminal:
        cmd += ["--terminal", terminal]
    cmd += ["timing", "listen", "--port", url, "--protocol", protocol.name, "--track", str(track)]
    if settings.get("baudrate") is not None:
        cmd += ["--baud", str(settings["baudrate"])]
    if settings.get("rtscts"):
        cmd += ["--rtscts"]
    if settings.get("numbers") is not None:
        cmd += ["--numbers", str(settings["numbers"])]
    return cmd


class RecorderProcess:
    """The recorder process of one port and track, as the app sees it.

    Offers what the screens read of a recorder (``url``, ``protocol``,
    ``track``); ``started_by_app`` says whether the app owns it (stopped on
    exit) or attached to one already running (left alone).
    """

    def __init__(self, db_path: str, *, url: str, protocol: str, track: int, operator: str = "",
                 terminal: str | None = None, lang: str = "zh") -> None:
        from hardware.protocols.settings import for_port, remembered

        self.db_path = db_path
        self.url = url
        self.track = track
        self.settings = remembered(url)
        self.protocol: Protocol = for_port(url, get_protocol(protocol))
        self.command = listen_command(db_path, url=url, protocol=self.protocol, track=track, operator=operator,
                                      terminal=terminal, settings=self.settings, lang=lang)
        self.log = log_path(db_path, track)
        self.proc: subprocess.Popen[bytes] | None = None
        self.pid: int | None = None
        self.started_by_app = False
        self.restarts = 0
        self.last_exit: int | None = None
        self.hung_kill_ns = HUNG_KILL_NS
        self._failures = 0
        self._next_start = 0.0
        self._saw_health = False
        self._killed_hung = False

    # -- start, attach, stop ------------------------------------------------------------

    def start_or_attach(self) -> str:
        """``attached`` to a live recorder of this port and track, else ``started`` a child."""
        found = read_health(self.db_path, self.track)
        if found is not None and found.live():
            if found.url != self.url:
                raise RecorderElsewhere(
                    f"{self.track} 道已由另一个记录进程（进程 {found.pid}）从 {found.url} 记录，不能再从 {self.url} 记录。",
                    f"Track {self.track} is already recorded from {found.url} by process {found.pid};"
                    f" cannot also record it from {self.url}.",
                )
            self.pid = found.pid
            self.started_by_app = False
            if found.protocol != self.protocol.name:  # it reads the timer its own way: show that
                self.protocol = get_protocol(found.protocol)
            return "attached"
        self.spawn()
        return "started"

    def spawn(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        with self.log.open("ab") as out:
            out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(self.command[1:])}\n".encode())
            out.flush()
            # Its own session: a Ctrl-C meant for the app's terminal never reaches the recorder.
            self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                         cwd=ROOT, env=env, start_new_session=True)
        self.pid = self.proc.pid
        self.started_by_app = True
        self._saw_health = False
        self._killed_hung = False

    def stop(self, *, leave_running: bool = False) -> None:
        """Stop a recorder the app started (SIGTERM, wait, SIGKILL); an attached one is left alone."""
        proc, self.proc = self.proc, None
        if proc is None or leave_running or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_WAIT_S)

    # -- reading it -----------------------------------------------------------------------

    def health(self) -> RecorderHealth | None:
        """The health file, if it is this recorder's (a dead predecessor's file does not count)."""
        found = read_health(self.db_path, self.track)
        if found is None or found.pid != self.pid:
            return None
        return found

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return self.pid is not None and pid_alive(self.pid)

    def watch(self, now_ns: int | None = None) -> RecorderNews | None:
        """Called every poll: restart a recorder that died or hangs; say what happened.

        ``died``: it had been recording (its health file said so) and ended;
        ``hung``: its heartbeat stopped for ``hung_kill_ns``, so it was killed;
        ``failed``: it ended before it ever recorded (the log says why), said
        once per run of failures, retried with a growing pause up to 5 s.
        """
        now_ns = time.monotonic_ns() if now_ns is None else now_ns
        if self.pid is None:
            return self._start_again()
        if not self.alive():
            return self._ended()
        found = self.health()
        if found is not None:
            if not self._saw_health:
                self._saw_health = True
                self._failures = 0
            if found.age_ns(now_ns) > self.hung_kill_ns and self.proc is not None and not self._killed_hung:
                self.proc.kill()  # reaped and started again on the next watches
                self._killed_hung = True
        return None

    def _ended(self) -> RecorderNews | None:
        code = self.proc.returncode if self.proc is not None else None
        self.last_exit = code
        found = read_health(self.db_path, self.track)
        recorded = self._saw_health or (found is not None and found.pid == self.pid)
        hung = self._killed_hung
        self.proc, self.pid = None, None
        self._failures = 0 if recorded else self._failures + 1  # starts in a row that never recorded
        self._next_start = time.monotonic() + RESTART_BACKOFF_S[min(self._failures, len(RESTART_BACKOFF_S) - 1)]
        if hung:
            return RecorderNews("hung", code)
        if recorded:
            return RecorderNews("died", code)
        return RecorderNews("failed", code, self.log_tail()) if self._failures == 1 else None

    def _start_again(self) -> RecorderNews | None:
        if time.monotonic() < self._next_start:
            return None
        self.restarts += 1
        try:
            self.start_or_attach()
        except (TracksideError, OSError) as exc:
            self._next_start = time.monotonic() + RESTART_BACKOFF_S[-1]
            self._failures += 1
            text = exc.message_zh if isinstance(exc, TracksideError) else str(exc)
            return RecorderNews("failed", None, text) if self._failures == 1 else None
        return RecorderNews("restarted")

    def log_tail(self, lines: int = 3) -> str:
        """The last lines the recorder wrote (why it could not start)."""
        try:
            with self.log.open("rb") as fh:
                fh.seek(max(0, self.log.stat().st_size - 4096))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        kept = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("---")]
        return " ".join(kept[-lines:])
