"""The app as a client of its recorder process (issue #13): runs from the child's writes, a killed
recorder restarted with nothing lost, attaching to a running `timing listen`, the status bar."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from competition import start_queue, timing
from competition.event import Event
from competition.recorder_health import log_path, pid_alive, read_health
from competition.recorder_process import RecorderProcess
from competition.tui.launch import build_app, start_simulator
from competition.tui.screens.timing import TimingScreen
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from hardware.impulse import Channel
from tests.competition.test_recorder import wait_for
from tests.conftest import register
from tests.ui.helpers import notifications, yield_requests

ROOT = Path(__file__).resolve().parents[2]


async def _until(pilot: object, condition: object, timeout_s: float = 20.0) -> None:
    """Wait for the recorder process (real I/O, a process start): poll, with a generous ceiling."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out waiting for the recorder process"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


def _bar(app: object) -> str:
    return str(app.screen.query_one(TimerStatusBar).render())  # type: ignore[attr-defined]


def _online(app: object) -> bool:
    status = app.timer_status  # type: ignore[attr-defined]
    return status is not None and status.online


def _keys(event: Event) -> list[tuple[int, str]]:
    rows = event.store.query("SELECT device_seq, channel_raw FROM impulses WHERE bad_checksum = 0 ORDER BY seq")
    return [(r["device_seq"], r["channel_raw"]) for r in rows]


async def test_a_killed_recorder_is_restarted_and_what_the_timer_sent_meanwhile_is_recorded(event: Event) -> None:
    register(event, 3)
    start_queue.check_in(event, [1, 2, 3])
    simulator = start_simulator(riders=0, seed=3)
    app = build_app(event.path, url=simulator.path, protocol="alge", track=1, operator="计时裁判")
    first_pid = second_pid = 0
    try:
        async with app.run_test(size=(140, 36)) as pilot:
            await _until(pilot, lambda: _online(app))
            rec = app.recorder
            assert isinstance(rec, RecorderProcess) and rec.started_by_app
            first_pid = rec.pid or 0
            assert first_pid != os.getpid() and read_health(event.path, 1).pid == first_pid  # type: ignore[union-attr]
            # A start from the timer, journaled by the child, reaches the screen through the event file.
            simulator.press(Channel.START)
            started_at = time.monotonic()
            await _until(pilot, lambda: isinstance(app.screen, TimingScreen) and len(app.screen.clocks()) == 1)
            assert app.screen.clocks()[0].rider.bib == 1  # type: ignore[attr-defined]
            await _until(pilot, lambda: "记录进程 ✓" in _bar(app) and "待写 0" in _bar(app))
            assert "在线" in _bar(app) and "上次脉冲" in _bar(app)

            os.kill(first_pid, signal.SIGKILL)
            await _until(pilot, lambda: "记录进程停止" in _bar(app))
            assert app.screen.query_one(TimerStatusBar).has_class("offline")
            # The rider finishes (after the course's minimum run) and the next one starts
            # while nobody reads the port.
            await pilot.pause(max(0.0, started_at + 5.5 - time.monotonic()))
            simulator.press(Channel.FINISH)
            simulator.press(Channel.START)
            await _until(pilot, lambda: rec.pid not in (None, first_pid) and _online(app))
            second_pid = rec.pid or 0
            await _until(pilot, lambda: [r["bib"] for r in timing.on_course(app.event, 1)] == [2])
            await _until(pilot, lambda: [c.rider.bib for c in app.screen.clocks()] == [2])  # type: ignore[attr-defined]
            finished = app.event.store.query("SELECT bib FROM runs WHERE state = 'finished'")
            assert [r["bib"] for r in finished] == [1]
            await _until(pilot, lambda: "记录进程 ✓" in _bar(app))
            assert any("记录进程已退出（signal 9）" in n for n in notifications(app))
            # The hole in the recording is in the journal.
            rows = app.event.store.query("SELECT payload FROM journal WHERE kind = 'port_status' ORDER BY seq")
            assert any('"online":false' in r["payload"].replace(" ", "") and "signal 9" in r["payload"] for r in rows)
            assert sorted(_keys(app.event)) == sorted({(i.seq, i.channel_raw) for i in simulator.sent_impulses()})
            assert len(_keys(app.event)) == 3  # nothing doubled by the replay
            # The child's output went to its log, never onto the screen.
            assert "正在记录" in log_path(event.path, 1).read_text(encoding="utf-8")
            assert "正在记录" not in app.export_screenshot()
    finally:
        app.close_hardware()
        app.event.close()
        simulator.close()
    # On exit the recorder the app started is stopped, cleanly.
    assert second_pid and not pid_alive(second_pid)
    last = read_health(event.path, 1)
    assert last is not None and last.pid == second_pid and last.state == "stopped"


