"""What the timer said that Trackside must not decide alone, for the timing screen (no Textual here).

Two things from issue #11:

* **disagreements**: the timer computed a run's net time itself (ALGE ``RT``,
  TAG Heuer ``RR``, Microgate net times) and it differs from Trackside's
  (``competition.timer_records``); open until the referee uses the timer's
  time or keeps Trackside's with a reason (``competition.timer_check_review``);
* **number mismatches**: the timer's rider number named someone other than the
  rider the queue expected, or a rider not on course
  (``competition.pairing_by_number.number_mismatches``); the run went to the
  rider the timer named.

Each is shown with the rider's name and both sides, in the screen's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from competition.pairing_by_number import number_mismatches
from competition.timer_check_review import review
from competition.timer_records import TimerCheck
from competition.times import format_duration

if TYPE_CHECKING:
    from competition.event import Event
    from competition.tui.i18n import Texts

MISMATCHES_SHOWN = 10


@dataclass(frozen=True)
class Disagreement:
    """One run whose time differs from the timer's own net time."""

    run_id: int
    bib: int
    name: str
    trackside_ns: int
    timer_net_ns: int
    resolution_ns: int
    record_seq: int

    def words(self, tr: Texts) -> str:
        # Both at the timer's printed precision: that is where they were compared.
        return tr("timer.disagreement", run=self.run_id, bib=self.bib, name=self.name,
                  trackside=format_duration(self.trackside_ns, self.resolution_ns),
                  timer=format_duration(self.timer_net_ns, self.resolution_ns))


@dataclass(frozen=True)
class Mismatch:
    """One impulse whose timer number and the queue (or the riders on course) disagreed."""

    seq: int
    channel: str
    disposition: str
    bib: int | None
    name: str
    queue_bib: int | None
    queue_name: str
    note: str  # the core's "zh / en" note

    def words(self, tr: Texts) -> str:
        channel = tr(f"channel.{self.channel}")
        if self.queue_bib is not None and self.bib is not None and self.queue_bib != self.bib:
            return tr("timer.mismatch_queue", seq=self.seq, channel=channel, queue_bib=self.queue_bib,
                      queue_name=self.queue_name, bib=self.bib, name=self.name,
                      what=tr(f"disposition.{self.disposition}"))
        zh, _, en = self.note.partition(" / ")
        return tr("timer.mismatch_note", seq=self.seq, channel=channel, note=tr.pick(zh, en or zh))


@dataclass(frozen=True)
class TimerFlags:
    """The track's timer checks (per run), the kept ones, open disagreements and recent mismatches."""

    checks: dict[int, TimerCheck]
    kept: set[int]
    disagreements: list[Disagreement]
    mismatches: list[Mismatch]
    mismatch_seqs: frozenset[int] = frozenset()  # impulses whose timer number and the queue disagreed

    def run_mismatched(self, run: dict[str, Any]) -> bool:
        """Whether the run's start or finish impulse is one of them (noted on the run's row)."""
        return run.get("start_seq") in self.mismatch_seqs or run.get("finish_seq") in self.mismatch_seqs

    def newest_seq(self) -> int:
        """The newest journal seq among the flags (the alarm rings for newer ones)."""
        return max([d.record_seq for d in self.disagreements] + [m.seq for m in self.mismatches], default=0)


def _names(event: Event, bibs: set[int]) -> dict[int, str]:
    if not bibs:
        return {}
    rows = event.store.query(f"SELECT bib, name FROM entrants WHERE bib IN ({','.join('?' * len(bibs))})",
                             sorted(bibs))
    return {int(r["bib"]): str(r["name"]) for r in rows}


def timer_flags(event: Event, track: int) -> TimerFlags:
    """Read both kinds of flag for ``track``."""
    checks, kept = review(event, track)
    open_checks = sorted((c for c in checks.values() if c.agrees is False and c.run_id not in kept),
                         key=lambda c: c.run_id)
    runs: dict[int, Any] = {}
    if open_checks:
        ids = [c.run_id for c in open_checks]
        runs = {r["run_id"]: r for r in event.store.query(
            f"SELECT r.run_id, r.bib, e.name FROM runs r JOIN entrants e ON e.bib = r.bib"
            f" WHERE r.run_id IN ({','.join('?' * len(ids))})", ids)}
    disagreements = [
        Disagreement(c.run_id, int(runs[c.run_id]["bib"]), str(runs[c.run_id]["name"]), int(c.trackside_ns or 0),
                     c.timer_net_ns, c.resolution_ns, c.record_seq)
        for c in open_checks if c.run_id in runs
    ]
    on_track = [m for m in number_mismatches(event, limit=200) if m["track"] == track]
    found = on_track[:MISMATCHES_SHOWN]
    names = _names(event, {b for m in found for b in (m.get("bib"), m.get("queue_bib")) if b is not None})
    mismatches = [
        Mismatch(int(m["seq"]), str(m["channel"]), str(m["disposition"]), m.get("bib"), names.get(m.get("bib") or 0, ""),
                 m.get("queue_bib"), names.get(m.get("queue_bib") or 0, ""), str(m["mismatch"]))
        for m in found
    ]
    return TimerFlags(checks, kept, disagreements, mismatches, frozenset(int(m["seq"]) for m in on_track))
