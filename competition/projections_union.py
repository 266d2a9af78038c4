"""Projection handlers for union results and the venue network (registered with ``projections.handles``).

Round states and appeals, paper sheets entered back, composite scores, judges'
tokens and satellite impulses. Split from ``competition.projections`` so each
file keeps one job; imported at its end so every handler is registered.
"""

from __future__ import annotations

import sqlite3

from competition.journal import JournalRow
from competition.projections import handles

# -- results posted, appealed, made official -----------------------------------------


@handles("round_published")
def _round_published(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO round_states (round, state, published_utc, appeal_closes_utc) VALUES (?, 'provisional', ?, ?)",
        (p["round"], p["published_utc"], p["appeal_closes_utc"]),
    )


@handles("round_made_official")
def _round_made_official(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE round_states SET state = 'official', official_utc = ?, official_seq = ? WHERE round = ?",
        (p["official_utc"], row.seq, p["round"]),
    )


@handles("round_sealed")
def _round_sealed(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute("UPDATE round_states SET seal = ? WHERE round = ?", (p["seal"], p["round"]))


@handles("appeal_filed")
def _appeal_filed(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO appeals (case_id, round, bib, run_id, filed_by, reason, evidence, filed_utc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (row.seq, p["round"], p["bib"], p.get("run_id"), p["filed_by"], p["reason"], p["evidence"], p["filed_utc"]),
    )


@handles("appeal_ruled")
def _appeal_ruled(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE appeals SET state = 'ruled', ruling = ?, reasoning = ?, jury = ?, ruled_seq = ? WHERE case_id = ?",
        (p["ruling"], p["reasoning"], p["jury"], row.seq, p["case_id"]),
    )


# -- paper sheets entered back ------------------------------------------------------------


@handles("paper_sheet_entered")
def _paper_sheet_entered(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    for e in p["entries"]:  # a rider's line entered again replaces the earlier one
        key = (p["round"], p["segment"], e["bib"], e["attempt"])
        conn.execute("DELETE FROM paper_calls WHERE round = ? AND segment = ? AND bib = ? AND attempt = ?", key)
        conn.execute("INSERT OR REPLACE INTO paper_lines (round, segment, bib, attempt, seq) VALUES (?, ?, ?, ?, ?)",
                     (*key, row.seq))
        for code, n in sorted(e["counts"].items()):
            if n:
                conn.execute("INSERT INTO paper_calls (round, segment, bib, attempt, code, count) VALUES (?, ?, ?, ?, ?, ?)",
                             (*key, code, n))


@handles("paper_times_entered")
def _paper_times_entered(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    for e in p["entries"]:
        conn.execute("INSERT OR REPLACE INTO paper_times (round, bib, attempt, raw_ns, seq) VALUES (?, ?, ?, ?, ?)",
                     (p["round"], e["bib"], e["attempt"], e["raw_ns"], row.seq))


@handles("paper_settled")
def _paper_settled(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO paper_settlements (seq, round, segment, bib, attempt, code, live, paper, use, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.seq, p["round"], p["segment"], p["bib"], p["attempt"], p["code"], p["live"], p["paper"], p["use"], p["reason"]),
    )


@handles("component_scores_imported")
def _component_scores_imported(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    for score in p["scores"]:  # importing again replaces a rider's score
        conn.execute("INSERT OR REPLACE INTO component_scores (component, bib, points, seq) VALUES (?, ?, ?, ?)",
                     (p["component"], score["bib"], score["points"], row.seq))
# -- the venue network -----------------------------------------------------------


@handles("judge_token_issued")
def _judge_token_issued(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO judge_tokens (token_id, segment, token, issued_seq) VALUES (?, ?, ?, ?)",
        (p["token_id"], p["segment"], p["token"], row.seq),
    )


@handles("judge_token_revoked")
def _judge_token_revoked(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "UPDATE judge_tokens SET revoked = 1, revoked_seq = ?, revoked_reason = ? WHERE token_id = ?",
        (row.seq, p["reason"], p["token_id"]),
    )


@handles("satellite_impulse_received")
def _satellite_impulse_received(conn: sqlite3.Connection, row: JournalRow) -> None:
    p = row.payload
    conn.execute(
        "INSERT INTO satellite_impulses (satellite, local_seq, impulse_seq) VALUES (?, ?, ?)",
        (p["satellite"], p["local_seq"], p.get("impulse_seq")),
    )
# Real-timer corrections (impulse_voided, impulse_unvoided, runs_swapped).