async def test_the_app_attaches_to_a_running_timing_listen_and_leaves_it_running(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1, 2])
    simulator = start_simulator(riders=0, seed=4)
    listener = subprocess.Popen(
        [sys.executable, "-m", "main", "--db", event.path, "timing", "listen", "--port", simulator.path,
         "--protocol", "alge"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert wait_for(lambda: (h := read_health(event.path, 1)) is not None and h.pid == listener.pid and h.online)
        app = build_app(event.path, url=simulator.path, protocol="alge", track=1)
        asked = len(yield_requests)
        try:
            async with app.run_test(size=(140, 36)) as pilot:
                await _until(pilot, lambda: _online(app))
                rec = app.recorder
                assert isinstance(rec, RecorderProcess) and not rec.started_by_app and rec.pid == listener.pid
                # Beside a recorder process, also one it attached to, the screen yields the CPU.
                assert app.yield_cpu_to_recorder and len(yield_requests) == asked + 1
                assert any(f"已接入正在运行的记录进程（进程 {listener.pid}）" in n for n in notifications(app))
                simulator.press(Channel.START)
                await _until(pilot, lambda: isinstance(app.screen, TimingScreen) and len(app.screen.clocks()) == 1)
                # Another port on the same track is refused while that recorder lives.
                app.disconnect_timer()
                assert listener.poll() is None  # detaching leaves it alone
                assert not app.connect_timer("socket://127.0.0.1:9", "alge", 1)
                await pilot.pause()
                assert any("1 道已由另一个记录进程" in n for n in notifications(app))
                assert app.connect_timer(simulator.path, "alge", 1)
        finally:
            app.close_hardware()
            app.event.close()
        assert listener.poll() is None  # an attached recorder outlives the app
    finally:
        listener.terminate()
        listener.wait(timeout=20)
        simulator.close()


async def test_leave_recorder_running_keeps_the_child_after_exit(event: Event) -> None:
    simulator = start_simulator(riders=0, seed=5)
    app = build_app(event.path, url=simulator.path, protocol="alge", track=1, leave_recorder_running=True)
    pid = 0
    try:
        async with app.run_test(size=(140, 36)) as pilot:
            await _until(pilot, lambda: _online(app))
            pid = app.recorder.pid  # type: ignore[union-attr]
        app.close_hardware()
        assert pid_alive(pid) and read_health(event.path, 1).live()  # type: ignore[union-attr]
    finally:
        app.event.close()
        if pid:
            os.kill(pid, signal.SIGTERM)
            try:
                os.waitpid(pid, 0)  # still this process's child here (after a real exit, init's)
            except ChildProcessError:
                pass  # already reaped by subprocess
        simulator.close()


async def test_a_hung_recorder_is_shown_then_killed_and_replaced(event: Event) -> None:
    simulator = start_simulator(riders=0, seed=6)
    app = build_app(event.path, url=simulator.path, protocol="alge", track=1)
    try:
        async with app.run_test(size=(140, 36)) as pilot:
            await _until(pilot, lambda: _online(app) and "记录进程 ✓" in _bar(app))
            rec = app.recorder
            assert isinstance(rec, RecorderProcess)
            rec.hung_kill_ns = 6_000_000_000  # the app's patience, shortened for the test
            frozen = rec.pid or 0
            os.kill(frozen, signal.SIGSTOP)  # alive, but its heartbeat stops
            await _until(pilot, lambda: "记录进程无响应" in _bar(app))
            assert rec.pid == frozen and app.screen.query_one(TimerStatusBar).has_class("offline")
            await _until(pilot, lambda: rec.pid not in (None, frozen) and _online(app) and "记录进程 ✓" in _bar(app))
            assert not pid_alive(frozen)
            assert any("记录进程 6 秒无响应，已强制结束并重新启动" in n for n in notifications(app))
            rows = app.event.store.query("SELECT payload FROM journal WHERE kind = 'port_status'")
            assert any("hung" in r["payload"] for r in rows)
    finally:
        app.close_hardware()
        app.event.close()
        simulator.close()


async def test_a_recorder_that_cannot_start_is_reported_once_with_its_reason(event: Event) -> None:
    from competition.port_claim import PortClaim

    simulator = start_simulator(riders=0, seed=7)
    squatter = PortClaim(simulator.path)  # another program holds the port (no health file)
    squatter.acquire()
    app = build_app(event.path, url=simulator.path, protocol="alge", track=1)
    said: list[str] = []  # every notification (the toasts themselves expire)
    shown = app.notify

    def notify(message: str, **kw: object) -> None:
        said.append(message)
        shown(message, **kw)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(140, 36)) as pilot:
            await _until(pilot, lambda: any("记录进程无法启动" in n for n in said))
            failed = [n for n in said if "记录进程无法启动" in n]
            assert "已被另一个 Trackside 进程使用" in failed[0]  # the child's own words, from its log
            await _until(pilot, lambda: app.recorder.restarts >= 3, 40)  # type: ignore[union-attr]
            assert len([n for n in said if "记录进程无法启动" in n]) == 1  # said once, not at every retry
            assert "记录进程停止" in _bar(app) or "记录进程启动中" in _bar(app)
            assert app.timer_offline()  # nobody records: the offline alarm, not a calm screen
            assert "记录进程不在运行" in app.screen.alarm_text()  # type: ignore[attr-defined]
            squatter.release()
            await _until(pilot, lambda: _online(app) and "记录进程 ✓" in _bar(app))
    finally:
        squatter.release()
        app.close_hardware()
        app.event.close()
        simulator.close()
