"""An orphan assignment shows the impulse's time and the run time first, and refuses results outside the limits."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition import start_queue, timing
from competition.assignment import preview_assignment
from competition.errors import CommandRefused
from competition.event import Event
from competition.verify import verify_event
from hardware.impulse import Channel
from main import cli
from tests.competition.test_pairing import T0, S, imp
from tests.conftest import register

MIN = 60 * S


def test_a_six_minute_old_replayed_start_is_refused_unless_forced(event: Event) -> None:
    """Issue #12: a six-minute-old timer impulse produced a 6:06.87 DNF."""
    register(event, 2)
    now = time.monotonic_ns()
    # The timer's clock is known from a live impulse just now (14:06:06.87 on the timer).
    timing.record_impulse(event, imp(Channel.FINISH, T0 + 6 * MIN + 6_870_000_000, 7, host_ns=now), track=1)
    start_queue.check_in(event, [2], track=1)
    old = timing.record_impulse(event, imp(Channel.START, T0, 3, replayed=True, host_ns=now), track=1)
    assert old.disposition == "orphan"
    pv = preview_assignment(event, old.seq or 0, bib=2, now_host_ns=now)
    assert (pv["action"], pv["bib"], pv["time_of_day"]) == ("start", 2, "14:00:00.00")
    assert pv["running_ns"] == 6 * MIN + 6_870_000_000 and pv["running"] == "6:06.87"
    assert pv["outside_limits"] == ["over_time_limit"] and pv["needs_force"]
    with pytest.raises(CommandRefused) as info:
        timing.assign_impulse(event, old.seq or 0, bib=2, reason="回放的出发")
    assert "6:06" in info.value.message_en and "--force" in info.value.message_en
    assert timing.on_course(event, 1) == [] and [w["bib"] for w in start_queue.waiting(event, 1)] == [2]
    run_id = timing.assign_impulse(event, old.seq or 0, bib=2, reason="裁判核对纸质记录", force=True)
    assert timing.on_course(event, 1)[0]["run_id"] == run_id
    row = event.store.query("SELECT payload FROM journal WHERE kind = 'impulse_disposed'")[-1]
    assert json.loads(row["payload"])["forced"] is True
    assert verify_event(event).ok


def test_finish_preview_gives_the_run_time_and_refuses_a_too_short_one(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1], track=1)
    host = time.monotonic_ns()
    started = timing.record_impulse(event, imp(Channel.START, T0, 1, host_ns=host), track=1)
    short = timing.record_impulse(event, imp(Channel.FINISH, T0 + 2 * S, 2, host_ns=host + 2 * S), track=1)
    assert short.disposition == "too_short"
    pv = preview_assignment(event, short.seq or 0, run_id=started.run_id)
    assert (pv["action"], pv["raw_ns"], pv["raw"], pv["outside_limits"]) == ("finish", 2 * S, "2.00", ["below_min_run"])
    with pytest.raises(CommandRefused):
        timing.assign_impulse(event, short.seq or 0, run_id=started.run_id, reason="x")
    good = timing.record_impulse(event, imp(Channel.FINISH, T0 + 47 * S, 3, host_ns=host + 47 * S), track=1)
    assert good.run_id == started.run_id
    stray = timing.record_impulse(event, imp(Channel.FINISH, T0 + 48 * S, 4, host_ns=host + 48 * S), track=1)
    pv = preview_assignment(event, stray.seq or 0, run_id=started.run_id)
    assert (pv["action"], pv["raw_ns"], pv["needs_force"]) == ("choose_finish", 48 * S, False)


def test_cli_assign_previews_and_needs_force(tmp_path: Path) -> None:
    db = tmp_path / "e.db"

    def cli_run(*args: str) -> tuple[int, str]:
        r = CliRunner().invoke(cli, ["--db", str(db), "--lang", "en", *args], catch_exceptions=False)
        return r.exit_code, r.output

    assert cli_run("init")[0] == 0
    with Event.open(db) as ev:
        register(ev, 1)
        start_queue.check_in(ev, [1], track=1)
        host = time.monotonic_ns()
        started = timing.record_impulse(ev, imp(Channel.START, T0, 1, host_ns=host), track=1)
        late = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 200 * S, 2, host_ns=host + 200 * S), track=1)
        late_seq = late.seq
        assert late.disposition == "finish" and late.status == "DNF"
        timing.undo_finish(ev, started.run_id or 0, reason="错配")
    code, out = cli_run("timing", "assign", str(late_seq), "--run", str(started.run_id), "--reason", "x", "--preview")
    assert code == 0 and "3:20.00" in out and "14:03:20.00" in out
    code, out = cli_run("timing", "assign", str(late_seq), "--run", str(started.run_id), "--reason", "x")
    assert code == 1 and "over the time limit" in out and "Traceback" not in out
    code, out = cli_run("timing", "assign", str(late_seq), "--run", str(started.run_id), "--reason", "纸质记录", "--force")
    assert code == 0, out
    code, out = cli_run("runs", "--json")
    [r] = json.loads(out)
    assert (r["status"], r["raw_ns"], r["flags"]) == ("DNF", 200 * S, ["over_time_limit"])
