"""Whether an open sequence gap holds a track's pairing, without rereading every gap per impulse.

The timing pipeline asks ``sequence_gaps.pairing_held`` for every impulse it
records. Computed from scratch (``sequence_gaps.gaps``) that reads every gap
ever flagged, parses it and counts the impulses in its range: on a day with a
flaky line, fifty gaps that memory replays had filled made every impulse cost
3.5 times the CPU (400 µs → 1 390 µs in a burst), the throughput a third.

Gaps and their acknowledgements are journal rows, never changed. A gap once
filled stays filled: impulse rows are never removed, and the number and
checksum flag the count looks at are written once, when the row is. An
acknowledged gap stays acknowledged. So a closed gap needs no second look:
:class:`GapHold` reads only the gap and acknowledgement rows newer than the
last it read, and counts the impulses of the gaps still open (the referee's
alarms: a few at most).

A rolled-back transaction (a poison frame's savepoint, a failed write) may
take back rows that were read inside it; the store counts its rollbacks
(``EventStore.rollbacks``) and after any new one everything is read again.
``tests/competition/test_gap_hold.py`` holds the answer to
``bool(sequence_gaps.open_gaps(event, track))`` through fills,
acknowledgements, other connections' rows and rollbacks.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from competition.sequence_gaps import ACK_KIND, GAP_KIND, recorded_count

if TYPE_CHECKING:
    from competition.event import Event


class GapHold:
    """The gaps of one event file not yet known closed, read incrementally from one connection."""

    def __init__(self) -> None:
        self._store_id: int | None = None
        self._rollbacks = -1
        self._read_up_to = 0  # the last journal seq whose gap/ack rows are in here
        self._unclosed: dict[int, dict[str, Any]] = {}  # gap row seq -> its payload
        self._acknowledged: set[int] = set()

    def _read_again(self, store_id: int, rollbacks: int) -> None:
        self._store_id, self._rollbacks = store_id, rollbacks
        self._read_up_to = 0
        self._unclosed.clear()
        self._acknowledged.clear()

    def held(self, event: Event, track: int) -> bool:
        """True while a gap on ``track`` is neither filled nor acknowledged."""
        store = event.store
        if id(store) != self._store_id or store.rollbacks != self._rollbacks:
            self._read_again(id(store), store.rollbacks)
        rows = store.conn.execute(
            "SELECT seq, kind, payload FROM journal WHERE kind IN (?, ?) AND seq > ? ORDER BY seq",
            (GAP_KIND, ACK_KIND, self._read_up_to),
        ).fetchall()
        for seq, kind, payload in rows:
            p = json.loads(payload)
            if kind == GAP_KIND:
                self._unclosed[int(seq)] = p
            else:
                self._acknowledged.add(int(p["gap_seq"]))
            self._read_up_to = int(seq)
        held = False
        for seq, p in list(self._unclosed.items()):
            if seq in self._acknowledged:
                del self._unclosed[seq]
            elif int(p["track"]) == track:
                recorded = recorded_count(event, track, p["device"], int(p["first_missing"]), int(p["missing"]),
                                          int(p["modulus"]))
                if recorded >= int(p["missing"]):
                    del self._unclosed[seq]  # filled, for good
                else:
                    held = True
        return held


def gap_hold(event: Event) -> GapHold:
    """The event connection's own ``GapHold`` (one per ``Event``: its store is one connection)."""
    hold = event.__dict__.get("_gap_hold")
    if hold is None:
        hold = event.__dict__["_gap_hold"] = GapHold()
    return hold
