"""Trackside pad protocol: a documented line format for home-built pads (Arduino).

The same text is in ``docs/PAD-PROTOCOL.md``. 115200 8N1, ASCII, each line ends
with LF (a CR before it is ignored, so ``Serial.println`` works).

Pad -> host::

    P,<boot>,<seq>,<ch>,<millis>,<cs>     an impulse
    p,<boot>,<seq>,<ch>,<millis>,<cs>     the same impulse resent on request (replayed)
    BOOT,<boot>,<cs>                      printed once after power-up or reset

* ``boot``: 1-8 hex digits that change at every power-up (an EEPROM counter
  incremented in ``setup()``). ``seq`` and ``millis()`` restart at each boot, so
  the boot id is part of the device id (``pad:<BOOT>``): impulses of two boots
  are never on the same clock and never share a dedupe key.
* ``seq``: decimal, 1 for the first impulse after boot, +1 per impulse.
* ``ch``: ``S`` start, ``F`` finish, ``1``..``8`` splits; a trailing ``M``
  (``SM``, ``FM``) marks a hand button instead of the pad itself.
* ``millis``: the decimal value of ``millis()`` latched in the interrupt
  handler when the input fired (a 32-bit counter that wraps after 49.7 days;
  the decoder unwraps it and ``device_elapsed_ns`` subtracts modulo 2**32 ms),
  or ``-`` when the pad has no clock worth trusting: the impulse is then
  stamped by the host on arrival (``device_time_ns`` None).
* ``cs``: two upper-case hex digits, the XOR of every byte before the last
  comma (``P,1A,12,S,123456`` for ``P,1A,12,S,123456,77``).

Host -> pad::

    R,<after_seq>      resend every impulse of this boot with seq > after_seq
    R,-                resend all of them

Example: ``P,1A,12,S,123456,77\\n``. A line with a wrong checksum is kept and
shown but not used; the pad's memory still has it, and a replay fetches it.
A host-stamped (``-``) impulse that arrives only through a replay carries the
host time of the replay, not of the impulse: the pairing must treat it as
untimed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hardware.decoder import Decoded, Decoder, Frame
from hardware.impulse import MILLIS_MODULUS_NS, NS_PER_MS, Channel, Impulse
from hardware.protocols.base import DeviceModel, Protocol, SimulatedImpulse

MILLIS_MODULUS = 2**32
_CHANNEL = re.compile(r"^([SF1-8])(M?)$")
_HEX = re.compile(r"^[0-9A-Fa-f]{1,8}$")


def xor_checksum(text: str) -> str:
    """XOR of the bytes of ``text`` as two upper-case hex digits."""
    value = 0
    for byte in text.encode("latin-1"):
        value ^= byte
    return f"{value:02X}"


def pad_device(prefix: str, boot: int) -> str:
    """The ``Impulse.device`` for a pad's boot: ``pad:1A``."""
    return f"{prefix}:{boot:X}"


class PadDecoder(Decoder):
    """Parses pad lines and unwraps each boot's ``millis()`` counter."""

    protocol = "pad"

    def __init__(self, device_id: str | None = None) -> None:
        super().__init__(device_id)
        # Per boot: the highest unwrapped millis seen, the reference for unwrapping.
        self._latest_ms: dict[int, int] = {}

    def parse_frame(self, frame: Frame) -> Decoded:
        text = frame.text.strip()
        body, comma, checksum = text.rpartition(",")
        if not comma:
            return self.reject(frame, "不是计时垫行", "not a pad line")
        fields = body.split(",")
        kind = fields[0]
        bad_checksum = checksum.strip().upper() != xor_checksum(body)
        if kind == "BOOT":
            boot_text = fields[1] if len(fields) > 1 else "?"
            return self.reject(frame, f"计时垫已重启（boot {boot_text}），重启前未回传的脉冲已丢失",
                               f"timer rebooted (boot {boot_text}); impulses not yet received before it are lost")
        if kind not in ("P", "p"):
            return self.reject(frame, f"未知的行类型 {kind!r}", f"unknown line type {kind!r}")
        if len(fields) != 5:
            return self.reject(frame, f"字段数 {len(fields) + 1}，应为 6", f"{len(fields) + 1} fields, expected 6")
        _, boot_f, seq_f, chan_f, time_f = fields
        m = _CHANNEL.match(chan_f)
        if not _HEX.match(boot_f) or not seq_f.isdigit() or m is None:
            return self.reject(frame, "boot、序号或通道格式错误", "malformed boot, sequence or channel")
        if time_f != "-" and not (time_f.isdigit() and int(time_f) < MILLIS_MODULUS):
            return self.reject(frame, f"时钟值 {time_f!r} 无效", f"invalid clock value {time_f!r}")
        boot = int(boot_f, 16)
        code = m[1]
        channel = Channel.START if code == "S" else Channel.FINISH if code == "F" else Channel.SPLIT
        device_time: int | None = None
        modulus: int | None = None
        resolution = 1
        if time_f != "-":
            unwrapped = self._unwrap(boot, int(time_f), remember=not bad_checksum)
            device_time, modulus, resolution = unwrapped * NS_PER_MS, MILLIS_MODULUS_NS, NS_PER_MS
        return Impulse(
            protocol=self.protocol, device=pad_device(self.device, boot), channel=channel,
            channel_raw=chan_f, device_seq=int(seq_f), device_time_ns=device_time,
            clock_modulus_ns=modulus, resolution_ns=resolution, host_ns=frame.host_ns, bib=None,
            manual=m[2] == "M", replayed=kind == "p", cleared=False, bad_checksum=bad_checksum,
            raw=frame.raw,
        )

    def _unwrap(self, boot: int, millis: int, *, remember: bool) -> int:
        """Place a wrapped 32-bit reading on the boot's continuous timeline.

        Picks the unwrapping nearest the latest reading seen, so an old impulse
        replayed after the wrap lands before it, not 49.7 days later.
        """
        latest = self._latest_ms.get(boot)
        if latest is None:
            value = millis
        else:
            base = latest - latest % MILLIS_MODULUS
            candidates = (base - MILLIS_MODULUS + millis, base + millis, base + MILLIS_MODULUS + millis)
            value = min(candidates, key=lambda c: abs(c - latest))
        if remember and (latest is None or value > latest):
            self._latest_ms[boot] = value
        return value


