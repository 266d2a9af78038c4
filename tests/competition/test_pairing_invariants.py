"""Pairing keeps its invariants under every status change (issue #12, #16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition import judging, start_queue, timing
from competition.errors import CommandRefused
from competition.event import Event
from competition.verify import verify_event
from hardware.impulse import Channel
from hardware.protocols.pad import encode_line
from main import cli
from tests.competition.test_pairing import T0, S, imp
from tests.conftest import register


@pytest.fixture
def cli_run(tmp_path: Path):
    db = tmp_path / "event.db"

    def invoke(*args: str, lang: str = "en") -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args], catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


def _pad(tmp_path: Path, name: str, lines: list[tuple[int, str, int]]) -> str:
    path = tmp_path / name
    path.write_bytes(b"".join(encode_line(boot=0x1A, seq=s, channel_raw=ch, millis=ms) for s, ch, ms in lines))
    return str(path)


def _runs(cli_run) -> dict[int, dict]:
    code, out = cli_run("runs", "--json")
    assert code == 0, out
    return {r["bib"]: r for r in json.loads(out)}


def test_dsq_on_course_keeps_the_rider_s_finish_cli(cli_run, tmp_path: Path) -> None:
    """Issue #12 as quoted: check in 1 2, starts for both, `status RUN dsq`, then two finishes."""
    csv = tmp_path / "sheet.csv"
    csv.write_text("姓名,联系电话\n张伟,13812345678\n李娜,13912345678\n", encoding="utf-8")
    assert cli_run("init")[0] == 0
    assert cli_run("entrants", "import", str(csv))[0] == 0
    assert cli_run("checkin", "1", "2")[0] == 0
    starts = _pad(tmp_path, "starts.cap", [(1, "S", 100_000), (2, "S", 120_000)])
    assert cli_run("timing", "replay", starts, "--protocol", "pad")[0] == 0
    run1 = _runs(cli_run)[1]["run_id"]
    code, out = cli_run("status", str(run1), "dsq", "--reason", "危险驾驶")
    assert code == 0, out
    finishes = _pad(tmp_path, "finishes.cap", [(3, "F", 145_000), (4, "F", 161_500)])
    assert cli_run("timing", "replay", finishes, "--protocol", "pad")[0] == 0
    runs = _runs(cli_run)
    # Rider 1 rode through the finish pad: that finish is his, his status stays DSQ.
    assert (runs[1]["state"], runs[1]["status"], runs[1]["raw_ns"]) == ("finished", "DSQ", 45 * S)
    # Rider 2 gets his own finish, not rider 1's.
    assert (runs[2]["state"], runs[2]["status"], runs[2]["raw_ns"]) == ("finished", "OK", 41_500_000_000)
    assert cli_run("verify")[0] == 0


@pytest.fixture
def two_on_course(event: Event) -> Event:
    register(event, 4)
    start_queue.check_in(event, [1, 2, 3], track=1)
    timing.record_impulse(event, imp(Channel.START, T0, 1), track=1)
    timing.record_impulse(event, imp(Channel.START, T0 + 20 * S, 2), track=1)
    return event


def test_dnf_on_course_with_rider_left_the_course(two_on_course: Event) -> None:
    ev = two_on_course
    r1, r2 = (r["run_id"] for r in timing.on_course(ev, 1))
    judging.set_status(ev, r1, "DNF", reason="摔车离场")
    assert [r["bib"] for r in timing.on_course(ev, 1)] == [2]
    out = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 61 * S, 3), track=1)
    assert (out.run_id, out.bib, out.raw_ns) == (r2, 2, 41 * S)
    assert verify_event(ev).ok


def test_dnf_on_course_but_still_riding_owns_his_finish(two_on_course: Event) -> None:
    ev = two_on_course
    r1, r2 = (r["run_id"] for r in timing.on_course(ev, 1))
    judging.set_status(ev, r1, "DNF", reason="漏过赛段", rides_on=True)
    assert [r["bib"] for r in timing.on_course(ev, 1)] == [1, 2]
    first = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 50 * S, 3), track=1)
    assert (first.run_id, first.status) == (r1, "DNF")
    assert timing.run(ev, r1)["raw_ns"] == 50 * S
    second = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 61 * S, 4), track=1)
    assert (second.run_id, second.raw_ns, second.status) == (r2, 41 * S, "OK")
    # The DSQ rider who then leaves without crossing the finish: the referee says so.
    assert verify_event(ev).ok


def test_dsq_rider_who_leaves_the_course_is_taken_out_of_pairing(two_on_course: Event) -> None:
    ev = two_on_course
    r1, r2 = (r["run_id"] for r in timing.on_course(ev, 1))
    judging.set_status(ev, r1, "DSQ", reason="危险驾驶")
    assert [r["bib"] for r in timing.on_course(ev, 1)] == [1, 2]
    judging.left_course(ev, r1, reason="被裁判叫停离场")
    assert [r["bib"] for r in timing.on_course(ev, 1)] == [2]
    assert timing.run(ev, r1)["status"] == "DSQ"
    out = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 61 * S, 3), track=1)
    assert out.run_id == r2
    with pytest.raises(CommandRefused):
        judging.left_course(ev, r1, reason="again")
    assert verify_event(ev).ok


