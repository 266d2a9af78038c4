"""Microgate Racetime2 records and REI2 / RT Pro "extended" lines.

Racetime2 record: 29 characters then CR (0-based columns)::

    [0:4]   QQQQ  sequence number          -> device_seq
    [4:8]   SSSS  bib (0000 = none)        -> bib
    [8:11]  RRR   run                      -> run
    [11:14] CCC   physical channel
    [14:17] LLL   logical channel: 000 start, 255 finish, 254 aux, 001-253 laps
    [17]    I     info (Racetime 2 manual, transmission protocol appendix):
                  '0' time of day (an impulse); '1' the run's net time, '2' the
                  total net time, '3' a lap net time: the timer's own results,
                  kept beside the runs and never impulses; '4'..'9' speed,
                  temperature, humidity: kept as status lines; anything else
                  is rejected (shown, never used)
    [18]    O     origin: 'M' cable / physical input, 'R' radio, 'K' a time of
                  day changed by hand (-> manual), 'A' automatic start, 'E'
                  downloaded from a Linkgate encoder, 'S'/'s' skipped events,
                  'Z' a control time (not an impulse)
    [19]    P     sign: ' ' positive; '1' or '-' negative (a computed time,
                  not an impulse -> rejected)
    [20:29] HHMMSSttt  time of day (or the net time) in milliseconds

Example: ``004200120012552550M 140722615\\r``. Origin 'M' is the wired input,
not a keypad: Racetime2 records carry no keypad marker, so ``manual`` is
always False for them.

REI2 extended line: starts with 0x10, ends with LF. Bib [12:17], group
[17:20], logical channel [26:29], flag [29] ('0' valid; 'P'/'A'/'Q' and any
other code -> kept as cleared), ``HHMMSSffff`` [30:40] (1/10 000 s). It has no
sequence number (``device_seq`` is None; the simulator never prints one).
Lines starting 0x12 (static reply) or 0x14 (reduced format) are rejected.

Baud: the Racetime 2 leaves the factory at 1200 bit/s (2400, 4800 and 9600
can be set), 8N1; RaceHorology opens the REI2 with an RTS handshake.

Replay: no public source documents a memory-download command that the host can
send (RaceHorology notes the download is started on the device itself), so
``replay_request`` returns None and the supervisor asks for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from hardware.decoder import Decoded, Decoder, Frame, parse_time_of_day_ns
from hardware.impulse import DAY_NS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse
from hardware.protocols.baudcheck import BaudWatchMixin
from hardware.protocols.records import NET_TIME, STATUS, TOTAL_TIME, TimerRecord

REI2_EXTENDED = "\x10"
REI2_STATIC = "\x12"
REI2_REDUCED = "\x14"


def _channel(logical: int) -> Channel:
    if logical == 0:
        return Channel.START
    if logical == 255:
        return Channel.FINISH
    return Channel.SPLIT


BAUD_SAMPLES = (b"004200120012552550M 140722615\r004300130010000000M 140725102\r"
                b"004400130012552550M 140801994\r004500130012552551M 000036892\r")


class MicrogateDecoder(BaudWatchMixin, Decoder):
    """Parses Racetime2 records and REI2 extended lines on one port."""

    protocol = "microgate"

    def __init__(self, device_id: str | None = None, numbers: str = "auto", baudrate: int | None = None,
                 other_baudrates: tuple[int, ...] = (1200, 2400, 4800, 9600)) -> None:
        super().__init__(device_id)
        self.watch_baud("Microgate", baudrate, other_baudrates, BAUD_SAMPLES)
        self.numbers = numbers

    def parse_frame(self, frame: Frame) -> Decoded:
        text = frame.text
        first = text[0]
        if first == REI2_EXTENDED:
            return self._parse_rei2(frame, text)
        if first in (REI2_STATIC, REI2_REDUCED):
            return self.reject(frame, "REI2 静态应答或精简格式，不处理", "REI2 static reply or reduced format, not handled")
        return self._parse_racetime2(frame, text)

    def _parse_racetime2(self, frame: Frame, text: str) -> Decoded:
        if len(text) < 29 or text[29:].strip():
            return self.reject(frame, f"不是 Racetime2 记录（长度 {len(text)}，应为 29）",
                               f"not a Racetime2 record (length {len(text)}, expected 29)")
        if not text[:17].isdigit() or not text[20:29].isdigit():
            return self.reject(frame, "Racetime2 记录含非数字字段", "Racetime2 record has a non-numeric field")
        sign = text[19]
        if sign != " ":
            return self.reject(frame, "负时间（计算结果），不是脉冲", "negative time (a computed result), not an impulse")
        t = text[20:29]
        tod_ns, resolution = parse_time_of_day_ns(t[0:2], t[2:4], t[4:6], t[6:9])
        logical = int(text[14:17])
        bib = int(text[4:8]) or None
        info, origin = text[17], text[18]
        if info != "0":
            return self._record(frame, info, bib, text[14:17], tod_ns, resolution, run=int(text[8:11]))
        if origin == "Z":
            return TimerRecord(protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
                               reason_zh="控制时间（Z），不是脉冲", reason_en="control time (origin Z), not an impulse",
                               kind=STATUS, device=self.device, bib=bib, channel_raw=text[14:17], status="Z")
        return Impulse(
            protocol=self.protocol, device=self.device, channel=_channel(logical),
            channel_raw=text[14:17], device_seq=int(text[0:4]), device_time_ns=tod_ns,
            clock_modulus_ns=DAY_NS, resolution_ns=resolution, host_ns=frame.host_ns,
            bib=None if self.numbers == "impulse" else bib, manual=origin == "K", replayed=False,
            cleared=False, bad_checksum=False, raw=frame.raw, run=int(text[8:11]),
            flag=origin.strip(),
        )

    def _record(self, frame: Frame, info: str, bib: int | None, channel_raw: str, net_ns: int,
                resolution: int, *, run: int) -> Decoded:
        kinds = {"1": (NET_TIME, "单次净时间", "run net time"), "2": (TOTAL_TIME, "总净时间", "total net time"),
                 "3": (STATUS, "圈净时间", "lap net time")}
        if info in kinds:
            kind, zh, en = kinds[info]
            return TimerRecord(
                protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
                reason_zh=f"计时器算出的{zh}（info {info}，第 {run} 轮），不是脉冲",
                reason_en=f"the timer's own {en} (info {info}, run {run}), not an impulse",
                kind=kind, device=self.device, bib=bib, channel_raw=channel_raw,
                net_ns=net_ns if kind != STATUS else None, resolution_ns=resolution, status=f"info {info}",
            )
        if info in "456789":
            return TimerRecord(protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
                               reason_zh=f"测量值（速度/温度/湿度，info {info}），不是脉冲",
                               reason_en=f"a measurement (speed/temperature/humidity, info {info}), not an impulse",
                               kind=STATUS, device=self.device, bib=bib, channel_raw=channel_raw, status=f"info {info}")
        return self.reject(frame, f"info 代码 {info!r} 未知，不是脉冲", f"unknown info code {info!r}, not an impulse")

    def _parse_rei2(self, frame: Frame, text: str) -> Decoded:
        if len(text) < 40:
            return self.reject(frame, f"REI2 扩展行太短（{len(text)}，至少 40）",
                               f"REI2 extended line too short ({len(text)}, need 40)")
        bib_f, chan_f, t = text[12:17].strip(), text[26:29], text[30:40]
        if not chan_f.isdigit() or not t.isdigit() or (bib_f and not bib_f.isdigit()):
            return self.reject(frame, "REI2 扩展行含非数字字段", "REI2 extended line has a non-numeric field")
        tod_ns, resolution = parse_time_of_day_ns(t[0:2], t[2:4], t[4:6], t[6:10])
        return Impulse(
            protocol=self.protocol, device=self.device, channel=_channel(int(chan_f)),
            channel_raw=chan_f, device_seq=None, device_time_ns=tod_ns, clock_modulus_ns=DAY_NS,
            resolution_ns=resolution, host_ns=frame.host_ns,
            bib=int(bib_f) if bib_f and int(bib_f) and self.numbers != "impulse" else None,
            manual=False, replayed=False, cleared=text[29] != "0", bad_checksum=False,
            raw=frame.raw, flag=text[29] if text[29] != "0" else "",
        )


class MicrogateProtocol(Protocol):
    """Microgate Racetime2 / REI2 / RT Pro: 1200 8N1 from the factory (Racetime 2)."""

    name = "microgate"
    title_zh = "Microgate Racetime2 / REI2 计时器"
    title_en = "Microgate Racetime2 / REI2"
    baudrate = 1200
    other_baudrates = (2400, 4800, 9600)
    settings_source = "Racetime 2 manual, transmission protocol appendix (default 1200; 2400/4800/9600)"

    def new_decoder(self, device_id: str | None = None) -> MicrogateDecoder:
        return MicrogateDecoder(device_id, numbers=self.numbers, baudrate=self.baudrate,
                                other_baudrates=(*self.other_baudrates, type(self).baudrate))

    def replay_request(self, after_seq: int | None) -> None:
        """None: no documented host-initiated memory download (see module docstring)."""
        return None


def _hhmmss(tod_ns: int, frac_digits: int) -> str:
    tod_ns %= DAY_NS
    secs, rem = divmod(tod_ns, 1_000_000_000)
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}{m:02d}{s:02d}{rem // 10 ** (9 - frac_digits):0{frac_digits}d}"


def encode_racetime2(
    *, seq: int, bib: int | None, run: int, logical: str, tod_ns: int, info: str = "0",
    origin: str = "M", physical: str | None = None,
) -> bytes:
    """Print one Racetime2 record (inverse of :class:`MicrogateDecoder`)."""
    phys = physical if physical is not None else logical
    return (
        f"{seq % 10_000:04d}{(bib or 0) % 10_000:04d}{run % 1000:03d}{phys}{logical}"
        f"{info}{origin} {_hhmmss(tod_ns, 3)}\r"
    ).encode("latin-1")


def encode_rei2(*, bib: int | None, group: int, logical: str, tod_ns: int, flag: str = "0") -> bytes:
    """Print one REI2 extended line: 0x10, fields at the documented offsets, LF."""
    filler1 = "0" * 11  # columns 1..11: not documented publicly
    filler2 = "0" * 6  # columns 20..25: not documented publicly
    bib_f = f"{bib:5d}" if bib is not None else "     "
    line = f"\x10{filler1}{bib_f}{group % 1000:03d}{filler2}{logical}{flag}{_hhmmss(tod_ns, 4)}\n"
    return line.encode("latin-1")


class MicrogateDeviceModel(DeviceModel):
    """A Racetime2 printing records (or, with ``rei2=True``, an REI2)."""

    protocol = "microgate"
    clock = "tod"
    seq_modulus = 10_000
    manual_marker = False
    has_checksum = False

    def __init__(self, rei2: bool = False) -> None:
        self.rei2 = rei2
        self.resolution_ns = 100_000 if rei2 else 1_000_000

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        if channel is Channel.START:
            return "000"
        if channel is Channel.FINISH:
            return "255"
        return f"{1 + split_index % 253:03d}"

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        if self.rei2:
            return encode_rei2(bib=imp.bib, group=0, logical=imp.channel_raw, tod_ns=imp.device_time_ns)
        return encode_racetime2(seq=imp.seq, bib=imp.bib, run=1, logical=imp.channel_raw,
                                tod_ns=imp.device_time_ns)

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        return b""

    def reboot_banner(self, device: str) -> bytes:
        # The Racetime 2 manual documents no power-up line: print nothing.
        return b""


PROTOCOL = MicrogateProtocol()