class PadProtocol(Protocol):
    """Trackside pad line protocol (see ``docs/PAD-PROTOCOL.md``), 115200 8N1."""

    name = "pad"
    title_zh = "Trackside 自制计时垫（Arduino）"
    title_en = "Trackside home-built pad (Arduino)"
    baudrate = 115200

    def new_decoder(self, device_id: str | None = None) -> PadDecoder:
        return PadDecoder(device_id)

    def replay_request(self, after_seq: int | None) -> bytes:
        """``R,<after_seq>\\n`` (``R,-\\n`` for everything since boot)."""
        return f"R,{'-' if after_seq is None else after_seq}\n".encode("ascii")


def encode_line(
    *, boot: int, seq: int, channel_raw: str, millis: int | None, replayed: bool = False,
    corrupt_checksum: bool = False,
) -> bytes:
    """Print one pad impulse line (inverse of :class:`PadDecoder`)."""
    body = f"{'p' if replayed else 'P'},{boot:X},{seq},{channel_raw},{'-' if millis is None else millis}"
    checksum = xor_checksum(body)
    if corrupt_checksum:
        checksum = f"{int(checksum, 16) ^ 0x01:02X}"
    return f"{body},{checksum}\n".encode("ascii")


def encode_boot(boot: int) -> bytes:
    """The power-up line ``BOOT,<boot>,<cs>``."""
    body = f"BOOT,{boot:X}"
    return f"{body},{xor_checksum(body)}\n".encode("ascii")


class PadDeviceModel(DeviceModel):
    """An Arduino pad: ``millis()`` clock (or none), memory in RAM, replays on ``R``."""

    protocol = "pad"
    clock = "millis"
    resolution_ns = NS_PER_MS
    seq_modulus = MILLIS_MODULUS

    def __init__(self, host_stamped: bool = False) -> None:
        self.host_stamped = host_stamped
        if host_stamped:
            self.clock = "none"
            self.resolution_ns = 1
        self.boot = 1

    def device_id(self, boot: int) -> str:
        return pad_device("pad", boot)

    def channel_raw(self, channel: Channel, split_index: int, manual: bool) -> str:
        code = {Channel.START: "S", Channel.FINISH: "F"}.get(channel, str(1 + split_index % 8))
        return code + ("M" if manual else "")

    def encode(self, imp: SimulatedImpulse, *, replayed: bool, corrupt_checksum: bool) -> bytes:
        millis = None if imp.device_time_ns is None else imp.device_time_ns // NS_PER_MS
        return encode_line(boot=self.boot, seq=imp.seq, channel_raw=imp.channel_raw, millis=millis,
                           replayed=replayed, corrupt_checksum=corrupt_checksum)

    def answer(self, request: bytes, memory: Sequence[SimulatedImpulse]) -> bytes:
        text = request.strip().decode("latin-1")
        if not text.startswith("R,"):
            return b""
        arg = text[2:]
        if arg != "-" and not arg.isdigit():
            return b""
        after = -1 if arg == "-" else int(arg)
        return b"".join(self.encode(imp, replayed=True, corrupt_checksum=False)
                        for imp in memory if imp.seq > after)

    def reboot_banner(self, device: str) -> bytes:
        return encode_boot(self.boot)


PROTOCOL = PadProtocol()
