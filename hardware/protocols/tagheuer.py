"""TAG Heuer CP540 / CP545 / HL440 (THCOM08), CP520 ``T`` lines, Pocket Pro ``RR``.

THCOM08 line, CR LF terminated (0-based columns)::

    TN BBBB SSSS CC HH:MM:SS.fffff DDDDD<TAB>XXXX
    [0]     'T' a time, 'A' an answer to a recall (-> replayed)
    [1]     'N' a new time; a correction character instead (see below)
    [3:7]   bib (blank or 0000 when none was typed)
    [8:12]  sequence number SSSS
    [13:15] channel ' 1'..'99' (' 1' start, ' 2' finish, others splits),
            'M1'..'M9' the same channel keyed by hand (manual)
    [16:30] time of day, 1/100 000 s; the hour may be blank (after a zero
            sync the timer prints ``  :45:30.46400``-style times: hour 0)
    [31:36] the day count since 2000-01-01, right-aligned (kept in ``raw``)
    XXXX    optional checksum after a TAB: the 16-bit sum of every byte before
            the TAB, as 4 upper-case hex digits. A frame without it is
            accepted unchecked (the checksum is optional in THCOM08).

Correction characters in [1] (``T-`` ``T*`` ``T+`` ``T=`` ``TC``), as the
HL440 Minitimer manual (§5 "DUPLICATE"/"INSERT TIME", §6.1 RECALL) and a
downloader written against a real HL440 (demeca/TAG_Download) name them:
'*' the time was given a new bib (RECALL, "Time With A new Identification")
and '-' its bib was removed ("Time With Removed Identification"): the time
stays valid and MOVES to that rider (``reidentifies``; with '-' to nobody);
'C' the time was cancelled (identified with competitor 0: it VOIDS the
impulse with the same number, channel and time); '+' a time inserted by hand
(a manual impulse); '=' the time duplicated for another bib (kept as a
manual impulse; when it repeats the original's number, channel and time it is
a duplicate). No live correction line has been captured; the download in
``tests/fixtures/real/tagheuer`` has an 'A*' line.

Real devices pad the bib and sequence with spaces (``AN  700    3 M4 ...``,
checksum-verified) and print in [31:36] the day count since 2000-01-01.

CP520 ``T`` line (9600 baud, CR, 30 chars, no checksum)::

    T       201 M1    45:30.464000
    [1]     ' ' or a correction character, as above
    [2:6]   sequence number (blank on the CP520 example)
    [7:11]  bib
    [12:14] channel, as above
    [15:30] time of day HH:MM:SS.ffffff, hour blank after a zero sync

Pocket Pro ``RR rank bib   HH:MM:SS.fffff`` lines are the timer's computed
results (net times): kept beside the runs, never impulses.

Recall: ``#RT SSSS CC<TAB>XXXX\\r\\n`` asks for the stored impulses from
sequence SSSS on channel CC ('00' = every channel); XXXX is the 16-bit byte
sum of ``RT SSSS CC`` (the '#' is not summed), e.g. ``#RT 0005 00\\t020B``.
The timer answers with ``AN`` lines; ``AK F`` means it rejected the request.

Flow control: in the 9600 setting with RTS/CTS (``--rtscts``) the timer waits
for an ACK (0x06) after every frame it sends; :meth:`TagHeuerProtocol.ack`
sends it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from hardware.decoder import Decoded, Decoder, Frame, format_time_of_day, parse_time_of_day_ns
from hardware.impulse import DAY_NS, Channel, Impulse, RejectedFrame
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse
from hardware.protocols.baudcheck import BaudWatchMixin
from hardware.protocols.records import NET_TIME, STATUS, TimerRecord

ACK = b"\x06"
VOID_MARKS = "C"
REIDENTIFY_MARKS = "*-"
MANUAL_MARKS = "+="
DAY_ZERO = date(2000, 1, 1)  # the THCOM08 day count starts here
#: The simulator's date (the day count it prints); any fixed day keeps it deterministic.
SIMULATED_DAY = date(2026, 11, 28)
_RECALL = re.compile(rb"^#(RT (\d{4}) (\d{2}))\t([0-9A-Fa-f]{4})$")
_RR = re.compile(r"^RR (\d{4}) (\d{4}) +(.+?)\s*$")


def sum16(text: str) -> str:
    """THCOM08 checksum: the 16-bit byte sum as 4 upper-case hex digits."""
    return f"{sum(text.encode('latin-1')) & 0xFFFF:04X}"


def _channel(field: str) -> tuple[Channel, bool, str] | None:
    """``' 1'`` -> (START, not manual, '1'); ``'M2'`` -> (FINISH, manual, 'M2')."""
    raw = field.strip()
    manual = raw[:1].upper() == "M"
    digits = raw[1:] if manual else raw
    if not digits.isdigit():
        return None
    number = int(digits)
    if not 1 <= number <= 99:
        return None
    channel = Channel.START if number == 1 else Channel.FINISH if number == 2 else Channel.SPLIT
    return channel, manual, raw


def parse_time(field: str) -> tuple[int, int] | None:
    """``'14:07:22.61530'`` or, hour blank, ``'   45:30.464000'`` -> (ns, resolution)."""
    parts = field.strip().split(":")
    if len(parts) == 2:
        hh, mm, rest = "0", parts[0], parts[1]
    elif len(parts) == 3:
        hh, mm, rest = parts[0].strip() or "0", parts[1], parts[2]
    else:
        return None
    ss, _, frac = rest.partition(".")
    if not (hh.isdigit() and len(hh) <= 2 and mm.isdigit() and len(mm) <= 2 and ss.isdigit()
            and len(ss) == 2 and (not frac or frac.isdigit()) and len(frac) <= 6):
        return None
    return parse_time_of_day_ns(hh, mm, ss, frac)


def _number(field: str) -> int | None:
    text = field.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"not a number: {field!r}")
    return int(text)


def _is_thcom08(text: str) -> bool:
    return len(text) >= 30 and text[2] == " " and text[12] == " " and text[15] == " "


# Typical lines, in the layout of the captured HL440 line (tests/fixtures/real/tagheuer).
BAUD_SAMPLES = (b"TN   12   57  2 14:07:22.61530  9828\t06AF\r\nTN   13   58  1 14:07:25.10230  9828\t06AA\r\n"
                b"TN   13   59  2 14:08:01.99410  9828\t06B8\r\nTN   14   60  1 14:08:05.40010  9828\t06A2\r\n")


class TagHeuerDecoder(BaudWatchMixin, Decoder):
    """Parses TN / AN / T lines, the correction lines, RR results and the AK answers."""

    protocol = "tagheuer"

    def __init__(self, device_id: str | None = None, numbers: str = "auto", baudrate: int | None = None,
                 other_baudrates: tuple[int, ...] = (9600, 19200, 38400)) -> None:
        super().__init__(device_id)
        self.watch_baud("TAG Heuer", baudrate, other_baudrates, BAUD_SAMPLES)
        self.numbers = numbers

    def parse_frame(self, frame: Frame) -> Decoded:
        text = frame.text.rstrip("\r\n")
        head = text[:2]
        if head == "AK":
            if text[2:].strip().upper().startswith("F"):
                return self.reject(frame, "计时器拒绝了回放请求（AK F）", "the timer rejected the recall request (AK F)")
            return self.reject(frame, "计时器应答（AK），不是脉冲", "timer acknowledgement (AK), not an impulse")
        if head == "RR":
            return self._parse_rr(frame, text)
        if head == "!T":
            return TimerRecord(protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
                               reason_zh="计时器同步时间（!T），不是脉冲", reason_en="timer synchro time (!T), not an impulse",
                               kind=STATUS, device=self.device, status=text[2:].strip())
        if text[:1] in "TA" and len(text) >= 2 and (
                text[1] == "N" or text[1] in " " + VOID_MARKS + REIDENTIFY_MARKS + MANUAL_MARKS):
            mark = text[1]
            replayed = text[0] == "A"
            if _is_thcom08(text):
                return self._parse_thcom08(frame, text, mark=mark, replayed=replayed)
            if text[0] == "T":
                return self._parse_old(frame, text, mark=mark)
        return self.reject(frame, "不是 TAG Heuer 计时行", "not a TAG Heuer time line")

    def _parse_thcom08(self, frame: Frame, text: str, *, mark: str, replayed: bool) -> Decoded:
        body, tab, checksum = text.partition("\t")
        bad_checksum = False
        if tab and checksum.strip():
            bad_checksum = checksum.strip().upper() != sum16(body)
        return self._impulse(frame, mark=mark, bib_f=body[3:7], seq_f=body[8:12], chan_f=body[13:15],
                             time_f=body[16:30], replayed=replayed, bad_checksum=bad_checksum)

    def _parse_old(self, frame: Frame, text: str, *, mark: str) -> Decoded:
        if len(text.rstrip()) < 23:
            return self.reject(frame, "行太短（旧 T 格式）", "line too short (old T format)")
        return self._impulse(frame, mark=mark, bib_f=text[7:11], seq_f=text[2:6], chan_f=text[12:14],
                             time_f=text[15:30], replayed=False, bad_checksum=False)

    def _parse_rr(self, frame: Frame, text: str) -> Decoded:
        m = _RR.match(text.rstrip("\t"))
        parsed = parse_time(m[3]) if m else None
        if m is None or parsed is None:
            return self.reject(frame, "RR 结果行无法读取", "cannot read the RR result line")
        net_ns, resolution = parsed
        return TimerRecord(
            protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
            reason_zh=f"计时器算出的成绩（RR，名次 {int(m[1])}），不是脉冲",
            reason_en=f"the timer's own result (RR, rank {int(m[1])}), not an impulse",
            kind=NET_TIME, device=self.device, bib=int(m[2]) or None, channel_raw="RR",
            net_ns=net_ns, resolution_ns=resolution,
        )

    def _impulse(self, frame: Frame, *, mark: str, bib_f: str, seq_f: str, chan_f: str, time_f: str,
                 replayed: bool, bad_checksum: bool) -> Decoded:
        parsed = _channel(chan_f)
        if parsed is None:
            return self.reject(frame, f"通道 {chan_f!r} 未知", f"unknown channel {chan_f!r}")
        channel, manual, chan_raw = parsed
        when = parse_time(time_f)
        if when is None:
            return self.reject(frame, f"时间 {time_f!r} 无法读取", f"cannot read time {time_f!r}")
        tod_ns, resolution = when
        try:
            bib = _number(bib_f)
            seq = _number(seq_f)
        except ValueError:
            return self.reject(frame, f"号码或序号不是数字：{bib_f!r} {seq_f!r}",
                               f"bib or sequence is not numeric: {bib_f!r} {seq_f!r}")
        voids = mark in VOID_MARKS
        # In impulse mode the timer's bibs are not read, so a new bib changes nothing.
        reidentifies = mark in REIDENTIFY_MARKS and self.numbers != "impulse"
        if mark == "-" or self.numbers == "impulse":
            bib = None
        return Impulse(
            protocol=self.protocol, device=self.device, channel=channel, channel_raw=chan_raw,
            device_seq=seq, device_time_ns=tod_ns, clock_modulus_ns=DAY_NS,
            resolution_ns=resolution, host_ns=frame.host_ns,
            bib=bib or None,
            manual=manual or mark in MANUAL_MARKS, replayed=replayed, cleared=voids,
            bad_checksum=bad_checksum, raw=frame.raw, flag=mark.strip() if mark != "N" else "",
            voids=voids, reidentifies=reidentifies,
        )


def recall_command(first_seq: int, channel: int = 0) -> bytes:
    """``#RT SSSS CC<TAB>XXXX\\r\\n``: the sum covers ``RT SSSS CC`` (not the '#')."""
    body = f"RT {first_seq % 10_000:04d} {channel % 100:02d}"
    return f"#{body}\t{sum16(body)}\r\n".encode("latin-1")


