"""The venue server over real HTTP on loopback: public reads, judges' writes, the live stream."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from competition.event import Event
from competition.judges import issue_tokens, revoke_token
from competition.judging import confirm_run
from competition.remote_calls import LATE_CALL_GRACE_S, record_call
from competition.verify import verify_event
from tests.conftest import register
from tests.web.venue_helpers import S, Track, queue, serving

PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def venue(event: Event) -> Event:
    """Riders 1–4 registered (one named like a script, one with an ID and a phone in the note); 1 and 2 on course."""
    register(event, 4)
    from competition.entrants import edit_entrant

    edit_entrant(event, 3, {"name": "<script>alert(1)</script>"}, reason="测试")
    edit_entrant(event, 4, {"id_number": ID_NUMBER, "note": "备用电话 13912345678"}, reason="测试")
    queue(event, 1, 2, 3)
    track = Track(event)
    now = time.monotonic_ns()
    track.start(now - 20 * S)
    track.start(now - 5 * S)
    return event


def tokens_by_segment(event: Event) -> dict[str, str]:
    return {t.segment: t.token for t in issue_tokens(event)}


def call(client: httpx.Client, token: str | None, **body: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/calls", json=body, headers=headers)


def test_public_routes_show_no_personal_numbers_and_escape_names(venue: Event, event_path: Path) -> None:
    with serving(event_path) as url, httpx.Client(base_url=url) as client:
        pages = ["/", "/?q=0001", "/rider/1", "/rider/3", "/board", "/board?mode=awards", "/judge",
                 "/api/live", "/api/standings", "/api/on-course", "/api/rider/1", "/api/rider/3",
                 "/api/search?q=0001", "/api/awards", "/?lang=en", "/rider/1?lang=en"]
        for path in pages:
            answer = client.get(path)
            assert answer.status_code == 200, path
            text = answer.text
            assert not PHONE.search(text), (path, PHONE.search(text))
            assert ID_NUMBER not in text
            assert "operator" not in text and "terminal" not in text, path
            assert "access-control-allow-origin" not in answer.headers
            assert "script-src 'self'" in answer.headers["content-security-policy"]
            if answer.headers["content-type"].startswith("text/html"):
                assert "<script>alert(1)</script>" not in text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/rider/3").text
        assert client.get("/api/rider/1").json()["phone"] == "139****0001"


def test_api_standings_is_the_cli_shape_with_masked_phones(venue: Event, event_path: Path) -> None:
    from results.standings import build_standings, standings_json

    Track(venue).finish(time.monotonic_ns())
    expected = standings_json(build_standings(venue, venue.current_round))
    with serving(event_path) as url:
        served = httpx.get(url + "/api/standings").json()
    assert [r["bib"] for r in served["standings"]] == [r["bib"] for r in expected["standings"]]
    assert set(served["standings"][0]) == set(expected["standings"][0])
    for mine, theirs in zip(served["standings"], expected["standings"], strict=True):
        assert mine["phone"] == theirs["phone"][:3] + "****" + theirs["phone"][-4:]
        assert {k: v for k, v in mine.items() if k != "phone"} == {k: v for k, v in theirs.items() if k != "phone"}


def test_a_retried_call_is_recorded_once_and_names_token_and_device(venue: Event, event_path: Path) -> None:
    token = tokens_by_segment(venue)["raogan"]
    body = {"call_id": "abc123def456", "bib": 1, "segment": "raogan", "code": "pole_down", "count": 1}
    with serving(event_path) as url, httpx.Client(base_url=url, headers={"user-agent": "JudgePhone/1"}) as client:
        first = call(client, token, **body)
        again = call(client, token, **body)
    assert first.status_code == 200, first.text
    assert again.status_code == 200
    assert first.json()["seq"] == again.json()["seq"]
    assert again.json()["duplicate"] is True
    rows = venue.store.query("SELECT * FROM penalties WHERE bib = 1")
    assert len(rows) == 1
    row = venue.store.query("SELECT payload, operator FROM journal WHERE seq = ?", (first.json()["seq"],))[0]
    payload = json.loads(row["payload"])
    assert payload["token_id"] == "raogan-1" and payload["call_id"] == "abc123def456"
    assert "JudgePhone/1" in payload["device"] and "127.0.0.1" in payload["device"]
    assert row["operator"] == "judge raogan-1"
    assert verify_event(venue).ok


def test_calls_are_refused_with_the_reason(venue: Event, event_path: Path) -> None:
    tokens = tokens_by_segment(venue)
    raogan = tokens["raogan"]
    with serving(event_path) as url, httpx.Client(base_url=url) as client:
        no_token = call(client, None, call_id="c0000001", bib=1, segment="raogan", code="pole_down")
        wrong_segment = call(client, raogan, call_id="c0000002", bib=1, segment="xiankuan", code="bar_touched")
        not_on_course = call(client, raogan, call_id="c0000003", bib=4, segment="raogan", code="pole_down")
        bad_code = call(client, raogan, call_id="c0000004", bib=1, segment="raogan", code="nope")
        bad_id = call(client, raogan, call_id="x", bib=1, segment="raogan", code="pole_down")
        bad_json = client.post("/api/calls", content=b"{not json", headers={"Authorization": f"Bearer {raogan}"})
        too_big = client.post("/api/calls", content=b"{" + b" " * 5000 + b"}", headers={"Authorization": f"Bearer {raogan}"})
        head = call(client, tokens["*"], call_id="c0000005", bib=2, segment="xiankuan", code="bar_touched")
    assert no_token.status_code == 401
    assert wrong_segment.status_code == 409 and "绕杆" in wrong_segment.json()["reason_zh"]
    assert not_on_course.status_code == 409 and "不在赛道上" in not_on_course.json()["reason_zh"]
    assert "not on course" in not_on_course.json()["reason_en"]
    assert bad_code.status_code == 409 and bad_id.status_code == 409
    assert bad_json.status_code == 400 and too_big.status_code == 413
    assert head.status_code == 200  # the head referee's token covers every segment
    assert [(p["bib"], p["segment"]) for p in venue.store.query("SELECT * FROM penalties")] == [(2, "xiankuan")]


def test_confirmed_runs_and_revoked_tokens_take_no_call(venue: Event, event_path: Path) -> None:
    tokens = tokens_by_segment(venue)
    Track(venue).finish(time.monotonic_ns())  # rider 1 finishes
    run_1 = venue.store.query("SELECT run_id FROM runs WHERE bib = 1")[0]["run_id"]
    confirm_run(venue, run_1)
    revoke_token(venue, "danbian", reason="手机丢失")
    fresh = tokens_by_segment(venue)["danbian"]
    with serving(event_path) as url, httpx.Client(base_url=url) as client:
        confirmed = call(client, tokens["raogan"], call_id="c1000001", bib=1, segment="raogan", code="pole_down")
        revoked = call(client, tokens["danbian"], call_id="c1000002", bib=2, segment="danbian", code="not_mounted")
        reissued = call(client, fresh, call_id="c1000003", bib=2, segment="danbian", code="not_mounted")
    assert confirmed.status_code == 409 and "确认" in confirmed.json()["reason_zh"]
    assert revoked.status_code == 401
    assert reissued.status_code == 200, reissued.text
    kinds = [r["kind"] for r in venue.store.query("SELECT kind FROM journal WHERE kind LIKE 'judge_token%'")]
    assert kinds.count("judge_token_revoked") == 1 and kinds.count("judge_token_issued") == 9


def test_undo_my_last_call(venue: Event, event_path: Path) -> None:
    tokens = tokens_by_segment(venue)
    with serving(event_path) as url, httpx.Client(base_url=url) as client:
        made = call(client, tokens["raogan"], call_id="u0000001", bib=1, segment="raogan", code="pole_down")
        other = client.post("/api/calls/undo", json={"call_id": "u0000001"},
                            headers={"Authorization": f"Bearer {tokens['xiankuan']}"})
        undo = client.post("/api/calls/undo", json={"call_id": "u0000001"},
                           headers={"Authorization": f"Bearer {tokens['raogan']}"})
        undo_again = client.post("/api/calls/undo", json={"call_id": "u0000001"},
                                 headers={"Authorization": f"Bearer {tokens['raogan']}"})
    assert made.status_code == 200
    assert other.status_code == 409
    assert undo.status_code == 200 and undo_again.status_code == 200
    rows = venue.store.query("SELECT withdrawn, withdrawn_reason FROM penalties")
    assert rows == [{"withdrawn": 1, "withdrawn_reason": "裁判在手机上撤销 undone on the judge's phone (raogan-1)"}]


def test_late_calls_within_the_grace_window_only(venue: Event) -> None:
    from competition.errors import CommandRefused
    from competition.judges import active_tokens

    Track(venue).finish(time.monotonic_ns())
    token = next(t for t in active_tokens(venue) if t.segment == "raogan") if issue_tokens(venue) else None
    assert token is not None
    record_call(venue, token, call_id="g0000001", bib=1, segment="raogan", code="pole_down", count=1, device="t")
    later = datetime.now(UTC) + timedelta(seconds=LATE_CALL_GRACE_S + 5)
    with pytest.raises(CommandRefused):
        record_call(venue, token, call_id="g0000002", bib=1, segment="raogan", code="pole_down", count=1,
                    device="t", now=later)


def test_pin_guessing_is_rate_limited(venue: Event, event_path: Path) -> None:
    issue_tokens(venue)
    with serving(event_path) as url, httpx.Client(base_url=url) as client:
        codes = [client.post("/api/judge/session", json={"pin": f"AAAA-{i:04d}"}).status_code for i in range(8)]
        options = client.request("OPTIONS", "/api/calls", headers={"Origin": "http://evil.example"})
    assert codes[:5] == [401] * 5 and 429 in codes[5:]
    assert options.status_code == 405 and "access-control-allow-origin" not in options.headers


def test_pin_login_gives_the_segment_and_its_buttons(venue: Event, event_path: Path) -> None:
    pin = next(t.pin for t in issue_tokens(venue) if t.segment == "raogan")
    with serving(event_path) as url, httpx.Client(base_url=url) as client:
        answer = client.post("/api/judge/session", json={"pin": pin.lower()})
        riders = client.get("/api/judge/riders", headers={"Authorization": f"Bearer {answer.json()['token']}"})
    assert answer.status_code == 200
    assert [s["code"] for s in answer.json()["segments"]] == ["raogan"]
    assert [r["bib"] for r in riders.json()["riders"]] == [2, 1]  # newest start first


def test_the_live_stream_carries_a_commit_from_another_process(venue: Event, event_path: Path) -> None:
    from competition.judging import call_penalty

    received: list[dict[str, object]] = []
    ready = threading.Event()

    def listen(url: str) -> None:
        with httpx.stream("GET", url + "/api/events", timeout=10) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    received.append(json.loads(line[5:]))
                    ready.set()
                    if len(received) >= 2:
                        return

    with serving(event_path) as url:
        listener = threading.Thread(target=listen, args=(url,), daemon=True)
        listener.start()
        assert ready.wait(10)
        other = Event.open(event_path, terminal="second-terminal")
        call_penalty(other, 1, "raogan", "pole_down")
        other.close()
        listener.join(10)
    assert len(received) == 2
    rider_1 = next(r for r in received[1]["live"]["on_course"] if r["bib"] == 1)  # type: ignore[index]
    assert rider_1["penalty"] == "+3" and rider_1["penalties"][0]["code"] == "pole_down"
