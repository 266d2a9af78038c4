"""Reading a clerk's registration sheet into riders, rejected rows and duplicates.

Pure code: the lead's import writes the result into the journal in one
transaction. Whole-file problems raise ``RegistrationError``; everything
about single rows comes back in the ``SheetReading`` with its row number.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from competition.clean_text import strip_controls
from competition.privacy import scrub_personal_numbers
from competition.registration.bounds import LIMITS, Limits, check_workbook, too_many_rows
from competition.registration.cells import cell_text, is_blank
from competition.registration.errors import RegistrationError
from competition.registration.headers import (
    FIELD_LABELS_EN,
    FIELD_LABELS_ZH,
    HEADER_SEARCH_ROWS,
    REQUIRED_FIELDS,
    ColumnMap,
    column_letter,
    find_header,
    map_columns,
)
from competition.registration.id_numbers import id_gender
from competition.registration.platforms import platform_of_cell
from competition.registration.rider_check import rider_problems
from competition.registration.rows import (
    DuplicateRow,
    RegistrationRow,
    RejectedRow,
    SheetReading,
)
from competition.registration.sources import Cells, RawSheet, file_kind, open_csv, open_workbook
from competition.registration.values import (
    Note,
    Reading,
    normalize_bib,
    normalize_extra,
    normalize_free_text,
    normalize_gender,
    normalize_id_number,
    normalize_name,
    normalize_phone,
)

PROGRESS_EVERY = 500
"""Rows between two progress callbacks."""

Progress = Callable[[int, int], None]

_FOOTER = re.compile(r"^(合\s*计|总\s*计|小\s*计|共\s*计|制表|审核|填表人|负责人|注[:：]|说明[:：]|备注[:：])")
_MERGE_FIELDS = ("gender", "platform", "station", "id_number", "note")


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
    file_path = Path(path)
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


def report_row(sheet_row: int, column: str | None, value: str, zh: str, en: str) -> RejectedRow:
    """A rejection or warning safe to print: no ID number, no whole mobile, no control codes.

    The value and both reasons pass through ``scrub_personal_numbers`` (an ID
    becomes 〔身份证号已隐去〕, a mobile 138****5678): a report is printed,
    pasted into chats and kept in --json files.
    """
    def safe(text: str) -> str:
        return scrub_personal_numbers(strip_controls(text))

    return RejectedRow(sheet_row, column, safe(value), safe(zh), safe(en))


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


class _SheetRows:
    """The state of reading one sheet's data rows: the merge tables and outputs."""

    def __init__(self, cmap: ColumnMap, first_column: int | None, may_hold_nul: bool = True) -> None:
        self.cmap = cmap
        self.first_column = first_column
        self.may_hold_nul = may_hold_nul
        self.rows: list[RegistrationRow] = []
        self.rejected: list[RejectedRow] = []
        self.duplicates: list[DuplicateRow] = []
        self.warnings: list[RejectedRow] = []
        self.skipped: list[int] = []
        self.total = 0
        self.by_phone: dict[str, int] = {}
        self.by_bib: dict[int, int] = {}
        self.extra_seen: dict[str, None] = {}
        f = cmap.fields
        self.i_name = f["name"]
        self.i_phone = f["phone"]
        self.i_gender = f.get("gender")
        self.i_platform = f.get("platform")
        self.i_station = f.get("station")
        self.i_id = f.get("id_number")
        self.i_note = f.get("note")
        self.i_bib = f.get("bib")

    def label(self, field: str) -> str:
        return self.cmap.labels[self.cmap.fields[field]]

    def extra_key(self, index: int) -> str:
        if self.first_column is None:
            return f"第{index + 1}列"
        return f"{column_letter(self.first_column + index)}列"

    def take(self, sheet_row: int, cells: Cells) -> None:
        """Read one non-blank data row."""
        n = len(cells)

        def at(i: int | None) -> object:
            return cells[i] if i is not None and i < n else None

        nul = _nul_cell(cells) if self.may_hold_nul else None
        if nul is not None:
            # A NUL byte is damage, not text: that row is not taken, the rest of the sheet is.
            self.total += 1
            label = self.cmap.labels.get(nul) or self.extra_key(nul)
            damaged = str(cells[nul])
            at_char = damaged.find("\x00") + 1
            self.rejected.append(report_row(
                sheet_row, label, damaged.replace("\x00", "␀"),
                f"单元格里有空字符（NUL，第 {at_char} 个字符处），文件可能已损坏；"
                "此行未导入，请在原表中重新填写这一行",
                f"the cell holds a NUL byte (at character {at_char}); the file "
                "may be damaged: this row was not imported, type it again in the sheet",
            ))
            return
        raw_phone, raw_id = at(self.i_phone), at(self.i_id)
        name = normalize_name(at(self.i_name))
        phone = normalize_phone(raw_phone)
        id_reading = normalize_id_number(raw_id)
        if not name and not phone.value and phone.problem is None and not id_reading.value:
            self.skipped.append(sheet_row)  # a 合计 line, a pre-numbered empty row
            return
        if _FOOTER.match(_first_text(cells)):
            # 合计 / 制表人 lines: no rider row starts with these words
            self.skipped.append(sheet_row)
            return
        self.total += 1
        raw_gender = at(self.i_gender)
        gender = normalize_gender(raw_gender)
        bib = normalize_bib(at(self.i_bib))
        values: dict[str, object] = {
            "name": name,
            "phone": phone.value,
            "gender": gender.value,
            "platform": platform_of_cell(at(self.i_platform)),
            "station": normalize_free_text(at(self.i_station)),
            "id_number": id_reading.value,
            "note": normalize_free_text(at(self.i_note)),
            "bib": bib.value,
        }
        problems: list[tuple[str, Note]] = []
        if phone.problem is not None:
            problems.append(("phone", phone.problem))
        else:
            problems = rider_problems(values)
        if problems:
            self._reject(sheet_row, problems, {"name": at(self.i_name), "phone": at(self.i_phone),
                                               "bib": at(self.i_bib)})
            return
        if phone.doubt is not None:
            self._doubt(sheet_row, "phone", phone, raw_phone)
        if gender.doubt is not None:
            self._doubt(sheet_row, "gender", gender, raw_gender)
        if id_reading.doubt is not None:
            self._doubt(sheet_row, "id_number", id_reading, raw_id)
        born = id_gender(id_reading.value) if id_reading.value and id_reading.doubt is None else None
        if born and gender.value and born != gender.value:
            self.warnings.append(report_row(
                sheet_row, self.label("gender"), str(gender.value),
                f"性别“{gender.value}”与身份证号不符（身份证号显示为“{born}”）",
                f"gender {gender.value} does not match the ID number, which says {born}",
            ))
        extra: dict[str, str] = {}
        for i, key in self.cmap.extras:
            text = normalize_extra(at(i))
            if text:
                extra[key] = text
                self.extra_seen.setdefault(key, None)
        if n > self.cmap.width:
            for i in range(self.cmap.width, n):
                text = normalize_extra(cells[i])
                if text:
                    key = self.extra_key(i)
                    extra[key] = text
                    self.extra_seen.setdefault(key, None)
        phone_digits = str(values["phone"])
        row = RegistrationRow(
            sheet_row=sheet_row,
            bib=int(str(values["bib"])) if values["bib"] is not None else None,
            name=name,
            phone=phone_digits,
            gender=gender.value,
            platform=values["platform"],  # type: ignore[arg-type]
            station=values["station"],  # type: ignore[arg-type]
            id_number=id_reading.value,
            note=values["note"],  # type: ignore[arg-type]
            extra=extra,
        )
        first = self.by_phone.get(phone_digits)
        if first is not None:
            self._merge(first, row)
            return
        if row.bib is not None:
            taken = self.by_bib.get(row.bib)
            if taken is not None:
                self.rejected.append(report_row(
                    sheet_row, self.label("bib"), cell_text(at(self.i_bib)),
                    f"参赛号 {row.bib} 与第 {taken} 行重复", f"bib {row.bib} is already used on row {taken}",
                ))
                return
            self.by_bib[row.bib] = sheet_row
        self.by_phone[phone_digits] = len(self.rows)
        self.rows.append(row)

    def _reject(self, sheet_row: int, problems: list[tuple[str, Note]], raw: dict[str, object]) -> None:
        field, note = problems[0]
        zh, en = note.zh, note.en
        for other, more in problems[1:]:
            zh += f"；{self.label(other)}：{more.zh}"
            en += f"; {self.label(other)}: {more.en}"
        self.rejected.append(report_row(sheet_row, self.label(field), cell_text(raw.get(field)), zh, en))

    def _doubt(self, sheet_row: int, field: str, reading: Reading, raw: object) -> None:
        if reading.doubt is not None:
            self.warnings.append(report_row(sheet_row, self.label(field), cell_text(raw),
                                            reading.doubt.zh, reading.doubt.en))

    def _merge(self, index: int, later: RegistrationRow) -> None:
        """Fold a later row with the same phone into the first; report conflicts."""
        first = self.rows[index]
        self.duplicates.append(DuplicateRow(later.sheet_row, first.sheet_row, later.phone, later.name))
        changes: dict[str, object] = {}
        conflicts: list[tuple[str, object, object]] = []
        if later.name != first.name:
            conflicts.append(("name", first.name, later.name))
        for field in _MERGE_FIELDS:
            mine, theirs = getattr(first, field), getattr(later, field)
            if theirs is None:
                continue
            if mine is None:
                changes[field] = theirs
            elif mine != theirs:
                conflicts.append((field, mine, theirs))
        if later.bib is not None:
            if first.bib is None:
                taken = self.by_bib.get(later.bib)
                if taken is None:
                    changes["bib"] = later.bib
                    self.by_bib[later.bib] = first.sheet_row
                else:
                    conflicts.append(("bib", f"第 {taken} 行已用", later.bib))
            elif first.bib != later.bib:
                conflicts.append(("bib", first.bib, later.bib))
        if any(k not in first.extra for k in later.extra):
            changes["extra"] = {**later.extra, **first.extra}
        if changes:
            self.rows[index] = dataclasses.replace(first, **changes)  # type: ignore[arg-type]
        for field, mine, theirs in conflicts:
            if field == "id_number":  # never the numbers themselves
                self.warnings.append(report_row(
                    later.sheet_row, self.label(field), "",
                    f"与第 {first.sheet_row} 行手机号相同，但身份证号不一致（保留第 {first.sheet_row} 行的）",
                    f"same phone as row {first.sheet_row} but the ID differs "
                    f"(row {first.sheet_row}'s was kept)",
                ))
                continue
            self.warnings.append(report_row(
                later.sheet_row, self.label(field), str(theirs),
                f"与第 {first.sheet_row} 行手机号相同，但{FIELD_LABELS_ZH[field]}不同"
                f"（保留第 {first.sheet_row} 行的“{mine}”）",
                f"same phone as row {first.sheet_row} but a different {FIELD_LABELS_EN[field]} "
                f"(row {first.sheet_row}'s '{mine}' was kept)",
            ))


def _nul_cell(cells: Cells) -> int | None:
    """The first cell holding a NUL byte."""
    return next((i for i, c in enumerate(cells) if isinstance(c, str) and "\x00" in c), None)


def _first_text(cells: Cells) -> str:
    """The text of the row's first non-blank cell (``""`` for none): ``cell_text`` of it."""
    for value in cells:
        if value is None:
            continue
        if isinstance(value, str):
            text = value.strip()
            if text:
                return text
            continue
        return cell_text(value)
    return ""


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
    state = _SheetRows(cmap, raw.first_column, raw.may_hold_nul)
    expected = max(raw.last_row - header_row, 0)
    done = 0

    def data_rows() -> Iterator[tuple[int, Cells]]:
        yield from top[at + 1:]
        yield from rest

    for sheet_row, cells in data_rows():
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
