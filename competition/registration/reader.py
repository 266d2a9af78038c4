"""Reading a clerk's registration sheet into riders, rejected rows and duplicates.

Pure code: the lead's import writes the result into the journal in one
transaction. Whole-file problems raise ``RegistrationError``; everything
about single rows comes back in the ``SheetReading`` with its row number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path

from competition.gc_pause import fewer_collections
from competition.registration.bounds import LIMITS, Limits, check_workbook, too_many_rows
from competition.registration.cells import cell_text, is_blank
from competition.registration.errors import RegistrationError
from competition.registration.headers import (
    FIELD_LABELS_EN,
    FIELD_LABELS_ZH,
    HEADER_SEARCH_ROWS,
    REQUIRED_FIELDS,
    ColumnMap,
    find_header,
    map_columns,
)
from competition.registration.rows import RejectedRow, SheetReading
from competition.registration.sheet_rows import SheetRows
from competition.registration.sources import Cells, RawSheet, file_kind, open_csv, open_workbook

PROGRESS_EVERY = 500
"""Rows between two progress callbacks."""

Progress = Callable[[int, int], None]


def read_registration(
    path: str | Path,
    *,
    sheet: str | None = None,
    progress: Progress | None = None,
    engine: str | None = None,
    encoding: str | None = None,
    limits: Limits = LIMITS,
) -> SheetReading:
    """Read a registration sheet (.xlsx or .csv, told apart by content).

    ``sheet`` picks a worksheet by name; by default the first visible sheet
    with a recognisable header is read (other sheets that look like
    registration sheets are named in a warning, so nobody is dropped
    unnoticed). ``progress(done, total)`` is called every ~500 rows and once
    at the end. ``engine`` forces ``"calamine"`` or ``"openpyxl"`` for
    workbooks (default: calamine when installed). ``encoding`` is the
    organizer's ``--encoding`` for a CSV whose encoding cannot be told (see
    ``encodings``); a workbook needs none.

    Nothing is parsed before the file's size, a workbook's declared and real
    extent, and a CSV's line count are checked against ``limits`` (see
    ``bounds``); a sheet over them raises.

    Raises ``RegistrationError`` when the file as a whole is unusable.
    """
    with fewer_collections():
        return _read_registration(Path(path), sheet, progress, engine, encoding, limits)


def _read_registration(file_path: Path, sheet: str | None, progress: Progress | None, engine: str | None,
                       encoding: str | None, limits: Limits) -> SheetReading:
    if file_kind(file_path) == "csv":
        raw = open_csv(file_path, encoding, limits)
        top, rest = _split_top(raw.rows)
        located = _locate_header(top)
        if located is None:
            raise _no_header(file_path, None)
        notes: list[RejectedRow] = []
        if sheet is not None:
            notes.append(RejectedRow(0, None, sheet, f"CSV 文件没有工作表，忽略了工作表名“{sheet}”",
                                     f"a CSV file has no sheets; the sheet name '{sheet}' was ignored"))
        return _read_sheet(file_path, raw, top, rest, located, progress, notes, limits)

    check_workbook(file_path, sheet=sheet, limits=limits)
    book, names = open_workbook(file_path, engine)
    try:
        if sheet is not None and sheet not in names:
            listed = "、".join(f"“{n}”" for n in names)
            raise RegistrationError(str(file_path), f"没有名为“{sheet}”的工作表（有：{listed}）",
                                    f"no sheet named '{sheet}' (sheets: {', '.join(names)})")
        candidates = [sheet] if sheet is not None else names
        chosen: tuple[RawSheet, list[tuple[int, Cells]], Iterator[tuple[int, Cells]], int] | None
        chosen = None
        incomplete: tuple[RawSheet, list[tuple[int, Cells]], int] | None = None
        also: list[str] = []
        any_data = False
        for name in candidates:
            raw = book.sheet(name)
            top, rest = _split_top(raw.rows)
            any_data = any_data or any(not is_blank(cells) for _, cells in top)
            located = _locate_header(top)
            if located is None:
                continue
            if chosen is not None:
                if _has_required(raw, top, located):
                    also.append(name)
                continue
            if _has_required(raw, top, located):
                chosen = (raw, top, rest, located)
            elif incomplete is None:
                incomplete = (raw, top, located)
        if chosen is None:
            if incomplete is not None:
                raw, top, located = incomplete
                _require_columns(file_path, raw, top, located)  # raises
            if not any_data:
                where_zh = f"工作表“{sheet}”是空的" if sheet is not None else "工作簿是空的（没有任何数据）"
                where_en = f"sheet '{sheet}' is empty" if sheet is not None else "the workbook is empty"
                raise RegistrationError(str(file_path), where_zh, where_en)
            raise _no_header(file_path, candidates)
        raw, top, rest, located = chosen
        notes = []
        if encoding is not None:
            notes.append(RejectedRow(0, None, encoding, f"工作簿不需要指定编码，忽略了 --encoding {encoding}",
                                     f"a workbook needs no encoding; --encoding {encoding} was ignored"))
        if also:
            listed = "、".join(f"“{n}”" for n in also)
            notes.append(RejectedRow(
                0, None, ", ".join(also),
                f"工作簿里的工作表{listed}也像报名表，本次只读了“{raw.name}”；需要时请指定工作表再导入",
                f"sheet(s) {', '.join(also)} also look like registration sheets; only "
                f"'{raw.name}' was read: import them by naming the sheet",
            ))
        return _read_sheet(file_path, raw, top, rest, located, progress, notes, limits)
    finally:
        book.close()


def _split_top(rows: Iterator[tuple[int, Cells]]) -> tuple[list[tuple[int, Cells]], Iterator[tuple[int, Cells]]]:
    """The first rows (where the header must be) and the iterator over the rest."""
    top: list[tuple[int, Cells]] = []
    for item in rows:
        top.append(item)
        if len(top) >= HEADER_SEARCH_ROWS:
            break
    return top, rows


def _locate_header(top: list[tuple[int, Cells]]) -> int | None:
    found = find_header([cells for _, cells in top])
    return None if found is None else found[0]


def _has_required(raw: RawSheet, top: list[tuple[int, Cells]], at: int) -> bool:
    cmap = map_columns(top[at][1], first_column=raw.first_column)
    return all(f in cmap.fields for f in REQUIRED_FIELDS)


def _require_columns(path: Path, raw: RawSheet, top: list[tuple[int, Cells]], at: int) -> ColumnMap:
    header_row, cells = top[at]
    cmap = map_columns(cells, first_column=raw.first_column)
    missing = [f for f in REQUIRED_FIELDS if f not in cmap.fields]
    if missing:
        found = [t for t in (cell_text(c) for c in cells) if t]
        in_sheet_zh = f"工作表“{raw.name}”" if raw.name else ""
        in_sheet_en = f"sheet '{raw.name}' " if raw.name else ""
        raise RegistrationError(
            str(path),
            f"{in_sheet_zh}第 {header_row} 行的表头里找不到"
            + "、".join(f"“{FIELD_LABELS_ZH[f]}”" for f in missing)
            + f"列（表头有：{'、'.join(found)}）",
            f"{in_sheet_en}header row {header_row} has no "
            + " or ".join(FIELD_LABELS_EN[f] for f in missing)
            + f" column (found: {', '.join(found)})",
        )
    return cmap


def _no_header(path: Path, sheets: list[str] | None) -> RegistrationError:
    checked_zh = f"（查看了工作表：{'、'.join(sheets)}）" if sheets else ""
    checked_en = f" (sheets checked: {', '.join(sheets)})" if sheets else ""
    return RegistrationError(
        str(path),
        f"前 {HEADER_SEARCH_ROWS} 行里找不到表头，需要“姓名”“联系电话”等列名{checked_zh}",
        f"no header row in the first {HEADER_SEARCH_ROWS} rows; columns such as "
        f"姓名 (name) and 联系电话 (phone) are needed{checked_en}",
    )


def _read_sheet(
    path: Path,
    raw: RawSheet,
    top: list[tuple[int, Cells]],
    rest: Iterator[tuple[int, Cells]],
    at: int,
    progress: Progress | None,
    notes: list[RejectedRow],
    limits: Limits = LIMITS,
) -> SheetReading:
    cmap = _require_columns(path, raw, top, at)
    header_row = top[at][0]
    state = SheetRows(cmap, raw.first_column, raw.may_hold_nul)
    expected = max(raw.last_row - header_row, 0)
    done = 0

    for sheet_row, cells in chain(top[at + 1:], rest):
        if sheet_row > limits.max_rows:  # bounds checked the extent; this holds whatever the engine says
            raise too_many_rows(path, raw.name, sheet_row, limits)
        done += 1
        if not is_blank(cells):
            state.take(sheet_row, cells)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(expected, done))
    if progress is not None:
        progress(done, done)
    named_extras = [key for i, key in cmap.extras if cmap.texts[i]]
    extra_columns = list(dict.fromkeys([*named_extras, *state.extra_seen]))
    return SheetReading(
        path=str(path),
        sheet=raw.name,
        header_row=header_row,
        columns=dict(cmap.headers),
        extra_columns=extra_columns,
        rows=state.rows,
        rejected=state.rejected,
        duplicates=state.duplicates,
        warnings=notes + state.warnings,
        total_rows=state.total,
        file_kind=raw.kind,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        skipped_rows=state.skipped,
    )
