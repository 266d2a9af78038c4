"""ALGE Timy / Timy2 / Timy3 and TdC 8000/8001: CR-terminated fixed-column lines.

Line layout (0-based columns, from the Timy3 manual §12.1 and TdC 8001 §8.2)::

    [0]      flag: ' ' normal, '?' no valid bib, 'm' replayed from memory,
             'c'/'C' cleared, 'd' disqualified, 'i' typed in by hand,
             'n'/'s' bib selected
    [1:5]    bib or impulse number (NNNN)
    [5]      ' ', or 'r'/'b' for the red/blue parallel course
    [6:9]    channel: 'C0 ' start, 'C1 ' finish, 'C2'..'C9' (splits);
             a trailing 'M' (e.g. 'C0M') is the keypad;
             'RT'/'TT'/'SQ'/'DT' are net-time lines, not impulses
    [10:23]  time of day HH:MM:SS.zhtq (1/10 000 s; some channels 1/100)
    [24:26]  group
    [26:28]  optional CHK1 checksum: (sum of bytes [0:26]) & 0xFF sent as two
             characters, each 0x30 + one nibble, high nibble first

Example: `` 0012 C0  14:06:58.1029 00\\r`` and, with checksum,
`` 0012 C1  14:07:22.6153 00=8\\r`` (sum & 0xFF = 0xD8 -> '=' '8'). Note that
the '=' there is the high-nibble character, not a separator.

Mapping to :class:`~hardware.impulse.Impulse`: ``device_seq`` is NNNN (the
impulse number; also the bib when the operator selected one, flag 'n'/'s',
then ``bib`` is set too); 'm' -> replayed, 'c'/'C'/'d' -> cleared, 'i' or a
keypad channel -> manual. The memory dump command is ``RSM\\r``; the Timy
answers with every stored impulse flagged 'm', then an ``ALGE-TIMING`` banner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hardware.decoder import Decoded, Decoder, Frame, format_time_of_day, parse_time_of_day_ns
from hardware.impulse import DAY_NS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse

FLAGS = " ?mcCdins"
NET_TIME_CHANNELS = ("RT", "TT", "SQ", "DT")
_TIME = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,4}))?$")
BANNER = b"  ALGE-TIMING\r"


def chk1(body: str) -> str:
    """ALGE CHK1 checksum of the 26-column body: two chars, 0x30 + nibble."""
    total = sum(body.encode("latin-1")) & 0xFF
    return chr(0x30 + (total >> 4)) + chr(0x30 + (total & 0x0F))


def _is_chk_char(c: str) -> bool:
    return 0x30 <= ord(c) <= 0x3F


class AlgeDecoder(Decoder):
    """Parses ALGE lines; see the module docstring for the columns."""

    protocol = "alge"

    def parse_frame(self, frame: Frame) -> Decoded:
        text = frame.text
        if "ALGE" in text.upper():
            return self.reject(frame, "ALGE 横幅（开机或内存回放结束）", "ALGE banner (power-up or end of memory dump)")
        if len(text) < 23:
            return self.reject(frame, f"不是计时行（长度 {len(text)}，至少需要 23）",
                               f"not an impulse line (length {len(text)}, need 23)")
        flag = text[0]
        if flag not in FLAGS:
            return self.reject(frame, f"第 1 列标志 {flag!r} 未知", f"unknown flag {flag!r} in column 1")
        chan = text[6:9]
        head = chan[:2].upper()
        if head in NET_TIME_CHANNELS:
            return self.reject(frame, f"净时间行（{chan.strip()}），不是脉冲",
                               f"net-time line ({chan.strip()}), not an impulse")
        if head[0] != "C" or not head[1].isdigit():
            return self.reject(frame, f"第 7-9 列通道 {chan!r} 未知", f"unknown channel {chan!r} in columns 7-9")
        number = int(head[1])
        keypad = chan[2].upper() == "M"
        if chan[2] not in " mM":
            return self.reject(frame, f"第 7-9 列通道 {chan!r} 未知", f"unknown channel {chan!r} in columns 7-9")
        num_text = text[1:5].strip()
        if num_text and not num_text.isdigit():
            return self.reject(frame, f"第 2-5 列编号 {text[1:5]!r} 不是数字",
                               f"number {text[1:5]!r} in columns 2-5 is not numeric")
        lane_char = text[5]
        if lane_char not in " rb":
            return self.reject(frame, f"第 6 列 {lane_char!r} 未知", f"unknown course marker {lane_char!r} in column 6")
        m = _TIME.match(text[10:23].strip())
        if m is None:
            return self.reject(frame, f"第 11-23 列时间 {text[10:23]!r} 无法读取",
                               f"cannot read time {text[10:23]!r} in columns 11-23")
        tod_ns, resolution = parse_time_of_day_ns(m[1], m[2], m[3], m[4] or "")
        bad_checksum = False
        if len(text) >= 28 and _is_chk_char(text[26]) and _is_chk_char(text[27]):
            bad_checksum = chk1(text[:26]) != text[26:28]
        seq = int(num_text) if num_text else None
        channel = Channel.START if number == 0 else Channel.FINISH if number == 1 else Channel.SPLIT
        return Impulse(
            protocol=self.protocol,
            device=self.device,
            channel=channel,
            channel_raw=chan.strip(),
            device_seq=seq,
            device_time_ns=tod_ns,
            clock_modulus_ns=DAY_NS,
            resolution_ns=resolution,
            host_ns=frame.host_ns,
            bib=seq if flag in "ns" else None,
            manual=keypad or flag == "i",
            replayed=flag == "m",
            cleared=flag in "cCd",
            bad_checksum=bad_checksum,
            raw=frame.raw,
            lane=lane_char if lane_char != " " else None,
        )


class AlgeProtocol(Protocol):
    """ALGE Timy / TdC: 9600 8N1 by default (Timy2 PC-Timer: 38400)."""

    name = "alge"
    title_zh = "ALGE Timy / TdC 8000/8001 计时器"
    title_en = "ALGE Timy / TdC 8000/8001"
    baudrate = 9600

    def new_decoder(self, device_id: str | None = None) -> AlgeDecoder:
        return AlgeDecoder(device_id)

    def replay_request(self, after_seq: int | None) -> bytes:
        """``RSM`` dumps the whole memory; the database drops what it already has."""
        return b"RSM\r"


def encode_line(
    *, flag: str, number: int | None, channel_raw: str, tod_ns: int, digits: int = 4,
    group: int = 0, checksum: bool = False, corrupt_checksum: bool = False, lane: str = " ",
) -> bytes:
    """Print one ALGE line exactly as the Timy does (inverse of :class:`AlgeDecoder`)."""
    num = f"{number % 10_000:04d}" if number is not None else "    "
    time_text = format_time_of_day(tod_ns, digits)
    body = f"{flag}{num}{lane}{channel_raw:<3} {time_text:>13} {group % 100:02d}"
    line = body
    if checksum:
        chk = chk1(body)
        if corrupt_checksum:
            # Flip the low nibble so the checksum is wrong but still well formed.
            chk = chk[0] + chr(0x30 + ((ord(chk[1]) - 0x30) ^ 0x05))
        line += chk
    return (line + "\r").encode("latin-1")


class AlgeDeviceModel(DeviceModel):
    """A Timy in impulse-number mode with CHK1 on (the simulator's ALGE)."""

    protocol = "alge"
    clock = "tod"
    resolution_ns = 100_000
    seq_modulus = 10_000

    def __init__(self, checksum: bool = True) -> None:
        self.checksum = checksum
        self.has_checksum = checksum

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        number = {Channel.START: 0, Channel.FINISH: 1}.get(channel, 2 + split_index % 8)
        return f"C{number}" + ("M" if manual else "")

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        return encode_line(
            flag="m" if replayed else " ", number=imp.seq, channel_raw=imp.channel_raw,
            tod_ns=imp.device_time_ns, checksum=self.checksum,
            corrupt_checksum=corrupt_checksum and self.checksum,
        )

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        if request.strip().upper() != b"RSM":
            return b""
        lines = [self.encode(imp, replayed=True, corrupt_checksum=False) for imp in memory]
        return b"".join(lines) + BANNER

    def reboot_banner(self, device: str) -> bytes:
        return BANNER + b"  TIMY3 W  V 1.0\r"


PROTOCOL = AlgeProtocol()
