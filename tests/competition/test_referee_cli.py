"""The referee's CLI: scratching a queued rider, unlocking a confirmed run, DSQ riding on or off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition import start_queue, timing
from competition.event import Event
from hardware.impulse import Channel
from main import cli
from tests.competition.test_pairing import T0, S, imp
from tests.conftest import register


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "e.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "init"]).exit_code == 0
    with Event.open(path) as ev:
        register(ev, 3)
    return path


def call(db: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args], catch_exceptions=False)
    return r.exit_code, r.output


def test_scratch_a_queued_rider_so_the_round_can_advance(db: Path) -> None:
    assert call(db, "checkin", "1", "2")[0] == 0
    code, out = call(db, "advance", "--top", "1")
    assert code == 1 and "scratch" in out
    code, out = call(db, "scratch", "2", "--reason", "未到场")
    assert code == 0 and "Bib 2 scratched" in out
    code, out = call(db, "queue", "--json")
    assert [q["bib"] for q in json.loads(out)] == [1]
    code, out = call(db, "scratch", "3")
    assert code == 1 and "not in a start queue" in out and "Traceback" not in out
    code, out = call(db, "journal", "--kind", "queue_scratched", lang="zh")
    assert "未到场" in out


def test_unconfirm_then_change(db: Path) -> None:
    with Event.open(db) as ev:
        start_queue.check_in(ev, [1], track=1)
        timing.record_impulse(ev, imp(Channel.START, T0, 1), track=1)
        run_id = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 45 * S, 2), track=1).run_id
    assert call(db, "confirm", str(run_id))[0] == 0
    code, out = call(db, "penalty", "1", "raogan", "pole_down")
    assert code == 1 and "confirmed" in out and f"unconfirm {run_id}" in out
    code, out = call(db, "penalty", "1", "raogan", "pole_down", lang="zh")
    assert code == 1 and "已确认" in out
    code, out = call(db, "unconfirm", str(run_id), "--reason", "录像复核")
    assert code == 0, out
    assert call(db, "penalty", "1", "raogan", "pole_down")[0] == 0
    assert call(db, "verify")[0] == 0


def test_status_on_course_rides_on_or_left(db: Path) -> None:
    with Event.open(db) as ev:
        start_queue.check_in(ev, [1, 2], track=1)
        r1 = timing.record_impulse(ev, imp(Channel.START, T0, 1), track=1).run_id
        r2 = timing.record_impulse(ev, imp(Channel.START, T0 + 20 * S, 2), track=1).run_id
    code, out = call(db, "status", str(r1), "DSQ", "--reason", "危险驾驶")
    assert code == 0 and "still on course" in out
    code, out = call(db, "status", str(r1), "DSQ", "--left-course", "--reason", "叫停离场")
    assert code == 0 and "still on course" not in out
    code, out = call(db, "status", str(r2), "DNF", "--rides-on", "--reason", "漏项")
    assert code == 0 and "still on course" in out
    with Event.open(db) as ev:
        assert [r["run_id"] for r in timing.on_course(ev, 1)] == [r2]
    assert call(db, "verify")[0] == 0
