"""Speed Stacks StackMat (Gen 3 / Gen 4) and its clones (裕鑫 YuXin, QiYi): hand-slap pad timers.

The timer streams its display about 9 times a second (m9aertner's Gen 4
notes, see ``tests/fixtures/real/stackmat/PROVENANCE.md``): 1200 baud 8N1,
**inverted levels** (active high, about 2.7 V, on the tip of a 2.5 mm jack;
sleeve is ground), so it needs an inverting adapter (an FTDI FT232R with RXD
inverted, or a transistor inverter) in front of an ordinary serial input::

    Gen 4 (10 bytes):  S  M  T  s  d  c  m  K  LF CR
    Gen 3 ( 9 bytes):  S  M  T  s  d  c     K  LF CR

``S`` status: ' ' running, 'I' idle/stopped (Gen 4 sends only these two);
Gen 3 adds 'A' starting, 'S' stopped, 'L'/'R'/'C' left/right/both hands on
the pads. The digits are minutes, tens of seconds, seconds, tenths,
hundredths and (Gen 4) thousandths. ``K`` checksum = 64 + the sum of the
digit values. The display stops at 9:59.999 and the Gen 4 switches off.

What Trackside makes of the stream (the pad is the timer: the rider lifts the
hands to start and slaps the pads to stop):

* status turning to ' ' (running): a START impulse;
* the display stopping (status leaving ' ', or Gen 3 'S'): a FINISH impulse
  exactly the displayed time after that start, on a made-up clock
  (``hardware.protocols.synthetic``: the pad never says when, only how
  long), plus the displayed time as the timer's own net time;
* a reset to zero, or a repeated packet: nothing. A packet with a wrong
  checksum or shape is rejected (one message per run of bad packets, naming
  the usual cause: no inverter, or not 1200 baud).
"""

from __future__ import annotations

from collections.abc import Sequence

from hardware.decoder import ByteChunk, Decoded, Decoder, Frame
from hardware.impulse import NS_PER_MS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse
from hardware.protocols.records import NET_TIME, TimerRecord
from hardware.protocols.synthetic import ElapsedClock

STATUSES = " IASLRC"
RUNNING = " "
_BAD_REPORT_EVERY = 100


def checksum(digits: str) -> int:
    """64 + the sum of the digit values (m9aertner: ``1:08.169`` -> 0x59)."""
    return 64 + sum(int(d) for d in digits)


def display_ms(digits: str) -> int:
    """``'108169'`` (Gen 4) or ``'10816'`` (Gen 3) -> ms shown on the display."""
    minutes, tens, secs = int(digits[0]), int(digits[1]), int(digits[2])
    frac = digits[3:]
    ms = int(frac.ljust(3, "0")) if frac else 0
    return ((minutes * 60) + tens * 10 + secs) * 1000 + ms


