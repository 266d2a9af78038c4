"""The app on a real serial stack: a simulated ALGE timer on a pty, read by the app's recorder process."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from competition import start_queue, timing
from competition.errors import EventFileError
from competition.event import Event
from competition.recorder import PortClaim
from competition.tui.launch import build_app, start_simulator
from competition.tui.screens.timing import TimingScreen
from hardware.impulse import Channel
from tests.conftest import register
from tests.ui.helpers import notifications


async def _until(pilot: object, condition: object, timeout_s: float = 8.0) -> None:
    """Wait for the reader thread (real I/O): poll, with a generous ceiling."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out waiting for the timer"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def test_simulated_timer_starts_and_finishes_riders(event: Event, tmp_path: Path) -> None:
    register(event, 3)
    start_queue.check_in(event, [2, 3])
    simulator = start_simulator(riders=0, seed=3)
    app = build_app(event.path, url=simulator.path, protocol="alge", track=1, operator="计时裁判")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await _until(pilot, lambda: app.timer_status is not None and app.timer_status.online)
            simulator.press(Channel.START)
            await _until(pilot, lambda: len(timing.on_course(app.event, 1)) == 1)
            await _until(pilot, lambda: isinstance(app.screen, TimingScreen) and len(app.screen.clocks()) == 1)
            assert app.screen.clocks()[0].rider.bib == 2
            # A second app on the same port is refused: one process per port.
            other = PortClaim(simulator.path)
            with pytest.raises(Exception) as refused:
                other.acquire()
            assert "已被另一个 Trackside 进程使用" in str(refused.value)
            # The app itself refuses a second connection while one runs.
            assert not app.connect_timer(simulator.path, "alge", 1)
            await pilot.pause()
            assert any("已经连接计时器" in n for n in notifications(app))
    finally:
        app.close_hardware()
        app.event.close()
        simulator.close()
    # Closing mid-run loses nothing: reopened, the rider is still on course with a running clock.
    assert [r["bib"] for r in timing.on_course(event, 1)] == [2]
    again = build_app(event.path, track=1)
    try:
        async with again.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert [c.rider.bib for c in again.screen.clocks()] == [2]  # type: ignore[attr-defined]
    finally:
        again.event.close()


def test_missing_event_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EventFileError) as missing:
        build_app(str(tmp_path / "nothing.db"))
    assert "找不到赛事文件" in missing.value.message_zh
