"""A segment judge on a phone-sized Chromium: QR link, one tap, acknowledged; Wi-Fi down, nothing lost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from competition.event import Event
from competition.judges import issue_tokens
from tests.conftest import register
from tests.web.browser import chromium, free_port, needs_browser
from tests.web.venue_helpers import S, Track, queue, serving

pytestmark = needs_browser


def wait_for(predicate, timeout: float = 10.0, what: str = "") -> float:  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` is true; returns how long it took (seconds)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if predicate():
                return time.monotonic() - start
        except Exception:  # an element between two renders
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def venue(event: Event) -> Event:
    register(event, 3)
    queue(event, 1, 2, 3)
    Track(event).start(time.monotonic_ns() - 12 * S)
    return event


def standing_calls(event_path: Path, bib: int) -> list[tuple[str, str]]:
    with Event.open(event_path) as ev:
        return [(p["segment"], p["code"]) for p in ev.store.query(
            "SELECT * FROM penalties WHERE bib = ? AND withdrawn = 0 ORDER BY penalty_id", (bib,))]


def test_judge_taps_on_a_phone_and_the_call_survives_a_dead_server(venue: Event, event_path: Path) -> None:
    from selenium.webdriver.common.by import By

    token = next(t.token for t in issue_tokens(venue) if t.segment == "raogan")
    port = free_port()
    with chromium(phone=True) as phone, chromium(phone=False) as board:
        with serving(event_path, port) as url:
            phone.get(f"{url}/judge#t={token}")
            button = '.rider-card[data-bib="1"] button[data-code="pole_down"]'
            wait_for(lambda: phone.find_element(By.CSS_SELECTOR, button).is_displayed(), what="the rider's buttons")
            assert "t=" not in phone.current_url  # the token left the address bar
            assert "绕杆" in phone.find_element(By.ID, "segment-name").text
            board.get(f"{url}/board")
            wait_for(lambda: "#1" in board.find_element(By.ID, "on-course").text, what="the board")
            phone.find_element(By.CSS_SELECTOR, button).click()
            wait_for(lambda: "已记录" in phone.find_element(By.ID, "outbox").text, what="the acknowledgement")
            assert standing_calls(event_path, 1) == [("raogan", "pole_down")]
            seen_on_board = wait_for(lambda: "+3" in board.find_element(By.ID, "on-course").text, what="+3 on the board")
            board.get(f"{url}/")
            wait_for(lambda: "碰杆" not in board.find_element(By.ID, "on-course").text
                     and "倒杆出框" in board.find_element(By.ID, "on-course").text, what="the call on the live page")
        # The server is gone (Wi-Fi down): the next tap waits on the phone.
        phone.find_element(By.CSS_SELECTOR, '.rider-card[data-bib="1"] button[data-code="foot_down"]').click()
        wait_for(lambda: "待发送" in phone.find_element(By.ID, "outbox").text, what="the pending call")
        time.sleep(2.5)  # the phone retries meanwhile and fails
        assert standing_calls(event_path, 1) == [("raogan", "pole_down")]
        with serving(event_path, port):
            wait_for(lambda: "待发送" not in phone.find_element(By.ID, "outbox").text, timeout=15, what="the resend")
            time.sleep(2.5)  # more retry rounds: still recorded once
        assert standing_calls(event_path, 1) == [("raogan", "pole_down"), ("raogan", "foot_down")]
    print(f"\ncall -> board: {seen_on_board * 1000:.0f} ms")
