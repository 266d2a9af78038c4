"""ALGE Timy / TdC lines: the reference examples, flags, channels, checksum."""

from __future__ import annotations

import pytest

from hardware.impulse import DAY_NS, Channel, Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.alge import chk1, encode_line
from hardware.protocols.records import TimerRecord


def parse(line: bytes) -> Impulse | RejectedFrame:
    items = get_protocol("alge").new_decoder().feed(line, 42)
    assert len(items) == 1
    return items[0]


def test_reference_start_line() -> None:
    imp = parse(b" 0012 C0  14:06:58.1029 00\r")
    assert isinstance(imp, Impulse)
    assert imp.protocol == "alge" and imp.device == "alge"
    assert imp.channel is Channel.START and imp.channel_raw == "C0"
    assert imp.device_seq == 12 and imp.bib is None
    assert imp.device_time_ns == ((14 * 60 + 6) * 60 + 58) * 10**9 + 102_900_000
    assert imp.clock_modulus_ns == DAY_NS and imp.resolution_ns == 100_000
    assert imp.host_ns == 42
    assert not (imp.manual or imp.replayed or imp.cleared or imp.bad_checksum)
    assert imp.raw == b" 0012 C0  14:06:58.1029 00\r"


def test_reference_line_with_checksum() -> None:
    imp = parse(b" 0012 C1  14:07:22.6153 00=8\r")
    assert isinstance(imp, Impulse)
    assert imp.channel is Channel.FINISH and not imp.bad_checksum
    assert imp.device_time_ns == ((14 * 60 + 7) * 60 + 22) * 10**9 + 615_300_000
    # '=' is 0x30 + 0xD: the high nibble of the checksum, not a separator.
    assert chk1(" 0012 C1  14:07:22.6153 00") == "=8"


def test_wrong_checksum_is_kept_and_flagged() -> None:
    imp = parse(b" 0012 C1  14:07:22.6153 00=9\r")
    assert isinstance(imp, Impulse)
    assert imp.bad_checksum and not imp.usable


@pytest.mark.parametrize(
    ("flag", "replayed", "cleared", "manual", "bib", "voids", "dsq"),
    [
        ("m", True, False, False, None, False, False),
        ("c", False, True, False, None, True, False),
        ("C", False, True, False, None, True, False),
        ("d", False, True, False, None, False, True),
        ("i", False, False, True, None, False, False),
        ("t", False, False, False, None, False, False),
        ("b", False, True, False, None, False, False),
        ("n", False, False, False, 12, False, False),
        ("s", False, False, False, 12, False, False),
        ("?", False, False, False, None, False, False),
    ],
)
def test_flags(flag: str, replayed: bool, cleared: bool, manual: bool, bib: int | None, voids: bool,
               dsq: bool) -> None:
    imp = parse(f"{flag}0012 C0  14:06:58.1029 00\r".encode())
    assert isinstance(imp, Impulse)
    assert (imp.replayed, imp.cleared, imp.manual, imp.bib) == (replayed, cleared, manual, bib)
    assert (imp.voids, imp.disqualifies, imp.flag) == (voids, dsq, flag.strip())
    assert imp.usable is not cleared


def test_keypad_channel_is_manual_and_splits_map_to_split() -> None:
    imp = parse(b" 0013 C0M 14:06:59.10   00\r")
    assert isinstance(imp, Impulse)
    assert imp.manual and imp.channel is Channel.START and imp.channel_raw == "C0M"
    assert imp.resolution_ns == 10_000_000  # keypad: 1/100 s
    for n in range(2, 10):
        split = parse(f" 0014 C{n}  14:07:00.0001 00\r".encode())
        assert isinstance(split, Impulse) and split.channel is Channel.SPLIT


def test_parallel_course_marker() -> None:
    imp = parse(b" 0012rC0  14:06:58.1029 00\r")
    assert isinstance(imp, Impulse) and imp.lane == "r"


@pytest.mark.parametrize(("net", "kind"), [("RT", "net_time"), ("TT", "total_time"), ("SQ", "status"),
                                           ("DT", "difference")])
def test_net_time_lines_are_timer_records_never_impulses(net: str, kind: str) -> None:
    item = parse(f" 0012 {net}  00:00:24.51   00\r".encode())
    assert isinstance(item, TimerRecord) and isinstance(item, RejectedFrame)
    assert item.kind == kind and item.bib == 12 and item.net_ns == 24_510_000_000
    assert item.resolution_ns == 10_000_000 and "not an impulse" in item.reason_en and "不是脉冲" in item.reason_zh


@pytest.mark.parametrize("line", [b"  ALGE-TIMING\r", b"\r", b"   \r", b"TIMY3\r", b"x0012 C0  14:06:58.1029 00\r",
                                  b" 0012 C0  25:06:58.1029 00\r", b" 0012 X0  14:06:58.1029 00\r"])
def test_banners_blank_and_bad_lines_are_rejected(line: bytes) -> None:
    item = parse(line)
    assert isinstance(item, RejectedFrame)
    assert item.raw == line and item.reason_zh and item.reason_en


def test_encoder_is_inverse_of_parser() -> None:
    line = encode_line(flag=" ", number=12, channel_raw="C1", tod_ns=50_842_615_300_000, checksum=True)
    assert line == b" 0012 C1  14:07:22.6153 00=8\r"
    bad = encode_line(flag=" ", number=12, channel_raw="C1", tod_ns=50_842_615_300_000, checksum=True,
                      corrupt_checksum=True)
    imp = parse(bad)
    assert isinstance(imp, Impulse) and imp.bad_checksum


def test_replay_request() -> None:
    assert get_protocol("alge").replay_request(17) == b"RSM\r"
    assert get_protocol("alge").ack(parse(b" 0012 C0  14:06:58.1029 00\r")) is None  # type: ignore[arg-type]
