"""A device clock for timers that report only elapsed times (FarmTek Normal mode, StackMat).

Such a timer never says when a run started or ended, only how long it took.
Trackside records each run as a start and a finish impulse on a clock of the
decoder's own making: the start at the clock's current reading, the finish
exactly the elapsed time later, then the clock moves one second past that
finish. So the run's time is the timer's own to the unit it printed, impulses
of different runs never look like double triggers (even when a capture is
replayed and every line arrives at one host instant), and the clock's device
id carries the host time at which this decoder first heard the timer, so two
decoders (a restart) never produce the same dedupe keys.
"""

from __future__ import annotations

NS_PER_SECOND = 1_000_000_000


class ElapsedClock:
    """The made-up clock; see the module docstring."""

    def __init__(self, device: str) -> None:
        self._base = device
        self.device = device
        self._now = 0
        self._started: int | None = None

    def hear(self, host_ns: int) -> None:
        """Call with the host time of the first bytes this decoder ever received."""
        if self.device == self._base:
            self.device = f"{self._base}:elapsed:{host_ns}"

    def start(self) -> int:
        self._started = self._now
        return self._now

    def finish(self, elapsed_ns: int) -> int:
        begun = self._now if self._started is None else self._started
        end = begun + elapsed_ns
        self._now = end + NS_PER_SECOND
        self._started = None
        return end
