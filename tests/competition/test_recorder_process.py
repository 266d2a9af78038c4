"""`trackside timing listen` is the recorder process: its health file, its stop, its death (issue #13)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from competition import start_queue, timing
from competition.event import Event
from competition.process_priority import RECORDER_NICE
from competition.recorder_health import STALE_AFTER_NS, health_path, read_health
from competition.recorder_process import RecorderProcess, listen_command
from hardware.impulse import Channel
from hardware.protocols import get_protocol
from hardware.protocols.settings import forget, remember
from hardware.pty_port import open_pty_simulator
from tests.competition.test_process_priority import may_raise_priority
from tests.competition.test_recorder import wait_for
from tests.conftest import register

ROOT = Path(__file__).resolve().parents[2]


def _listen(db: Path, url: str, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "main", "--db", str(db), "timing", "listen", "--port", url, "--protocol", "alge",
           *extra]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_timing_listen_keeps_a_truthful_health_file(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1, 2])
    db = Path(event.path)
    with open_pty_simulator("alge", riders=0, seed=5) as sim:
        proc = _listen(db, sim.path, "--baud", "9600")
        try:
            # Online, and what the first connect read (the timer's answer to the replay request) written:
            # a health file written between a read and its commit says so (backlog 1 or 2), truthfully.
            assert wait_for(lambda: (h := read_health(db, 1)) is not None and h.pid == proc.pid and h.online is True
                            and h.backlog == 0)
            first = read_health(db, 1)
            assert first is not None
            assert (first.url, first.protocol, first.track, first.state) == (sim.path, "alge", 1, "running")
            assert "9600 8N1" in first.settings and first.last_impulse_host_ns is None
            assert first.fresh() and first.live()
            # The priority it runs at, as the kernel has it (raised to -10 where it may: issue #13).
            assert first.nice == os.getpriority(os.PRIO_PROCESS, proc.pid)
            assert first.nice == (RECORDER_NICE if may_raise_priority() else os.getpriority(os.PRIO_PROCESS, 0))
            # The heartbeat goes on with nothing happening.
            assert wait_for(lambda: read_health(db, 1).heartbeat_host_ns > first.heartbeat_host_ns)  # type: ignore[union-attr]
            before = sim.press(Channel.START)
            assert wait_for(lambda: (h := read_health(db, 1)) is not None and h.counts.get("start") == 1)
            after = read_health(db, 1)
            assert after is not None and after.last_impulse_host_ns is not None
            stamped = timing.impulses(event, limit=1)[0]["host_ns"]
            assert after.last_impulse_host_ns == stamped  # the journal's own host stamp
            assert before.channel == Channel.START
            # The file is replaced whole: JSON every time it is read, never a half-written one.
            for _ in range(50):
                json.loads(health_path(db, 1).read_text(encoding="utf-8"))
            # SIGTERM stops it cleanly: its last word is "stopped".
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0
            out = proc.stdout.read().decode() if proc.stdout else ""
            assert "已停止" in out and "Traceback" not in out, out
            assert ("记录进程优先级已提高（nice -10）" if may_raise_priority() else "未能提高记录进程优先级") in out
            last = read_health(db, 1)
            assert last is not None and last.state == "stopped" and not last.fresh() and not last.live()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_killed_recorder_is_not_live_and_its_heartbeat_goes_stale(event: Event) -> None:
    db = Path(event.path)
    with open_pty_simulator("alge", riders=0, seed=5) as sim:
        proc = _listen(db, sim.path)
        try:
            assert wait_for(lambda: (h := read_health(db, 1)) is not None and h.pid == proc.pid and h.online)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            dead = read_health(db, 1)
            assert dead is not None and dead.state == "running"  # what it said last…
            assert not dead.live()  # …but its process is gone
            assert not dead.fresh(dead.heartbeat_host_ns + STALE_AFTER_NS + 1)  # and the heartbeat stops
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_the_child_gets_the_remembered_serial_settings_of_its_port(event: Event) -> None:
    remember("socket://127.0.0.1:9", baudrate=19200, rtscts=True, numbers="bib")
    try:
        rec = RecorderProcess(event.path, url="socket://127.0.0.1:9", protocol="tagheuer", track=2, operator="计时")
    finally:
        forget("socket://127.0.0.1:9")
    cmd = rec.command
    assert cmd[:3] == [sys.executable, "-m", "main"]
    tail = cmd[cmd.index("listen"):]
    assert tail == ["listen", "--port", "socket://127.0.0.1:9", "--protocol", "tagheuer", "--track", "2",
                    "--baud", "19200", "--rtscts", "--numbers", "bib"]
    assert cmd[cmd.index("--operator") + 1] == "计时"
    assert rec.protocol.baudrate == 19200 and rec.protocol.rtscts
    plain = listen_command(event.path, url="/dev/ttyUSB0", protocol=get_protocol("alge"), track=1, operator="",
                           terminal=None, settings={})
    assert "--baud" not in plain and "--operator" not in plain


def test_a_health_file_from_before_a_reboot_is_not_fresh(tmp_path: Path) -> None:
    import time

    from competition.recorder_health import RecorderHealth

    now = time.monotonic_ns()
    base = {"pid": os.getpid(), "url": "/dev/ttyUSB0", "protocol": "alge", "track": 1, "state": "running",
            "heartbeat_utc_ns": time.time_ns(), "heartbeat_host_ns": now}
    assert RecorderHealth.from_dict(base).live()
    # The monotonic clock started again at boot: an old stamp lies in the future.
    assert not RecorderHealth.from_dict({**base, "heartbeat_host_ns": now + 3600 * 10**9}).fresh()
    # Or it happens to look recent, but the wall clock says it is a day old.
    assert not RecorderHealth.from_dict({**base, "heartbeat_utc_ns": time.time_ns() - 86400 * 10**9}).fresh()
    assert not RecorderHealth.from_dict({**base, "state": "stopped"}).fresh()


def test_ctrl_c_stops_a_recorder_started_as_a_background_job(event: Event) -> None:
    """A shell starts `timing listen &` with SIGINT ignored; Ctrl-C (SIGINT) must still stop it cleanly."""
    db = Path(event.path)
    with open_pty_simulator("alge", riders=0, seed=5) as sim:
        cmd = [sys.executable, "-m", "main", "--db", str(db), "timing", "listen", "--port", sim.path,
               "--protocol", "alge"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)},
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        try:
            assert wait_for(lambda: (h := read_health(db, 1)) is not None and h.pid == proc.pid and h.online is True)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=20) == 0
            last = read_health(db, 1)
            assert last is not None and last.state == "stopped"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
