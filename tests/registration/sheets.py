"""Registration sheets for tests, written at test time (no binaries committed).

``make_clerk_workbook`` and ``make_clerk_csv`` are the EVENT-DAY sheet
(see competition/registration/sample_sheet.py, shared with the demo);
``write_xlsx`` / ``write_csv`` write any rows for the edge cases.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from competition.registration.sample_sheet import (
    HEADER,
    TITLE,
    make_clerk_csv,
    make_clerk_workbook,
    plan_clerk_sheet,
)

__all__ = [
    "CLERK_TOP",
    "HEADER",
    "TITLE",
    "make_clerk_csv",
    "make_clerk_workbook",
    "plan_clerk_sheet",
    "write_csv",
    "write_xlsx",
]

CLERK_TOP: list[list[object]] = [
    [TITLE],
    ["填报单位：XX区总工会", None, None, None, "填报日期：2024年5月20日"],
]
"""The two lines clerks put above the header."""


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, title: str = "Sheet1",
               more_sheets: dict[str, Sequence[Sequence[object]]] | None = None,
               merge_title: bool = True) -> Path:
    """Write ``rows`` (and optional further sheets) as a workbook; merge the title row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(list(row))
    if merge_title and rows and rows[0] and rows[0][0] == TITLE:
        ws.merge_cells("A1:H1")
    for name, sheet_rows in (more_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in sheet_rows:
            other.append(list(row))
    wb.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[object]], *, encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    """Write ``rows`` as CSV text the way Excel does (CRLF, empty cells as "")."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path
