"""TAG Heuer CP540/545 THCOM08 lines, the old T variant, recall answers."""

from __future__ import annotations

from hardware.impulse import Channel, Impulse, RejectedFrame
from hardware.protocols import get_protocol
from hardware.protocols.base import SimulatedImpulse
from hardware.protocols.tagheuer import TagHeuerDeviceModel, encode_line, encode_old_line, sum16

REFERENCE = b"TN 0012 0057  2 14:07:22.61530 00000\t06E4\r\n"


def parse_all(data: bytes) -> list[Impulse | RejectedFrame]:
    return get_protocol("tagheuer").new_decoder().feed(data, 7)


def test_reference_line() -> None:
    [imp] = parse_all(REFERENCE)
    assert isinstance(imp, Impulse)
    assert imp.channel is Channel.FINISH and imp.channel_raw == "2"
    assert imp.bib == 12 and imp.device_seq == 57
    assert imp.device_time_ns == ((14 * 60 + 7) * 60 + 22) * 10**9 + 615_300_000
    assert imp.resolution_ns == 10_000
    assert not (imp.bad_checksum or imp.replayed or imp.manual or imp.cleared)


def test_checksum_sums_every_byte_before_the_tab() -> None:
    assert sum16("TN 0012 0057  2 14:07:22.61530 00000") == "06E4"
    [bad] = parse_all(REFERENCE.replace(b"06E4", b"06E5"))
    assert isinstance(bad, Impulse) and bad.bad_checksum and not bad.usable
    # A changed digit in the body is caught too.
    [bad2] = parse_all(REFERENCE.replace(b"22.6153", b"22.6154"))
    assert isinstance(bad2, Impulse) and bad2.bad_checksum


def test_channels_and_manual() -> None:
    start = encode_line(prefix="TN", bib=None, seq=1, channel_raw="1", tod_ns=10**9)
    manual = encode_line(prefix="TN", bib=None, seq=2, channel_raw="M1", tod_ns=2 * 10**9)
    split = encode_line(prefix="TN", bib=None, seq=3, channel_raw="12", tod_ns=3 * 10**9)
    a, b, c = parse_all(start + manual + split)
    assert isinstance(a, Impulse) and a.channel is Channel.START and not a.manual and a.bib is None
    assert isinstance(b, Impulse) and b.channel is Channel.START and b.manual and b.channel_raw == "M1"
    assert isinstance(c, Impulse) and c.channel is Channel.SPLIT and c.channel_raw == "12"


def test_recall_answer_is_replayed_and_ak_f_rejected() -> None:
    an = encode_line(prefix="AN", bib=12, seq=57, channel_raw="2", tod_ns=50_842_615_300_000)
    # The layout of the captured HL440 line: space-padded numbers, the day count since 2000-01-01.
    assert an.startswith(b"AN   12   57  2 14:07:22.61530  9828\t")
    imp, ak = parse_all(an + b"AK F\r\n")
    assert isinstance(imp, Impulse) and imp.replayed and not imp.bad_checksum
    assert isinstance(ak, RejectedFrame) and "rejected" in ak.reason_en
    [live] = parse_all(REFERENCE)
    assert isinstance(live, Impulse) and imp.dedupe_key() == live.dedupe_key()


def test_old_t_variant() -> None:
    line = encode_old_line(bib=None, seq=4, channel_raw="1", tod_ns=50_842_615_300_000)
    assert len(line) == 31 and line[12:14] == b" 1"
    [imp] = parse_all(line)
    assert isinstance(imp, Impulse) and imp.channel is Channel.START and imp.device_seq == 4
    assert imp.device_time_ns == 50_842_615_300_000


def test_recall_request_and_device_answer() -> None:
    request = get_protocol("tagheuer").replay_request(56)
    # The checksum covers "RT 0057 00" (not the '#') and follows a TAB.
    assert request == b"#RT 0057 00\t" + f"{sum(b'RT 0057 00'):04X}".encode() + b"\r\n"
    memory = [
        SimulatedImpulse("tagheuer", "tagheuer", seq, Channel.START, "1", seq * 10**9, None, False, 0)
        for seq in (55, 56, 57, 58)
    ]
    model = TagHeuerDeviceModel()
    answer = model.answer(request.strip(), memory)
    items = parse_all(answer)
    assert [i.device_seq for i in items if isinstance(i, Impulse)] == [57, 58]
    assert all(isinstance(i, Impulse) and i.replayed for i in items)
    assert model.answer(b"#RT 0057 00\tFFFF", memory) == b"AK F\r\n"
    assert model.answer(b"#RT 0057 00 022E", memory) == b"AK F\r\n"  # the old, malformed command


def test_garbage_lines_rejected() -> None:
    for line in (b"hello\r\n", b"TN 12\r\n", b"TN 0012 0057  X 14:07:22.61530 00000\r\n"):
        [item] = parse_all(line)
        assert isinstance(item, RejectedFrame), line
