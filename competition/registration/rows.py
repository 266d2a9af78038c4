"""What reading a registration sheet produces: plain frozen records, no database.

The lead's import writes these into the journal in one transaction; nothing
here knows about SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """One rider as read from the sheet, values normalized.

    ``sheet_row`` is the row number Excel shows (1-based) or the CSV line
    number, so the organizer can find the row again. ``extra`` keeps the
    non-empty values of columns Trackside does not know, by their header text.
    """

    sheet_row: int
    bib: int | None
    name: str
    phone: str
    gender: str | None
    platform: str | None
    station: str | None
    id_number: str | None
    note: str | None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that was not taken (or, in ``SheetReading.warnings``, taken with a doubt).

    ``column`` is the header text as in the sheet, with the column letter for
    xlsx (``"联系电话 (D列)"``); ``None`` when the problem is not one cell's.
    ``sheet_row`` is 0 for a warning about the whole sheet.
    """

    sheet_row: int
    column: str | None
    value: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class DuplicateRow:
    """A later row with a phone already seen in the same sheet.

    It was merged into the row at ``first_row``: its non-empty values filled
    that row's empty fields; nothing of the first row was overwritten.
    """

    sheet_row: int
    first_row: int
    phone: str
    name: str


@dataclass(frozen=True)
class SheetReading:
    """Everything one reading of a registration sheet found.

    ``total_rows`` counts the data rows that carried a rider (blank rows and
    footer lines such as 合计 are not counted), so
    ``total_rows == len(rows) + len(rejected) + len(duplicates)``.
    """

    path: str
    sheet: str | None
    header_row: int
    columns: dict[str, str]
    extra_columns: list[str]
    rows: list[RegistrationRow]
    rejected: list[RejectedRow]
    duplicates: list[DuplicateRow]
    warnings: list[RejectedRow]
    total_rows: int
    file_kind: str = "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    skipped_rows: list[int] = field(default_factory=list)
