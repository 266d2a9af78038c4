"""The app shows that the venue server is serving, and each satellite laptop's state on F5."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from competition.event import Event
from competition.tui.widgets.timer_status_bar import TimerStatusBar
from competition.venue_status import mark_serving, satellites_file, unmark_serving
from tests.ui.helpers import make_app


async def test_the_status_bar_says_serving_and_f5_lists_satellites(event: Event) -> None:
    mark_serving(event.path, ["http://192.168.8.2:8080/", "http://127.0.0.1:8080/"])
    now = datetime.now(UTC).isoformat(timespec="seconds")
    satellites_file(event.path).write_text(json.dumps([
        {"satellite": "track2-1", "track": 2, "last_seen": now, "backlog": 3, "last_impulse": now},
    ]), encoding="utf-8")
    app = make_app(event)
    try:
        async with app.run_test(size=(160, 36)) as pilot:
            app.refresh_status()
            await pilot.pause()
            bar = app.screen.query_one(TimerStatusBar)
            assert "现场服务 192.168.8.2:8080" in str(bar.render())
            await pilot.press("f5")
            await pilot.pause()
            shown = str(app.screen.query_one("#hardware-settings").render())
            assert "副机 track2-1（2 道）" in shown and "待转发 3" in shown
    finally:
        unmark_serving(event.path)
    assert not Path(event.path + ".serving.json").exists()
