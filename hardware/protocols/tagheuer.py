"""TAG Heuer CP540 / CP545 / HL440, protocol THCOM08 (and the older ``T`` lines).

THCOM08 line, CR LF terminated (0-based columns)::

    TN BBBB SSSS CC HH:MM:SS.fffff DDDDD<TAB>XXXX
    [0:2]   'TN' live impulse, 'AN' answer to a recall (-> replayed)
    [3:7]   bib (blank or 0000 when none was typed)
    [8:12]  sequence number SSSS
    [13:15] channel: ' 1' start, ' 2' finish, ' 3'..'16' splits, 'M1'.. manual
    [16:30] time of day, 1/100 000 s
    [31:36] a 5-digit field we keep in ``raw`` only
    XXXX    checksum: the 16-bit sum of every byte *before the TAB* (columns
            0..35, i.e. from the 'T' of 'TN' through the last digit of DDDDD),
            printed as 4 upper-case hex digits.

Example: ``TN 0012 0057  2 14:07:22.61530 00000\\t06E4\\r\\n``; the bytes
``TN 0012 0057  2 14:07:22.61530 00000`` add up to 0x06E4, which is how we chose
the summed range (the same range ullr's encoder sums). Our simulator uses the
same function, so parser and simulator agree by construction and the reference
example pins the choice.

Older ``T`` variant (CP520 era, read at 9600 baud, CR terminated, 30 chars, no
checksum): the channel is at [12:14] and the time of day at [15:30] (column
positions from the rallyx reader); bib [2:6] and sequence [7:11] are our reading
of the remaining columns: ``T BBBB SSSS CC HH:MM:SS.fffff ``.

Recall: ``#RT SSSS CC XXXX\\r\\n`` asks for the stored impulses from sequence
SSSS on channel CC ('00' = every channel); XXXX is the 16-bit byte sum, as
above, of ``#RT SSSS CC``. The timer answers with ``AN`` lines; ``AK F`` means it
rejected the request. The public sources give the command's shape but not these
argument semantics: check them on a real CP545 before relying on recall.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hardware.decoder import Decoded, Decoder, Frame, format_time_of_day, parse_time_of_day_ns
from hardware.impulse import DAY_NS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse

_TIME = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$")
_RECALL = re.compile(rb"^#RT (\d{1,4}) (\d{2}) ([0-9A-Fa-f]{4})$")


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
    if not 1 <= number <= 16:
        return None
    channel = Channel.START if number == 1 else Channel.FINISH if number == 2 else Channel.SPLIT
    return channel, manual, raw


def _number(field: str) -> int | None:
    text = field.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"not a number: {field!r}")
    return int(text)


class TagHeuerDecoder(Decoder):
    """Parses TN / AN / T lines and the AK answers."""

    protocol = "tagheuer"

    def parse_frame(self, frame: Frame) -> Decoded:
        text = frame.text.rstrip("\r\n")
        head = text[:2]
        if head == "AK":
            if text[2:].strip().upper().startswith("F"):
                return self.reject(frame, "计时器拒绝了回放请求（AK F）", "the timer rejected the recall request (AK F)")
            return self.reject(frame, "计时器应答（AK），不是脉冲", "timer acknowledgement (AK), not an impulse")
        if head in ("TN", "AN"):
            return self._parse_thcom08(frame, text, replayed=head == "AN")
        if head == "T ":
            return self._parse_old(frame, text)
        return self.reject(frame, "不是 TAG Heuer 计时行", "not a TAG Heuer time line")

    def _parse_thcom08(self, frame: Frame, text: str, *, replayed: bool) -> Decoded:
        body, tab, checksum = text.partition("\t")
        if len(body) < 30:
            return self.reject(frame, f"行太短（{len(body)} 字符，至少 30）", f"line too short ({len(body)} chars, need 30)")
        bad_checksum = False
        if tab:
            bad_checksum = checksum.strip().upper() != sum16(body)
        return self._impulse(frame, bib_f=body[3:7], seq_f=body[8:12], chan_f=body[13:15],
                             time_f=body[16:30], replayed=replayed, bad_checksum=bad_checksum)

    def _parse_old(self, frame: Frame, text: str) -> Decoded:
        if len(text.rstrip()) < 23:
            return self.reject(frame, "行太短（旧 T 格式）", "line too short (old T format)")
        return self._impulse(frame, bib_f=text[2:6], seq_f=text[7:11], chan_f=text[12:14],
                             time_f=text[15:30], replayed=False, bad_checksum=False)

    def _impulse(self, frame: Frame, *, bib_f: str, seq_f: str, chan_f: str, time_f: str,
                 replayed: bool, bad_checksum: bool) -> Decoded:
        parsed = _channel(chan_f)
        if parsed is None:
            return self.reject(frame, f"通道 {chan_f!r} 未知", f"unknown channel {chan_f!r}")
        channel, manual, chan_raw = parsed
        m = _TIME.match(time_f.strip())
        if m is None:
            return self.reject(frame, f"时间 {time_f!r} 无法读取", f"cannot read time {time_f!r}")
        tod_ns, resolution = parse_time_of_day_ns(m[1], m[2], m[3], m[4] or "")
        try:
            bib = _number(bib_f)
            seq = _number(seq_f)
        except ValueError:
            return self.reject(frame, f"号码或序号不是数字：{bib_f!r} {seq_f!r}",
                               f"bib or sequence is not numeric: {bib_f!r} {seq_f!r}")
        return Impulse(
            protocol=self.protocol, device=self.device, channel=channel, channel_raw=chan_raw,
            device_seq=seq, device_time_ns=tod_ns, clock_modulus_ns=DAY_NS,
            resolution_ns=resolution, host_ns=frame.host_ns, bib=bib or None, manual=manual,
            replayed=replayed, cleared=False, bad_checksum=bad_checksum, raw=frame.raw,
        )


def recall_command(first_seq: int, channel: int = 0) -> bytes:
    """``#RT SSSS CC XXXX\\r\\n``: recall stored impulses from ``first_seq`` on."""
    body = f"#RT {first_seq % 10_000:04d} {channel:02d}"
    return f"{body} {sum16(body)}\r\n".encode("latin-1")


