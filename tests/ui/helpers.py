"""Shared pieces of the UI tests: a pinned clock, host-stamped impulses, an app on an event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from competition.event import Event
from competition.timing import ImpulseOutcome, record_impulse
from competition.tui.app import TracksideApp
from hardware.impulse import Channel
from tests.web_free_helpers import pad_impulse

S = 1_000_000_000
T0 = 5_000 * S  # the host's monotonic clock when the test begins


@dataclass
class PinnedClock:
    """A monotonic clock the test moves by hand, so clocks and snapshots are deterministic."""

    now: int = T0

    def __call__(self) -> int:
        return self.now



class RecorderStandIn:
    """Plays the timing recorder: journals impulses on its own connection, then tells the app.

    The real recorder does exactly this from its reader thread (another
    connection, then a posted ``ImpulseRecorded``).
    """

    def __init__(self, event: Event, app: TracksideApp, track: int = 1) -> None:
        self.event = Event.open(event.path, terminal="recorder")
        self.app = app
        self.track = track
        self.seq = 0

    def impulse(self, channel: Channel, host_ns: int) -> ImpulseOutcome:
        from competition.tui.messages import ImpulseRecorded

        self.seq += 1
        outcome = record_impulse(self.event, pad_impulse(channel, host_ns, self.seq), track=self.track)
        self.app.post_message(ImpulseRecorded(outcome))
        return outcome

    def close(self) -> None:
        self.event.close()


def make_app(event: Event, clock: PinnedClock | None = None, **options: Any) -> TracksideApp:
    options.setdefault("lang", "zh")
    return TracksideApp(event, clock=clock or PinnedClock(), utc_clock=None, poll_interval=3600, **options)


def notifications(app: TracksideApp) -> list[str]:
    """The toasts shown so far; non-breaking spaces (kept-together CJK words) read as spaces."""
    return [n.message.replace("\u00a0", " ") for n in app._notifications]


def penalties(event: Event) -> list[dict[str, Any]]:
    return event.store.query("SELECT * FROM penalties ORDER BY penalty_id")


def screen_text(app: TracksideApp) -> str:
    """What the terminal shows now, as plain text lines (wide CJK cells count once)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).replace("\u00a0", " ").rstrip() for strip in strips)


#: The app's requests to lower its own priority, noted instead of done (tests/ui/conftest.py).
yield_requests: list[int] = []
