"""Read-only queries on impulses and runs (who is on course, orphans, recent impulses).

Split from ``competition.timing``, which re-exports every name here, so
``timing.on_course`` and friends keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

MANUAL_PROTOCOL = "manual"  # impulses keyed by a referee (manual start/finish), never a device

if TYPE_CHECKING:
    from competition.event import Event


def on_course(event: Event, track: int | None = None) -> list[dict[str, Any]]:
    """Runs on course, oldest first, with the rider and the start impulse's host time."""
    sql = (
        "SELECT r.*, e.name, e.platform, i.host_ns AS start_host_ns, i.device_time_ns AS start_device_ns"
        " FROM runs r JOIN entrants e ON e.bib = r.bib JOIN impulses i ON i.seq = r.start_seq"
        " WHERE r.state = 'on_course'"
    )
    args: list[Any] = []
    if track is not None:
        sql += " AND r.track = ?"
        args.append(track)
    return event.store.query(sql + " ORDER BY r.run_id", args)


def run_states(event: Event, round_code: str | None = None) -> dict[int, str]:
    """Each rider's latest run state this round (on_course / finished), for the check-in desk."""
    rows = event.store.query(
        "SELECT bib, state FROM runs WHERE round = ? AND state != 'void' ORDER BY run_id",
        (round_code or event.current_round,),
    )
    return {r["bib"]: r["state"] for r in rows}


def orphans(event: Event, track: int | None = None) -> list[dict[str, Any]]:
    """Impulses waiting for a referee's decision: orphans and replayed candidates."""
    sql = "SELECT * FROM impulses WHERE disposition IN ('orphan', 'candidate')"
    args: list[Any] = []
    if track is not None:
        sql += " AND track = ?"
        args.append(track)
    return event.store.query(sql + " ORDER BY seq DESC", args)


def impulses(event: Event, *, limit: int = 50, track: int | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM impulses"
    args: list[Any] = []
    if track is not None:
        sql += " WHERE track = ?"
        args.append(track)
    return event.store.query(sql + " ORDER BY seq DESC LIMIT ?", [*args, limit])


def run(event: Event, run_id: int) -> dict[str, Any]:
    rows = event.store.query("SELECT r.*, e.name FROM runs r JOIN entrants e ON e.bib = r.bib WHERE run_id = ?", (run_id,))
    if not rows:
        raise CommandRefused(f"没有编号为 {run_id} 的成绩。", f"No run #{run_id}.")
    return rows[0]


def rejected_frames(event: Event, *, limit: int = 20) -> list[dict[str, Any]]:
    from competition.journal import recent_rows

    return [
        {"seq": r.seq, "utc": r.utc, **r.payload}
        for r in recent_rows(event.store.conn, limit=limit, kinds=("frame_rejected",))
    ]


def last_device_seq(event: Event, track: int) -> int | None:
    """Where a memory replay should start: the highest sequence number of the track's
    latest device below which nothing is missing (a gap, say a bad checksum, is fetched again)."""
    conn = event.store.conn
    latest = conn.execute(
        "SELECT device FROM impulses WHERE track = ? AND protocol != ? AND device_seq IS NOT NULL"
        " ORDER BY seq DESC LIMIT 1",
        (track, MANUAL_PROTOCOL),
    ).fetchone()
    if latest is None:
        return None
    seqs = [
        int(r[0]) for r in conn.execute(
            "SELECT DISTINCT device_seq FROM impulses WHERE track = ? AND device = ? AND bad_checksum = 0"
            " AND device_seq IS NOT NULL ORDER BY device_seq",
            (track, latest[0]),
        )
    ]
    if not seqs:
        return None
    expected = seqs[0]
    for s in seqs:
        if s != expected:
            return expected - 1
        expected = s + 1
    return seqs[-1]
