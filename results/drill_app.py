"""The fault drill's trackside app: ``trackside run --port`` on a pseudo-terminal, its recorder killed.

The app runs as a referee would run it, in a terminal (here a pty whose
screen output is read and thrown away), and starts its recorder process
(``competition.recorder_process``). The drill kills that recorder with
SIGKILL; the app must notice, start a new one, and the timer's memory replay
must fill the gap. At the end the referee presses Ctrl-Q.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from competition.recorder_health import pid_alive, read_health

ROOT = Path(__file__).resolve().parents[1]
CTRL_Q = b"\x11"


class AppUnderDrill:
    """``trackside run --port URL --protocol P`` in a 120×36 pty, screen output drained."""

    def __init__(self, db: Path, *, url: str, protocol: str, track: int = 1) -> None:
        self.db = db
        self.track = track
        self.killed: set[int] = set()
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "36"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "main", "--db", str(db), "--operator", "演练", "run", "--port", url,
             "--protocol", protocol, "--track", str(track)],
            cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.screen_bytes = 0
        self.screen_tail = b""  # the last bytes the app wrote (a traceback after exit would be here)
        self._drain = threading.Thread(target=self._read_screen, name="drill-app-screen", daemon=True)
        self._drain.start()

    def _read_screen(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.screen_bytes += len(data)
            self.screen_tail = (self.screen_tail + data)[-4096:]

    def recorder_pid(self) -> int | None:
        """The pid of the live recorder the app runs now (one not killed yet), else None."""
        health = read_health(self.db, self.track)
        if health is None or health.pid in self.killed or not health.live():
            return None
        return health.pid

    def wait_recorder(self, guard_s: float) -> int:
        deadline = time.monotonic() + guard_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app ended (exit {self.proc.returncode})")
            pid = self.recorder_pid()
            if pid is not None:
                return pid
            time.sleep(0.05)
        raise RuntimeError("the app never (re)started its recorder")

    def kill_recorder(self, guard_s: float = 30.0) -> int:
        """SIGKILL the app's recorder process (waiting for it to be up first); its pid."""
        pid = self.wait_recorder(guard_s)
        os.kill(pid, signal.SIGKILL)
        self.killed.add(pid)
        return pid

    def quit(self, guard_s: float = 30.0) -> int:
        """Ctrl-Q, as the referee quits; the app stops its recorder on the way out. The exit code."""
        with contextlib.suppress(OSError):
            os.write(self.master, CTRL_Q)
        try:
            return self.proc.wait(timeout=guard_s)
        finally:
            self.close()

    def close(self) -> None:
        """Whatever is still running is killed (the app, then a recorder it left)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        health = read_health(self.db, self.track)
        if health is not None and health.state == "running" and pid_alive(health.pid):
            with contextlib.suppress(OSError):
                os.kill(health.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.master)
