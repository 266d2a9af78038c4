"""One sheet's data rows into riders, rejections, duplicates and warnings (``SheetRows``).

``reader`` finds the sheet and its header; each data row then comes here:
damaged cells, blank and footer lines, normalization (``values``), the rule
(``rider_check``), merging a repeated phone into its first row, bib clashes.
Most rows of a real sheet have one shape (a Chinese name, a mobile, a valid
ID, no bib): ``SheetRows.take`` keeps those through ``_take_plain``, which
skips what cannot change them, and every other row through the general path.
"""

from __future__ import annotations

import dataclasses
import re

from competition.clean_text import strip_controls
from competition.privacy import scrub_personal_numbers
from competition.registration.cells import cell_text
from competition.registration.headers import (
    FIELD_LABELS_EN,
    FIELD_LABELS_ZH,
    ColumnMap,
    column_letter,
)
from competition.registration.id_numbers import id_gender, plain_id_gender
from competition.registration.platforms import platform_of_cell
from competition.registration.rider_check import MAX_NAME, rider_problems
from competition.registration.rows import DuplicateRow, RegistrationRow, RejectedRow
from competition.registration.sources import Cells
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

_FOOTER = re.compile(r"^(合\s*计|总\s*计|小\s*计|共\s*计|制表|审核|填表人|负责人|注[:：]|说明[:：]|备注[:：])")
_FOOTER_STARTS = frozenset("合总小共制审填负注说备")
"""The first characters of ``_FOOTER``'s words (a text starting otherwise is no footer)."""
_MERGE_FIELDS = ("gender", "platform", "station", "id_number", "note")
_PLAIN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_FLOATS = (13_000_000_000.0, 19_999_999_999.0)
"""Whole-number cells in this range are mobiles' digits exactly (``float_digits`` gives ``str(int(value))``)."""
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9Xx]")


def report_row(sheet_row: int, column: str | None, value: str, zh: str, en: str) -> RejectedRow:
    """A rejection or warning safe to print: no ID number, no whole mobile, no control codes.

    The value and both reasons pass through ``scrub_personal_numbers`` (an ID
    becomes 〔身份证号已隐去〕, a mobile 138****5678): a report is printed,
    pasted into chats and kept in --json files.
    """
    def safe(text: str) -> str:
        return scrub_personal_numbers(strip_controls(text))

    return RejectedRow(sheet_row, column, safe(value), safe(zh), safe(en))