def test_reinstating_a_dsq_that_rode_through_keeps_his_real_time(two_on_course: Event) -> None:
    ev = two_on_course
    r1 = timing.on_course(ev, 1)[0]["run_id"]
    judging.set_status(ev, r1, "DSQ", reason="误判")
    timing.record_impulse(ev, imp(Channel.FINISH, T0 + 50 * S, 3), track=1)
    judging.set_status(ev, r1, "OK", reason="录像复核：无违规")
    assert (timing.run(ev, r1)["status"], timing.run(ev, r1)["raw_ns"]) == ("OK", 50 * S)
    assert verify_event(ev).ok


def test_a_live_start_older_than_what_was_paired_takes_nobody(event: Event) -> None:
    """Issue #16: a stale start shifted the next three results (95.41 s instead of 40.41 s)."""
    register(event, 3)
    start_queue.check_in(event, [1, 2, 3], track=1)
    timing.record_impulse(event, imp(Channel.START, T0, 1), track=1)
    timing.record_impulse(event, imp(Channel.FINISH, T0 + 50 * S, 2), track=1)
    stale = timing.record_impulse(event, imp(Channel.START, T0 - 5 * S, 3), track=1)
    assert stale.disposition == "orphan"
    assert [w["bib"] for w in start_queue.waiting(event, 1)] == [2, 3]
    timing.record_impulse(event, imp(Channel.START, T0 + 60 * S, 4), track=1)
    out = timing.record_impulse(event, imp(Channel.FINISH, T0 + 100 * S + 410_000_000, 5), track=1)
    assert (out.bib, out.raw_ns) == (2, 40_410_000_000)
    assert verify_event(event).ok


def test_undoing_the_finish_of_a_dsq_rider_keeps_his_dsq(two_on_course: Event) -> None:
    ev = two_on_course
    r1 = timing.on_course(ev, 1)[0]["run_id"]
    judging.set_status(ev, r1, "DSQ", reason="危险驾驶")
    timing.record_impulse(ev, imp(Channel.FINISH, T0 + 50 * S, 3), track=1)
    timing.undo_finish(ev, r1, reason="不是他的终点")
    back = timing.run(ev, r1)
    assert (back["state"], back["status"], back["status_reason"]) == ("on_course", "DSQ", "危险驾驶")
    over = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 250 * S, 4), track=1)
    assert over.run_id == r1 and over.status == "DSQ"
    timing.undo_finish(ev, r1, reason="again")
    assert timing.run(ev, r1)["status"] == "DSQ"
    assert verify_event(ev).ok


def test_choosing_the_real_finish_lifts_the_time_limit_dnf_but_not_a_called_one(two_on_course: Event) -> None:
    ev = two_on_course
    r1, r2 = (r["run_id"] for r in timing.on_course(ev, 1))
    real = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 50 * S, 3), track=1)  # rider 1's, taken by him
    timing.undo_finish(ev, r1, reason="演示：终点给错")
    assert timing.run(ev, r1)["state"] == "on_course"
    late = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 200 * S, 4), track=1)
    assert (late.run_id, late.status) == (r1, "DNF")  # over the limit: the automatic DNF
    timing.choose_finish(ev, r1, real.seq or 0, reason="计时器记忆中的真实终点")
    assert (timing.run(ev, r1)["status"], timing.run(ev, r1)["raw_ns"]) == ("OK", 50 * S)
    judging.set_status(ev, r2, "DNF", reason="漏项", rides_on=True)
    wrong = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 70 * S, 5), track=1)
    assert (wrong.run_id, wrong.status) == (r2, "DNF")
    timing.undo_finish(ev, r2, reason="x")
    stray = timing.record_impulse(ev, imp(Channel.FINISH, T0 + 71 * S, 6), track=1)
    assert stray.run_id == r2 and timing.run(ev, r2)["status"] == "DNF"  # the referee's DNF stays
    assert verify_event(ev).ok


def test_model_found_rerun_then_undo_finish_put_a_rider_on_course_and_in_the_queue(event: Event) -> None:
    """Minimal sequence from the model-based test: finish, rerun, undo finish, undo start, start.

    The rider ended up queued twice and the next start took both entries.
    """
    register(event, 3)
    start_queue.check_in(event, [1, 2, 3], track=1)
    r1 = timing.record_impulse(event, imp(Channel.START, T0, 1), track=1).run_id or 0
    timing.record_impulse(event, imp(Channel.FINISH, T0 + 20_701_000_000, 2), track=1)
    judging.grant_rerun(event, r1, reason="计时故障")
    assert [w["bib"] for w in start_queue.waiting(event, 1)] == [1, 2, 3]
    with pytest.raises(CommandRefused):
        timing.undo_finish(event, r1, reason="不是他的终点")
    assert timing.on_course(event, 1) == []
    nxt = timing.record_impulse(event, imp(Channel.START, T0 + 40 * S, 3), track=1)
    assert nxt.bib == 1 and [w["bib"] for w in start_queue.waiting(event, 1)] == [2, 3]
    timing.undo_start(event, nxt.run_id or 0, reason="抢跑")
    assert [w["bib"] for w in start_queue.waiting(event, 1)] == [1, 2, 3]
    assert verify_event(event).ok
