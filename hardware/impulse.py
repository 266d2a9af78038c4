"""What a timer tells us: one impulse (a beam cut, a pad slap, a key press).

An :class:`Impulse` is the normalised form of one timer line, whatever the
protocol. It knows nothing of riders: pairing starts with finishes is the job of
``competition``. A line that cannot be read becomes a :class:`RejectedFrame`,
which is kept and shown (the raw bytes are already journaled by the caller) but
never used for timing.

All times are integer nanoseconds. ``device_elapsed_ns`` subtracts two impulses
on the same device clock modulo the clock's wrap (midnight for time-of-day
clocks, 2**32 ms for an Arduino ``millis()`` counter).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

NS_PER_SECOND = 1_000_000_000
NS_PER_MS = 1_000_000
DAY_NS = 86_400 * NS_PER_SECOND
MILLIS_MODULUS_NS = (2**32) * NS_PER_MS


class Channel(StrEnum):
    """The role of the timer input that fired."""

    START = "start"
    FINISH = "finish"
    SPLIT = "split"


@dataclass(frozen=True, slots=True)
class Impulse:
    """One impulse read from a timer.

    ``device`` identifies the clock: two impulses can only be subtracted on
    their device clock when their ``device`` strings are equal.
    ``device_time_ns`` is the time of day (ns since midnight) for time-of-day
    clocks, or the (unwrapped) device counter in ns for ``millis()`` pads, or
    ``None`` when only the host stamped the impulse (``host_ns``).
    """

    protocol: str
    device: str
    channel: Channel
    channel_raw: str
    device_seq: int | None
    device_time_ns: int | None
    clock_modulus_ns: int | None
    resolution_ns: int
    host_ns: int
    bib: int | None
    manual: bool
    replayed: bool
    cleared: bool
    bad_checksum: bool
    raw: bytes
    # Added beyond the agreed API: the ALGE parallel-course marker ('r'/'b' in
    # column 5) and the Microgate run number, when the device sends them.
    lane: str | None = None
    run: int | None = None
    # Added for real timers (issue #11), all defaulted so other code keeps working:
    # ``flag`` is the device's own flag character for the line (ALGE column 1,
    # the TAG correction character), "" when the protocol has none; ``voids``
    # marks a line that cancels or withdraws the earlier impulse with the same
    # number, channel and time (ALGE 'c', TAG 'T-'...): never a time itself;
    # ``disqualifies`` marks the ALGE 'd' copy (the timer disqualified the run).
    flag: str = ""
    voids: bool = False
    disqualifies: bool = False
    # ``reidentifies`` marks a line that gives the earlier impulse with the same
    # number, channel and time another rider (TAG Heuer '*', the new bib in
    # ``bib``) or none ('-'): the time moves, the original's run is undone.
    reidentifies: bool = False

    @property
    def usable(self) -> bool:
        """True when the impulse may time a run: not cleared and checksum fine."""
        return not self.cleared and not self.bad_checksum

    def dedupe_key(self) -> tuple[str, int | None, str, int | None]:
        """The idempotency key ``(device, device_seq, channel_raw, device_time)``.

        The device time is reduced modulo the clock's wrap so that the same
        counter value unwrapped differently (say, by a decoder started after the
        counter had already wrapped once) still gives the same key.
        """
        t = self.device_time_ns
        if t is not None and self.clock_modulus_ns:
            t %= self.clock_modulus_ns
        return (self.device, self.device_seq, self.channel_raw, t)


@dataclass(frozen=True, slots=True)
class RejectedFrame:
    """A frame that is not an impulse: garbage, a banner, a net-time line...

    Kept (and shown on the hardware screen) so that nothing a timer sends
    disappears silently.
    """

    protocol: str
    raw: bytes
    reason_zh: str
    reason_en: str
    host_ns: int


def device_elapsed_ns(start: Impulse, finish: Impulse) -> int | None:
    """Elapsed ns from ``start`` to ``finish`` measured on the device clock.

    ``None`` when the two impulses were not stamped by the same device clock
    (different devices, or either is host-stamped only); then the caller falls
    back to host time. On a wrapping clock the subtraction is modular, so a run
    across midnight (or across a ``millis()`` wrap) comes out right, exactly.
    """
    if start.device != finish.device:
        return None
    if start.device_time_ns is None or finish.device_time_ns is None:
        return None
    if start.clock_modulus_ns != finish.clock_modulus_ns:
        return None
    delta = finish.device_time_ns - start.device_time_ns
    if start.clock_modulus_ns:
        delta %= start.clock_modulus_ns
    return delta


# -- range checks at the protocol edge ------------------------------------------

#: Largest value SQLite stores in an INTEGER column (and our JSON payloads keep exact).
INT64_MAX = 2**63 - 1
#: Bounds on what any device may send, whatever the protocol.
MAX_BIB = 99_999  # five digits: the widest bib field of our protocols (REI2)
MAX_CHANNEL_CHARS = 8
MAX_DEVICE_CHARS = 64
MAX_RAW_BYTES = 4096
MAX_RUN = 9_999
MAX_RESOLUTION_NS = NS_PER_SECOND
#: Unwrapped counters (a pad's millis()) may run past their modulus; never past this.
MAX_COUNTER_NS = 2**62


@dataclass(frozen=True, slots=True)
class SequenceRule:
    """How a protocol numbers its impulses.

    ``modulus``: the sequence runs 0 .. modulus-1 and then wraps (a four-digit
    counter wraps at 10 000). ``doubles_as_bib``: the number field is the bib
    when the impulse carries a bib (ALGE 'n'/'s'), so it is no sequence then.
    """

    modulus: int
    doubles_as_bib: bool = False


#: Per protocol; a protocol not listed gets ``DEFAULT_SEQUENCE``.
SEQUENCE_RULES: dict[str, SequenceRule] = {
    "alge": SequenceRule(10_000, doubles_as_bib=True),
    "tagheuer": SequenceRule(10_000),
    "microgate": SequenceRule(10_000),
    "pad": SequenceRule(2**32),
}
DEFAULT_SEQUENCE = SequenceRule(2**31)


def sequence_rule(protocol: str) -> SequenceRule:
    """The numbering rule of ``protocol`` (see :data:`SEQUENCE_RULES`)."""
    return SEQUENCE_RULES.get(protocol, DEFAULT_SEQUENCE)


def numbered(impulse: Impulse) -> bool:
    """True when ``impulse.device_seq`` is the device's impulse counter (usable for gaps)."""
    if impulse.device_seq is None or impulse.bad_checksum:
        return False
    return not (sequence_rule(impulse.protocol).doubles_as_bib and impulse.bib is not None)


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 24 else text[:20] + f"…（{len(text)} 位）"


