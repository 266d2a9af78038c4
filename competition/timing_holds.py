"""When a track's impulses must wait for the referee instead of pairing by themselves.

Automatic pairing (start -> queue head, finish -> oldest run on course) is only
right while the track has seen every impulse the timer fired, in order. Two
things break that, and while either lasts the track's impulses are journaled
as orphans with ``held`` in their payload saying why:

* ``sequence_gap`` — the device's numbering jumped past impulses we never got
  (``competition/sequence_gaps.py``), until a replay fills the gap or the
  referee acknowledges it;
* ``before_session`` — impulses a timer replayed from its memory at the first
  connect of the track: fired before anyone recorded it (test slaps, riders
  sent before the laptop was ready). They are recorded, never paired by
  themselves, and the track holds until the referee has assigned or set aside
  each of them (``timing assign`` / ``timing discard``): otherwise a live
  finish of a rider whose start came before the session would close the next
  rider's run.

Hand-keyed impulses are the referee's own and never held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from competition import sequence_gaps

if TYPE_CHECKING:
    from competition.event import Event

SEQUENCE_GAP = "sequence_gap"
BEFORE_SESSION = "before_session"


def waiting_before_session(event: Event, track: int) -> list[int]:
    """Impulses from before the session on ``track`` that the referee has not dealt with yet."""
    rows = event.store.conn.execute(
        "SELECT seq FROM impulses WHERE track = ? AND held = ? AND disposition = 'orphan' ORDER BY seq",
        (track, BEFORE_SESSION),
    ).fetchall()
    return [int(r[0]) for r in rows]


def any_waiting_before_session(event: Event, track: int) -> bool:
    """``waiting_before_session`` is not empty: one probe of the held-orphan index."""
    return event.store.conn.execute(
        "SELECT 1 FROM impulses WHERE track = ? AND held = ? AND disposition = 'orphan' LIMIT 1",
        (track, BEFORE_SESSION),
    ).fetchone() is not None


def discard_before_session(event: Event, track: int, *, reason: str) -> int:
    """Set aside every impulse from before the session on ``track`` at once (a timer's old memory).

    Each is a journaled ``impulse_disposed`` row with the reason; returns how many.
    """
    from competition.errors import require_reason
    from competition.timing import discard_impulse

    require_reason(reason)
    waiting = waiting_before_session(event, track)
    with event.store.transaction():
        for seq in waiting:
            discard_impulse(event, seq, reason=reason)
    return len(waiting)


def hold_reason(event: Event, track: int, *, before_session: bool = False, new_gap: bool = False) -> str | None:
    """Why the next device impulse on ``track`` must not pair by itself, or None."""
    if before_session:
        return BEFORE_SESSION
    if new_gap or sequence_gaps.pairing_held(event, track):
        return SEQUENCE_GAP
    if any_waiting_before_session(event, track):
        return BEFORE_SESSION
    return None


def describe_hold(reason: str | None, lang: str = "zh") -> str:
    if reason == SEQUENCE_GAP:
        return ("Pairing held: the timer's numbering has a gap (trackside timing gaps)" if lang == "en"
                else "自动配对已暂停：计时器序号有缺口（trackside timing gaps）")
    if reason == BEFORE_SESSION:
        return ("Pairing held: impulses from before the session wait for the referee (assign or discard)"
                if lang == "en" else "自动配对已暂停：开赛前的脉冲等待裁判处理（分配或搁置）")
    return ""
