"""The Trackside pad line format."""

from __future__ import annotations

from hardware.impulse import Channel, Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.pad import encode_boot, encode_line, xor_checksum


def parse_all(data: bytes) -> list[Impulse | RejectedFrame]:
    return get_protocol("pad").new_decoder().feed(data, 5)


def test_reference_line() -> None:
    [imp] = parse_all(b"P,1A,12,S,123456,77\n")
    assert isinstance(imp, Impulse)
    assert imp.device == "pad:1A" and imp.device_seq == 12
    assert imp.channel is Channel.START and imp.channel_raw == "S"
    assert imp.device_time_ns == 123_456_000_000 and imp.resolution_ns == 1_000_000
    assert imp.clock_modulus_ns == 2**32 * 1_000_000
    assert not (imp.bad_checksum or imp.replayed or imp.manual)
    assert xor_checksum("P,1A,12,S,123456") == "77"


def test_crlf_and_channels_and_manual() -> None:
    lines = (encode_line(boot=1, seq=1, channel_raw="F", millis=5).replace(b"\n", b"\r\n")
             + encode_line(boot=1, seq=2, channel_raw="SM", millis=6)
             + encode_line(boot=1, seq=3, channel_raw="4", millis=7))
    a, b, c = parse_all(lines)
    assert isinstance(a, Impulse) and a.channel is Channel.FINISH
    assert isinstance(b, Impulse) and b.manual and b.channel is Channel.START
    assert isinstance(c, Impulse) and c.channel is Channel.SPLIT and c.channel_raw == "4"


def test_host_stamped_line() -> None:
    [imp] = parse_all(encode_line(boot=2, seq=9, channel_raw="F", millis=None))
    assert isinstance(imp, Impulse)
    assert imp.device_time_ns is None and imp.clock_modulus_ns is None and imp.resolution_ns == 1
    assert imp.host_ns == 5


def test_replayed_bad_checksum_and_boot() -> None:
    replayed = encode_line(boot=1, seq=1, channel_raw="S", millis=5, replayed=True)
    bad = encode_line(boot=1, seq=2, channel_raw="S", millis=6, corrupt_checksum=True)
    a, b, c = parse_all(replayed + bad + encode_boot(0x2B))
    assert isinstance(a, Impulse) and a.replayed
    assert isinstance(b, Impulse) and b.bad_checksum and not b.usable
    assert isinstance(c, RejectedFrame) and "rebooted" in c.reason_en and "2B" in c.reason_en


def test_two_boots_are_two_devices() -> None:
    a, b = parse_all(encode_line(boot=1, seq=1, channel_raw="S", millis=None)
                     + encode_line(boot=2, seq=1, channel_raw="S", millis=None))
    assert isinstance(a, Impulse) and isinstance(b, Impulse)
    assert a.dedupe_key() != b.dedupe_key()


def test_replayed_old_reading_lands_before_the_wrap() -> None:
    dec = get_protocol("pad").new_decoder()
    before = encode_line(boot=1, seq=1, channel_raw="S", millis=2**32 - 10)
    after = encode_line(boot=1, seq=2, channel_raw="F", millis=20)
    again = encode_line(boot=1, seq=1, channel_raw="S", millis=2**32 - 10, replayed=True)
    a, b, c = dec.feed(before + after + again, 0)
    assert isinstance(a, Impulse) and isinstance(b, Impulse) and isinstance(c, Impulse)
    assert c.device_time_ns == a.device_time_ns
    assert b.device_time_ns == (2**32 + 20) * 1_000_000


def test_malformed_lines_rejected() -> None:
    for line in (b"P,1,1,S\n", b"P,ZZ,1,S,5,00\n", b"P,1,1,X,5,00\n", b"P,1,1,S,99999999999,00\n",
                 b"Q,1,1,S,5,00\n", b"hello\n"):
        [item] = parse_all(line)
        assert isinstance(item, RejectedFrame), line


def test_replay_request_format() -> None:
    proto = get_protocol("pad")
    assert proto.replay_request(None) == b"R,-\n"
    assert proto.replay_request(41) == b"R,41\n"
