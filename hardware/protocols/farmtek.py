"""FarmTek Polaris / JACircuits consoles: the autocross output (9 bytes, CR LF).

Formats, as documented by the axtimerm autocross software's reader
(``lib/hardwareEvents.js``, see ``tests/fixtures/real/farmtek/PROVENANCE.md``)::

    0x80 d d d d d d CR LF   elapsed time in ms, the six digits LEAST
                             significant first ("Normal" mode: the console
                             only reports the finished run's time);
                             ``000000`` = the console withdrew the last finish
    'A'  d d d d d d CR LF   start stamp, ms on the console's free-running
                             counter (most significant first; wraps at 10^6 ms)
    'B'  ...                 finish stamp
    'C' / 'D' ...            split 1 / split 2 stamps
    'S'  ...                 the FarmTek "clear time" key: cancel the last start
    0xF8                     one byte: the console lost its eyes (disconnected)

"Chrono" mode sends the A/B stamps and, after each finish, the 0x80 elapsed
time: the stamps are the impulses (paired like any timer's) and the elapsed
time is kept as the console's own net time, beside the run.

"Normal" mode sends only the 0x80 elapsed time. Trackside then records the
run as a start and a finish exactly that far apart on a made-up clock
(``hardware.protocols.synthetic``; channel ``E``, flag ``elapsed``), so the
run's time is the console's time to the ms. A decoder that has seen any
A/B stamp treats 0x80 lines as the console's check instead.

The console has no memory a host can ask for, no sequence number and no
checksum. 9600 8N1 (axtimerm's setting for JACircuits; the FarmTek Polaris
printer port is 1200: pass ``--baud 1200``).
"""

from __future__ import annotations

from collections.abc import Sequence

from hardware.decoder import ByteChunk, Decoded, Decoder, Frame
from hardware.impulse import NS_PER_MS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse
from hardware.protocols.records import NET_TIME, STATUS, TimerRecord
from hardware.protocols.synthetic import ElapsedClock

ELAPSED = 0x80
DISCONNECTED = 0xF8
STAMP_MODULUS_NS = 10**6 * NS_PER_MS
_STAMPS = {"A": (Channel.START, "A"), "B": (Channel.FINISH, "B"), "C": (Channel.SPLIT, "C"),
           "D": (Channel.SPLIT, "D")}


class FarmTekDecoder(Decoder):
    """JACircuits Normal / Chrono output (FarmTek Polaris in its JAC-compatible mode)."""

    protocol = "farmtek"

    def __init__(self, device_id: str | None = None, numbers: str = "auto") -> None:
        super().__init__(device_id)
        self.chrono_seen = False
        # A Normal-mode line's synthetic start, delivered just before its finish.
        self._before: dict[int, Impulse] = {}
        self._stamps = 0
        self._clock = ElapsedClock(self.device)

    def _count(self) -> int:
        self._stamps += 1
        return self._stamps

    def feed(self, chunk: ByteChunk, host_ns: int) -> list[Decoded]:
        """0xF8 is a one-byte message with no terminator: split it out first."""
        data = bytes(chunk)
        if data:
            self._clock.hear(host_ns)
        out: list[Decoded] = []
        while DISCONNECTED in data:
            cut = data.index(DISCONNECTED)
            out += self._expand(super().feed(data[:cut], host_ns))
            out += self.discard_partial(host_ns)
            out.append(TimerRecord(
                protocol=self.protocol, raw=bytes([DISCONNECTED]), host_ns=host_ns,
                reason_zh="计时台报告光电断开（0xF8）", reason_en="the console reports its eyes disconnected (0xF8)",
                kind=STATUS, device=self.device, status="disconnected",
            ))
            data = data[cut + 1:]
        return out + self._expand(super().feed(data, host_ns))

    def flush(self, host_ns: int) -> list[Decoded]:
        return self._expand(super().flush(host_ns))

    def _expand(self, items: list[Decoded]) -> list[Decoded]:
        out: list[Decoded] = []
        for item in items:
            start = self._before.pop(id(item), None)
            if start is not None:
                out.append(start)
            out.append(item)
        self._before.clear()
        return out

    def parse_frame(self, frame: Frame) -> Decoded:
        raw = frame.raw.rstrip(b"\r\n")
        if len(raw) != 7 or not raw[1:].isdigit():
            return self.reject(frame, f"不是 FarmTek/JACircuits 数据（{len(raw)} 字节，应为 7 + CR LF）",
                               f"not a FarmTek/JACircuits packet ({len(raw)} bytes, expected 7 + CR LF)")
        head, digits = raw[0], raw[1:].decode("ascii")
        if head == ELAPSED:
            return self._elapsed(frame, digits[::-1])
        code = chr(head)
        if code == "S":
            # The FarmTek "clear time" key cancels the last start (axtimerm: starts.pop()).
            return self._void_last(frame, Channel.START, self.device, "S")
        if code not in _STAMPS:
            return self.reject(frame, f"未知的 FarmTek 数据类型 {head:#04x}", f"unknown FarmTek packet type {head:#04x}")
        self.chrono_seen = True
        channel, raw_name = _STAMPS[code]
        return Impulse(
            protocol=self.protocol, device=self.device, channel=channel, channel_raw=raw_name,
            # The console has no counter; counting its stamps keeps two equal stamps
            # 1000 s apart (the stamp wraps) from looking like copies of one line.
            device_seq=self._count(), device_time_ns=int(digits) * NS_PER_MS,
            clock_modulus_ns=STAMP_MODULUS_NS,
            resolution_ns=NS_PER_MS, host_ns=frame.host_ns, bib=None, manual=False, replayed=False,
            cleared=False, bad_checksum=False, raw=frame.raw,
        )

    def _void_last(self, frame: Frame, channel: Channel, device: str, channel_raw: str) -> Impulse:
        """A line that withdraws the device's latest impulse on ``channel`` (it has no time of its own)."""
        return Impulse(
            protocol=self.protocol, device=device, channel=channel, channel_raw=channel_raw, device_seq=None,
            device_time_ns=None, clock_modulus_ns=None, resolution_ns=NS_PER_MS, host_ns=frame.host_ns,
            bib=None, manual=False, replayed=False, cleared=True, bad_checksum=False, raw=frame.raw,
            flag=chr(frame.raw[0]) if frame.raw[0] < 0x80 else "000000", voids=True,
        )

    def _elapsed(self, frame: Frame, digits: str) -> Decoded:
        ms = int(digits)
        if ms == 0:
            # The console withdrew its last finish. In Normal mode the whole run came
            # from that one line, so its (synthetic) start is voided: the run is void.
            if self.chrono_seen:
                return self._void_last(frame, Channel.FINISH, self.device, "B")
            return self._void_last(frame, Channel.START, self._clock.device, "E")
        if self.chrono_seen:
            return TimerRecord(protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
                               reason_zh="计时台算出的用时，不是脉冲", reason_en="the console's own elapsed time, not an impulse",
                               kind=NET_TIME, device=self.device, net_ns=ms * NS_PER_MS, resolution_ns=NS_PER_MS,
                               channel_raw="E")
        common = dict(protocol=self.protocol, device=self._clock.device, channel_raw="E", device_seq=None,
                      clock_modulus_ns=None, resolution_ns=NS_PER_MS, host_ns=frame.host_ns, bib=None,
                      manual=False, replayed=False, cleared=False, bad_checksum=False, flag="elapsed")
        start = Impulse(channel=Channel.START, device_time_ns=self._clock.start(), raw=b"", **common)  # type: ignore[arg-type]
        end = self._clock.finish(ms * NS_PER_MS)
        finish = Impulse(channel=Channel.FINISH, device_time_ns=end, raw=frame.raw, **common)  # type: ignore[arg-type]
        self._before[id(finish)] = start
        return finish


