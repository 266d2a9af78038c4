"""Naming a wrong serial setting: "looks like 38400 baud: bytes are not ALGE lines".

A timer talking at another baud rate than the port was opened at does not
send nothing: the UART re-cuts its bits into other bytes, mostly framing
errors (read as NUL) and high bytes. :func:`reframe` computes exactly what a
receiver at one rate makes of bytes sent at another (8N1, idle high, resync
on each falling edge after the middle of the stop bit). :func:`guess_baud`
compares what arrived with what the protocol's typical lines would look like
at each rate the device can be set to, and names the best match when it is
clear. :class:`GarbageWatch` keeps the recent garbage of one port and words
the message for the rejected frame.
"""

from __future__ import annotations

from collections import Counter

from hardware.decoder import ByteChunk, Decoded, Frame
from hardware.impulse import RejectedFrame
from hardware.protocols.records import TimerRecord

SAMPLE_BYTES = 48
_MIN_SCORE = 0.55
_MIN_MARGIN = 0.12


def _bits(data: bytes) -> list[int]:
    bits: list[int] = []
    for byte in data:
        bits.append(0)
        bits.extend((byte >> i) & 1 for i in range(8))
        bits.append(1)
    return bits


def reframe(data: bytes, sent_baud: int, read_baud: int) -> bytes:
    """The bytes a receiver at ``read_baud`` reads from ``data`` sent at ``sent_baud`` (8N1)."""
    bits = _bits(data)
    sender_bit, receiver_bit = read_baud, sent_baud  # integer time units of 1 / (sent * read) s
    end = len(bits) * sender_bit

    def level(t: int) -> int:
        k = t // sender_bit
        return bits[k] if 0 <= k < len(bits) else 1

    out = bytearray()
    t = 0
    while t < end:
        # Next falling edge at or after t: edges only fall on sender bit boundaries.
        k = -(-t // sender_bit)
        while k < len(bits) and not (bits[k] == 0 and (k == 0 or bits[k - 1] == 1)):
            k += 1
        if k >= len(bits):
            break
        t0 = k * sender_bit
        if level(t0 + receiver_bit // 2) != 0:
            t = t0 + receiver_bit // 2 + 1
            continue
        value = 0
        for j in range(8):
            value |= level(t0 + receiver_bit // 2 + (j + 1) * receiver_bit) << j
        stop_at = t0 + receiver_bit // 2 + 9 * receiver_bit
        out.append(value if level(stop_at) == 1 else 0)  # a framing error reads as NUL
        t = stop_at
    return bytes(out)


def _histogram(data: bytes) -> dict[int, float]:
    counts = Counter(data)
    total = sum(counts.values()) or 1
    return {k: v / total for k, v in counts.items()}


def similarity(a: bytes, b: bytes) -> float:
    """Histogram intersection of two byte streams, 0 (nothing alike) to 1 (same mix of bytes)."""
    ha, hb = _histogram(a), _histogram(b)
    return sum(min(v, hb.get(k, 0.0)) for k, v in ha.items())


def guess_baud(garbage: bytes, read_baud: int, candidates: tuple[int, ...], samples: bytes) -> int | None:
    """The rate the device most likely sends at, or None when no rate stands out."""
    scores = sorted(
        ((similarity(garbage, reframe(samples, rate, read_baud)), rate) for rate in candidates if rate != read_baud),
        reverse=True,
    )
    if not scores or scores[0][0] < _MIN_SCORE:
        return None
    if len(scores) > 1 and scores[0][0] - scores[1][0] < _MIN_MARGIN:
        return None
    return scores[0][1]


def looks_like_garbage(raw: bytes) -> bool:
    """Mostly bytes no line-based timer sends: NULs, high bytes, control characters."""
    if not raw:
        return False
    odd = sum(1 for b in raw if b == 0 or b >= 0x80 or (b < 0x20 and b not in (0x09, 0x0A, 0x0D)))
    return odd * 3 >= len(raw)


class GarbageWatch:
    """Recent garbage on one port and the words for it."""

    def __init__(self, title: str, read_baud: int, candidates: tuple[int, ...], samples: bytes) -> None:
        self.title = title
        self.read_baud = read_baud
        self.candidates = candidates
        self.samples = samples
        self._recent = bytearray()

    def good_frame(self) -> None:
        self._recent.clear()

    def explain(self, raw: bytes) -> tuple[str, str] | None:
        """For a rejected frame: (zh, en) naming the likely setting, or None if it is not garbage."""
        if not looks_like_garbage(raw):
            return None
        self._recent += raw
        del self._recent[:-512]
        if len(self._recent) >= SAMPLE_BYTES:
            rate = guess_baud(bytes(self._recent), self.read_baud, self.candidates, self.samples)
            if rate is not None:
                return (f"看起来是 {rate} 波特：收到的不是 {self.title} 数据（端口按 {self.read_baud} 打开，请用 --baud {rate}）",
                        f"looks like {rate} baud: bytes are not {self.title} lines "
                        f"(the port is open at {self.read_baud}; use --baud {rate})")
        rates = "/".join(str(r) for r in self.candidates if r != self.read_baud)
        return (f"收到的不是 {self.title} 数据：计时器是否设为 {self.read_baud} 8N1？（也可能是 {rates}）",
                f"bytes are not {self.title} lines: is the timer set to {self.read_baud} 8N1? (it may be at {rates})")


class BaudWatchMixin:
    """For a line decoder: rejected garbage names the likely baud rate (see :class:`GarbageWatch`).

    Put it before ``Decoder`` in the bases and call :meth:`watch_baud` in ``__init__``.
    """

    _watch: GarbageWatch | None = None

    def watch_baud(self, title: str, read_baud: int | None, candidates: tuple[int, ...], samples: bytes) -> None:
        if read_baud:
            self._watch = GarbageWatch(title, read_baud, tuple(sorted({*candidates, read_baud})), samples)

    def feed(self, chunk: ByteChunk, host_ns: int) -> list[Decoded]:
        items = super().feed(chunk, host_ns)  # type: ignore[misc]
        if self._watch is not None and any(not isinstance(i, RejectedFrame) or isinstance(i, TimerRecord)
                                           for i in items):
            self._watch.good_frame()
        return items

    def reject(self, frame: Frame, reason_zh: str, reason_en: str) -> RejectedFrame:
        why = self._watch.explain(frame.raw) if self._watch is not None else None
        if why is not None:
            reason_zh, reason_en = f"{why[0]}（{reason_zh}）", f"{why[1]} ({reason_en})"
        return super().reject(frame, reason_zh, reason_en)  # type: ignore[misc]
