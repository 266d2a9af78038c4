"""Device sequence gaps: the timer numbered impulses that never reached us.

Every protocol that numbers its impulses (ALGE NNNN, TAG Heuer SSSS,
Microgate QQQQ, the pad's seq) tells us when something is missing: impulse 42
followed by impulse 45 means 43 and 44 were fired and lost (a cable out, a
listener down, a timer that cannot replay its memory). A result paired across
such a gap may belong to the wrong rider, so:

* :func:`detect` runs for every impulse the pipeline records, in the same
  transaction, and journals a ``sequence_gap`` row (track, device, the numbers
  missing) when the device's numbering jumps past numbers the track never
  recorded;
* while a gap on a track is open, :func:`pairing_held` is True and the track's
  impulses are journaled as orphans (the referee assigns them): no automatic
  pairing across the gap;
* a gap closes when the missing numbers arrive (a memory replay fills it) or
  when the referee acknowledges it (``sequence_gap_acknowledged``, with who,
  when and why, e.g. "the timer was off; the two riders re-ride").

The numbering wraps (``hardware.impulse.SEQUENCE_RULES``): a jump forward by
less than half the counter is a gap, a jump backward is a replayed or old
impulse (it may fill a gap, it never opens one). The first impulse seen from a
device opens no gap: a timer's counter does not start at the first rider of
the day. Both kinds are journal-only facts; the state of a gap (open, filled,
acknowledged) is computed from the journal and the impulses table, so a
rebuild has nothing to re-decide (the orphans' dispositions are in their rows).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason
from hardware.impulse import Impulse, numbered, sequence_rule

if TYPE_CHECKING:
    from competition.event import Event

GAP_KIND = "sequence_gap"
ACK_KIND = "sequence_gap_acknowledged"


@dataclass(frozen=True, slots=True)
class SequenceGap:
    """One gap in a device's numbering, as journaled, with its state now."""

    seq: int  # the journal row that flagged it
    utc: str
    track: int
    device: str
    protocol: str
    after_seq: int  # the last number recorded before the jump
    before_seq: int  # the number that arrived after it
    first_missing: int
    missing: int  # how many numbers were missing when flagged
    modulus: int
    still_missing: int
    state: str  # open | filled | acknowledged
    reason: str | None = None  # the referee's, when acknowledged

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def missing_text(self) -> str:
        last = (self.first_missing + self.missing - 1) % self.modulus
        return str(self.first_missing) if self.missing == 1 else f"{self.first_missing}–{last}"


def _ranges(first: int, count: int, modulus: int) -> list[tuple[int, int]]:
    """[first, first+count) on a counter that wraps at ``modulus``, as inclusive ranges."""
    end = first + count - 1
    if end < modulus:
        return [(first, end)]
    return [(first, modulus - 1), (0, end - modulus)]


def recorded_count(event: Event, track: int, device: str, first: int, count: int, modulus: int) -> int:
    """How many of the ``count`` numbers from ``first`` on the track has recorded from ``device``
    (never less than before: impulse rows are never removed)."""
    total = 0
    for low, high in _ranges(first, count, modulus):
        row = event.store.conn.execute(
            "SELECT COUNT(DISTINCT device_seq) FROM impulses WHERE device = ? AND track = ? AND bad_checksum = 0"
            " AND device_seq BETWEEN ? AND ?",
            (device, track, low, high),
        ).fetchone()
        total += int(row[0])
    return total


def _last_number(event: Event, track: int, impulse: Impulse) -> int | None:
    doubles_as_bib = sequence_rule(impulse.protocol).doubles_as_bib
    row = event.store.conn.execute(
        "SELECT device_seq FROM impulses WHERE track = ? AND device = ? AND bad_checksum = 0"
        " AND device_seq IS NOT NULL AND (? = 0 OR bib IS NULL) ORDER BY seq DESC LIMIT 1",
        (track, impulse.device, int(doubles_as_bib)),
    ).fetchone()
    return None if row is None else int(row[0])


def detect(event: Event, track: int, impulse: Impulse) -> int | None:
    """Journal a gap if ``impulse`` jumps past numbers this track never recorded; its row seq, or None.

    Call inside the transaction that records ``impulse`` (the pipeline does).
    """
    if not numbered(impulse):
        return None
    assert impulse.device_seq is not None
    last = _last_number(event, track, impulse)
    if last is None:
        return None
    modulus = sequence_rule(impulse.protocol).modulus
    step = (impulse.device_seq - last) % modulus
    if step <= 1 or step >= modulus // 2:
        return None  # the next number, a repeat, or an older (replayed) impulse
    first, count = (last + 1) % modulus, step - 1
    if recorded_count(event, track, impulse.device, first, count, modulus) >= count:
        return None  # a replay already brought every number in between
    row = event.store.append(
        GAP_KIND,
        {"track": track, "device": impulse.device, "protocol": impulse.protocol, "after_seq": last,
         "before_seq": impulse.device_seq, "first_missing": first, "missing": count, "modulus": modulus},
    )
    return row.seq


