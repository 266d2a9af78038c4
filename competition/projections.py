"""Projections: what each journal row does to the derived tables.

``apply_row`` is the only writer of the projection tables. It runs in the same
transaction as the journal insert (live) and again, row by row, when
``competition.rebuild`` recreates the tables from the journal alone, so every
handler must depend only on the row and the tables as earlier rows left them.
Decisions (which rider a start impulse takes, whether a finish is too short)
are made by the commands and written into the payload; handlers only apply them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from competition.journal import JournalRow
from competition.times import TIME_LIMIT_REASON

Handler = Callable[[sqlite3.Connection, JournalRow], None]
HANDLERS: dict[str, Handler] = {}

# Kinds that are facts kept in the journal only (no projection). A sequence gap's
# state is read from the journal and the impulses (competition/sequence_gaps.py);
# a timer's own records (net times, number lines) are read by competition/timer_records.py.
JOURNAL_ONLY = frozenset({"raw_bytes", "frame_rejected", "port_status", "note", "sequence_gap",
                          "sequence_gap_acknowledged", "timer_record", "timer_check_decided"})
# Kinds whose handlers never write the meta table: EventStore keeps the meta it read in a
# write transaction across them (any other kind, also one added later, drops what it read).
LEAVES_META = JOURNAL_ONLY | frozenset({"impulse_recorded", "impulse_disposed", "run_started", "run_finished"})


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def apply_row(conn: sqlite3.Connection, row: JournalRow) -> None:
    """Apply one journal row to the projections."""
    if row.kind in JOURNAL_ONLY:
        return
    handler = HANDLERS.get(row.kind)
    if handler is None:
        raise ValueError(f"unknown journal kind {row.kind!r} at row {row.seq}")
    handler(conn, row)


def apply_rows(conn: sqlite3.Connection, rows: list[JournalRow]) -> None:
    """Apply rows in order, exactly as ``apply_row`` one by one would.

    A run of consecutive rows of one ``BULK_INSERTS`` kind goes in with one
    executemany; every other row through its handler, after the rows before it.
    """
    pending: list[tuple[Any, ...]] = []
    pending_kind: str | None = None

    def flush() -> None:
        if pending_kind is not None and pending:
            conn.executemany(BULK_INSERTS[pending_kind][0], pending)
        pending.clear()

    for row in rows:
        bulk = BULK_INSERTS.get(row.kind)
        if bulk is None:
            flush()
            pending_kind = None
            apply_row(conn, row)
            continue
        if row.kind != pending_kind:
            flush()
            pending_kind = row.kind
        pending.append(bulk[1](row))
    flush()


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# -- the event ---------------------------------------------------------------


@handles("event_created")
def _event_created(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    for key in ("title", "date", "course_toml", "course_id"):
        _set_meta(conn, key, str(p[key]))
    _set_meta(conn, "current_round", p["round"])
    if p.get("demo"):
        _set_meta(conn, "demo", "1")
    if p.get("organizer"):
        _set_meta(conn, "organizer", p["organizer"])
    conn.execute(
        "INSERT INTO rounds (code, opened_seq, source_round, top) VALUES (?, ?, NULL, NULL)",
        (p["round"], row.seq),
    )


@handles("event_renamed")
def _event_renamed(conn: sqlite3.Connection, row: JournalRow) -> None:
    _set_meta(conn, "title", row.payload["title"])


# -- entrants ----------------------------------------------------------------

ENTRANT_FIELDS = ("name", "phone", "gender", "platform", "station", "id_number", "note", "initials")


_ENTRANT_INSERT = (
    "INSERT INTO entrants (bib, name, phone, gender, platform, station, id_number, note, extra,"
    " initials, status, registered_seq, updated_seq)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
)


def _extra_text(extra: dict[str, Any] | None) -> str:
    """The entrant's ``extra`` columns as stored (most riders have none)."""
    return json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else "{}"


def _entrant_values(row: JournalRow) -> tuple[Any, ...]:
    p = row.payload
    return (
        p["bib"], p["name"], p["phone"], p.get("gender"), p.get("platform"), p.get("station"),
        p.get("id_number"), p.get("note"), _extra_text(p.get("extra")),
        p.get("initials", ""), row.seq, row.seq,
    )


@handles("entrant_registered")
def _entrant_registered(conn: sqlite3.Connection, row: JournalRow) -> None:
    conn.execute(_ENTRANT_INSERT, _entrant_values(row))


