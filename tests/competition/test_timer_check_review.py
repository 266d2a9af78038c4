"""A run that differs from the timer's own net time: decided by the referee, journaled, never silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition import judging, timing
from competition.errors import CommandRefused
from competition.event import Event
from competition.recorder import replay_capture
from competition.timer_check_review import decide, open_disagreements
from competition.verify import verify_event
from main import cli
from tests.hardware.corpus import new_event

# The TdC prints bib 1's run as 45.13; Trackside timed 45.1234 (45.12 at 1/100 s).
STREAM = b"n0001\n 0001 C0  10:00:00.0000 00\n 0001 C1  10:00:45.1234 00\n 0001 RT  00:00:45.13   00\n"


def one_disagreement(path: Path) -> tuple[Event, int]:
    ev = new_event(path, [1])
    replay_capture(ev, STREAM, protocol="alge")
    run_id = int(ev.store.query("SELECT run_id FROM runs")[0]["run_id"])
    return ev, run_id


def test_keeping_trackside_closes_it_until_a_time_changes(tmp_path: Path) -> None:
    ev, run_id = one_disagreement(tmp_path / "e.db")
    assert [d.run_id for d in open_disagreements(ev)] == [run_id]
    with pytest.raises(CommandRefused):
        decide(ev, run_id, "trackside", reason="  ")
    with pytest.raises(CommandRefused):
        decide(ev, run_id, "maybe", reason="?")
    decide(ev, run_id, "trackside", reason="踏板更准")
    assert open_disagreements(ev) == []
    with pytest.raises(CommandRefused):  # decided already: not journaled twice
        decide(ev, run_id, "trackside", reason="again")
    judging.correct_time(ev, run_id, 45_110_000_000, reason="纸质记录")  # Trackside's time changed: open again
    assert [d.trackside_ns for d in open_disagreements(ev)] == [45_110_000_000]
    assert verify_event(ev).ok
    ev.close()


def test_using_the_timers_time_is_refused_on_a_confirmed_run_before_anything_is_journaled(tmp_path: Path) -> None:
    ev, run_id = one_disagreement(tmp_path / "e.db")
    judging.confirm_run(ev, run_id)
    before = ev.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"]
    with pytest.raises(CommandRefused):
        decide(ev, run_id, "timer", reason="计时器为准")
    assert ev.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"] == before
    ev.close()


def test_cli_decide_check(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    ev, run_id = one_disagreement(db)
    ev.close()

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--db", str(db), "--lang", "en", *args], catch_exceptions=False)
        return result.exit_code, result.output

    code, out = run("timing", "checks", "--json")
    assert code == 0 and [c["timer_agrees"] for c in json.loads(out)["checks"]] == [False]
    code, out = run("timing", "decide-check", str(run_id), "--use", "timer", "--reason", "the timer is right")
    assert code == 0, out
    assert "set to the timer's time" in out
    code, out = run("timing", "decide-check", str(run_id), "--use", "timer", "--reason", "again")
    assert code != 0 and "agrees with the timer" in out and "Traceback" not in out
    with Event.open(db) as ev:
        assert timing.run(ev, run_id)["raw_ns"] == 45_130_000_000
        kinds = [r[0] for r in ev.store.conn.execute("SELECT kind FROM journal ORDER BY seq DESC LIMIT 2")]
        assert kinds == ["run_time_corrected", "timer_check_decided"]
    code, _ = run("verify")
    assert code == 0
