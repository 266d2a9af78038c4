"""ALGE Timy / Timy2 / Timy3 and TdC 8000/8001: CR-terminated fixed-column lines.

Line layout (0-based columns; Timy3 manual §12.1, TdC 8001 manual §8.2, and
the lines of two real TdC 8001 sessions in ``tests/fixtures/real/alge``)::

    [0]      flag, see FLAGS below
    [1:5]    NNNN: the rider's start number in start-number mode, the impulse
             counter otherwise (see "numbers" below)
    [5]      ' ', or 'r'/'b' for the red/blue course of a parallel slalom
    [6:9]    channel: 'C0 ' start, 'C1 ' finish, 'C2'..'C9' splits; a trailing
             'M' ('C0M') is the keypad (1/100 s); in a parallel slalom the blue
             course starts on C3 and finishes on C4. 'RT' run time, 'TT' total
             time, 'DT' difference (parallel), 'SQ': lines the timer computed;
             'RTM' / 'MT ' the run / memory time lines of a printed classement
             (ranking, rank in [27:31]): kept, never a run's check
    [10:23]  HH:MM:SS.zhtq time of day (1/10 000 s), or the computed net time
             (HH:MM:SS.zh, 1/100 s) on RT/TT/DT lines
    [24:26]  group
    [26:28]  optional CHK1 checksum: (sum of bytes [0:26]) & 0xFF sent as two
             characters, each 0x30 + one nibble, high nibble first
    short    ``n0043`` / ``s0003`` (optionally ``n0015b``): the operator keyed
             the number of the next rider at the finish ('n') or start ('s')

FLAGS (column 0): ' ' normal; 't' a wireless (WTN) impulse, otherwise normal;
'?' no valid start number; 'm' replayed from memory; 'c'/'C' the timer
cancelled the line it repeats (this copy VOIDS the original: it is never a
time); 'd' the rider was disqualified on that impulse; 'i' a time the operator
typed in (a manual impulse; on RT lines a corrected net time); 'b' blocked
with the block key (kept, never used); 'p' a parallel-slalom penalty line (not
an impulse); 'n'/'s' number selected.

Numbers: the TdC in start-number mode sends the rider's bib in [1:5]; a Timy
in impulse mode sends a counter. ``numbers='bib'`` / ``'impulse'`` force the
reading; ``'auto'`` (default) takes the number as a bib once the data proves
start-number mode: an ``n``/``s`` line, an ``RT``/``TT`` line, or a finish
carrying the same number as an earlier start it closes (a counter never
repeats). ``device_seq`` is always the number, so dedupe and replay work in
both modes.

The memory dump command is ``RSM\\r``; the Timy answers with every stored
impulse flagged 'm', then an ``ALGE-TIMING`` banner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hardware.decoder import Decoded, Decoder, Frame, format_time_of_day, parse_time_of_day_ns
from hardware.impulse import DAY_NS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse
from hardware.protocols.baudcheck import BaudWatchMixin
from hardware.protocols.records import (
    DIFFERENCE,
    NET_TIME,
    NUMBER_SELECTED,
    RANKING,
    STATUS,
    TOTAL_TIME,
    TimerRecord,
)

FLAGS = " t?mcCdibpns"
CANCEL_FLAGS = "cC"
NET_TIME_CHANNELS = {"RT": NET_TIME, "TT": TOTAL_TIME, "DT": DIFFERENCE, "SQ": STATUS, "MT": RANKING}
#: Classement printout lines (``RTM`` run time, ``MT`` memory time, rank in
#: columns 28-31): the timer's ranking, printed after the runs, not a run's check.
RANKING_CHANNELS = ("RTM", "MT ")
KEYPAD_RESOLUTION_NS = 10_000_000
_TIME = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,4}))?$")
_SHORT = re.compile(r"^([ns])(\d{4})([rb]?)$")
BANNER = b"  ALGE-TIMING\r"


def chk1(body: str) -> str:
    """ALGE CHK1 checksum of the 26-column body: two chars, 0x30 + nibble."""
    total = sum(body.encode("latin-1")) & 0xFF
    return chr(0x30 + (total >> 4)) + chr(0x30 + (total & 0x0F))


def _is_chk_char(c: str) -> bool:
    return 0x30 <= ord(c) <= 0x3F


def course_channel(number: int, lane: str | None) -> Channel:
    """C0/C1 start/finish; on the blue course of a parallel slalom C3/C4; else split."""
    if number == 0:
        return Channel.START
    if number == 1:
        return Channel.FINISH
    if lane == "b" and number == 3:
        return Channel.START
    if lane == "b" and number == 4:
        return Channel.FINISH
    return Channel.SPLIT


#: Typical lines (from the real TdC captures) to recognise them at another baud rate.
BAUD_SAMPLES = (b" 0043 C0  10:26:37.4362 00\rn0042\r 0042 C1  10:27:06.4911 00\r 0042 RT  00:00:53.46   00\r"
                b" 0044 C0  10:27:02.1536 00\rn0043\r 0043 C1  10:27:31.7317 00\r 0043 RT  00:00:54.29   00\r"
                b" 0045 C0  10:27:32.7542 00\rn0044\r 0044 C1  10:27:49.0929 00\r 0044 RT  00:00:46.93   00\r")


class AlgeDecoder(BaudWatchMixin, Decoder):
    """Parses ALGE lines; see the module docstring for the columns and flags."""

    protocol = "alge"

    def __init__(self, device_id: str | None = None, numbers: str = "auto", baudrate: int | None = None,
                 other_baudrates: tuple[int, ...] = (2400, 4800, 9600, 19200, 38400)) -> None:
        super().__init__(device_id)
        self.watch_baud("ALGE", baudrate, other_baudrates, BAUD_SAMPLES)
        self.numbers = numbers
        #: Start-number mode proven by the data (only used when numbers == 'auto').
        self.bib_mode_seen = False
        self._open_starts: set[tuple[int, str | None]] = set()

    @property
    def bib_mode(self) -> bool:
        return self.numbers == "bib" or (self.numbers == "auto" and self.bib_mode_seen)

    def _note_bib_mode(self) -> None:
        if self.numbers == "auto":
            self.bib_mode_seen = True

    def parse_frame(self, frame: Frame) -> Decoded:
        text = frame.text
        if "ALGE" in text.upper():
            return self.reject(frame, "ALGE 横幅（开机或内存回放结束）", "ALGE banner (power-up or end of memory dump)")
        short = _SHORT.match(text.strip("\r\n"))
        if short is not None:
            return self._number_selected(frame, short)
        if len(text) < 23:
            return self.reject(frame, f"不是计时行（长度 {len(text)}，至少需要 23）",
                               f"not an impulse line (length {len(text)}, need 23)")
        flag = text[0]
        if flag not in FLAGS:
            return self.reject(frame, f"第 1 列标志 {flag!r} 未知", f"unknown flag {flag!r} in column 1")
        num_text = text[1:5].strip()
        if num_text and not num_text.isdigit():
            return self.reject(frame, f"第 2-5 列编号 {text[1:5]!r} 不是数字",
                               f"number {text[1:5]!r} in columns 2-5 is not numeric")
        lane_char = text[5]
        if lane_char not in " rb":
            return self.reject(frame, f"第 6 列 {lane_char!r} 未知", f"unknown course marker {lane_char!r} in column 6")
        lane = lane_char if lane_char != " " else None
        number = int(num_text) if num_text else None
        chan = text[6:9]
        head = chan[:2].upper()
        m = _TIME.match(text[10:23].strip())
        if m is None:
            return self.reject(frame, f"第 11-23 列时间 {text[10:23]!r} 无法读取",
                               f"cannot read time {text[10:23]!r} in columns 11-23")
        if head in NET_TIME_CHANNELS:
            return self._net_time(frame, flag, number, chan, head, m, lane)
        if flag == "p":
            return self.reject(frame, "平行赛罚时行（p），不是脉冲", "parallel-slalom penalty line (p), not an impulse")
        if head[0] != "C" or not head[1].isdigit() or chan[2] not in " mM":
            return self.reject(frame, f"第 7-9 列通道 {chan!r} 未知", f"unknown channel {chan!r} in columns 7-9")
        keypad = chan[2].upper() == "M"
        tod_ns, resolution = parse_time_of_day_ns(m[1], m[2], m[3], m[4] or "")
        if keypad:
            # The keypad stamps 1/100 s (Timy3 manual; TdC lines print '.7600').
            resolution = max(resolution, KEYPAD_RESOLUTION_NS)
            tod_ns -= tod_ns % resolution
        bad_checksum = False
        if len(text) >= 28 and _is_chk_char(text[26]) and _is_chk_char(text[27]):
            bad_checksum = chk1(text[:26]) != text[26:28]
        channel = course_channel(int(head[1]), lane)
        bib = self._bib_for(flag, number, channel, lane)
        return Impulse(
            protocol=self.protocol,
            device=self.device,
            channel=channel,
            channel_raw=chan.strip(),
            device_seq=number,
            device_time_ns=tod_ns,
            clock_modulus_ns=DAY_NS,
            resolution_ns=resolution,
            host_ns=frame.host_ns,
            bib=bib,
            manual=keypad or flag == "i",
            replayed=flag == "m",
            cleared=flag in "cCdb",
            bad_checksum=bad_checksum,
            raw=frame.raw,
            lane=lane,
            flag=flag.strip(),
            voids=flag in CANCEL_FLAGS,
            disqualifies=flag == "d",
        )

    def _bib_for(self, flag: str, number: int | None, channel: Channel, lane: str | None) -> int | None:
        if self.numbers == "impulse" or number is None:
            return None
        if flag in "ns":
            self._note_bib_mode()
        key = (number, lane)
        if (self.numbers == "auto" and not self.bib_mode_seen and channel is Channel.FINISH
                and flag not in "?cCdb" and key in self._open_starts):
            # A counter never repeats: a finish with its start's number is a bib.
            self._note_bib_mode()
        if channel is Channel.START and flag not in "?cCdb":
            self._open_starts.add(key)
        elif channel is Channel.FINISH:
            self._open_starts.discard(key)
        if flag == "?" or number == 0 or not self.bib_mode:
            return None
        return number

    def _number_selected(self, frame: Frame, m: re.Match[str]) -> TimerRecord:
        self._note_bib_mode()
        point = "finish" if m[1] == "n" else "start"
        bib = int(m[2]) or None
        return TimerRecord(
            protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
            reason_zh=f"计时器选定{'终点' if point == 'finish' else '出发'}号码 {int(m[2])}（不是脉冲）",
            reason_en=f"number {int(m[2])} selected at the {point} (not an impulse)",
            kind=NUMBER_SELECTED, device=self.device, bib=bib, channel_raw=m[1],
            lane=m[3] or None, point=point,
        )

    def _net_time(self, frame: Frame, flag: str, number: int | None, chan: str, head: str,
                  m: re.Match[str], lane: str | None) -> TimerRecord:
        if head in ("RT", "TT"):
            self._note_bib_mode()
        net_ns, resolution = parse_time_of_day_ns(m[1], m[2], m[3], m[4] or "")
        kind = RANKING if chan.upper() in RANKING_CHANNELS else NET_TIME_CHANNELS[head]
        what = {"RT": ("单次用时", "run time"), "TT": ("总用时", "total time"),
                "DT": ("差值", "difference"), "SQ": ("SQ 行", "SQ line"), "MT": ("存储时间", "memory time")}[head]
        if kind == RANKING:
            what = (f"排名表中的{what[0]}", f"{what[1]} in its printed ranking")
        bib = number if number else None
        return TimerRecord(
            protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
            reason_zh=f"计时器算出的{what[0]}（{chan.strip()}），不是脉冲",
            reason_en=f"the timer's own {what[1]} ({chan.strip()}), not an impulse",
            kind=kind, device=self.device, bib=bib, channel_raw=chan.strip(), net_ns=net_ns,
            resolution_ns=resolution, cancelled=flag in CANCEL_FLAGS, manual=flag == "i", lane=lane,
        )


class AlgeProtocol(Protocol):
    """ALGE Timy / TdC: 9600 8N1 by default (Timy 2/3 programs: 38400)."""

    name = "alge"
    title_zh = "ALGE Timy / TdC 8000/8001 计时器"
    title_en = "ALGE Timy / TdC 8000/8001"
    baudrate = 9600
    other_baudrates = (2400, 4800, 19200, 38400)
    settings_source = "TdC 8001 manual §8.2 (9600); Timy3 manual §12.1 (PC-Timer program fixed at 38400)"

    def new_decoder(self, device_id: str | None = None) -> AlgeDecoder:
        return AlgeDecoder(device_id, numbers=self.numbers, baudrate=self.baudrate,
                           other_baudrates=(*self.other_baudrates, type(self).baudrate))

    def replay_request(self, after_seq: int | None) -> bytes:
        """``RSM`` dumps the whole memory; the database drops what it already has."""
        return b"RSM\r"


class TimyProtocol(AlgeProtocol):
    """The same lines from a Timy 2/3 running its PC programs: 38400 by default."""

    name = "timy"
    title_zh = "ALGE Timy 2/3（PC 程序，38400）"
    title_en = "ALGE Timy 2/3 (PC programs, 38400)"
    baudrate = 38400
    other_baudrates = (2400, 4800, 9600, 19200)
    settings_source = "Timy3 manual §12.1 (Timy 2/3 programs default to 38400; PC-Timer is fixed at 38400)"


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


def encode_net_time(*, flag: str, number: int, channel_raw: str, net_ns: int, group: int = 0,
                    lane: str = " ") -> bytes:
    """An ``RT``/``TT`` line as the TdC prints it: net time to 1/100 s, left-aligned."""
    text = format_time_of_day(net_ns, 2)
    return f"{flag}{number % 10_000:04d}{lane}{channel_raw:<3} {text:<13} {group % 100:02d}\r".encode("latin-1")


def encode_number_selected(point: str, number: int, lane: str = "") -> bytes:
    """``n0043`` (finish) / ``s0043`` (start): the operator keyed the next rider."""
    return f"{'n' if point == 'finish' else 's'}{number % 10_000:04d}{lane}\r".encode("latin-1")


class AlgeDeviceModel(DeviceModel):
    """A Timy in impulse-number mode with CHK1 on (the simulator's ALGE).

    With ``start_numbers=True`` it behaves like the TdC 8001 of the real
    captures: the number is the rider's bib, the operator's ``n`` line comes
    before each finish and the timer prints its ``RT`` run time after it.
    """

    protocol = "alge"
    clock = "tod"
    resolution_ns = 100_000
    seq_modulus = 10_000

    def __init__(self, checksum: bool = True, start_numbers: bool = False) -> None:
        self.checksum = checksum and not start_numbers
        self.has_checksum = self.checksum
        self.start_numbers = start_numbers
        self._starts: dict[int, int] = {}

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        number = {Channel.START: 0, Channel.FINISH: 1}.get(channel, 2 + split_index % 8)
        return f"C{number}" + ("M" if manual else "")

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        flag = "m" if replayed else " "
        if not self.start_numbers:
            return encode_line(
                flag=flag, number=imp.seq, channel_raw=imp.channel_raw,
                tod_ns=imp.device_time_ns, checksum=self.checksum,
                corrupt_checksum=corrupt_checksum and self.checksum,
            )
        bib = imp.bib if imp.bib is not None else imp.rider
        if bib is None:
            return encode_line(flag="?", number=0, channel_raw=imp.channel_raw, tod_ns=imp.device_time_ns)
        line = encode_line(flag=flag, number=bib, channel_raw=imp.channel_raw, tod_ns=imp.device_time_ns)
        if replayed:
            return line
        if imp.channel is Channel.START:
            self._starts[bib] = imp.device_time_ns
            return line
        if imp.channel is Channel.FINISH and bib in self._starts:
            net = (imp.device_time_ns - self._starts.pop(bib)) % DAY_NS
            return (encode_number_selected("finish", bib) + line
                    + encode_net_time(flag=" ", number=bib, channel_raw="RT", net_ns=net))
        return line

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        if request.strip().upper() != b"RSM":
            return b""
        lines = [self.encode(imp, replayed=True, corrupt_checksum=False) for imp in memory]
        return b"".join(lines) + BANNER

    def reboot_banner(self, device: str) -> bytes:
        return BANNER + b"  TIMY3 W  V 1.0\r"


PROTOCOL = AlgeProtocol()
TIMY_PROTOCOL = TimyProtocol()