def _shown_en(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 24 else text[:20] + f"… ({len(text)} digits)"


def _int_in(value: Any, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _text_ok(value: Any, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit and value.isprintable()


def out_of_range(impulse: Impulse) -> tuple[str, str] | None:
    """Why ``impulse`` cannot be true, as (zh, en); None when every field is in range.

    Applied to every impulse a decoder yields, whatever the protocol, before
    anything stores or compares it: a sequence of 2**63 with a valid checksum
    must become a rejected frame, not an OverflowError in the duplicate check.
    """
    rule = sequence_rule(impulse.protocol)
    seq = impulse.device_seq
    if seq is not None and not _int_in(seq, 0, rule.modulus - 1):
        return (f"序号 {_shown(seq)} 超出范围（0–{rule.modulus - 1}）",
                f"sequence {_shown_en(seq)} out of range (0-{rule.modulus - 1})")
    modulus = impulse.clock_modulus_ns
    if modulus is not None and not _int_in(modulus, 1, MAX_COUNTER_NS):
        return (f"时钟周期 {_shown(modulus)} 无效", f"invalid clock wrap {_shown_en(modulus)}")
    t = impulse.device_time_ns
    if t is not None:
        if modulus == DAY_NS or modulus is None:
            high = DAY_NS - 1 if modulus == DAY_NS else MAX_COUNTER_NS
            if not _int_in(t, 0, high):
                return (f"计时器时钟 {_shown(t)} ns 超出范围（0–{high}）",
                        f"device clock {_shown_en(t)} ns out of range (0-{high})")
        elif not _int_in(t, -MAX_COUNTER_NS, MAX_COUNTER_NS):
            return (f"计时器计数 {_shown(t)} ns 超出范围", f"device counter {_shown_en(t)} ns out of range")
    if not _int_in(impulse.resolution_ns, 1, MAX_RESOLUTION_NS):
        return (f"分辨率 {_shown(impulse.resolution_ns)} ns 无效", f"invalid resolution {_shown_en(impulse.resolution_ns)} ns")
    if not _int_in(impulse.host_ns, 0, INT64_MAX):
        return (f"主机时间 {_shown(impulse.host_ns)} 无效", f"invalid host time {_shown_en(impulse.host_ns)}")
    if impulse.bib is not None and not _int_in(impulse.bib, 1, MAX_BIB):
        return (f"号码 {_shown(impulse.bib)} 超出范围（1–{MAX_BIB}）",
                f"bib {_shown_en(impulse.bib)} out of range (1-{MAX_BIB})")
    if impulse.run is not None and not _int_in(impulse.run, 0, MAX_RUN):
        return (f"轮次 {_shown(impulse.run)} 超出范围", f"run {_shown_en(impulse.run)} out of range")
    if not isinstance(impulse.channel, Channel):
        return ("通道无效", "invalid channel")
    if not _text_ok(impulse.channel_raw, MAX_CHANNEL_CHARS):
        return (f"通道名 {impulse.channel_raw!r} 无效（最多 {MAX_CHANNEL_CHARS} 个可打印字符）",
                f"invalid channel name {impulse.channel_raw!r} (at most {MAX_CHANNEL_CHARS} printable characters)")
    if not _text_ok(impulse.device, MAX_DEVICE_CHARS) or not _text_ok(impulse.protocol, MAX_DEVICE_CHARS):
        return ("设备名或协议名无效", "invalid device or protocol name")
    if impulse.lane is not None and not _text_ok(impulse.lane, 4):
        return (f"赛道标记 {impulse.lane!r} 无效", f"invalid course marker {impulse.lane!r}")
    if not isinstance(impulse.raw, bytes) or len(impulse.raw) > MAX_RAW_BYTES:
        return ("原始数据过长", "raw line too long")
    return None


def checked(impulse: Impulse) -> Impulse | RejectedFrame:
    """``impulse`` itself, or a :class:`RejectedFrame` keeping its raw bytes and saying which field is wrong."""
    try:
        why = out_of_range(impulse)
    except Exception as exc:  # a field of a type nobody expected: still a rejection, never a crash
        why = (f"字段无效：{exc}", f"invalid field: {exc}")
    if why is None:
        return impulse
    raw = impulse.raw if isinstance(impulse.raw, bytes) else b""
    host = impulse.host_ns if _int_in(impulse.host_ns, 0, INT64_MAX) else 0
    return RejectedFrame(protocol=str(impulse.protocol)[:MAX_DEVICE_CHARS], raw=raw,
                         reason_zh=why[0], reason_en=why[1], host_ns=host)
