"""Pairing by the timer's own rider number, and the timer's corrections (issue #11).

``competition.timing.record_impulse`` asks :func:`by_timer` first, inside its
transaction. It takes three kinds of impulse and leaves every other one to the
first-in-first-out pairing:

* **corrections**: a line that cancels or withdraws an earlier one (ALGE
  ``c``/``C``, TAG ``T-``/``T*``/``TC``) is journaled with disposition
  ``cancel`` and VOIDS the original (``impulse_voided``): a start's run is void
  and the rider back at the front of the queue, a finish's run back on course,
  so that the next finish pairs with it. An ALGE ``d`` copy disqualifies the
  run the original timed (``run_status_set`` DSQ). A repeated correction is a
  duplicate. The referee can reverse a void (:func:`unvoid_impulse`).
* **numbered impulses** (``Impulse.bib`` set: ALGE in start-number mode, TAG
  Heuer with a typed bib, Microgate): the run belongs to that rider whatever
  the queue says; if the queue's head is someone else the impulse row says so
  (``queue_bib`` / ``mismatch`` in the journal payload; :func:`number_mismatches`).
* **impulses the timer marks as having no valid number** (ALGE ``?``): orphans
  for the referee, never given to the queue's head.

For first-in-first-out timers :func:`swap_finishes` is the explicit,
journaled re-pair when rider B overtook rider A (``runs_swapped``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason
from competition.timing import (
    ImpulseOutcome,
    _finish_outcome,
    _gap,
    _impulse_payload,
    _impulse_row,
    _is_duplicate,
    _start_run,
    run,
)
from hardware.impulse import Channel, Impulse

if TYPE_CHECKING:
    from competition.event import Event

TIMER_CANCEL_REASON = "计时器取消了该脉冲 / the timer cancelled this impulse"
TIMER_DSQ_REASON = "计时器判定取消资格 / the timer disqualified this run"


def by_timer(event: Event, impulse: Impulse, *, track: int, run_id: int | None = None) -> ImpulseOutcome | None:
    """Record ``impulse`` here if it is a correction or numbered; None: pair it first-in-first-out."""
    if impulse.voids or impulse.disqualifies:
        return _record_correction(event, impulse, track)
    if impulse.reidentifies and impulse.usable:
        return _record_reidentification(event, impulse, track)
    if run_id is not None or impulse.channel is Channel.SPLIT or not impulse.usable:
        return None
    if impulse.flag == "?":
        return _record(event, impulse, track, "orphan", note="计时器无有效号码 / the timer had no valid number")
    if impulse.bib is None:
        return None
    return _pair_by_number(event, impulse, track)


def _record(event: Event, impulse: Impulse, track: int, disposition: str, *,
            note: str | None = None, extra: dict[str, Any] | None = None) -> ImpulseOutcome:
    payload = _impulse_payload(impulse, track)
    payload.update({"disposition": disposition, "run_id": None, "flag": impulse.flag, "pairing": "number"})
    if note:
        payload["mismatch"] = note
    payload.update(extra or {})
    row = event.store.append("impulse_recorded", payload)
    return ImpulseOutcome(row.seq, disposition, track, str(impulse.channel.value), bib=impulse.bib)


# -- corrections ---------------------------------------------------------------


def _original(event: Event, impulse: Impulse, track: int) -> dict[str, Any] | None:
    if impulse.device_time_ns is None:
        # "Withdraw the last one" (FarmTek clear key, JACircuits 000000): the device's
        # latest impulse in use on that channel.
        rows = event.store.query(
            "SELECT * FROM impulses WHERE track = ? AND device = ? AND channel = ? AND disposition IN ('start', 'finish')"
            " ORDER BY seq DESC LIMIT 1",
            (track, impulse.device, str(impulse.channel.value)),
        )
        return rows[0] if rows else None
    key = impulse.dedupe_key()
    rows = event.store.query(
        "SELECT * FROM impulses WHERE device = ? AND device_seq IS ? AND channel_raw = ? AND device_time_ns IS ?"
        " AND disposition NOT IN ('cancel', 'disqualify') AND bad_checksum = 0 ORDER BY seq DESC LIMIT 1",
        key,
    )
    return rows[0] if rows else None


def _record_correction(event: Event, impulse: Impulse, track: int) -> ImpulseOutcome:
    store = event.store
    channel = str(impulse.channel.value)
    kind = "cancel" if impulse.voids else "disqualify"
    repeat = impulse.device_time_ns is not None and store.query(
        "SELECT 1 FROM impulses WHERE device = ? AND device_seq IS ? AND channel_raw = ? AND device_time_ns IS ?"
        " AND disposition = ? LIMIT 1",
        (*impulse.dedupe_key(), kind),
    )
    if repeat:
        return ImpulseOutcome(None, "duplicate", track, channel)
    original = _original(event, impulse, track)
    payload = _impulse_payload(impulse, track)
    payload.update({"disposition": kind, "run_id": None, "flag": impulse.flag,
                    "corrects_seq": original["seq"] if original else None})
    row = store.append("impulse_recorded", payload)
    if original is None:
        return ImpulseOutcome(row.seq, kind, track, channel)
    affected = original["run_id"]
    if impulse.voids:
        if original["disposition"] == "voided":
            return ImpulseOutcome(row.seq, kind, track, channel)
        _void(event, original, row.seq, TIMER_CANCEL_REASON)
    elif affected is not None:
        r = run(event, affected)
        if r["state"] != "void" and r["status"] != "DSQ":
            store.append("run_status_set", {"run_id": affected, "bib": r["bib"], "status": "DSQ",
                                            "reason": TIMER_DSQ_REASON})
    return ImpulseOutcome(row.seq, kind, track, channel, affected, original["bib"])


def _void(event: Event, original: dict[str, Any], voiding_seq: int, reason: str) -> None:
    """Void ``original`` (journaled): the run its start opened is undone, the run it finished is open again."""
    store = event.store
    affected = original["run_id"]
    if affected is not None and original["disposition"] == "start":
        r = run(event, affected)
        if r["state"] != "void":
            store.append("run_start_undone", {"run_id": affected, "bib": r["bib"], "reason": reason, "requeue": True})
    elif affected is not None and original["disposition"] == "finish":
        r = run(event, affected)
        if r["state"] == "finished" and r["finish_seq"] == original["seq"]:
            store.append("run_finish_undone", {"run_id": affected, "bib": r["bib"], "reason": reason})
    store.append("impulse_voided", {"impulse_seq": original["seq"], "by": "timer", "voiding_seq": voiding_seq,
                                    "run_id": affected, "reason": reason})


def _record_reidentification(event: Event, impulse: Impulse, track: int) -> ImpulseOutcome:
    """TAG Heuer '*' (the time given bib B) / '-' (its bib removed): the time moves to B (or to nobody).

    The original impulse (same number, channel and time) is voided and its run
    undone or re-opened; the line itself is then recorded as B's start or
    finish, or as an orphan for the referee when it names no rider. The same
    correction again (a recall) is a duplicate.
    """
    channel = str(impulse.channel.value)
    original = _original(event, impulse, track)
    if original is not None and original["bib"] == impulse.bib:
        return ImpulseOutcome(None, "duplicate", track, channel)
    moved = {"reidentifies_seq": original["seq"] if original else None}
    if impulse.bib is None or impulse.channel is Channel.SPLIT:
        outcome = _record(event, impulse, track, "orphan", extra=moved,
                          note="计时器去掉了该时间的号码 / the timer removed this time's number"
                          if impulse.bib is None else None)
    else:
        outcome = _pair_by_number(event, impulse, track, check_duplicate=False, extra=moved)
    if original is not None and original["disposition"] != "voided" and outcome.seq is not None:
        who = f"{impulse.bib} 号" if impulse.bib is not None else "无号码"
        who_en = f"bib {impulse.bib}" if impulse.bib is not None else "no bib"
        _void(event, original, outcome.seq, f"计时器把该时间改给{who} / the timer gave this time to {who_en}")
    return outcome


def unvoid_impulse(event: Event, impulse_seq: int, *, reason: str) -> None:
    """The referee reverses a void: the impulse is an orphan again, to assign by hand."""
    require_reason(reason)
    imp = _impulse_row(event, impulse_seq)
    if imp["disposition"] != "voided":
        raise CommandRefused(f"脉冲 {impulse_seq} 没有被作废。", f"Impulse {impulse_seq} is not voided.")
    event.store.record("impulse_unvoided", {"impulse_seq": impulse_seq, "reason": reason})


# -- numbered impulses -----------------------------------------------------------


def _queue_head(event: Event, track: int) -> int | None:
    head = event.store.query(
        "SELECT bib FROM queue WHERE round = ? AND track = ? AND state = 'waiting' ORDER BY position, entry_id LIMIT 1",
        (event.current_round, track),
    )
    return head[0]["bib"] if head else None


def _is_double_for_rider(event: Event, track: int, channel: str, bib: int, candidate: dict[str, Any]) -> bool:
    window = event.course.double_trigger_ns
    previous = event.store.query(
        "SELECT * FROM impulses WHERE track = ? AND channel = ? AND bib = ? AND cleared = 0 AND bad_checksum = 0"
        " AND disposition IN ('start', 'finish', 'double', 'orphan', 'too_short', 'replaced', 'candidate')"
        " ORDER BY seq DESC LIMIT 3",
        (track, channel, bib),
    )
    return any(_gap(p, candidate) < window for p in previous)


def _pair_by_number(event: Event, impulse: Impulse, track: int, *, check_duplicate: bool = True,
                    extra: dict[str, Any] | None = None) -> ImpulseOutcome:
    store = event.store
    channel = str(impulse.channel.value)
    bib = impulse.bib
    assert bib is not None
    if check_duplicate and _is_duplicate(event, impulse):
        return ImpulseOutcome(None, "duplicate", track, channel)
    payload = _impulse_payload(impulse, track)
    # A time the operator typed on the timer is deliberate, never a bounce; and only the
    # same rider's impulses can bounce (a parallel slalom starts two riders at once).
    if not impulse.manual and _is_double_for_rider(event, track, channel, bib, {**payload, "seq": None}):
        return _record(event, impulse, track, "double", extra=extra)
    if not store.query("SELECT 1 FROM entrants WHERE bib = ?", (bib,)):
        return _record(event, impulse, track, "orphan", extra=extra, note=f"计时器号码 {bib} 不是参赛选手 / timer number {bib} is no entrant")
    on_course = store.query("SELECT * FROM runs WHERE track = ? AND bib = ? AND state = 'on_course' ORDER BY run_id",
                            (track, bib))
    if impulse.channel is Channel.START:
        if on_course:
            return _record(event, impulse, track, "orphan", extra=extra,
                           note=f"{bib} 号已在赛道上 / bib {bib} is already on course")
        head = _queue_head(event, track)
        note = None if head == bib else f"队列下一位是 {head} 号，计时器为 {bib} 号 / queue says {head}, timer says {bib}"
        row = _record(event, impulse, track, "start", note=note, extra={**(extra or {}), "queue_bib": head})
        assert row.seq is not None
        new_run = _start_run(event, bib, track, row.seq, impulse.host_ns, impulse.manual)
        return ImpulseOutcome(row.seq, "start", track, channel, new_run, bib)
    target = on_course[0] if on_course else None
    note = None
    # Where the timer's number is also its impulse number (ALGE), the run its start's
    # number opened is the authority: a start paired first-in-first-out before the data
    # proved start-number mode is re-paired to the rider the timer names (journaled).
    by_seq = store.query(
        "SELECT r.* FROM runs r JOIN impulses i ON i.seq = r.start_seq WHERE r.track = ? AND r.state = 'on_course'"
        " AND i.device = ? AND i.device_seq = ? ORDER BY r.run_id LIMIT 1",
        (track, impulse.device, impulse.device_seq),
    ) if impulse.device_seq == bib else []
    if by_seq and by_seq[0]["bib"] != bib:
        wrong = by_seq[0]
        store.append("run_start_undone", {
            "run_id": wrong["run_id"], "bib": wrong["bib"], "requeue": True,
            "reason": f"计时器号码表明该出发属于 {bib} 号 / the timer's number gives this start to bib {bib}"})
        start = _impulse_row(event, wrong["start_seq"])
        new_run = _start_run(event, bib, track, wrong["start_seq"], start["host_ns"], bool(start["manual"]))
        target = run(event, new_run)
        note = f"出发原配给 {wrong['bib']} 号，已改给 {bib} 号 / start re-paired from bib {wrong['bib']} to {bib}"
    elif by_seq:
        target = by_seq[0]
    if target is None:
        return _record(event, impulse, track, "orphan", extra=extra, note=f"{bib} 号不在赛道上 / bib {bib} is not on course")
    result = _finish_outcome(event, _impulse_row(event, target["start_seq"]), {**payload, "seq": None})
    if result["raw_ns"] < event.course.min_run_ns:
        return _record(event, impulse, track, "too_short", extra=extra)
    row = _record(event, impulse, track, "finish", extra=extra, note=note)
    store.append("run_finished", {"run_id": target["run_id"], "bib": target["bib"], "finish_seq": row.seq, **result})
    return ImpulseOutcome(row.seq, "finish", track, channel, target["run_id"], target["bib"], result["raw_ns"],
                          result["status"])


def number_mismatches(event: Event, *, limit: int = 50) -> list[dict[str, Any]]:
    """Impulses where the timer's number and the queue (or the run) disagreed, newest first."""
    rows = event.store.conn.execute(
        "SELECT seq, payload FROM journal WHERE kind = 'impulse_recorded'"
        " AND json_extract(payload, '$.mismatch') IS NOT NULL ORDER BY seq DESC LIMIT ?",
        (limit,),
    )
    out = []
    for seq, text in rows:
        p = json.loads(text)
        out.append({"seq": seq, "track": p["track"], "bib": p.get("bib"), "channel": p["channel"],
                    "disposition": p["disposition"], "mismatch": p["mismatch"], "queue_bib": p.get("queue_bib")})
    return out


