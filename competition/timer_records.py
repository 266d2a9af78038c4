"""The timer's own results kept beside Trackside's: net times and other non-impulse lines.

A timer that computes a run's net time (ALGE ``RT``, TAG Heuer ``RR``,
Microgate info 1, the FarmTek/JACircuits elapsed time in chrono mode, the
StackMat display) is the best check there is on Trackside's own subtraction.
Each such line is journaled as ``timer_record`` (journal-only: no projection
table; the journal is the truth and these are read from it) with the run it
belongs to at the moment it arrived: the rider's latest finished run on the
track when the timer names the rider, else the track's latest finished run.
A cancelled net time (ALGE ``c0043 RT``) names the record it cancels.

:func:`timer_checks` gives, per run, the timer's latest standing net time and
whether Trackside's time agrees to the timer's printed precision (truncated,
never rounded). The timing screen (h6) should show ``timer_net_ns`` beside the
run's time and flag ``agrees is False`` loudly; nothing is resolved silently.
"""

from __future__ import annotations

import base64
import json
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hardware.protocols.records import NET_TIME, TimerRecord

if TYPE_CHECKING:
    from competition.event import Event

KIND = "timer_record"


@dataclass(frozen=True, slots=True)
class TimerCheck:
    """The timer's own net time for one run, and whether Trackside agrees."""

    run_id: int
    timer_net_ns: int
    resolution_ns: int
    record_seq: int
    manual: bool
    trackside_ns: int | None
    agrees: bool | None  # None while the run has no time of its own

    def as_json(self) -> dict[str, Any]:
        return {"timer_net_ns": self.timer_net_ns, "timer_resolution_ns": self.resolution_ns,
                "timer_record_seq": self.record_seq, "timer_manual": self.manual,
                "timer_agrees": self.agrees}


# Parsed timer records per open event store. The journal is append-only (rows never
# change once written), so each call reads and parses only the rows after the last
# one seen: the timing screen asks after every impulse, with thousands of records.
_parsed: weakref.WeakKeyDictionary[Any, list[tuple[int, dict[str, Any]]]] = weakref.WeakKeyDictionary()


def _records(event: Event, track: int | None = None) -> list[tuple[int, dict[str, Any]]]:
    known = _parsed.setdefault(event.store, [])
    after = known[-1][0] if known else 0
    rows = event.store.conn.execute(
        "SELECT seq, payload FROM journal WHERE kind = ? AND seq > ? ORDER BY seq", (KIND, after))
    known.extend((int(seq), json.loads(payload)) for seq, payload in rows)
    return [(seq, p) for seq, p in known if track is None or p.get("track") == track]


def _run_for(event: Event, record: TimerRecord, track: int) -> int | None:
    if record.bib is not None:
        # The rider's latest run, finished or still on course (a corrected net time
        # can arrive while the timer's own correction has the run back on course).
        rows = event.store.query(
            "SELECT run_id FROM runs WHERE track = ? AND bib = ? AND state != 'void' ORDER BY run_id DESC LIMIT 1",
            (track, record.bib),
        )
    else:
        rows = event.store.query(
            "SELECT run_id FROM runs WHERE track = ? AND state = 'finished' ORDER BY finished_seq DESC LIMIT 1", (track,)
        )
    return rows[0]["run_id"] if rows else None


def _identity(p: dict[str, Any]) -> tuple[Any, ...]:
    return (p["device"], p["kind"], p.get("bib"), p.get("channel_raw"), p.get("net_ns"), p.get("lane"))


def record_timer_record(event: Event, record: TimerRecord, *, track: int) -> int | None:
    """Journal one timer record; returns its journal seq (None for an exact repeat)."""
    payload: dict[str, Any] = {
        "track": track, "protocol": record.protocol, "device": record.device, "kind": record.kind,
        "bib": record.bib, "channel_raw": record.channel_raw, "net_ns": record.net_ns,
        "resolution_ns": record.resolution_ns, "cancelled": record.cancelled, "manual": record.manual,
        "lane": record.lane, "point": record.point, "status": record.status,
        "reason_zh": record.reason_zh, "reason_en": record.reason_en,
        "raw": base64.b64encode(record.raw).decode("ascii"), "run_id": None, "cancels": None,
    }
    with event.store.transaction():
        earlier = [
            (int(seq), json.loads(text)) for seq, text in event.store.conn.execute(
                "SELECT seq, payload FROM journal WHERE kind = ? AND json_extract(payload, '$.track') = ?"
                " AND json_extract(payload, '$.device') = ? AND json_extract(payload, '$.bib') IS ?"
                " AND json_extract(payload, '$.kind') = ? ORDER BY seq",
                (KIND, track, record.device, record.bib, record.kind),
            )
        ]
        if record.kind == NET_TIME or record.net_ns is not None:
            if record.cancelled:
                target = next(
                    (s for s, p in reversed(earlier)
                     if not p["cancelled"] and _identity(p) == _identity(payload)),
                    None,
                )
                payload["cancels"] = target
                payload["run_id"] = next((p["run_id"] for s, p in earlier if s == target), None)
            else:
                payload["run_id"] = _run_for(event, record, track)
        if any(_identity(p) == _identity(payload) and p["cancelled"] == payload["cancelled"]
               and p["manual"] == payload["manual"] and p["run_id"] == payload["run_id"]
               and p["run_id"] is not None for _, p in earlier):
            return None  # the same line again (a memory replay, a second replay of a capture)
        return event.store.append(KIND, payload).seq


def timer_checks(event: Event, track: int | None = None) -> dict[int, TimerCheck]:
    """Per run: the timer's latest net time that was not cancelled, beside Trackside's."""
    cancelled = set()
    latest: dict[int, tuple[int, dict[str, Any]]] = {}
    records = _records(event, track)
    for _seq, p in records:
        if p["cancelled"] and p.get("cancels") is not None:
            cancelled.add(p["cancels"])
    for seq, p in records:
        if p["kind"] != NET_TIME or p["cancelled"] or seq in cancelled or p["run_id"] is None:
            continue
        latest[p["run_id"]] = (seq, p)
    if not latest:
        return {}
    runs = {r["run_id"]: r for r in event.store.query(
        f"SELECT run_id, raw_ns, state FROM runs WHERE run_id IN ({','.join('?' * len(latest))})", list(latest))}
    out: dict[int, TimerCheck] = {}
    for run_id, (seq, p) in latest.items():
        run = runs.get(run_id)
        raw = run["raw_ns"] if run and run["state"] == "finished" else None
        res = int(p["resolution_ns"]) or 1
        agrees = None if raw is None else (raw - raw % res) == int(p["net_ns"])
        out[run_id] = TimerCheck(run_id, int(p["net_ns"]), res, seq, bool(p["manual"]), raw, agrees)
    return out


def disagreements(event: Event, track: int | None = None) -> list[TimerCheck]:
    """Runs whose time differs from the timer's own, for the timing screen's alarm."""
    return [c for c in timer_checks(event, track).values() if c.agrees is False]


def annotate_runs(event: Event, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``timer_net_ns`` (None when the timer printed none) and friends to ``runs --json`` rows."""
    checks = timer_checks(event)
    for row in rows:
        check = checks.get(row["run_id"])
        row.update(check.as_json() if check else {"timer_net_ns": None, "timer_agrees": None})
    return rows


def recent(event: Event, *, limit: int = 20, track: int | None = None) -> list[dict[str, Any]]:
    """The newest timer records (newest first) for the hardware screen."""
    return [{"seq": s, **p} for s, p in reversed(_records(event, track)[-limit:])]
