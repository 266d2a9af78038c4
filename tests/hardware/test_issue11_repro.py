"""Issue #11's reproductions, one test each, written against what the issue quotes.

They use only names that existed before the fix where they can, so that they
can be run against the old code to see them fail (see the h7 report).
"""

from __future__ import annotations

from pathlib import Path

from competition import timing
from competition.recorder import replay_capture
from hardware.impulse import Channel, Impulse
from hardware.protocols import get_protocol
from tests.hardware.corpus import new_event


def one(protocol: str, line: bytes) -> object:
    items = get_protocol(protocol).new_decoder().feed(line, 1)
    assert len(items) == 1
    return items[0]


def test_alge_cancelled_start_is_not_taken_for_a_copy(tmp_path: Path) -> None:
    ev = new_event(tmp_path / "e.db", [1, 2])
    replay_capture(ev, b" 0001 C0  09:47:40.3259 00\rc0001 C0  09:47:40.3259 00\r", protocol="alge")
    assert timing.on_course(ev) == []  # the cancelled start left nobody on course
    assert [r["state"] for r in ev.store.query("SELECT state FROM runs")] == ["void"]
    waiting = ev.store.query("SELECT bib FROM queue WHERE state = 'waiting' ORDER BY position")
    assert [w["bib"] for w in waiting] == [1, 2]  # rider 1 back at the front
    kinds = [k for (k,) in ev.store.conn.execute("SELECT kind FROM journal WHERE kind LIKE 'impulse%' ORDER BY seq")]
    assert "impulse_voided" in kinds
    ev.close()


def test_alge_wireless_t_flag_is_an_impulse() -> None:
    item = one("alge", b"t0003 C1  16:01:56.6585 00\r")
    assert isinstance(item, Impulse) and item.usable and item.channel is Channel.FINISH


def test_alge_parallel_blue_course_is_start_and_finish_not_splits() -> None:
    start = one("alge", b" 0015bC3  19:52:15.1620 09\r")
    finish = one("alge", b" 0015bC4  19:52:23.4010 09\r")
    assert isinstance(start, Impulse) and start.channel is Channel.START
    assert isinstance(finish, Impulse) and finish.channel is Channel.FINISH


def test_alge_keypad_is_hundredths() -> None:
    item = one("alge", b" 0001 C0M 09:00:38.7600 00\r")
    assert isinstance(item, Impulse) and item.resolution_ns == 10_000_000


def test_timy_programs_default_to_38400() -> None:
    assert get_protocol("timy").baudrate == 38400


def test_tagheuer_blank_hour_is_read() -> None:
    item = one("tagheuer", b"T       201 M1    45:30.464000\r")
    assert isinstance(item, Impulse) and item.bib == 201
    assert item.device_time_ns == (45 * 60 + 30) * 10**9 + 464_000_000


def test_tagheuer_frame_without_checksum_is_accepted_unchecked() -> None:
    item = one("tagheuer", b"TN 0012 0057  2 14:07:22.61530 00000\r\n")
    assert isinstance(item, Impulse) and item.usable


def test_tagheuer_recall_command() -> None:
    assert get_protocol("tagheuer").replay_request(4) == b"#RT 0005 00\t020B\r\n"


def test_tagheuer_channels_up_to_99() -> None:
    item = one("tagheuer", b"TN 0012 0058 42 14:07:23.00000 00000\r\n")
    assert isinstance(item, Impulse) and item.channel is Channel.SPLIT and item.channel_raw == "42"


def test_tagheuer_withdrawn_line_is_not_rejected() -> None:
    # '-' is a time whose bib was removed (HL440 manual; demeca/TAG_Download): the time
    # stays valid and leaves its rider; 'C' is the cancelled time that is never used.
    item = one("tagheuer", b"T- 0012 0057  2 14:07:22.61530 00000\r\n")
    assert isinstance(item, Impulse) and item.reidentifies and item.bib is None and not item.voids
    cancelled = one("tagheuer", b"TC 0012 0057  2 14:07:22.61530 00000\r\n")
    assert isinstance(cancelled, Impulse) and cancelled.voids and not cancelled.usable


def test_tagheuer_flow_controlled_setting_acks_every_frame() -> None:
    proto = get_protocol("tagheuer").configured(rtscts=True)
    assert proto.ack(one("tagheuer", b"hello\r\n")) == b"\x06"  # type: ignore[arg-type]
    assert get_protocol("tagheuer").ack(one("tagheuer", b"hello\r\n")) is None  # type: ignore[arg-type]


def test_microgate_net_time_record_is_no_finish_impulse() -> None:
    item = one("microgate", b"004300120012552551M 000059760\r")
    assert not isinstance(item, Impulse)


def test_racetime2_factory_default_is_1200_baud() -> None:
    assert get_protocol("microgate").baudrate == 1200