class TagHeuerProtocol(Protocol):
    """TAG Heuer CP540/545 (THCOM08), 9600 8N1; ACK after every frame with RTS/CTS."""

    name = "tagheuer"
    title_zh = "TAG Heuer CP540/545 计时器"
    title_en = "TAG Heuer CP540/545"
    baudrate = 9600
    other_baudrates = (19200, 38400)
    settings_source = "issue #11 summary of THCOM08; RaceHorology TagHeuer.cs (RTS handshake, Pocket Pro 38400)"

    def new_decoder(self, device_id: str | None = None) -> TagHeuerDecoder:
        return TagHeuerDecoder(device_id, numbers=self.numbers, baudrate=self.baudrate,
                               other_baudrates=(*self.other_baudrates, type(self).baudrate))

    def replay_request(self, after_seq: int | None) -> bytes:
        """Recall everything after ``after_seq`` (everything when None)."""
        return recall_command(0 if after_seq is None else after_seq + 1)

    def ack_after_frames(self) -> bool:
        return self.rtscts

    def ack(self, impulse: Impulse | RejectedFrame) -> bytes | None:
        """0x06 after every frame in the flow-controlled (RTS/CTS) setting."""
        return ACK if self.rtscts else None


def encode_line(
    *, prefix: str, bib: int | None, seq: int | None, channel_raw: str, tod_ns: int,
    corrupt_checksum: bool = False, checksum: bool = True, day: date = SIMULATED_DAY,
) -> bytes:
    """Print one THCOM08 line (inverse of :class:`TagHeuerDecoder`) in the layout real devices
    print: bib and sequence right-aligned with spaces, then the day count since 2000-01-01."""
    bib_f = f"{bib % 10_000:>4}" if bib else "    "
    seq_f = f"{seq % 10_000:>4}" if seq is not None else "    "
    days = (day - DAY_ZERO).days
    body = f"{prefix} {bib_f} {seq_f} {channel_raw:>2} {format_time_of_day(tod_ns, 5)} {days:>5}"
    if not checksum:
        return f"{body}\r\n".encode("latin-1")
    sum_text = sum16(body)
    if corrupt_checksum:
        sum_text = f"{(int(sum_text, 16) + 1) & 0xFFFF:04X}"
    return f"{body}\t{sum_text}\r\n".encode("latin-1")


