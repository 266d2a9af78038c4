"""A rider's calls show while he is still on course (runs --json, standings --json)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from competition import judging, start_queue, timing
from competition.event import Event
from hardware.impulse import Channel
from main import cli
from tests.competition.test_pairing import T0, S, imp
from tests.conftest import register


def _json(db: Path, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db), *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_calls_on_a_rider_on_course_are_visible(event: Event, event_path: Path) -> None:
    register(event, 2)
    start_queue.check_in(event, [1, 2], track=1)
    timing.record_impulse(event, imp(Channel.START, T0, 1), track=1)
    judging.call_penalty(event, 1, "raogan", "pole_down", count=2)
    # 2 x +3 s
    wrong = judging.call_penalty(event, 1, "danbian", "dropped_off")
    judging.withdraw_penalty(event, wrong, reason="按错")
    event.close()

    runs = _json(event_path, "runs")
    [mine] = [r for r in runs if r["bib"] == 1]
    assert mine["state"] == "on_course"
    assert mine["penalty_ns"] == 6 * S
    assert [(p["segment"], p["code"], p["count"]) for p in mine["penalties"]] == [("raogan", "pole_down", 2)]

    standings = _json(event_path, "standings")["standings"]
    [row] = [s for s in standings if s["bib"] == 1]
    assert row["status"] == "on_course"
    assert row["penalty_ns"] == mine["penalty_ns"]
    assert [(p["segment"], p["code"], p["count"]) for p in row["penalties"]] == [("raogan", "pole_down", 2)]
    assert row["rank"] is None
    [other] = [s for s in standings if s["bib"] == 2]
    assert other["status"] != "on_course"


def test_a_dsq_rider_riding_on_shows_dsq_on_course(event: Event, event_path: Path) -> None:
    register(event, 1)
    start_queue.check_in(event, [1], track=1)
    out = timing.record_impulse(event, imp(Channel.START, T0, 1), track=1)
    judging.set_status(event, out.run_id or 0, "DSQ", reason="危险驾驶")
    event.close()
    [mine] = _json(event_path, "runs")
    assert (mine["state"], mine["status"]) == ("on_course", "DSQ")
