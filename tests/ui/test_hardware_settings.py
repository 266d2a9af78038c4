"""Issue 11 on the hardware screen: serial settings shown and changed; unknown lines and wrong baud shown."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest

from competition import start_queue
from competition.event import Event
from competition.recorder import replay_capture
from competition.tui.dialogs.serial_settings import SerialSettingsDialog
from competition.tui.screens.hardware import HardwareScreen
from hardware.protocols import settings
from hardware.protocols.baudcheck import reframe
from tests.conftest import register
from tests.hardware.corpus import ALGE_CAPTURES
from tests.ui.helpers import make_app, notifications, screen_text
from tests.ui.test_timer_flags import STREAM


@pytest.fixture
def pty_port() -> Iterator[str]:
    """A pseudo-terminal of this test's own (a serial port nobody else on the machine claims)."""
    controller, device = os.openpty()
    path = os.ttyname(device)
    yield path
    settings.forget(path)
    os.close(controller)
    os.close(device)


def shown_settings(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, HardwareScreen)
    return str(screen.query_one("#hardware-settings").render())


async def test_changing_serial_settings_reconnects_the_timer_with_them(event: Event, pty_port: str) -> None:
    url = pty_port
    app = make_app(event)
    connects: list[tuple[str, str, int]] = []
    connect = app.connect_timer

    def spy(url: str, protocol: str, track: int) -> bool:
        connects.append((url, protocol, track))
        return connect(url, protocol, track)

    app.connect_timer = spy  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert app.connect_timer(url, "alge", 1)
            first = app.recorder
            await pilot.press("f5")
            await pilot.pause()
            shown = shown_settings(app)
            assert url in shown and "alge" in shown
            assert "波特率 9600（出厂 9600）8N1 · RTS/CTS 关 · 无 ACK" in shown
            assert "号码：auto（数据显示：尚无脉冲）" in shown
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, SerialSettingsDialog)
            # A baud no timer uses is refused in the dialog: nothing remembered, no reconnect.
            await pilot.press(*["backspace"] * 4, *"12345", "ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, SerialSettingsDialog)
            assert "12345 不是计时器使用的波特率" in str(app.screen.query_one(".dialog-error").render())
            assert app.recorder is first and len(connects) == 1
            await pilot.press(*["backspace"] * 5, *"38400", "tab", "backspace", *"on", "tab",
                              *["backspace"] * 4, *"bib", "ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, HardwareScreen)
            assert connects == [(url, "alge", 1), (url, "alge", 1)]
            rec = app.recorder
            assert rec is not None and rec is not first
            assert (rec.protocol.baudrate, rec.protocol.rtscts, rec.protocol.numbers) == (38400, True, "bib")
            shown = shown_settings(app)
            assert "波特率 38400（出厂 9600）8N1 · RTS/CTS 开" in shown and "号码：bib" in shown
            assert any("38400 波特" in n and "已按新设置重新连接" in n for n in notifications(app))
            text = screen_text(app)
            assert "s 串口设置" in text and "波特率 38400" in text  # on screen at 80x24
    finally:
        app.close_hardware()


async def test_unknown_lines_and_a_wrong_baud_are_shown_with_their_raw_bytes(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [2, 1])
    replay_capture(event, STREAM + b"Q0001 Z9  10:00:00.0000 00\n", protocol="alge")
    lines = ALGE_CAPTURES[1].read_bytes().replace(b"\n", b"\r")
    replay_capture(event, reframe(lines[3000:9000], 38400, 9600), protocol="alge", source="wrong-baud")
    app = make_app(event, lang="zh")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HardwareScreen)
        detail = str(screen.query_one("#rejected-detail").render())
        assert "看起来是 38400 波特" in detail and "请用 --baud 38400" in detail
        assert "原始字节：b'" in detail and "\\x" in detail  # escaped, never raw control bytes
        table = screen.query_one("#rejected")
        unknown = next(i for i, r in enumerate(screen.rejected_rows) if b"Z9" in base64.b64decode(r["b64"]))
        table.focus()
        table.move_cursor(row=unknown)  # type: ignore[attr-defined]
        await pilot.pause()
        detail = str(screen.query_one("#rejected-detail").render())
        assert "原始字节：b'Q0001 Z9  10:00:00.0000 00\\n'" in detail
        assert "看起来是" not in detail
        # The numbers in this stream were the riders' bibs: the screen says what the data showed.
        assert "号码：auto（数据显示：选手号码）" in shown_settings(app)
