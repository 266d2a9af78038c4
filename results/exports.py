"""Spreadsheet and data exports of round results: CSV, XLSX, JSON.

CSV and XLSX are opened by people in Excel or WPS, so every text cell goes
through ``safe_cell`` (no formula injection) and times appear twice: as exact
integer nanoseconds for machines and as the truncated display text for people.
JSON is the machine-readable copy with a stable shape
(``JSON_FORMAT``/``JSON_VERSION``). Masked means masked in every format: phones
are ``138****5678`` unless ``full_phone`` is asked for (the organizer's own
copy, ``export --full-phones``). No export ever carries an ID number: every
string passes ``redact_id_numbers`` and, unless full phones are asked for,
``scrub_text``.

Every file is written to a temporary name and renamed into place, so a crash
or a full disk never leaves a half-written file under the final name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from competition.text_safety import json_printable, printable
from competition.times import DEFAULT_PRECISION_NS, format_duration, format_penalty
from results.documents import Lang, ResultRow, status_label
from results.output_files import OutputError, write_file_atomic
from results.redaction import mask_phone, redact_id_numbers, scrub_text

__all__ = [
    "JSON_FORMAT",
    "JSON_VERSION",
    "OutputError",
    "export_csv",
    "export_json",
    "export_xlsx",
    "result_table",
    "safe_cell",
]

JSON_FORMAT = "trackside.results"
JSON_VERSION = 1

# Characters that make Excel/WPS/LibreOffice treat a cell as a formula (OWASP
# "CSV Injection"), plus their full-width forms, which WPS also honours.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

_HEADERS: dict[str, tuple[str, ...]] = {
    "zh": (
        "名次", "并列", "号码", "姓名", "性别", "电话", "所属平台", "配送站点", "状态",
        "原始成绩", "罚时(秒)", "最终成绩", "罚时明细", "各轮成绩", "晋级", "奖项", "备注",
        "raw_ns", "penalty_ns", "adjusted_ns", "status_code",
    ),
    "en": (
        "Rank", "Tie", "Bib", "Name", "Gender", "Phone", "Platform", "Station", "Status",
        "Raw time", "Penalty (s)", "Result", "Penalties", "Runs", "Qualified", "Prize", "Remarks",
        "raw_ns", "penalty_ns", "adjusted_ns", "status_code",
    ),
}
_YES = {"zh": "是", "en": "yes"}
# The round's state in the JSON meta (results.export_state): our own words and the seal,
# never scrubbed (a seal's hex digits could look like a phone number to the scrubber).
_STATE_META = frozenset({"state", "state_line", "appeal_closes_utc", "seal"})
# Columns holding integers (written as numbers in XLSX); all others are text.
_INT_COLUMNS = frozenset({0, 2, 17, 18, 19})


def safe_cell(value: Any) -> Any:
    """Make a cell value safe to open in a spreadsheet: ``=1+1`` -> ``'=1+1``.

    Strings starting with ``= + - @``, tab, CR/LF or the full-width ``＝＋－＠``
    get a leading single quote, so Excel/WPS show them as text instead of
    running them. Numbers, None and other values pass unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "zh"


def _clean(text: str | None, full_phone: bool) -> str:
    """A text cell: no ID number, phones masked unless ``full_phone``, control characters
    shown escaped (``\\x1b``; a spreadsheet refuses most of them, a terminal would run them)."""
    if not text:
        return ""
    return printable(redact_id_numbers(text) if full_phone else scrub_text(text))