# Kinds whose rows only insert, each with one statement: a run of them is applied
# with one executemany (a registration import). (insert SQL, the row's values)
BULK_INSERTS: dict[str, tuple[str, Callable[[JournalRow], tuple[Any, ...]]]] = {
    "entrant_registered": (_ENTRANT_INSERT, _entrant_values),
}


@handles("entrant_updated")
def _entrant_updated(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    changes: dict[str, Any] = p["changes"]
    sets: list[str] = []
    args: list[Any] = []
    for field, value in sorted(changes.items()):
        if field == "extra":
            sets.append("extra = ?")
            args.append(json.dumps(value or {}, ensure_ascii=False, sort_keys=True))
        elif field in ENTRANT_FIELDS:
            sets.append(f"{field} = ?")
            args.append(value)
        else:
            raise ValueError(f"row {row.seq}: unknown entrant field {field!r}")
    sets.append("updated_seq = ?")
    args.append(row.seq)
    args.append(p["bib"])
    conn.execute(f"UPDATE entrants SET {', '.join(sets)} WHERE bib = ?", args)


@handles("entrant_withdrawn")
def _entrant_withdrawn(conn: sqlite3.Connection, row: JournalRow) -> None:
    bib = row.payload["bib"]
    conn.execute("UPDATE entrants SET status = 'withdrawn', updated_seq = ? WHERE bib = ?", (row.seq, bib))
    conn.execute("UPDATE queue SET state = 'scratched' WHERE bib = ? AND state = 'waiting'", (bib,))


@handles("entrant_reinstated")
def _entrant_reinstated(conn: sqlite3.Connection, row: JournalRow) -> None:
    conn.execute(
        "UPDATE entrants SET status = 'active', updated_seq = ? WHERE bib = ?", (row.seq, row.payload["bib"])
    )


# -- start queue -------------------------------------------------------------


def _queue_end(conn: sqlite3.Connection, round_code: str, track: int) -> int:
    row = conn.execute(
        "SELECT COALESCE(MAX(position), 0) FROM queue WHERE round = ? AND track = ?", (round_code, track)
    ).fetchone()
    return int(row[0]) + 1


def _queue_front(conn: sqlite3.Connection, round_code: str, track: int) -> int:
    row = conn.execute(
        "SELECT COALESCE(MIN(position), 1) FROM queue WHERE round = ? AND track = ? AND state = 'waiting'",
        (round_code, track),
    ).fetchone()
    return int(row[0]) - 1


@handles("checked_in")
def _checked_in(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    position = (
        _queue_front(conn, p["round"], p["track"]) if p.get("front") else _queue_end(conn, p["round"], p["track"])
    )
    conn.execute(
        "INSERT INTO queue (entry_id, round, track, bib, position, state) VALUES (?, ?, ?, ?, ?, 'waiting')",
        (row.seq, p["round"], p["track"], p["bib"], position),
    )


@handles("queue_reordered")
def _queue_reordered(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    for index, bib in enumerate(p["bibs"], start=1):
        conn.execute(
            "UPDATE queue SET position = ? WHERE round = ? AND track = ? AND bib = ? AND state = 'waiting'",
            (index, p["round"], p["track"], bib),
        )


@handles("queue_skipped")
def _queue_skipped(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE queue SET position = ? WHERE round = ? AND bib = ? AND state = 'waiting'",
        (_queue_end(conn, p["round"], p["track"]), p["round"], p["bib"]),
    )


@handles("queue_scratched")
def _queue_scratched(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE queue SET state = 'scratched' WHERE round = ? AND bib = ? AND state = 'waiting'",
        (p["round"], p["bib"]),
    )


@handles("queue_moved")
def _queue_moved(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE queue SET track = ?, position = ? WHERE round = ? AND bib = ? AND state = 'waiting'",
        (p["track"], _queue_end(conn, p["round"], p["track"]), p["round"], p["bib"]),
    )


# -- impulses and runs ---------------------------------------------------------


@handles("impulse_recorded")
def _impulse_recorded(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO impulses (seq, track, protocol, device, channel, channel_raw, device_seq, device_time_ns,"
        " clock_modulus_ns, resolution_ns, host_ns, bib, manual, replayed, cleared, bad_checksum, raw,"
        " disposition, run_id, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.seq, p["track"], p["protocol"], p["device"], p["channel"], p["channel_raw"], p.get("device_seq"),
            p.get("device_time_ns"), p.get("clock_modulus_ns"), p["resolution_ns"], p["host_ns"], p.get("bib"),
            int(p["manual"]), int(p["replayed"]), int(p["cleared"]), int(p["bad_checksum"]), p["raw"],
            p["disposition"], p.get("run_id"), p.get("held"),
        ),
    )


@handles("impulse_disposed")
def _impulse_disposed(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE impulses SET disposition = ?, run_id = ? WHERE seq = ?",
        (p["disposition"], p.get("run_id"), p["impulse_seq"]),
    )


@handles("run_started")
def _run_started(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO runs (run_id, round, bib, track, attempt, state, status, start_seq, start_host_ns, manual)"
        " VALUES (?, ?, ?, ?, ?, 'on_course', 'OK', ?, ?, ?)",
        (row.seq, p["round"], p["bib"], p["track"], p["attempt"], p["start_seq"], p["start_host_ns"], int(p["manual"])),
    )
    conn.execute(
        "UPDATE impulses SET disposition = 'start', run_id = ? WHERE seq = ?", (row.seq, p["start_seq"])
    )
    conn.execute(
        "UPDATE queue SET state = 'started' WHERE round = ? AND bib = ? AND state = 'waiting'",
        (p["round"], p["bib"]),
    )


@handles("run_finished")
def _run_finished(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE runs SET state = 'finished', finish_seq = ?, raw_ns = ?, status = ?, status_reason = ?,"
        " over_time_limit = ?, manual = manual OR ?, finished_seq = ? WHERE run_id = ?",
        (
            p["finish_seq"], p["raw_ns"], p["status"], p.get("status_reason"), int(p["over_time_limit"]),
            int(p["manual"]), row.seq, p["run_id"],
        ),
    )
    conn.execute(
        "UPDATE impulses SET disposition = 'finish', run_id = ? WHERE seq = ?", (p["run_id"], p["finish_seq"])
    )


@handles("run_start_undone")
def _run_start_undone(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    run = conn.execute("SELECT round, bib, track, start_seq FROM runs WHERE run_id = ?", (p["run_id"],)).fetchone()
    round_code, bib, _track, start_seq = run
    conn.execute("UPDATE runs SET state = 'void', counts = 0, status_reason = ? WHERE run_id = ?", (p["reason"], p["run_id"]))
    if start_seq is not None:
        conn.execute("UPDATE impulses SET disposition = 'orphan', run_id = NULL WHERE seq = ?", (start_seq,))
    if p.get("requeue", True):
        # Back at the front of the queue the rider waited in: a start assigned from another
        # track leaves his entry on his own track.
        entry = conn.execute(
            "SELECT entry_id, track FROM queue WHERE round = ? AND bib = ? AND state = 'started'"
            " ORDER BY entry_id DESC LIMIT 1",
            (round_code, bib),
        ).fetchone()
        if entry is not None:
            conn.execute(
                "UPDATE queue SET state = 'waiting', position = ? WHERE entry_id = ?",
                (_queue_front(conn, round_code, entry[1]), entry[0]),
            )


@handles("run_finish_undone")
def _run_finish_undone(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    (finish_seq,) = conn.execute("SELECT finish_seq FROM runs WHERE run_id = ?", (p["run_id"],)).fetchone()
    # ``keep_status``: a DSQ/DNF the referee called stays on the run (rows without it: back to OK).
    conn.execute(
        "UPDATE runs SET state = 'on_course', finish_seq = NULL, raw_ns = NULL, status = ?, status_reason = ?,"
        " over_time_limit = 0, finished_seq = NULL, confirmed = 0 WHERE run_id = ?",
        (p.get("keep_status") or "OK", p.get("keep_reason"), p["run_id"]),
    )
    if finish_seq is not None:
        conn.execute("UPDATE impulses SET disposition = 'orphan', run_id = NULL WHERE seq = ?", (finish_seq,))


@handles("run_time_chosen")
def _run_time_chosen(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    column = "start_seq" if p["which"] == "start" else "finish_seq"
    (old_seq,) = conn.execute(f"SELECT {column} FROM runs WHERE run_id = ?", (p["run_id"],)).fetchone()
    if old_seq is not None:
        conn.execute("UPDATE impulses SET disposition = 'replaced' WHERE seq = ?", (old_seq,))
    conn.execute(
        f"UPDATE runs SET {column} = ?, raw_ns = ?, manual = ?, status = ?, status_reason = ?, over_time_limit = ?"
        " WHERE run_id = ?",
        (
            p["impulse_seq"], p["raw_ns"], int(p["manual"]), p["status"], p.get("status_reason"),
            int(p["over_time_limit"]), p["run_id"],
        ),
    )
    conn.execute(
        "UPDATE impulses SET disposition = ?, run_id = ? WHERE seq = ?", (p["which"], p["run_id"], p["impulse_seq"])
    )


@handles("run_time_corrected")
def _run_time_corrected(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE runs SET raw_ns = ?, status = ?, status_reason = ?, over_time_limit = ? WHERE run_id = ?",
        (p["raw_ns"], p["status"], p.get("status_reason"), int(p["over_time_limit"]), p["run_id"]),
    )


@handles("run_status_set")
def _run_status_set(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    # A DSQ/DNF called while the rider rides on (``rides_on``) leaves him on course:
    # the next finish of his track is still his. Rows without the key: off course.
    leaves = p["status"] != "OK" and not p.get("rides_on", False)
    conn.execute(
        "UPDATE runs SET status = ?, status_reason = ?,"
        " state = CASE WHEN state = 'on_course' AND ? THEN 'finished' ELSE state END,"
        " finished_seq = CASE WHEN state = 'on_course' AND ? THEN ? ELSE finished_seq END"
        " WHERE run_id = ?",
        (p["status"], p.get("reason"), int(leaves), int(leaves), row.seq, p["run_id"]),
    )


@handles("run_confirmed")
def _run_confirmed(conn: sqlite3.Connection, row: JournalRow) -> None:
    conn.execute("UPDATE runs SET confirmed = 1 WHERE run_id = ?", (row.payload["run_id"],))


@handles("run_unconfirmed")
def _run_unconfirmed(conn: sqlite3.Connection, row: JournalRow) -> None:
    conn.execute("UPDATE runs SET confirmed = 0 WHERE run_id = ?", (row.payload["run_id"],))


@handles("rerun_granted")
def _rerun_granted(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    # The rerun's reason goes on the run, except over the time limit's own DNF: that reason is
    # how an automatic DNF is told from a referee's call (``timing.called_status``), and a finish
    # chosen later within the limit must still make the run OK.
    conn.execute(
        "UPDATE runs SET counts = 0, status_reason = CASE WHEN status = 'DNF' AND over_time_limit = 1"
        " AND status_reason = ? THEN status_reason ELSE ? END WHERE run_id = ?",
        (TIME_LIMIT_REASON, p["reason"], p["run_id"]),
    )


# -- penalties ---------------------------------------------------------------


@handles("penalty_called")
def _penalty_called(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO penalties (penalty_id, run_id, bib, segment, code, count) VALUES (?, ?, ?, ?, ?, ?)",
        (row.seq, p["run_id"], p["bib"], p["segment"], p["code"], p["count"]),
    )
    if "call_id" in p:  # a call from a judge's phone: remembered so a retry is recorded once
        conn.execute(
            "INSERT INTO remote_calls (call_id, penalty_id, token_id, device) VALUES (?, ?, ?, ?)",
            (p["call_id"], row.seq, p["token_id"], p["device"]),
        )


@handles("penalty_withdrawn")
def _penalty_withdrawn(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE penalties SET withdrawn = 1, withdrawn_seq = ?, withdrawn_reason = ? WHERE penalty_id = ?",
        (row.seq, p["reason"], p["penalty_id"]),
    )


# -- rounds, style, prizes ---------------------------------------------------


@handles("round_opened")
def _round_opened(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO rounds (code, opened_seq, source_round, top) VALUES (?, ?, ?, ?)",
        (p["round"], row.seq, p["source_round"], p["top"]),
    )
    conn.executemany(
        "INSERT INTO round_entries (round, bib, start_order) VALUES (?, ?, ?)",
        [(p["round"], bib, index) for index, bib in enumerate(p["bibs"], start=1)],
    )
    _set_meta(conn, "current_round", p["round"])


@handles("style_scored")
def _style_scored(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO style_scores (round, bib, judge, score, seq) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(round, bib, judge) DO UPDATE SET score = excluded.score, seq = excluded.seq",
        (p["round"], p["bib"], p["judge"], p["score"], row.seq),
    )


@handles("prize_named")
def _prize_named(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO named_prizes (seq, round, prize, bib, reason) VALUES (?, ?, ?, ?, ?)",
        (row.seq, p["round"], p["prize"], p["bib"], p["reason"]),
    )


@handles("prize_unnamed")
def _prize_unnamed(conn: sqlite3.Connection, row: JournalRow) -> None:
    conn.execute("UPDATE named_prizes SET withdrawn = 1 WHERE seq = ?", (row.payload["prize_seq"],))


# Handlers kept in their own files: real-timer corrections; results posted, appealed and
# official, paper sheets, composite scores and the venue network.
from competition import projections_timer, projections_union  # noqa: E402,F401
