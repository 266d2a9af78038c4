"""Lines a timer sends that are not impulses but still mean something.

A real timer prints more than beam cuts: the net time it computed for a rider
(ALGE ``RT``/``TT``, TAG Heuer ``RR``, Microgate info codes 1-3, the elapsed
time of a FarmTek/JACircuits console), the start number the operator keyed
for the next rider (ALGE ``n0043``/``s0003``), a StackMat's state changes.
None of them may ever become an impulse, but throwing them away loses the
timer's own check on every run.

:class:`TimerRecord` is a :class:`~hardware.impulse.RejectedFrame` (so every
consumer that only knows impulses and rejected frames keeps working: the
hardware screen shows it, the journal keeps its bytes) carrying what the line
says. ``competition.timer_records`` journals it as ``timer_record`` and puts
the net times beside the runs they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.impulse import RejectedFrame

#: The kinds of record, and what each means.
NET_TIME = "net_time"  # the timer's own elapsed time for one run of one rider
TOTAL_TIME = "total_time"  # the timer's sum over runs (ALGE TT): kept, not compared
DIFFERENCE = "difference"  # parallel-slalom difference (ALGE DT): kept, not compared
#: A line of the timer's printed ranking (ALGE classement ``RTM``/``MT``): the
#: same run time again, printed later and in rank order, so it is kept but never
#: put beside a run (a run-1 classement printed after run 2 would otherwise sit
#: beside each rider's run 2).
RANKING = "ranking"
NUMBER_SELECTED = "number_selected"  # the operator keyed the next rider's number
STATUS = "status"  # a device status line (battery, RF integrity, reset, disconnect)
KINDS = (NET_TIME, TOTAL_TIME, DIFFERENCE, RANKING, NUMBER_SELECTED, STATUS)


@dataclass(frozen=True, slots=True)
class TimerRecord(RejectedFrame):
    """A meaningful non-impulse line. ``reason_*`` says what it is, for the screen.

    ``bib`` is the timer's rider number (None when the line has none),
    ``net_ns`` the elapsed time it printed, truncated to ``resolution_ns`` (its
    printed precision). ``cancelled`` marks the timer withdrawing a net time it
    printed earlier (ALGE ``c0043 RT``); ``manual`` a net time the operator
    typed in (ALGE ``i``). ``point`` is "start" / "finish" for number_selected.
    """

    kind: str = STATUS
    device: str = ""
    bib: int | None = None
    channel_raw: str = ""
    net_ns: int | None = None
    resolution_ns: int = 0
    cancelled: bool = False
    manual: bool = False
    lane: str | None = None
    point: str | None = None
    status: str | None = None
