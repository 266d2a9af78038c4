"""Voids, disqualifications, the referee's re-pair, serial settings and the CLI around them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition import timing
from competition.errors import CommandRefused
from competition.event import Event
from competition.pairing_by_number import swap_finishes, unvoid_impulse
from competition.recorder import TimingRecorder, replay_capture
from competition.verify import verify_event
from hardware.protocols import get_protocol
from hardware.protocols.settings import BadSerialSetting, forget, remember
from hardware.supervisor import PortSupervisor
from main import cli
from tests.hardware.corpus import ALGE_CAPTURES, capture_bibs, finished_times, new_event

S = 10**9


def alge(*lines: str) -> bytes:
    return b"".join(line.encode() + b"\r" for line in lines)


def test_cancelled_finish_puts_the_run_back_on_course_and_the_next_finish_pairs(tmp_path: Path) -> None:
    ev = new_event(tmp_path / "e.db", [7])
    replay_capture(ev, alge(" 0007 C0  10:00:00.0000 00", " 0007 C1  10:00:50.0000 00",
                            "c0007 C1  10:00:50.0000 00", "i0007 C1  10:00:48.5000 00"), protocol="alge",
                   )
    # No n/s line: the same number on the start and the finish proves start-number mode.
    assert finished_times(ev) == {7: [48_500_000_000]}
    ev.close()
    ev2 = new_event(tmp_path / "f.db", [7])
    counts = replay_capture(ev2, alge("n0007", " 0007 C0  10:00:00.0000 00", " 0007 C1  10:00:50.0000 00",
                                      "c0007 C1  10:00:50.0000 00", "i0007 C1  10:00:48.5000 00"), protocol="alge")
    assert counts["cancel"] == 1
    assert finished_times(ev2) == {7: [48_500_000_000]}
    [run] = ev2.store.query("SELECT * FROM runs")
    assert run["manual"] == 1  # the operator typed the finish in
    dispositions = [r["disposition"] for r in ev2.store.query("SELECT disposition FROM impulses ORDER BY seq")]
    assert dispositions == ["start", "voided", "cancel", "finish"]
    assert verify_event(ev2).ok
    ev2.close()


def test_repeated_cancel_is_a_duplicate_and_a_replay_of_the_original_stays_voided(tmp_path: Path) -> None:
    ev = new_event(tmp_path / "e.db", [1])
    data = alge("n0001", " 0001 C0  10:00:00.0000 00", "c0001 C0  10:00:00.0000 00")
    replay_capture(ev, data, protocol="alge")
    counts = replay_capture(ev, data + alge("m0001 C0  10:00:00.0000 00"), protocol="alge")
    assert counts["duplicate"] == 3
    assert [r["state"] for r in ev.store.query("SELECT state FROM runs")] == ["void"]
    ev.close()


def test_disqualified_copy_marks_the_run_dsq(tmp_path: Path) -> None:
    ev = new_event(tmp_path / "e.db", [35])
    replay_capture(ev, alge("n0035", " 0035 C0  21:46:36.3910 00", " 0035 C1  21:47:36.0000 00",
                            "d0035 C1  21:47:36.0000 00"), protocol="alge")
    [run] = ev.store.query("SELECT status, raw_ns FROM runs")
    assert run["status"] == "DSQ" and run["raw_ns"] == 59_609_000_000
    ev.close()


def test_referee_reverses_a_timer_void(tmp_path: Path) -> None:
    ev = new_event(tmp_path / "e.db", [1, 2])
    replay_capture(ev, alge("n0001", " 0001 C0  10:00:00.0000 00", "c0001 C0  10:00:00.0000 00"), protocol="alge")
    [voided] = ev.store.query("SELECT seq FROM impulses WHERE disposition = 'voided'")
    with pytest.raises(CommandRefused):
        unvoid_impulse(ev, voided["seq"] + 1, reason="试一下")
    unvoid_impulse(ev, voided["seq"], reason="操作员误按取消")
    assert [o["seq"] for o in timing.orphans(ev)] == [voided["seq"]]
    run_id = timing.assign_impulse(ev, voided["seq"], bib=1, reason="误取消，恢复出发")
    assert timing.run(ev, run_id)["state"] == "on_course"
    assert verify_event(ev).ok
    ev.close()


def test_number_on_the_timer_beats_the_queue_and_the_mismatch_is_shown(tmp_path: Path) -> None:
    from competition.pairing_by_number import number_mismatches

    ev = new_event(tmp_path / "e.db", [3, 5], queue=[5, 3])
    replay_capture(ev, alge("s0003", " 0003 C0  10:00:00.0000 00", " 0003 C1  10:00:40.0000 00"), protocol="alge")
    assert finished_times(ev) == {3: [40 * S]}
    [mismatch] = number_mismatches(ev)
    assert mismatch["bib"] == 3 and mismatch["queue_bib"] == 5 and "queue says 5" in mismatch["mismatch"]
    assert [w["bib"] for w in ev.store.query("SELECT bib FROM queue WHERE state = 'waiting'")] == [5]
    ev.close()


def test_starts_paired_before_the_numbers_were_proven_are_re_paired(tmp_path: Path) -> None:
    """Seen by hand: `simulate --numbers bib` read with `--numbers auto`, first start missed, queue 3,2,1."""
    ev = new_event(tmp_path / "e.db", [1, 2, 3], queue=[3, 2, 1])
    replay_capture(ev, alge(" 0002 C0  10:00:03.0000 00", " 0003 C0  10:00:06.0000 00", "n0001",
                            " 0001 C1  10:00:07.0000 00", "n0002", " 0002 C1  10:00:09.5000 00",
                            " 0002 RT  00:00:06.50   00", "n0003", " 0003 C1  10:00:12.2500 00",
                            " 0003 RT  00:00:06.25   00"), protocol="alge")
    assert finished_times(ev) == {2: [6_500_000_000], 3: [6_250_000_000]}
    from competition.timer_records import timer_checks

    assert [c.agrees for c in timer_checks(ev).values()] == [True, True]
    assert verify_event(ev).ok
    ev.close()


def test_swap_finishes_when_b_overtook_a(tmp_path: Path) -> None:
    ev = new_event(tmp_path / "e.db", [1, 2])
    # Impulse-counter ALGE: first in, first out. Rider 2 started second but finished first.
    replay_capture(ev, alge(" 0001 C0  10:00:00.0000 00", " 0002 C0  10:00:10.0000 00",
                            " 0003 C1  10:00:40.0000 00"), protocol="alge")
    runs = {r["bib"]: r["run_id"] for r in ev.store.query("SELECT bib, run_id FROM runs")}
    assert finished_times(ev) == {1: [40 * S]}  # wrong: that was rider 2's finish
    swap_finishes(ev, runs[1], runs[2], reason="2 号超车")
    assert finished_times(ev) == {2: [30 * S]}
    assert [r["bib"] for r in timing.on_course(ev)] == [1]
    replay_capture(ev, alge(" 0004 C1  10:00:45.0000 00"), protocol="alge")
    assert finished_times(ev) == {1: [45 * S], 2: [30 * S]}
    with pytest.raises(CommandRefused):
        swap_finishes(ev, runs[1], runs[1], reason="同一次")
    assert verify_event(ev).ok
    ev.close()


def test_remembered_settings_reach_the_recorder_and_the_port(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    new_event(path, [1]).close()
    url = "socket://127.0.0.1:9"
    remember(url, baudrate=38400, rtscts=True, numbers="bib")
    try:
        rec = TimingRecorder(str(path), url=url, protocol="alge", claim_port=False)
        assert rec.protocol.baudrate == 38400 and rec.protocol.rtscts and rec.protocol.numbers == "bib"
        assert rec.supervisor.baudrate == 38400
        assert get_protocol("alge").baudrate == 9600  # the shared default is untouched
    finally:
        forget(url)
    with pytest.raises(BadSerialSetting):
        remember(url, baudrate=12345)


def test_tagheuer_flow_controlled_acks_every_frame_over_a_pty() -> None:
    master, slave = os.openpty()
    path = os.ttyname(slave)
    got: list[object] = []
    sup = PortSupervisor(path, get_protocol("tagheuer").configured(rtscts=True), on_bytes=lambda c, h: None,
                         on_frame=got.append, on_status=lambda s: None)
    sup.start()
    try:
        deadline = time.monotonic() + 10
        while not sup.status.online and time.monotonic() < deadline:
            time.sleep(0.02)
        os.write(master, b"TN 0012 0057  2 14:07:22.61530 00000\r\nAK\r\n")
        acks = b""
        while acks.count(b"\x06") < 2 and time.monotonic() < deadline:
            try:
                acks += os.read(master, 16)
            except BlockingIOError:
                time.sleep(0.02)
        assert acks.count(b"\x06") == 2 and len(got) == 2
    finally:
        sup.stop()
        os.close(master)
        os.close(slave)


@pytest.fixture
def cli_run(tmp_path: Path):
    db = tmp_path / "cli.db"

    def invoke(*args: str, lang: str = "en") -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args], catch_exceptions=False)
        return result.exit_code, result.output

    return db, invoke


def test_cli_replay_real_capture_runs_json_shows_the_timers_time(cli_run, tmp_path: Path) -> None:
    db, run = cli_run
    capture = ALGE_CAPTURES[1]
    new_event(db, capture_bibs(capture.read_bytes())).close()
    code, out = run("timing", "replay", str(capture), "--protocol", "alge", "--numbers", "auto")
    assert code == 0, out
    code, out = run("runs", "--json")
    rows = [r for r in json.loads(out) if r["state"] == "finished"]
    assert len(rows) == 129 and all(r["timer_agrees"] is True for r in rows)
    assert all(r["timer_net_ns"] == r["raw_ns"] - r["raw_ns"] % 10**7 for r in rows)
    code, out = run("timing", "checks", "--json")
    assert code == 0 and not [c for c in json.loads(out)["checks"] if c["timer_agrees"] is False]
    code, out = run("verify")
    assert code == 0


def test_cli_swap_unvoid_and_bad_settings(cli_run, tmp_path: Path) -> None:
    db, run = cli_run
    new_event(db, [1, 2]).close()
    capture = tmp_path / "fifo.cap"
    capture.write_bytes(alge(" 0001 C0  10:00:00.0000 00", " 0002 C0  10:00:10.0000 00", " 0003 C1  10:00:40.0000 00"))
    assert run("timing", "replay", str(capture), "--protocol", "alge", "--numbers", "impulse")[0] == 0
    with Event.open(db) as ev:
        ids = sorted(r["run_id"] for r in ev.store.query("SELECT run_id FROM runs"))
    code, out = run("timing", "swap", str(ids[0]), str(ids[1]), "--reason", "2 overtook 1")
    assert code == 0 and "swapped" in out
    code, out = run("timing", "swap", str(ids[0]), str(ids[1]))
    assert code == 2  # --reason is required
    with Event.open(db) as ev:
        first = ev.store.query("SELECT min(seq) AS seq FROM impulses")[0]["seq"]
    code, out = run("timing", "unvoid", str(first), "--reason", "x")
    assert code == 1 and "not voided" in out and "Traceback" not in out
    code, out = run("timing", "listen", "--port", "socket://127.0.0.1:9", "--protocol", "alge", "--baud", "12345")
    assert code == 1 and "12345" in out and "Traceback" not in out
    code, out = run("simulate", "--protocol", "alge", "--baud", "7")
    assert code == 1 and "--baud 7" in out