class TagHeuerProtocol(Protocol):
    """TAG Heuer CP540/545 (THCOM08), 9600 8N1."""

    name = "tagheuer"
    title_zh = "TAG Heuer CP540/545 计时器"
    title_en = "TAG Heuer CP540/545"
    baudrate = 9600

    def new_decoder(self, device_id: str | None = None) -> TagHeuerDecoder:
        return TagHeuerDecoder(device_id)

    def replay_request(self, after_seq: int | None) -> bytes:
        """Recall everything after ``after_seq`` (everything when None)."""
        return recall_command(0 if after_seq is None else after_seq + 1)


def encode_line(
    *, prefix: str, bib: int | None, seq: int | None, channel_raw: str, tod_ns: int,
    corrupt_checksum: bool = False,
) -> bytes:
    """Print one THCOM08 line (inverse of :class:`TagHeuerDecoder`)."""
    bib_f = f"{bib % 10_000:04d}" if bib is not None else "    "
    seq_f = f"{seq % 10_000:04d}" if seq is not None else "    "
    body = f"{prefix} {bib_f} {seq_f} {channel_raw:>2} {format_time_of_day(tod_ns, 5)} 00000"
    checksum = sum16(body)
    if corrupt_checksum:
        checksum = f"{(int(checksum, 16) + 1) & 0xFFFF:04X}"
    return f"{body}\t{checksum}\r\n".encode("latin-1")


def encode_old_line(*, bib: int | None, seq: int | None, channel_raw: str, tod_ns: int) -> bytes:
    """Print one older ``T`` line (30 chars + CR)."""
    bib_f = f"{bib % 10_000:04d}" if bib is not None else "    "
    seq_f = f"{seq % 10_000:04d}" if seq is not None else "    "
    return f"T {bib_f} {seq_f} {channel_raw:>2} {format_time_of_day(tod_ns, 5)} \r".encode("latin-1")


class TagHeuerDeviceModel(DeviceModel):
    """A CP545 printing THCOM08 lines and answering ``#RT`` recalls."""

    protocol = "tagheuer"
    clock = "tod"
    resolution_ns = 10_000
    seq_modulus = 10_000

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        number = {Channel.START: 1, Channel.FINISH: 2}.get(channel, 3 + split_index % 14)
        if manual and number <= 9:
            return f"M{number}"
        return str(number)

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        return encode_line(prefix="AN" if replayed else "TN", bib=imp.bib or 0, seq=imp.seq,
                           channel_raw=imp.channel_raw, tod_ns=imp.device_time_ns,
                           corrupt_checksum=corrupt_checksum)

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        if not request.startswith(b"#"):
            return b""
        m = _RECALL.match(request.strip())
        if m is None:
            return b"AK F\r\n"
        first, chan, checksum = int(m[1]), int(m[2]), m[3].decode().upper()
        body = request.strip().rsplit(b" ", 1)[0]
        if sum16(body.decode("latin-1")) != checksum:
            return b"AK F\r\n"
        chosen = [
            imp for imp in memory
            if imp.seq >= first and (chan == 0 or imp.channel_raw.lstrip("M") == str(chan))
        ]
        return b"".join(self.encode(imp, replayed=True, corrupt_checksum=False) for imp in chosen)

    def reboot_banner(self, device: str) -> bytes:
        return b"TAG HEUER CP545 THCOM08\r\n"


PROTOCOL = TagHeuerProtocol()