class SheetRows:
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
        nul = _nul_cell(cells) if self.may_hold_nul else None
        if nul is None and self._take_plain(sheet_row, cells):
            return
        n = len(cells)

        def at(i: int | None) -> object:
            return cells[i] if i is not None and i < n else None

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
        self._keep(sheet_row, cells, born, RegistrationRow(
            sheet_row=sheet_row,
            bib=int(str(values["bib"])) if values["bib"] is not None else None,
            name=name,
            phone=str(values["phone"]),
            gender=gender.value,
            platform=values["platform"],  # type: ignore[arg-type]
            station=values["station"],  # type: ignore[arg-type]
            id_number=id_reading.value,
            note=values["note"],  # type: ignore[arg-type]
        ))

    def _take_plain(self, sheet_row: int, cells: Cells) -> bool:
        """Take a row of the usual shape at once; False (nothing done) for any other row.

        The usual shape: a name of Chinese characters only (after the name's
        cleaning, for a padded one), a mobile (11 digits as text or a whole
        number cell; or text the phone's cleaning makes a mobile of without
        a doubt, such as "138-1234-5678" or "+86 13812345678"), an ID number
        with a right check digit (or none), no bib. For such a row the
        normalizers give what is kept here (see their fast paths in
        ``values``), the rule (``rider_check``) has nothing to refuse, and no
        doubt is possible but the gender's: the row is kept exactly as ``take``'s
        general path keeps it (``tests/registration/test_plain_rows.py``
        holds the two to the same readings), without building the
        normalizers' readings and the rule's values.
        """
        n = len(cells)
        born: str | None = None
        i_name, i_phone, i_id, i_bib = self.i_name, self.i_phone, self.i_id, self.i_bib
        name = cells[i_name] if i_name < n else None
        if name.__class__ is not str:
            return False
        if not _PLAIN_NAME.fullmatch(name):  # padded ("张　三", " 王五 "): what the cleaning leaves must be plain
            name = normalize_name(name)
            if not _PLAIN_NAME.fullmatch(name):
                return False
        if len(name) > MAX_NAME:
            return False
        phone = cells[i_phone] if i_phone < n else None
        kind = phone.__class__
        if kind is float:
            if not (_MOBILE_FLOATS[0] <= phone <= _MOBILE_FLOATS[1] and phone.is_integer()):  # type: ignore[operator, attr-defined]
                return False
            phone = str(int(phone))  # type: ignore[call-overload]
        elif kind is int:
            phone = str(phone)
        elif kind is not str:
            return False
        if not _MOBILE.fullmatch(phone):  # type: ignore[call-overload]
            if kind is not str:
                return False
            # written with dashes, spaces or +86: a mobile when the cleaning finds one without a doubt
            reading = normalize_phone(phone)
            phone = reading.value
            if reading.problem is not None or reading.doubt is not None or phone is None \
                    or not _MOBILE.fullmatch(phone):
                return False
        id_number = cells[i_id] if i_id is not None and i_id < n else None
        if id_number is not None:
            if id_number.__class__ is not str:
                return False
            if id_number:
                if not _PLAIN_ID.fullmatch(id_number):
                    return False
                id_number = id_number.upper()
                born = plain_id_gender(id_number)  # None: the check character is wrong
                if born is None:
                    return False
            else:
                id_number = None
        bib = cells[i_bib] if i_bib is not None and i_bib < n else None
        if bib is not None and bib != "":
            return False
        if _is_footer(cells):
            self.skipped.append(sheet_row)
            return True
        self.total += 1
        i = self.i_gender
        raw_gender = cells[i] if i is not None and i < n else None
        gender = normalize_gender(raw_gender)
        if gender.doubt is not None:
            self._doubt(sheet_row, "gender", gender, raw_gender)
        i = self.i_platform
        platform = platform_of_cell(cells[i] if i is not None and i < n else None)
        i = self.i_station
        station = normalize_free_text(cells[i] if i is not None and i < n else None)
        i = self.i_note
        note = normalize_free_text(cells[i] if i is not None and i < n else None)
        self._keep(sheet_row, cells, born, RegistrationRow(
            sheet_row=sheet_row, bib=None, name=name, phone=phone, gender=gender.value,  # type: ignore[arg-type]
            platform=platform, station=station, id_number=id_number, note=note,
        ))
        return True

    def _keep(self, sheet_row: int, cells: Cells, born: str | None, row: RegistrationRow) -> None:
        """A row the rule accepts: the gender and ID check, its extra columns, then kept or merged."""
        if born and row.gender and born != row.gender:
            self.warnings.append(report_row(
                sheet_row, self.label("gender"), str(row.gender),
                f"性别“{row.gender}”与身份证号不符（身份证号显示为“{born}”）",
                f"gender {row.gender} does not match the ID number, which says {born}",
            ))
        n = len(cells)
        extra = row.extra
        for i, key in self.cmap.extras:
            text = normalize_extra(cells[i] if i < n else None)
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
        first = self.by_phone.get(row.phone)
        if first is not None:
            self._merge(first, row)
            return
        if row.bib is not None:
            taken = self.by_bib.get(row.bib)
            if taken is not None:
                i_bib = self.i_bib
                self.rejected.append(report_row(
                    sheet_row, self.label("bib"), cell_text(cells[i_bib] if i_bib is not None and i_bib < n else None),
                    f"参赛号 {row.bib} 与第 {taken} 行重复", f"bib {row.bib} is already used on row {taken}",
                ))
                return
            self.by_bib[row.bib] = sheet_row
        self.by_phone[row.phone] = len(self.rows)
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
    for value in cells:  # most rows hold none: find out without enumerating
        if isinstance(value, str) and "\x00" in value:
            break
    else:
        return None
    return next(i for i, c in enumerate(cells) if isinstance(c, str) and "\x00" in c)


def _is_footer(cells: Cells) -> bool:
    """Whether the row starts like a 合计 / 制表人 line (``_FOOTER`` on ``_first_text``)."""
    for value in cells:
        if value is None:
            continue
        kind = value.__class__
        if kind is str:
            text = value.strip()  # type: ignore[attr-defined]
            if not text:
                continue
            return text[0] in _FOOTER_STARTS and _FOOTER.match(text) is not None
        if kind is int or kind is float:  # a number's text is digits, never a footer word
            return False
        break
    return _FOOTER.match(_first_text(cells)) is not None


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
