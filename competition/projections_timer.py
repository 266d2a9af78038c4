"""Projection handlers for the journal kinds of real-timer corrections (issue #11).

Imported at the end of ``competition.projections`` so the handlers are always
registered. Each handler only changes projections; the journal rows stay.

* ``impulse_voided``: the timer (or the referee) voided an impulse; it stays in
  ``impulses`` with disposition ``voided`` and is never used. Whatever run used
  it was already undone by a ``run_start_undone`` / ``run_finish_undone`` row
  appended just before, in the same transaction.
* ``impulse_unvoided``: the referee reversed that; the impulse becomes an
  ``orphan`` again, to be assigned by hand (``timing assign``).
* ``runs_swapped``: the referee re-paired two runs of a first-in-first-out
  timer (rider B overtook rider A): their finish impulses are exchanged.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from competition.journal import JournalRow
from competition.projections import handles


@handles("impulse_voided")
def _impulse_voided(conn: sqlite3.Connection, row: JournalRow) -> None:
    conn.execute("UPDATE impulses SET disposition = 'voided', run_id = NULL WHERE seq = ?", (row.payload["impulse_seq"],))


@handles("impulse_unvoided")
def _impulse_unvoided(conn: sqlite3.Connection, row: JournalRow) -> None:
    conn.execute("UPDATE impulses SET disposition = 'orphan', run_id = NULL WHERE seq = ?", (row.payload["impulse_seq"],))


def _set_finish(conn: sqlite3.Connection, run_id: int, finish_seq: int | None, result: dict[str, Any] | None,
                at_seq: int) -> None:
    if finish_seq is None or result is None:
        conn.execute(
            "UPDATE runs SET state = 'on_course', finish_seq = NULL, raw_ns = NULL, status = 'OK',"
            " status_reason = NULL, over_time_limit = 0, finished_seq = NULL, confirmed = 0 WHERE run_id = ?",
            (run_id,),
        )
        return
    conn.execute(
        "UPDATE runs SET state = 'finished', finish_seq = ?, raw_ns = ?, status = ?, status_reason = ?,"
        " over_time_limit = ?, finished_seq = ?, confirmed = 0 WHERE run_id = ?",
        (finish_seq, result["raw_ns"], result["status"], result.get("status_reason"),
         int(result["over_time_limit"]), at_seq, run_id),
    )
    conn.execute("UPDATE impulses SET disposition = 'finish', run_id = ? WHERE seq = ?", (run_id, finish_seq))


@handles("runs_swapped")
def _runs_swapped(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    _set_finish(conn, p["run_a"], p.get("finish_a"), p.get("result_a"), row.seq)
    _set_finish(conn, p["run_b"], p.get("finish_b"), p.get("result_b"), row.seq)
