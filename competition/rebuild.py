"""Rebuild the projections from the journal alone, and compare with the live ones.

``trackside verify`` uses this to prove that the tables the app shows are
exactly what the journal says, and nothing was changed beside it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from competition import journal
from competition.projections import HANDLERS, JOURNAL_ONLY, apply_row
from competition.schema import PROJECTION_TABLES, all_projection_ddl


def rebuild_projections(
    source: sqlite3.Connection, problems: list[RowProblem] | None = None
) -> sqlite3.Connection:
    """A fresh in-memory database holding the projections rebuilt from ``source``'s journal.

    With ``problems`` given, a row that cannot be read or applied (a payload
    that is not JSON, an unknown kind, a reference to a run that is not there)
    is listed there and skipped, and the rebuild goes on; without it the first
    such row raises.
    """
    scratch = sqlite3.connect(":memory:")
    scratch.execute("PRAGMA foreign_keys=ON")
    for statement in all_projection_ddl():
        scratch.execute(statement)
    scratch.execute("BEGIN")
    if problems is None:
        for row in journal.iter_rows(source):
            apply_row(scratch, row)
    else:
        for raw in source.execute(f"SELECT {_COLUMNS} FROM journal ORDER BY seq"):
            seq, kind = raw[0], raw[5]
            try:
                row = _row_of(raw)
            except (ValueError, TypeError) as exc:
                problems.append(RowProblem(
                    seq, f"第 {seq} 行（{kind}）的内容不是有效的 JSON", f"row {seq} ({kind}): the payload is not JSON",
                    str(exc)))
                continue
            if row.kind not in HANDLERS and row.kind not in JOURNAL_ONLY:
                problems.append(RowProblem(
                    seq, f"第 {seq} 行的种类 {kind!r} 未知（不是本版 Trackside 写的）",
                    f"row {seq}: unknown kind {kind!r} (not written by this Trackside)", ""))
                continue
            run_id = row.payload.get("run_id")
            if isinstance(run_id, int) and not isinstance(run_id, bool) and not scratch.execute(
                "SELECT 1 FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone() and row.kind not in _MAY_NAME_A_NEW_RUN:
                problems.append(RowProblem(
                    seq, f"第 {seq} 行（{kind}）所指的成绩 #{run_id} 不存在",
                    f"row {seq} ({kind}) names run #{run_id}, which does not exist", ""))
                continue
            scratch.execute("SAVEPOINT row")
            try:
                apply_row(scratch, row)
            except (sqlite3.Error, KeyError, ValueError, TypeError, LookupError, AttributeError) as exc:
                scratch.execute("ROLLBACK TO row")
                problems.append(RowProblem(
                    seq, f"第 {seq} 行（{kind}）无法套用：所指的成绩、选手或脉冲不存在或内容不全（{_short(exc)}）",
                    f"row {seq} ({kind}) cannot be applied: the run, rider or impulse it names is missing or "
                    f"the row is incomplete ({_short(exc)})", str(exc)))
            scratch.execute("RELEASE row")
    scratch.execute("COMMIT")
    return scratch


# Rows that may carry the id of a run their own row (or the next one) creates.
_MAY_NAME_A_NEW_RUN = frozenset({"run_started", "impulse_recorded", "impulse_disposed"})
_COLUMNS = "seq, utc, mono_ns, terminal, operator, kind, payload, prev_hash, hash"


def _row_of(raw: tuple[object, ...]) -> journal.JournalRow:
    seq, utc, mono_ns, terminal, operator, kind, payload, prev_hash, digest = raw
    data = json.loads(str(payload))
    if not isinstance(data, dict):
        raise ValueError("the payload is not a JSON object")
    return journal.JournalRow(int(str(seq)), str(utc), int(str(mono_ns)), str(terminal), str(operator),
                              str(kind), data, str(prev_hash), str(digest))


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 120 else text[:117] + "…"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A journal row that cannot be read or applied."""

    seq: int
    what_zh: str
    what_en: str
    detail: str


@dataclass(frozen=True, slots=True)
class ProjectionDifference:
    table: str
    live: tuple[object, ...] | None
    rebuilt: tuple[object, ...] | None


def compare_projections(live: sqlite3.Connection, rebuilt: sqlite3.Connection) -> list[ProjectionDifference]:
    """Every row that differs between the two sets of projection tables (first 20 per table)."""
    differences: list[ProjectionDifference] = []
    for table, order in PROJECTION_TABLES:
        if not _has_table(live, table):
            continue  # verify reports a missing table on its own
        a = live.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        b = rebuilt.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        if a == b:
            continue
        found = 0
        for index in range(max(len(a), len(b))):
            left = a[index] if index < len(a) else None
            right = b[index] if index < len(b) else None
            if left != right:
                differences.append(ProjectionDifference(table, left, right))
                found += 1
                if found >= 20:
                    break
    return differences


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return row is not None