# -- first-in-first-out re-pair ---------------------------------------------------


def swap_finishes(event: Event, run_a: int, run_b: int, *, reason: str) -> None:
    """Rider B overtook rider A: exchange the two runs' finish impulses, journaled.

    Both runs must be on the same track and not void, and at least one must
    have a finish. A run left without a finish goes back on course, so the
    next finish impulse pairs with it.
    """
    require_reason(reason)
    if run_a == run_b:
        raise CommandRefused("请给出两次不同的成绩。", "Name two different runs.")
    a, b = run(event, run_a), run(event, run_b)
    for r in (a, b):
        if r["state"] == "void":
            raise CommandRefused(f"成绩 #{r['run_id']} 已作废。", f"Run #{r['run_id']} is void.")
    if a["track"] != b["track"]:
        raise CommandRefused("两次成绩不在同一赛道。", "The two runs are on different tracks.")
    if a["finish_seq"] is None and b["finish_seq"] is None:
        raise CommandRefused("两次成绩都还没有终点时间。", "Neither run has a finish yet.")
    new_a, new_b = b["finish_seq"], a["finish_seq"]

    def result_for(r: dict[str, Any], finish_seq: int | None) -> dict[str, Any] | None:
        if finish_seq is None:
            return None
        return _finish_outcome(event, _impulse_row(event, r["start_seq"]), _impulse_row(event, finish_seq))

    event.store.record("runs_swapped", {
        "run_a": run_a, "run_b": run_b, "bib_a": a["bib"], "bib_b": b["bib"], "reason": reason,
        "finish_a": new_a, "finish_b": new_b, "result_a": result_for(a, new_a), "result_b": result_for(b, new_b),
    })
