"""Turning a byte stream into frames and frames into impulses, without ever raising.

Every protocol we read is line based: a frame ends at CR or at LF, and an LF
directly after a CR is the second half of a CRLF pair, not an empty frame.
:class:`LineFramer` does that split once for all protocols; a :class:`Decoder`
subclass only parses one complete frame.

Guarantees that the tests check with hypothesis:

* ``feed`` and ``flush`` never raise, whatever the bytes;
* splitting a stream into chunks anywhere gives the same frames as feeding it
  whole (the CRLF state and the over-long cut are stream properties, not chunk
  properties);
* every impulse is range-checked (``hardware.impulse.out_of_range``: sequence,
  device clock, bib, channel, lengths) and becomes a rejected frame, raw bytes
  kept, when a field is out of range;
* ``raw`` of a frame is its bytes up to and including its first terminator
  byte (the LF of a CRLF pair belongs to no frame); NUL bytes stay in ``raw``
  but are removed before parsing (some boxes pad lines with NULs).

The host time of a frame is the host time of the chunk that carried its *first*
byte: at 9600 baud a 30-byte line takes about 31 ms on the wire, and the first
byte is closest to the moment the timer fired.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

from hardware.impulse import Impulse, RejectedFrame, checked

log = logging.getLogger(__name__)

CR = 0x0D
LF = 0x0A
MAX_FRAME_BYTES = 256

Decoded = Impulse | RejectedFrame
ByteChunk = bytes | bytearray | memoryview


@dataclass(frozen=True, slots=True)
class Frame:
    """One framed line: ``raw`` as received, ``text`` ready for column parsing."""

    raw: bytes
    text: str
    host_ns: int
    too_long: bool = False
    terminated: bool = True


class LineFramer:
    """Splits a byte stream at CR or LF; see the module docstring for the rules."""

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self._buf = bytearray()
        self._first_host_ns: int | None = None
        self._after_cr = False
        self._max = max_frame_bytes

    def push(self, chunk: ByteChunk, host_ns: int) -> list[Frame]:
        """Add bytes read at ``host_ns`` and return every frame they complete."""
        frames: list[Frame] = []
        data = bytes(chunk)
        if not data:
            return frames
        if self._after_cr and data[0] == LF:
            data = data[1:]
        self._after_cr = False
        if not data:
            return frames
        if not self._buf:
            self._first_host_ns = host_ns
        self._buf.extend(data)
        while self._buf:
            end = self._find_terminator()
            if end is not None and end <= self._max:
                raw = bytes(self._buf[: end + 1])
                is_cr = self._buf[end] == CR
                del self._buf[: end + 1]
                if is_cr:
                    if self._buf and self._buf[0] == LF:
                        del self._buf[0]
                    elif not self._buf:
                        self._after_cr = True
                frames.append(self._make(raw, raw[:-1], terminated=True))
            elif len(self._buf) > self._max:
                raw = bytes(self._buf[: self._max])
                del self._buf[: self._max]
                frames.append(self._make(raw, raw, terminated=False, too_long=True))
            else:
                break
            # The next frame starts in this same chunk.
            self._first_host_ns = host_ns if self._buf else None
        return frames

    def take_rest(self, host_ns: int) -> Frame | None:
        """Return what is left in the buffer as an unterminated frame, or None."""
        self._after_cr = False
        if not self._buf:
            return None
        raw = bytes(self._buf)
        self._buf.clear()
        first = self._first_host_ns if self._first_host_ns is not None else host_ns
        self._first_host_ns = None
        return Frame(raw=raw, text=_text(raw), host_ns=first, terminated=False)

    def _find_terminator(self) -> int | None:
        cr = self._buf.find(CR)
        lf = self._buf.find(LF)
        found = [i for i in (cr, lf) if i >= 0]
        return min(found) if found else None

    def _make(self, raw: bytes, body: bytes, *, terminated: bool, too_long: bool = False) -> Frame:
        host = self._first_host_ns if self._first_host_ns is not None else 0
        return Frame(raw=raw, text=_text(body), host_ns=host, too_long=too_long, terminated=terminated)


def _text(body: bytes) -> str:
    """Latin-1 never fails and keeps one character per byte, so columns stay put."""
    return body.replace(b"\x00", b"").decode("latin-1")


class Decoder(ABC):
    """Per-port decoding state: a framer plus whatever the protocol must remember.

    Subclasses implement :meth:`parse_frame`. ``feed`` wraps everything so that
    a parser bug becomes a :class:`RejectedFrame`, never an exception in the
    reader thread.
    """

    protocol: str = ""

    def __init__(self, device_id: str | None = None) -> None:
        self.device = device_id or self.protocol
        self._framer = LineFramer()

    def feed(self, chunk: ByteChunk, host_ns: int) -> list[Decoded]:
        """Decode bytes read at ``host_ns``. Never raises."""
        try:
            frames = self._framer.push(chunk, host_ns)
        except Exception as exc:  # a framer bug must not stop the reader
            log.exception("framer failed")
            self._framer = LineFramer()
            return [self._internal_error(bytes(chunk) if _is_bytes(chunk) else b"", host_ns, exc)]
        return [self._parse_safely(frame) for frame in frames]

    def flush(self, host_ns: int) -> list[Decoded]:
        """End of a capture: decode whatever is left without a terminator."""
        try:
            frame = self._framer.take_rest(host_ns)
        except Exception as exc:
            log.exception("framer failed on flush")
            self._framer = LineFramer()
            return [self._internal_error(b"", host_ns, exc)]
        return [] if frame is None else [self._parse_safely(frame)]

    def discard_partial(self, host_ns: int) -> list[Decoded]:
        """The link dropped: a half-received line can never be completed.

        Returns it as a rejected frame (so it is shown, not glued to the first
        bytes after the reconnect) and resets the framer. Protocol state such
        as a counter's unwrap survives: the device kept counting.
        """
        try:
            frame = self._framer.take_rest(host_ns)
        except Exception:
            self._framer = LineFramer()
            return []
        if frame is None:
            return []
        return [
            RejectedFrame(
                protocol=self.protocol,
                raw=frame.raw,
                reason_zh="连接中断，该行不完整",
                reason_en="incomplete line cut off by a disconnect",
                host_ns=frame.host_ns,
            )
        ]

    def _parse_safely(self, frame: Frame) -> Decoded:
        if frame.too_long:
            return self.reject(frame, f"行过长（超过 {MAX_FRAME_BYTES} 字节且无行结束符）",
                               f"line too long (over {MAX_FRAME_BYTES} bytes without a terminator)")
        if not frame.text.strip():
            return self.reject(frame, "空行", "blank line")
        try:
            decoded = self.parse_frame(frame)
        except Exception as exc:
            log.debug("parser failed on %r", frame.raw, exc_info=True)
            return self.reject(frame, f"无法解析：{exc}", f"cannot parse: {exc}")
        # One range check for every protocol: nothing out of range leaves the decoder.
        return checked(decoded) if isinstance(decoded, Impulse) else decoded

    @abstractmethod
    def parse_frame(self, frame: Frame) -> Decoded:
        """Parse one non-blank frame; may raise (``feed`` turns that into a rejection)."""

    def reject(self, frame: Frame, reason_zh: str, reason_en: str) -> RejectedFrame:
        """Build a :class:`RejectedFrame` for ``frame``."""
        return RejectedFrame(
            protocol=self.protocol, raw=frame.raw, reason_zh=reason_zh, reason_en=reason_en,
            host_ns=frame.host_ns,
        )

    def _internal_error(self, raw: bytes, host_ns: int, exc: Exception) -> RejectedFrame:
        return RejectedFrame(
            protocol=self.protocol, raw=raw, reason_zh=f"解码器内部错误：{exc}",
            reason_en=f"decoder internal error: {exc}", host_ns=host_ns,
        )


def _is_bytes(value: object) -> bool:
    return isinstance(value, bytes | bytearray | memoryview)


def parse_time_of_day_ns(hh: str, mm: str, ss: str, frac: str) -> tuple[int, int]:
    """``("14","07","22","6153")`` -> (ns since midnight, resolution in ns).

    Integer arithmetic only; the fraction's digit count sets the resolution
    (4 digits = 1/10 000 s = 100 000 ns). Raises ValueError on a bad field.
    """
    if not (hh.isdigit() and mm.isdigit() and ss.isdigit()):
        raise ValueError(f"bad time {hh}:{mm}:{ss}")
    if frac and not frac.isdigit():
        raise ValueError(f"bad fraction {frac!r}")
    if len(frac) > 9:
        raise ValueError(f"fraction too long {frac!r}")
    h, m, s = int(hh), int(mm), int(ss)
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"time out of range {hh}:{mm}:{ss}")
    resolution = 10 ** (9 - len(frac))
    frac_ns = int(frac) * resolution if frac else 0
    return ((h * 60 + m) * 60 + s) * 1_000_000_000 + frac_ns, resolution


def format_time_of_day(tod_ns: int, digits: int, sep: str = ":") -> str:
    """ns since midnight -> ``HH:MM:SS.f…`` truncated to ``digits`` (for encoders)."""
    tod_ns %= 86_400 * 1_000_000_000
    secs, rem = divmod(tod_ns, 1_000_000_000)
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    frac = rem // 10 ** (9 - digits)
    base = f"{h:02d}{sep}{m:02d}{sep}{s:02d}"
    return f"{base}.{frac:0{digits}d}" if digits else base
