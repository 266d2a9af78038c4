"""Typed messages from the timing recorder's reader thread into the app.

The recorder calls its listeners in its own thread; the app turns each call
into one of these and posts it (``post_message`` is thread-safe), so widgets
never see a thread. Bursts of ``JournalChanged`` merge: only the newest
matters, a refresh reads the whole state anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from competition.timing import ImpulseOutcome
from hardware.impulse import RejectedFrame
from hardware.supervisor import PortStatus


@dataclass
class ImpulseRecorded(Message):
    """The recorder journaled and paired one impulse."""

    outcome: ImpulseOutcome


@dataclass
class TimerStatusChanged(Message):
    """The port went online or offline (or its error changed)."""

    status: PortStatus


@dataclass
class FrameRejected(Message):
    """A line from the timer that no parser could read (kept in the journal)."""

    frame: RejectedFrame


@dataclass
class JournalChanged(Message):
    """The event file changed (this terminal, the recorder or another terminal)."""

    generation: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JournalChanged)