def result_table(
    rows: Sequence[ResultRow],
    *,
    full_phone: bool,
    lang: str = "zh",
    precision_ns: int = DEFAULT_PRECISION_NS,
) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The header and cells of a results export, before any file format.

    Integers stay integers (rank, bib, the three ``*_ns`` columns); every text
    cell is cleaned of ID numbers (and of full phones unless ``full_phone``)
    and made formula-safe. Display times are truncated to ``precision_ns``.
    """
    lg = _lang(lang)
    table: list[list[Any]] = []
    for row in rows:
        phone = row.phone if full_phone else mask_phone(row.phone)
        # Penalty seconds shown without the "+" of format_penalty: a leading "+"
        # would be quote-prefixed as a possible formula.
        penalty_text = format_penalty(row.penalty_ns).lstrip("+") if row.penalty_ns else "0"
        cells: list[Any] = [
            row.rank,
            _YES[lg] if row.shared else "",
            row.bib,
            _clean(row.name, full_phone),
            _clean(row.gender, full_phone),
            _clean(phone, True) if full_phone else phone,
            _clean(row.platform, full_phone),
            _clean(row.station, full_phone),
            status_label(row.status, lg),
            format_duration(row.raw_ns, precision_ns) if row.raw_ns is not None else "",
            penalty_text,
            format_duration(row.adjusted_ns, precision_ns)
            if row.adjusted_ns is not None and row.status == "OK"
            else "",
            _clean(row.penalties_text(lg), full_phone),
            _clean(row.attempts_text(precision_ns, lg), full_phone),
            _YES[lg] if row.qualified else "",
            _clean(row.prize(lg), full_phone),
            _clean(row.note(lg), full_phone),
            row.raw_ns,
            row.penalty_ns,
            row.adjusted_ns,
            row.status,
        ]
        table.append([safe_cell(c) for c in cells])
    return _HEADERS[lg], table


def export_csv(
    rows: Sequence[ResultRow],
    path: Path,
    *,
    full_phone: bool,
    lang: str = "zh",
    precision_ns: int = DEFAULT_PRECISION_NS,
    state_line: str | None = None,
) -> Path:
    """Write one round's results as CSV (UTF-8 with BOM, so Excel reads Chinese right).

    Times appear as integer ns columns and as display text; penalties are
    itemised in one column. Phones are masked unless ``full_phone``.
    ``state_line`` (成绩公示：书面申诉截止 … / 正式成绩 · 封存码 …) is the first
    row, one cell, above the header: Excel and WPS show it in A1, and readers
    that look for the header in the top rows (our registration and score
    imports) skip it. The line is ours (the caller cleans any organizer text
    in it; a seal code must not be mistaken for a phone and masked). Raises
    OutputError when the file cannot be written.
    """
    header, table = result_table(rows, full_phone=full_phone, lang=lang, precision_ns=precision_ns)

    def write(temp: Path) -> None:
        with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            if state_line:
                writer.writerow([safe_cell(printable(state_line))])
            writer.writerow(header)
            writer.writerows(["" if c is None else c for c in line] for line in table)

    return write_file_atomic(Path(path), write, "CSV 文件", "the CSV file")


def _sheet_title(name: str, used: set[str]) -> str:
    """An Excel-legal, unique sheet title (max 31 chars, none of []:*?/\\)."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    title = cleaned[:31]
    n = 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = cleaned[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def export_xlsx(
    rows: Sequence[ResultRow] | Mapping[str, Sequence[ResultRow]],
    path: Path,
    *,
    full_phone: bool,
    lang: str = "zh",
    precision_ns: int = DEFAULT_PRECISION_NS,
    state_lines: Mapping[str, str | None] | None = None,
) -> Path:
    """Write results as an Excel workbook: one sheet per round when given a mapping
    ``{"初赛": rows, "决赛": rows}``, else one sheet.

    Header row bold and frozen; rank, bib and ns columns are integers, display
    columns text; every string formula-safe. ``state_lines`` gives a sheet (by
    its round name) a bold title row in A1 above the header (成绩公示 … /
    正式成绩 · 封存码 …); the panes then freeze below the header. Raises OutputError.
    """
    # openpyxl is imported here: the CLI imports this module at startup.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lg = _lang(lang)
    rounds: Mapping[str, Sequence[ResultRow]] = (
        rows if isinstance(rows, Mapping) else {"成绩" if lg == "zh" else "Results": rows}
    )
    widths = (6, 5, 7, 10, 5, 14, 12, 14, 9, 10, 9, 10, 34, 34, 6, 10, 16, 16, 14, 16, 8)

    def write(temp: Path) -> None:
        workbook = Workbook(write_only=True)
        used: set[str] = set()
        bold = Font(bold=True)
        for round_name, round_rows in rounds.items():
            sheet = workbook.create_sheet(_sheet_title(str(round_name), used))
            state = (state_lines or {}).get(str(round_name))
            sheet.freeze_panes = "A3" if state else "A2"
            for i, width in enumerate(widths, start=1):
                sheet.column_dimensions[get_column_letter(i)].width = width
            header, table = result_table(
                round_rows, full_phone=full_phone, lang=lg, precision_ns=precision_ns
            )
            if state:
                title_cell = WriteOnlyCell(sheet, value=safe_cell(printable(state)))
                title_cell.font = bold
                sheet.append([title_cell])
            head_cells = []
            for title in header:
                cell = WriteOnlyCell(sheet, value=title)
                cell.font = bold
                head_cells.append(cell)
            sheet.append(head_cells)
            for line in table:
                sheet.append(line)
        if not rounds:
            workbook.create_sheet("成绩" if lg == "zh" else "Results").append(list(_HEADERS[lg]))
        workbook.save(temp)

    return write_file_atomic(Path(path), write, "Excel 文件", "the Excel file")


def _json_row(row: ResultRow, full_phone: bool) -> dict[str, Any]:
    def text(value: str | None) -> str | None:
        if not value:
            return value
        return redact_id_numbers(value) if full_phone else scrub_text(value)

    return {
        "rank": row.rank,
        "shared": row.shared,
        "bib": row.bib,
        "name": text(row.name),
        "gender": text(row.gender),
        "phone": text(row.phone if full_phone else mask_phone(row.phone)),
        "platform": text(row.platform),
        "station": text(row.station),
        "status": row.status,
        "raw_ns": row.raw_ns,
        "penalty_ns": row.penalty_ns,
        "adjusted_ns": row.adjusted_ns,
        "penalties": [
            {
                "segment": p.segment_code,
                "code": p.code,
                "segment_zh": text(p.segment_zh),
                "segment_en": text(p.segment_en),
                "name_zh": text(p.name_zh),
                "name_en": text(p.name_en),
                "count": p.count,
                "seconds_ns": p.seconds_ns,
                "eliminates": p.eliminates,
            }
            for p in row.penalties
        ],
        "attempts": [
            {
                "attempt": a.attempt,
                "status": a.status,
                "raw_ns": a.raw_ns,
                "penalty_ns": a.penalty_ns,
                "adjusted_ns": a.adjusted_ns,
                "counts": a.counts,
            }
            for a in row.attempts
        ],
        "qualified": row.qualified,
        "prize_zh": text(row.prize_zh),
        "prize_en": text(row.prize_en),
        "note_zh": text(row.note_zh),
        "note_en": text(row.note_en),
    }


def export_json(
    rows: Sequence[ResultRow], path: Path, *, meta: Mapping[str, Any] | None = None, full_phone: bool = False
) -> Path:
    """Write one round's results as JSON; phones masked unless ``full_phone``.

    Shape (version 1)::

        {"format": "trackside.results", "version": 1, "meta": {...},
         "rows": [{"rank", "shared", "bib", "name", "gender", "phone" (masked unless full_phone),
                   "platform", "station", "status", "raw_ns", "penalty_ns",
                   "adjusted_ns",
                   "penalties": [{"segment", "code", "segment_zh", "segment_en",
                                  "name_zh", "name_en", "count", "seconds_ns",
                                  "eliminates"}],
                   "attempts": [{"attempt", "status", "raw_ns", "penalty_ns",
                                 "adjusted_ns", "counts"}],
                   "qualified", "prize_zh", "prize_en", "note_zh", "note_en"}]}

    Times are integer ns (full precision as given); ``seconds_ns`` is the item's
    total. ``meta`` (event title, round…) is copied with its text cleaned like the
    rows', except the round's state (``state``, ``state_line``, ``appeal_closes_utc``,
    ``seal``: ours, see ``results.export_state``). Raises OutputError.
    """
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _clean(value, full_phone)
        return value

    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "meta": {key: value if key in _STATE_META else clean(value) for key, value in (meta or {}).items()},
        "rows": [_json_row(row, full_phone) for row in rows],
    }
    # JSON escapes C0 controls itself; C1 controls and bidi overrides as \\uXXXX too (same values).
    data = json_printable(json.dumps(document, ensure_ascii=False, indent=2))

    def write(temp: Path) -> None:
        temp.write_text(data + "\n", encoding="utf-8")

    return write_file_atomic(Path(path), write, "JSON 文件", "the JSON file")
