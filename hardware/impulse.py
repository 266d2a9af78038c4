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
