"""Microgate Racetime2 records and REI2 extended lines."""

from __future__ import annotations

from hardware.impulse import Channel, Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.microgate import encode_racetime2, encode_rei2
from hardware.protocols.records import TimerRecord


def parse_all(data: bytes) -> list[Impulse | RejectedFrame]:
    return get_protocol("microgate").new_decoder().feed(data, 9)


def test_reference_racetime2_record() -> None:
    [imp] = parse_all(b"004200120012552550M 140722615\r")
    assert isinstance(imp, Impulse)
    assert imp.device_seq == 42 and imp.bib == 12 and imp.run == 1
    assert imp.channel is Channel.FINISH and imp.channel_raw == "255"
    assert imp.device_time_ns == ((14 * 60 + 7) * 60 + 22) * 10**9 + 615_000_000
    assert imp.resolution_ns == 1_000_000
    assert not (imp.manual or imp.cleared or imp.replayed or imp.bad_checksum)


def test_start_aux_and_info_codes() -> None:
    start = encode_racetime2(seq=1, bib=None, run=1, logical="000", tod_ns=10**9)
    aux = encode_racetime2(seq=2, bib=None, run=1, logical="254", tod_ns=2 * 10**9)
    net = encode_racetime2(seq=3, bib=7, run=2, logical="255", tod_ns=59_760 * 10**6, info="1")
    lap = encode_racetime2(seq=3, bib=7, run=2, logical="001", tod_ns=3 * 10**9, info="3")
    radio = encode_racetime2(seq=4, bib=7, run=2, logical="255", tod_ns=4 * 10**9, origin="R")
    keyed = encode_racetime2(seq=5, bib=8, run=2, logical="255", tod_ns=5 * 10**9, origin="K")
    a, b, c, e, d, k = parse_all(start + aux + net + lap + radio + keyed)
    assert isinstance(a, Impulse) and a.channel is Channel.START and a.bib is None
    assert isinstance(b, Impulse) and b.channel is Channel.SPLIT
    # Info 1 is the timer's own net time of the run: never a (fake) finish impulse.
    assert isinstance(c, TimerRecord) and c.kind == "net_time" and c.net_ns == 59_760 * 10**6 and c.bib == 7
    assert isinstance(e, TimerRecord) and e.kind == "status"
    assert isinstance(d, Impulse) and d.usable and not d.manual
    assert isinstance(k, Impulse) and k.manual  # origin K: a time of day changed by hand


def test_negative_time_rejected() -> None:
    [item] = parse_all(b"004200120012552550M1140722615\r")
    assert isinstance(item, RejectedFrame) and "negative" in item.reason_en


def test_rei2_extended_line() -> None:
    line = encode_rei2(bib=12, group=3, logical="255", tod_ns=50_842_615_300_000)
    assert line[0] == 0x10 and line.endswith(b"\n")
    assert line[12:17] == b"   12" and line[26:29] == b"255" and line[29:30] == b"0"
    assert line[30:40] == b"1407226153"
    [imp] = parse_all(line)
    assert isinstance(imp, Impulse)
    assert imp.bib == 12 and imp.channel is Channel.FINISH and imp.device_seq is None
    assert imp.device_time_ns == 50_842_615_300_000 and imp.resolution_ns == 100_000
    [dsq] = parse_all(encode_rei2(bib=12, group=3, logical="000", tod_ns=10**9, flag="P"))
    assert isinstance(dsq, Impulse) and dsq.cleared and dsq.channel is Channel.START


def test_rejections_and_no_replay() -> None:
    for line in (b"\x12static\n", b"\x14reduced\n", b"12345\r", b"0042001X0012552550M 140722615\r"):
        [item] = parse_all(line)
        assert isinstance(item, RejectedFrame), line
    assert get_protocol("microgate").replay_request(3) is None