class StackMatDecoder(Decoder):
    """Turns the display stream into start and finish impulses; see the module docstring."""

    protocol = "stackmat"

    def __init__(self, device_id: str | None = None, numbers: str = "auto") -> None:
        super().__init__(device_id)
        self._buf = bytearray()
        self._first_host: int | None = None
        self._running = False
        self._last: tuple[str, int] | None = None
        self._bad = 0
        self._clock = ElapsedClock(self.device)

    # The packet ends LF CR (the reverse of CRLF), so the line framer is not used.
    def feed(self, chunk: ByteChunk, host_ns: int) -> list[Decoded]:
        out: list[Decoded] = []
        if chunk:
            self._clock.hear(host_ns)
        try:
            for byte in bytes(chunk):
                if not self._buf:
                    self._first_host = host_ns
                if byte == 0x0D and not self._buf:
                    continue  # the CR after LF
                self._buf.append(byte)
                if byte == 0x0A or len(self._buf) > 16:
                    raw = bytes(self._buf)
                    self._buf.clear()
                    item = self._packet(raw, self._first_host or host_ns)
                    if item is not None:
                        out += item
        except Exception as exc:  # never raise into the reader thread
            self._buf.clear()
            out.append(self._internal_error(b"", host_ns, exc))
        return out

    def flush(self, host_ns: int) -> list[Decoded]:
        self._buf.clear()
        return []

    def discard_partial(self, host_ns: int) -> list[Decoded]:
        self._buf.clear()
        return []

    def parse_frame(self, frame: Frame) -> Decoded:  # pragma: no cover - feed() does the work
        raise NotImplementedError

    def _reject_bad(self, raw: bytes, host_ns: int, why_zh: str, why_en: str) -> list[Decoded]:
        self._bad += 1
        if self._bad % _BAD_REPORT_EVERY != 1:
            return []
        frame = Frame(raw=raw, text=raw.decode("latin-1"), host_ns=host_ns)
        return [self.reject(
            frame, f"{why_zh}：不是 StackMat 数据包（需 1200 波特且信号反相）",
            f"{why_en}: bytes are not StackMat packets (1200 baud with an inverted signal is needed)",
        )]

    def _packet(self, raw: bytes, host_ns: int) -> list[Decoded] | None:
        body = raw.rstrip(b"\n")
        if len(body) not in (8, 7) or not body[1:-1].isdigit():
            return self._reject_bad(raw, host_ns, f"长度或内容不对（{len(raw)} 字节）",
                                    f"wrong length or content ({len(raw)} bytes)")
        status, digits, k = chr(body[0]), body[1:-1].decode("ascii"), body[-1]
        if status not in STATUSES or k != checksum(digits):
            return self._reject_bad(raw, host_ns, "校验和或状态错误", "bad checksum or status")
        self._bad = 0
        shown = display_ms(digits)
        state = (status, shown)
        if state == self._last:
            return None
        self._last = state
        out: list[Decoded] = []
        running = status == RUNNING
        if running and not self._running:
            self._running = True
            out.append(self._impulse(Channel.START, self._clock.start(), host_ns, raw))
        elif not running and self._running:
            self._running = False
            if shown > 0:
                end = self._clock.finish(shown * NS_PER_MS)
                out.append(self._impulse(Channel.FINISH, end, host_ns, raw))
                out.append(TimerRecord(
                    protocol=self.protocol, raw=raw, host_ns=host_ns,
                    reason_zh=f"StackMat 显示的用时 {shown} ms，不是脉冲",
                    reason_en=f"the StackMat's own time {shown} ms, not an impulse",
                    kind=NET_TIME, device=self._clock.device, net_ns=shown * NS_PER_MS,
                    resolution_ns=NS_PER_MS if len(digits) == 6 else 10 * NS_PER_MS, channel_raw="T",
                ))
        return out

    def _impulse(self, channel: Channel, device_ns: int, host_ns: int, raw: bytes) -> Impulse:
        return Impulse(
            protocol=self.protocol, device=self._clock.device, channel=channel,
            channel_raw="S" if channel is Channel.START else "F", device_seq=None, device_time_ns=device_ns,
            clock_modulus_ns=None, resolution_ns=NS_PER_MS, host_ns=host_ns, bib=None, manual=False,
            replayed=False, cleared=False, bad_checksum=False, raw=raw,
        )


class StackMatProtocol(Protocol):
    """StackMat Gen 3/4 and clones: 1200 8N1 with inverted levels, no memory."""

    name = "stackmat"
    title_zh = "StackMat 拍手计时垫（含裕鑫、QiYi 兼容款）"
    title_en = "StackMat hand-slap timer (and YuXin / QiYi clones)"
    baudrate = 1200
    settings_source = "m9aertner/StackMatGen4TimerTeensy StackMatGen4-Timer.md (1200 8N1, inverted)"

    def new_decoder(self, device_id: str | None = None) -> StackMatDecoder:
        return StackMatDecoder(device_id)

    def replay_request(self, after_seq: int | None) -> None:
        return None


def encode_packet(status: str, ms: int, *, gen: int = 4) -> bytes:
    """One display packet: status, digits, checksum, LF, CR."""
    ms = min(ms, 599_999)
    minutes, rest = divmod(ms, 60_000)
    secs, frac = divmod(rest, 1000)
    digits = f"{minutes}{secs:02d}{frac:03d}" if gen == 4 else f"{minutes}{secs:02d}{frac // 10:02d}"
    return status.encode("ascii") + digits.encode("ascii") + bytes([checksum(digits)]) + b"\n\r"


class StackMatDeviceModel(DeviceModel):
    """A StackMat: a start sends the first running packet, a finish the stopped display."""

    protocol = "stackmat"
    clock = "millis"
    resolution_ns = NS_PER_MS
    manual_marker = False
    has_checksum = True

    def __init__(self, gen: int = 4) -> None:
        self.gen = gen
        self._start_ms: int | None = None

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        return "S" if channel is Channel.START else "F"

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        now = imp.device_time_ns // NS_PER_MS
        idle = "I"
        if imp.channel is Channel.START:
            self._start_ms = now
            return encode_packet(idle, 0, gen=self.gen) + encode_packet(RUNNING, 0, gen=self.gen)
        if imp.channel is Channel.FINISH and self._start_ms is not None:
            shown = now - self._start_ms
            self._start_ms = None
            packet = encode_packet(idle, shown, gen=self.gen)
            if corrupt_checksum:
                packet = packet[:-3] + bytes([packet[-3] ^ 0x01]) + packet[-2:]
            return encode_packet(RUNNING, max(shown - 100, 0), gen=self.gen) + packet
        return b""

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        return b""

    def reboot_banner(self, device: str) -> bytes:
        return encode_packet("I", 0, gen=self.gen)


PROTOCOL = StackMatProtocol()