def _acknowledgements(event: Event) -> dict[int, str]:
    rows = event.store.conn.execute("SELECT payload FROM journal WHERE kind = ?", (ACK_KIND,)).fetchall()
    return {int(p["gap_seq"]): str(p.get("reason") or "") for p in (json.loads(r[0]) for r in rows)}


def gaps(event: Event, track: int | None = None, *, include_closed: bool = True) -> list[SequenceGap]:
    """Every flagged gap (newest first) with its state: open, filled (by a replay) or acknowledged."""
    rows = event.store.conn.execute(
        "SELECT seq, utc, payload FROM journal WHERE kind = ? ORDER BY seq DESC", (GAP_KIND,)
    ).fetchall()
    if not rows:
        return []
    acks = _acknowledgements(event)
    out: list[SequenceGap] = []
    for seq, utc, payload in rows:
        p = json.loads(payload)
        if track is not None and int(p["track"]) != track:
            continue
        if seq in acks and not include_closed:
            continue
        recorded = recorded_count(event, int(p["track"]), p["device"], int(p["first_missing"]),
                                   int(p["missing"]), int(p["modulus"]))
        still = max(0, int(p["missing"]) - recorded)
        state = "acknowledged" if seq in acks else "filled" if still == 0 else "open"
        if state != "open" and not include_closed:
            continue
        out.append(SequenceGap(
            seq=int(seq), utc=str(utc), track=int(p["track"]), device=str(p["device"]), protocol=str(p["protocol"]),
            after_seq=int(p["after_seq"]), before_seq=int(p["before_seq"]), first_missing=int(p["first_missing"]),
            missing=int(p["missing"]), modulus=int(p["modulus"]), still_missing=still, state=state,
            reason=acks.get(int(seq)),
        ))
    return out


def open_gaps(event: Event, track: int | None = None) -> list[SequenceGap]:
    """Gaps nobody has filled or acknowledged: the alarms to show."""
    return gaps(event, track, include_closed=False)


def pairing_held(event: Event, track: int) -> bool:
    """True while a gap on ``track`` is open: its impulses wait for the referee.

    The same answer as ``bool(open_gaps(event, track))``, read incrementally
    (``competition/gap_hold.py``): the pipeline asks for every impulse.
    """
    from competition.gap_hold import gap_hold

    return gap_hold(event).held(event, track)


def acknowledge(event: Event, gap_seq: int, *, reason: str) -> SequenceGap:
    """The referee has dealt with a gap (runs checked, riders re-ride): pairing may resume."""
    require_reason(reason)
    found = [g for g in gaps(event) if g.seq == gap_seq]
    if not found:
        raise CommandRefused(f"日志第 {gap_seq} 行不是序号缺口。", f"Journal row {gap_seq} is not a sequence gap.")
    gap = found[0]
    if gap.state == "acknowledged":
        raise CommandRefused(f"缺口 {gap_seq} 已确认过。", f"Gap {gap_seq} was acknowledged already.")
    event.store.record(ACK_KIND, {"gap_seq": gap_seq, "track": gap.track, "device": gap.device, "reason": reason})
    return next(g for g in gaps(event) if g.seq == gap_seq)


def describe(gap: SequenceGap, lang: str = "zh") -> str:
    """One line for the referee: which numbers, where, and what to do."""
    if lang == "en":
        state = {"open": "OPEN: pairing held, assign the orphans or acknowledge",
                 "filled": "filled by a replay", "acknowledged": f"acknowledged ({gap.reason})"}[gap.state]
        return (f"#{gap.seq} track {gap.track} {gap.device}: impulses {gap.missing_text()} missing "
                f"({gap.still_missing} of {gap.missing} still) between {gap.after_seq} and {gap.before_seq} — {state}")
    state = {"open": "未处理：暂停自动配对，请分配无主脉冲或确认", "filled": "已由回放补齐",
             "acknowledged": f"已确认（{gap.reason}）"}[gap.state]
    return (f"#{gap.seq} {gap.track} 道 {gap.device}：缺少脉冲 {gap.missing_text()}"
            f"（仍缺 {gap.still_missing}/{gap.missing}），在 {gap.after_seq} 与 {gap.before_seq} 之间 — {state}")
