"""Rebuild the projections from the journal alone, and compare with the live ones.

``trackside verify`` uses this to prove that the tables the app shows are
exactly what the journal says, and nothing was changed beside it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from competition import journal
from competition.projections import apply_row
from competition.schema import PROJECTION_TABLES, all_projection_ddl


def rebuild_projections(source: sqlite3.Connection) -> sqlite3.Connection:
    """A fresh in-memory database holding the projections rebuilt from ``source``'s journal."""
    scratch = sqlite3.connect(":memory:")
    scratch.execute("PRAGMA foreign_keys=ON")
    for statement in all_projection_ddl():
        scratch.execute(statement)
    scratch.execute("BEGIN")
    for row in journal.iter_rows(source):
        apply_row(scratch, row)
    scratch.execute("COMMIT")
    return scratch


@dataclass(frozen=True, slots=True)
class ProjectionDifference:
    table: str
    live: tuple[object, ...] | None
    rebuilt: tuple[object, ...] | None


def compare_projections(live: sqlite3.Connection, rebuilt: sqlite3.Connection) -> list[ProjectionDifference]:
    """Every row that differs between the two sets of projection tables (first 20 per table)."""
    differences: list[ProjectionDifference] = []
    for table, order in PROJECTION_TABLES:
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