class FarmTekProtocol(Protocol):
    """FarmTek Polaris / JACircuits: 9600 8N1, no handshake, no memory."""

    name = "farmtek"
    title_zh = "FarmTek Polaris / JACircuits 计时台"
    title_en = "FarmTek Polaris / JACircuits"
    baudrate = 9600
    other_baudrates = (1200,)
    settings_source = "axtimerm lib/hardwareEvents.js (JACircuits 9600); timer-protocols.md (Polaris printer 1200)"

    def new_decoder(self, device_id: str | None = None) -> FarmTekDecoder:
        return FarmTekDecoder(device_id)

    def replay_request(self, after_seq: int | None) -> None:
        return None


def encode_elapsed(ms: int) -> bytes:
    """``0x80`` + the six ms digits least significant first + CR LF."""
    return bytes([ELAPSED]) + f"{ms % 10**6:06d}"[::-1].encode("ascii") + b"\r\n"


def encode_stamp(code: str, ms: int) -> bytes:
    """``A``/``B``/``C``/``D`` + six digits of the ms counter (most significant first) + CR LF."""
    return code.encode("ascii") + f"{ms % 10**6:06d}".encode("ascii") + b"\r\n"


class FarmTekDeviceModel(DeviceModel):
    """A JACircuits console: ``chrono=True`` sends A/B stamps and the elapsed time, else only the time."""

    protocol = "farmtek"
    clock = "millis"
    resolution_ns = NS_PER_MS
    manual_marker = False
    has_checksum = False

    def __init__(self, chrono: bool = True) -> None:
        self.chrono = chrono
        self._starts: list[int] = []

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        return {Channel.START: "A", Channel.FINISH: "B"}.get(channel, "C" if split_index % 2 == 0 else "D")

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        ms = imp.device_time_ns // NS_PER_MS
        if imp.channel is Channel.START:
            self._starts.append(ms)
            return encode_stamp("A", ms) if self.chrono else b""
        if imp.channel is Channel.FINISH:
            elapsed = (ms - self._starts.pop(0)) % 10**6 if self._starts else None
            out = encode_stamp("B", ms) if self.chrono else b""
            return out + (encode_elapsed(elapsed) if elapsed else b"")
        return encode_stamp(imp.channel_raw, ms) if self.chrono else b""

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        return b""

    def reboot_banner(self, device: str) -> bytes:
        return b""


PROTOCOL = FarmTekProtocol()
