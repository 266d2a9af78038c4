"""RaceAmerica TLink (wireless eyes, read directly at the Z receiver): CR-terminated stamps.

Formats, as documented by the axtimerm autocross software's reader
(``lib/hardwareEvents.js``, see ``tests/fixtures/real/raceamerica/PROVENANCE.md``)::

    'A' d d d d d d d d d CR   start eye (ID A) stamp: ms on the TLink clock
    'B' d d d d d d d d d CR   finish eye (ID B) stamp
    'A' 'E' c 0 0 0 0 0 0 0 CR an error code instead of a stamp (below)
    'Z' 'B' b b b b b b b b CR battery levels of IDs A..G and Z (one digit each)
    'Z' 'W' ...             CR RF integrity check (kept, not read)

Error codes (``E`` + digit): E1 bad trigger data on ID B..G; E2 over 10 s
since the last good data from ID B..G; E3 nothing received from ID A during the
last request; E4 over 10 s since the last good data from ID A; E5 math
overflow on ID B..G. axtimerm ignores the start that follows an error code
(the TLink repeats it); here the repeat has the same stamp, so it is dropped
as a copy by the ordinary dedupe, and the error line itself is kept and shown.

An all-zero or non-numeric stamp means the eye was power-cycled: rejected.
The run's time is finish stamp minus start stamp on the TLink clock (9
digits of ms; modulo 10^9 ms). The AC4 console is 9600 8N1 with no handshake
(manualslib 842542); the TLink's own rate is assumed the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from hardware.decoder import Decoded, Decoder, Frame
from hardware.impulse import NS_PER_MS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse
from hardware.protocols.records import STATUS, TimerRecord

STAMP_MODULUS_NS = 10**9 * NS_PER_MS
ERRORS = {
    "1": ("B..G 触发数据错误", "bad trigger data on ID B, C, D, E, F or G"),
    "2": ("B..G 超过 10 秒没有有效数据", "over 10 s since the last good data from ID B, C, D, E, F or G"),
    "3": ("上次请求没有收到 A 的数据", "nothing received from ID A during the last request"),
    "4": ("A 超过 10 秒没有有效数据", "over 10 s since the last good data from ID A"),
    "5": ("B..G 计算溢出", "math overflow during calculation on ID B, C, D, E, F or G"),
}


class RaceAmericaDecoder(Decoder):
    """TLink direct lines; see the module docstring."""

    protocol = "raceamerica"

    def __init__(self, device_id: str | None = None, numbers: str = "auto") -> None:
        super().__init__(device_id)

    def parse_frame(self, frame: Frame) -> Decoded:
        text = frame.text
        if len(text) != 10:
            return self.reject(frame, f"不是 TLink 数据（{len(text)} 字符，应为 10 + CR）",
                               f"not a TLink line ({len(text)} characters, expected 10 + CR)")
        head, body = text[0], text[1:]
        if head == "Z":
            what = {"B": ("电池电量", "battery levels", "battery"), "W": ("无线信号检查", "RF integrity check", "integrity")}
            zh, en, status = what.get(body[0], ("未知状态", "unknown status", "unknown"))
            return TimerRecord(protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
                               reason_zh=f"TLink {zh}（{body[1:]}），不是脉冲", reason_en=f"TLink {en} ({body[1:]}), not an impulse",
                               kind=STATUS, device=self.device, status=f"{status}:{body[1:]}")
        if head not in "AB":
            return self.reject(frame, f"未知的 TLink 标识 {head!r}", f"unknown TLink id {head!r}")
        if body[0] == "E":
            zh, en = ERRORS.get(body[1], ("未知错误", "unknown error"))
            return TimerRecord(protocol=self.protocol, raw=frame.raw, host_ns=frame.host_ns,
                               reason_zh=f"TLink {head} 错误 E{body[1]}：{zh}", reason_en=f"TLink {head} error E{body[1]}: {en}",
                               kind=STATUS, device=self.device, status=f"E{body[1]}", channel_raw=head)
        if not body.isdigit() or int(body) == 0:
            return self.reject(frame, f"TLink {head} 时间无效（{body}），可能刚重新上电",
                               f"invalid TLink {head} stamp ({body}), probably a power cycle")
        return Impulse(
            protocol=self.protocol, device=self.device,
            channel=Channel.START if head == "A" else Channel.FINISH, channel_raw=head, device_seq=None,
            device_time_ns=int(body) * NS_PER_MS, clock_modulus_ns=STAMP_MODULUS_NS, resolution_ns=NS_PER_MS,
            host_ns=frame.host_ns, bib=None, manual=False, replayed=False, cleared=False, bad_checksum=False,
            raw=frame.raw,
        )


class RaceAmericaProtocol(Protocol):
    """RaceAmerica TLink / AC4: 9600 8N1, no handshake, no memory the host can ask for."""

    name = "raceamerica"
    title_zh = "RaceAmerica TLink / AC4"
    title_en = "RaceAmerica TLink / AC4"
    baudrate = 9600
    settings_source = "manualslib 842542 (AC4: 9600 8N1, no handshake); axtimerm lib/hardwareEvents.js (TLink lines)"

    def new_decoder(self, device_id: str | None = None) -> RaceAmericaDecoder:
        return RaceAmericaDecoder(device_id)

    def replay_request(self, after_seq: int | None) -> None:
        return None


def encode_stamp(head: str, ms: int) -> bytes:
    """``A``/``B`` + nine ms digits + CR."""
    return f"{head}{ms % 10**9:09d}\r".encode("ascii")


class RaceAmericaDeviceModel(DeviceModel):
    """A TLink receiver passing on the start (A) and finish (B) eyes."""

    protocol = "raceamerica"
    clock = "millis"
    resolution_ns = NS_PER_MS
    manual_marker = False
    has_checksum = False

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        return "A" if channel is Channel.START else "B"

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        assert imp.device_time_ns is not None
        if imp.channel is Channel.SPLIT:
            return b""
        return encode_stamp(imp.channel_raw, imp.device_time_ns // NS_PER_MS)

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        return b""

    def reboot_banner(self, device: str) -> bytes:
        return b"ZB99999999\r"


PROTOCOL = RaceAmericaProtocol()
