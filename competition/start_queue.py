"""Check-in and the start queue: riders start in the order they check in.

A rider is on at most one queue at a time; the queue can be reordered, a
rider skipped (sent to the back) or scratched (did not start). Every change is
a journal row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event


def waiting(event: Event, track: int | None = None, round_code: str | None = None) -> list[dict[str, Any]]:
    """Riders waiting to start, in start order (per track when given)."""
    code = round_code or event.current_round
    sql = (
        "SELECT q.entry_id, q.track, q.position, q.bib, e.name, e.phone, e.platform, e.station, e.initials"
        " FROM queue q JOIN entrants e ON e.bib = q.bib"
        " WHERE q.round = ? AND q.state = 'waiting'"
    )
    args: list[Any] = [code]
    if track is not None:
        sql += " AND q.track = ?"
        args.append(track)
    return event.store.query(sql + " ORDER BY q.track, q.position, q.entry_id", args)


def attempts_used(event: Event, bib: int, round_code: str) -> int:
    """Runs that count toward the round's attempts (reruns and undone starts do not)."""
    row = event.store.query(
        "SELECT COUNT(*) AS n FROM runs WHERE round = ? AND bib = ? AND counts = 1 AND state != 'void'",
        (round_code, bib),
    )
    return int(row[0]["n"])


def _why_not(event: Event, bib: int, round_code: str) -> tuple[str, str] | None:
    rows = event.store.query("SELECT status FROM entrants WHERE bib = ?", (bib,))
    if not rows:
        return f"没有 {bib} 号选手", f"no rider with bib {bib}"
    if rows[0]["status"] == "withdrawn":
        return f"{bib} 号已退赛", f"bib {bib} has withdrawn"
    if round_code != "prelim" or event.store.query("SELECT 1 FROM round_entries WHERE round = ?", (round_code,)):
        if not event.store.query("SELECT 1 FROM round_entries WHERE round = ? AND bib = ?", (round_code, bib)):
            return f"{bib} 号没有进入本轮（{round_code}）", f"bib {bib} is not in round {round_code}"
    queued = event.store.query(
        "SELECT track FROM queue WHERE round = ? AND bib = ? AND state = 'waiting'", (round_code, bib)
    )
    if queued:
        return f"{bib} 号已在 {queued[0]['track']} 道的出发队列中", f"bib {bib} is already queued on track {queued[0]['track']}"
    if event.store.query("SELECT 1 FROM runs WHERE bib = ? AND state = 'on_course'", (bib,)):
        return f"{bib} 号正在赛道上", f"bib {bib} is on course"
    allowed = event.course.round(round_code).attempts
    if attempts_used(event, bib, round_code) >= allowed:
        return f"{bib} 号本轮 {allowed} 次机会已用完", f"bib {bib} has used all {allowed} attempts"
    return None


def check_in(
    event: Event, bibs: list[int], *, track: int = 1, round_code: str | None = None, front: bool = False
) -> list[int]:
    """Append riders to a track's start queue in the order given. All or nothing.

    The checks run inside the write transaction (BEGIN IMMEDIATE holds the
    lock), so two desks checking in the same rider at once cannot both pass.
    """
    if track < 1:
        raise CommandRefused(f"赛道号必须是正整数（收到 {track}）。", f"The track must be a positive number (got {track}).")
    with event.store.transaction():
        code = event.require_round(round_code)
        seen: set[int] = set()
        problems_zh: list[str] = []
        problems_en: list[str] = []
        for bib in bibs:
            if bib in seen:
                problems_zh.append(f"{bib} 号重复")
                problems_en.append(f"bib {bib} given twice")
                continue
            seen.add(bib)
            why = _why_not(event, bib, code)
            if why:
                problems_zh.append(why[0])
                problems_en.append(why[1])
        if problems_zh:
            raise CommandRefused(
                "未签到任何选手：" + "；".join(problems_zh), "Nobody was checked in: " + "; ".join(problems_en)
            )
        for bib in bibs:
            event.store.append("checked_in", {"bib": bib, "round": code, "track": track, "front": front})
    return bibs


def check_in_all(event: Event, *, track: int = 1, round_code: str | None = None) -> list[int]:
    """Queue every rider of the round who may still ride, in the round's start order (under the lock)."""
    with event.store.transaction():
        code = event.require_round(round_code)
        entries = event.store.query(
            "SELECT bib FROM round_entries WHERE round = ? ORDER BY start_order", (code,)
        ) or event.store.query("SELECT bib FROM entrants WHERE status = 'active' ORDER BY bib")
        bibs = [e["bib"] for e in entries if _why_not(event, e["bib"], code) is None]
        if bibs:
            check_in(event, bibs, track=track, round_code=code)
    return bibs


def _waiting_entry(event: Event, bib: int, round_code: str) -> dict[str, Any]:
    rows = event.store.query(
        "SELECT * FROM queue WHERE round = ? AND bib = ? AND state = 'waiting'", (round_code, bib)
    )
    if not rows:
        raise CommandRefused(f"{bib} 号不在出发队列中。", f"Bib {bib} is not in a start queue.")
    return rows[0]


def reorder(event: Event, track: int, bibs: list[int], *, round_code: str | None = None) -> None:
    """Set the order of a track's waiting riders (``bibs`` must be exactly that set)."""
    with event.store.transaction():
        code = event.require_round(round_code)
        current = [w["bib"] for w in waiting(event, track, code)]
        if sorted(current) != sorted(bibs) or len(set(bibs)) != len(bibs):
            raise CommandRefused(
                "新顺序必须恰好包含该道所有候场选手。", "The new order must list exactly the riders waiting on that track."
            )
        if current == bibs:
            return
        event.store.record("queue_reordered", {"round": code, "track": track, "bibs": bibs})


def move(event: Event, bib: int, offset: int, *, round_code: str | None = None) -> None:
    """Move a waiting rider up (negative) or down (positive) in the queue."""
    with event.store.transaction():
        code = event.require_round(round_code)
        entry = _waiting_entry(event, bib, code)
        order = [w["bib"] for w in waiting(event, entry["track"], code)]
        index = order.index(bib)
        target = max(0, min(len(order) - 1, index + offset))
        if target == index:
            return
        order.insert(target, order.pop(index))
        event.store.record("queue_reordered", {"round": code, "track": entry["track"], "bibs": order})


def skip(event: Event, bib: int, *, round_code: str | None = None) -> None:
    """The rider is not at the start yet: send them to the back of their queue."""
    with event.store.transaction():
        code = event.require_round(round_code)
        entry = _waiting_entry(event, bib, code)
        event.store.record("queue_skipped", {"round": code, "track": entry["track"], "bib": bib})


def scratch(event: Event, bib: int, *, reason: str, round_code: str | None = None) -> None:
    """Take a rider off the queue: did not start (DNS)."""
    with event.store.transaction():
        code = event.require_round(round_code)
        entry = _waiting_entry(event, bib, code)
        event.store.record(
            "queue_scratched", {"round": code, "track": entry["track"], "bib": bib, "reason": reason or "DNS"}
        )


def move_to_track(event: Event, bib: int, track: int, *, round_code: str | None = None) -> None:
    with event.store.transaction():
        code = event.require_round(round_code)
        entry = _waiting_entry(event, bib, code)
        if entry["track"] == track:
            return
        event.store.record("queue_moved", {"round": code, "bib": bib, "track": track})
