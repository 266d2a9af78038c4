"""One bad line never stops timing: range checks at the edge, and a pipeline that survives any frame."""

from __future__ import annotations

import base64
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from competition import start_queue
from competition.event import Event
from competition.recorder import TrackPipeline, replay_capture
from competition.verify import verify_event
from hardware.impulse import Channel, Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.pad import encode_line, xor_checksum
from tests.conftest import register

ROOT = Path(__file__).resolve().parents[2]
POISON = b"P,1A,9223372036854775808,S,50000,73\n"


def pad_line(seq: int, channel: str, millis: int) -> bytes:
    return encode_line(boot=0x1A, seq=seq, channel_raw=channel, millis=millis)


def good_stream(first_seq: int = 1) -> bytes:
    # Three riders, 40 s courses, starts 10 s apart, numbered without a gap.
    out = b""
    for k in range(3):
        out += pad_line(first_seq + k, "S", 100_000 + 10_000 * k)
    for k in range(3):
        out += pad_line(first_seq + 3 + k, "F", 140_000 + 10_000 * k)
    return out


def test_the_issue_line_has_a_valid_checksum() -> None:
    assert xor_checksum("P,1A,9223372036854775808,S,50000") == "73"


def test_replay_cli_rejects_the_poison_line_and_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    cap = tmp_path / "p.cap"
    cap.write_bytes(POISON + pad_line(1, "S", 60_000))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, str(ROOT / "main.py"), "--db", str(db)]
    subprocess.run([*run, "init", "--title", "t"], env=env, check=True, capture_output=True)
    for lang in ("zh", "en"):
        proc = subprocess.run([*run, "--lang", lang, "timing", "replay", str(cap), "--protocol", "pad"],
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
    with Event.open(db) as ev:
        rejected = [r for r in ev.store.query("SELECT kind, payload FROM journal WHERE kind = 'frame_rejected'")]
        assert len(rejected) == 2  # once per replay
        assert "9223372036854775808" in rejected[0]["payload"]
        assert "超出范围" in rejected[0]["payload"] and "out of range" in rejected[0]["payload"]
        assert ev.store.query("SELECT COUNT(*) AS n FROM impulses")[0]["n"] == 1  # the good line (once)
        assert verify_event(ev).ok


@pytest.mark.parametrize("field, value", [
    ("device_seq", 2**63), ("device_seq", -1), ("device_time_ns", 2**64), ("device_time_ns", -(2**63)),
    ("bib", 10**30), ("channel_raw", "S" * 500), ("resolution_ns", 0), ("host_ns", 2**70),
    ("clock_modulus_ns", 2**80),
])
def test_every_field_is_range_checked(field: str, value: object) -> None:
    from hardware.impulse import checked

    decoder = get_protocol("pad").new_decoder()
    (imp,) = decoder.feed(pad_line(3, "S", 1_000), 1)
    assert isinstance(imp, Impulse) and checked(imp) is imp
    bad = dataclasses.replace(imp, **{field: value})
    out = checked(bad)
    assert isinstance(out, RejectedFrame)
    assert out.raw == imp.raw and out.reason_zh and out.reason_en


@pytest.mark.parametrize("value", [-1, 86_400 * 10**9])
def test_a_time_of_day_outside_the_day_is_rejected(value: int) -> None:
    from hardware.impulse import checked

    decoder = get_protocol("alge").new_decoder()
    (imp,) = decoder.feed(b" 0012 C0  14:06:58.1029 00\r", 1)
    assert isinstance(imp, Impulse) and checked(imp) is imp
    assert isinstance(checked(dataclasses.replace(imp, device_time_ns=value)), RejectedFrame)


def test_decoders_range_check_what_they_yield() -> None:
    # A four-digit sequence cannot come from a 4-digit field, but the pad's is decimal of any length.
    decoder = get_protocol("pad").new_decoder()
    (frame,) = decoder.feed(POISON, 1)
    assert isinstance(frame, RejectedFrame)
    assert frame.raw == POISON
    assert "9223372036854775808" in frame.reason_en


@pytest.fixture
def queued(event: Event, event_path: Path) -> Path:
    register(event, 3)
    start_queue.check_in(event, [1, 2, 3], track=1)
    event.close()
    return event_path


def _poison_impulse() -> Impulse:
    """An impulse that got past every check (a future parser bug): it overflows SQLite."""
    decoder = get_protocol("pad").new_decoder()
    (imp,) = decoder.feed(pad_line(99, "S", 1_000), 1)
    assert isinstance(imp, Impulse)
    return dataclasses.replace(imp, device_seq=2**63, raw=b"poison\n")


def test_a_poison_frame_in_the_pipeline_is_kept_as_rejected_and_the_next_frames_are_recorded(queued: Path) -> None:
    seen: list[RejectedFrame] = []
    pipe = TrackPipeline(str(queued), track=1, protocol=get_protocol("pad"), port="test", on_rejected=seen.append)
    decoder = get_protocol("pad").new_decoder()
    pipe.frame_decoded(_poison_impulse())
    for frame in decoder.feed(good_stream(), 2):
        pipe.frame_decoded(frame)
    assert pipe.pending == 0
    pipe.close()
    assert len(seen) == 1 and seen[0].raw == b"poison\n"
    with Event.open(queued) as ev:
        runs = ev.store.query("SELECT bib, raw_ns FROM runs WHERE state = 'finished' ORDER BY run_id")
        assert [(r["bib"], r["raw_ns"]) for r in runs] == [(1, 40 * 10**9), (2, 40 * 10**9), (3, 40 * 10**9)]
        rows = ev.store.query("SELECT payload FROM journal WHERE kind = 'frame_rejected'")
        assert len(rows) == 1
        import json

        p = json.loads(rows[0]["payload"])
        assert base64.b64decode(p["b64"]) == b"poison\n"
        assert "超出范围" in p["reason_zh"] and "out of range" in p["reason_en"]
        assert verify_event(ev).ok


def test_a_frame_whose_pairing_raises_does_not_stop_the_track(queued: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pipeline has its own module since group commit (issue #13).
    from competition import track_pipeline as recorder

    real = recorder.record_impulse

    def flaky(event: Event, impulse: Impulse, **kw: object) -> object:
        # A bug that this one frame always trips (the batch is written once more, guarded).
        if impulse.device_seq == 1:
            raise ZeroDivisionError("a bug in pairing")
        return real(event, impulse, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(recorder, "record_impulse", flaky)
    pipe = TrackPipeline(str(queued), track=1, protocol=get_protocol("pad"), port="test")
    decoder = get_protocol("pad").new_decoder()
    stream = pad_line(1, "S", 50_000) + good_stream(2)
    for frame in decoder.feed(stream, 2):
        pipe.frame_decoded(frame)
    assert pipe.pending == 0
    assert pipe.counts["rejected"] == 1 and pipe.counts["internal_error"] == 1
    pipe.close()
    with Event.open(queued) as ev:
        assert ev.store.query("SELECT COUNT(*) AS n FROM impulses")[0]["n"] == 6
        (row,) = ev.store.query("SELECT payload FROM journal WHERE kind = 'frame_rejected'")
        assert "内部错误" in row["payload"] and "ZeroDivisionError: a bug in pairing" in row["payload"]
        assert "P,1A,1,S,50000" in base64.b64decode(__import__("json").loads(row["payload"])["b64"]).decode()
        assert verify_event(ev).ok


def test_replay_capture_counts_the_poison_as_rejected(queued: Path) -> None:
    with Event.open(queued) as ev:
        counts = replay_capture(ev, POISON + good_stream(), protocol="pad", track=1)
        assert counts["rejected"] == 1 and counts["finish"] == 3
        assert verify_event(ev).ok


def test_channel_and_protocol_names_in_a_rejection_never_crash() -> None:
    imp = _poison_impulse()
    from hardware.impulse import checked

    weird = dataclasses.replace(imp, channel="start", protocol="x" * 1000)  # type: ignore[arg-type]
    out = checked(weird)
    assert isinstance(out, RejectedFrame)
    assert Channel.START.value == "start"


def test_timing_listen_survives_the_poison_line_and_records_what_follows(queued: Path) -> None:
    import signal
    import time

    from hardware.pty_port import open_pty_simulator
    from tests.competition.test_recorder import wait_for

    port = open_pty_simulator("pad", speed=1, riders=0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(ROOT / "main.py"), "--db", str(queued), "--lang", "en", "timing", "listen",
           "--port", port.path, "--protocol", "pad", "--track", "1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: port.host_lines() != [])  # connected (it asked for the memory)
        port.send_raw(POISON)
        time.sleep(0.3)
        port.send_raw(good_stream())
        with Event.open(queued) as ev:
            assert wait_for(lambda: ev.store.query(
                "SELECT COUNT(*) AS n FROM runs WHERE state = 'finished'")[0]["n"] == 3)
        assert proc.poll() is None  # still listening
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
        port.close()
    assert "Traceback" not in err
    assert "rejected: sequence 9223372036854775808 out of range" in out
