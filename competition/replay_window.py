"""Putting a memory replay back in the timer's order before pairing.

After a reconnect (or a damaged line) Trackside asks the timer to replay its
memory. A live impulse can reach us before the replayed one it follows: say the
laptop restarts, rider 5's start was fired while it was down, and rider 6's
start arrives live a moment before the replay. Pairing by arrival would give
rider 5 the later start. So while a replay is answering, impulses are held and
then released in the timer's own order (its clock, else its sequence number),
once the replay has been quiet for a moment. A damaged line (bad checksum)
among the held ones whose good copy has not come yet asks the timer again
(a few times) before anything after it is released. Nothing is held long: the
raw bytes are already journaled when an impulse is held.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hardware.impulse import Impulse

QUIET_NS = 300_000_000  # the replay is over once nothing replayed came for this long
MAX_RETRIES = 3  # asks for a damaged line's good copy before giving up on it
MARGIN_NS = 3_600 * 1_000_000_000  # sort key origin, an hour before the first held impulse


class ReplayWindow:
    """Holds impulses while a replay answers; releases them in device order."""

    def __init__(
        self,
        release: Callable[[Impulse], None],
        *,
        ask_again: Callable[[], bool] | None = None,
        quiet_ns: int = QUIET_NS,
        max_retries: int = MAX_RETRIES,
        clock: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self._release = release
        self._ask_again = ask_again
        self._max_retries = max_retries
        self._retries = 0
        self._quiet_ns = quiet_ns
        self._clock = clock
        self._lock = threading.RLock()
        self._open = False
        self._held: list[Impulse] = []
        self._last_activity_ns = 0

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        """A replay was just requested: hold impulses until it has been answered."""
        with self._lock:
            self._open = True
            self._last_activity_ns = self._clock()

    def offer(self, impulse: Impulse) -> bool:
        """Hold ``impulse`` if a replay is answering; False means: pass it on now."""
        with self._lock:
            if not self._open:
                return False
            self._held.append(impulse)
            if impulse.replayed:
                self._last_activity_ns = self._clock()
            return True

    def poll(self) -> int:
        """Release everything once the replay has been quiet; returns how many were released."""
        with self._lock:
            if not self._open or self._clock() - self._last_activity_ns < self._quiet_ns:
                return 0
            if self._damaged_without_copy() and self._retries < self._max_retries and self._ask_again:
                self._retries += 1
                if self._ask_again():
                    self._last_activity_ns = self._clock()
                    return 0
            return self._release_all()

    def _damaged_without_copy(self) -> bool:
        good = {i.dedupe_key() for i in self._held if not i.bad_checksum}
        return any(i.bad_checksum and i.dedupe_key() not in good for i in self._held)

    def close(self) -> int:
        """Release whatever is held now (shutting down)."""
        with self._lock:
            return self._release_all()

    def _release_all(self) -> int:
        held, self._held = self._held, []
        self._open = False
        self._retries = 0
        for impulse in sorted(held, key=_device_order(held)):
            self._release(impulse)
        return len(held)


def _device_order(held: list[Impulse]) -> Callable[[Impulse], tuple[int, int, int]]:
    """Sort key: the device clock (unwrapped around the first held time), then the sequence."""
    clocked = [i for i in held if i.device_time_ns is not None]
    origin = (clocked[0].device_time_ns or 0) - MARGIN_NS if clocked else 0

    def key(impulse: Impulse) -> tuple[int, int, int]:
        if impulse.device_time_ns is None:
            # No device clock: keep the arrival order after the clocked ones' sequence.
            return (1, impulse.device_seq or 0, 0)
        t = impulse.device_time_ns - origin
        if impulse.clock_modulus_ns:
            t %= impulse.clock_modulus_ns
        return (0, t, impulse.device_seq or 0)

    return key