def encode_old_line(*, bib: int | None, seq: int | None, channel_raw: str, tod_ns: int,
                    mark: str = " ", blank_hour: bool = False) -> bytes:
    """Print one CP520 ``T`` line (30 chars + CR): bib in [7:11], time 1/1 000 000 s."""
    bib_f = f"{bib % 10_000:4d}" if bib is not None else "    "
    seq_f = f"{seq % 10_000:04d}" if seq is not None else "    "
    time_text = format_time_of_day(tod_ns, 6)
    if blank_hour:
        time_text = "   " + time_text[3:]
    return f"T{mark}{seq_f} {bib_f} {channel_raw:>2} {time_text}\r".encode("latin-1")


class TagHeuerDeviceModel(DeviceModel):
    """A CP545 printing THCOM08 lines and answering ``#RT`` recalls."""

    protocol = "tagheuer"
    clock = "tod"
    resolution_ns = 10_000
    seq_modulus = 10_000

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        number = {Channel.START: 1, Channel.FINISH: 2}.get(channel, 3 + split_index % 97)
        if manual and number <= 9:
            return f"M{number}"
        return str(number)

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        return encode_line(prefix="AN" if replayed else "TN", bib=imp.bib, seq=imp.seq,
                           channel_raw=imp.channel_raw, tod_ns=imp.device_time_ns,
                           corrupt_checksum=corrupt_checksum)

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        if not request.startswith(b"#"):
            return b""
        m = _RECALL.match(request.strip(b"\r\n"))
        if m is None or sum16(m[1].decode("latin-1")) != m[4].decode().upper():
            return b"AK F\r\n"
        first, chan = int(m[2]), int(m[3])
        chosen = [
            imp for imp in memory
            if imp.seq >= first and (chan == 0 or imp.channel_raw.lstrip("M") == str(chan))
        ]
        return b"".join(self.encode(imp, replayed=True, corrupt_checksum=False) for imp in chosen)

    def reboot_banner(self, device: str) -> bytes:
        # No source documents a power-up line (and no capture shows one): print nothing.
        return b""


PROTOCOL = TagHeuerProtocol()
