"""How big a registration file may be, checked before any parser sees it.

A workbook is a zip of XML. python-calamine allocates one cell for every
position between the first and the last cell of a sheet (a cell at
XFD1048576 beside one at A1 asks for 549 GB and aborts the process), and
both engines keep every inflated member in memory. So before a workbook is
opened, every XML member is inflated here as a stream (never held whole),
its real size counted, and each worksheet's declared ``<dimension ref>``
and real extent (the last row and column that hold a cell) compared with
the limits below. A CSV's size and line count are checked before it is
decoded. What is too big is refused with the file, the sheet, what was
found and the limit; nothing is read past the first figure over a limit.

The limits fit any real registration sheet with a wide margin: the
EVENT-DAY sheet has 500 rows; the bench reads 50,000.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from competition.registration.errors import RegistrationError


@dataclass(frozen=True, slots=True)
class Limits:
    """The largest registration file Trackside reads (tests pass smaller ones)."""

    max_rows: int = 60_000
    """Rows of a sheet (the last row number holding a cell) or lines of a CSV."""
    max_columns: int = 1_024
    """Columns of a sheet (LibreOffice formats whole rows out to column AMJ = 1,024)."""
    max_cells: int = 4_000_000
    """Rows x columns from A1 to the last cell: what the workbook engine allocates."""
    max_member_bytes: int = 256 * 1024 * 1024
    """Inflated size of any one part of a workbook (a sheet, the shared strings)."""
    max_total_bytes: int = 512 * 1024 * 1024
    """Inflated size of all parts of a workbook together."""
    max_csv_bytes: int = 128 * 1024 * 1024
    """Size of a CSV file."""
    max_messages: int = 100
    """Rejections (and warnings, merged duplicates) listed one by one in a report."""


LIMITS = Limits()
"""The limits `entrants import` uses."""

_CHUNK = 1024 * 1024
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)")
_ROW_NUMBER = re.compile(rb'\br\s*=\s*["\'](\d{1,9})["\']')
_CELL_REF = re.compile(rb'\br\s*=\s*["\']\$?([A-Za-z]{1,4})\$?(\d{1,9})["\']')
_DIMENSION = re.compile(rb'\bref\s*=\s*["\']([^"\']*)["\']')
_RANGE_END = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})$")
_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,4})(\d{1,9})"')
_CELL_WITHOUT_REF = re.compile(rb'<c(?: (?!r="[A-Z]{1,4}\d{1,9}")|[>/\t\r\n])')
_DIMENSION_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension(?=[\s/>])([^>]*)")
_MAX_TAG = 64 * 1024
_TAIL_BYTES = 16 * 1024
"""How much of a chunk's end ``_SheetScan._usual`` reads the candidates from (dozens of rows)."""
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_TEXT_PARTS = (".xml", ".rels", ".vml")


def _number(value: int) -> str:
    return f"{value:,}"


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def column_number(letters: str) -> int:
    """"A" -> 1, "Z" -> 26, "AA" -> 27, "XFD" -> 16384."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


@dataclass(slots=True)
class Extent:
    """How far a sheet reaches: the last row and column (1-based) that hold a cell."""

    rows: int = 0
    columns: int = 0

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def _too_big_sheet(path: Path, sheet: str, extent: Extent, what_zh: str, what_en: str,
                   limits: Limits) -> RegistrationError:
    return RegistrationError(
        str(path),
        f"工作表“{sheet}”{what_zh}共 {_number(extent.rows)} 行 × {_number(extent.columns)} 列，"
        f"超出报名表的上限（最多 {_number(limits.max_rows)} 行、{_number(limits.max_columns)} 列、"
        f"{_number(limits.max_cells)} 个单元格），未导入任何内容；请在 Excel 中删除表格下方和右侧多余的"
        "行和列（或把报名表拆成几个文件）后再导入",
        f"sheet '{sheet}' {what_en} {_number(extent.rows)} rows x {_number(extent.columns)} columns, "
        f"over the limit for a registration sheet ({_number(limits.max_rows)} rows, "
        f"{_number(limits.max_columns)} columns, {_number(limits.max_cells)} cells); nothing was "
        "imported: delete the unused rows and columns below and right of the table in Excel "
        "(or split the sheet into several files) and import again",
    )


def _over(extent: Extent, limits: Limits) -> bool:
    return (extent.rows > limits.max_rows or extent.columns > limits.max_columns
            or extent.cells > limits.max_cells)


def _declared(ref: bytes) -> Extent | None:
    """The extent a ``<dimension ref="A1:H500">`` declares, or None when unreadable."""
    end = ref.decode("ascii", "replace").split(":")[-1].strip()
    match = _RANGE_END.match(end)
    if match is None:
        return None
    return Extent(int(match.group(2)), column_number(match.group(1)))


class _SheetScan:
    """The real extent of one worksheet, fed its XML in chunks."""

    def __init__(self, path: Path, sheet: str, limits: Limits) -> None:
        self.path = path
        self.sheet = sheet
        self.limits = limits
        self.extent = Extent()
        self.row = 0
        self.column = 0
        self.pending = b""

    def feed(self, chunk: bytes, *, last: bool = False) -> None:
        data = self.pending + chunk
        cut = len(data)
        if not last:  # keep an unfinished tag for the next chunk
            opening = data.rfind(b"<")
            if opening >= 0 and data.find(b">", opening) < 0:
                cut = opening
        self.pending = data[cut:]
        if len(self.pending) > _MAX_TAG:
            raise RegistrationError(
                str(self.path), f"工作表“{self.sheet}”的内容已损坏（一个标记长于 64 KB）",
                f"sheet '{self.sheet}' is damaged (one XML tag is longer than 64 KB)")
        if not self._fast(data, cut):
            self._slow(data, cut)
        if _over(self.extent, self.limits):
            raise _too_big_sheet(self.path, self.sheet, self.extent, "的单元格范围", "has cells over",
                                 self.limits)

    def _fast(self, data: bytes, cut: int) -> bool:
        """The extent from cell references alone, when every cell has one (what
        Excel, LibreOffice and openpyxl write); False to take the slow path."""
        return self._usual(data, cut) or self._fast_all_cells(data, cut)

    def _usual(self, data: bytes, cut: int) -> bool:
        """``_fast_all_cells`` for a chunk whose last cells reach furthest (a sheet written row by row).

        The candidates are the extent so far and the furthest of the chunk's
        last cells; one search then makes sure no cell reaches past them and
        every cell has a reference (``_CELL_WITHOUT_REF``), without a Python
        object per cell. Any other chunk: False, nothing done, and
        ``_fast_all_cells`` reads it as before.
        """
        if data.find(b":c", 0, cut) >= 0:
            return False
        last = data.rfind(b'<c r="', 0, cut)
        if last < 0:
            return False
        tail = _FAST_CELL.findall(data, max(0, last - _TAIL_BYTES), cut)
        if not tail:
            return False
        letters = max({t[0] for t in tail}, key=lambda t: (len(t), t))
        columns = max(self.extent.columns, column_number(letters.decode("ascii")))
        rows = max(self.extent.rows, max(int(t[1]) for t in tail))
        if _beyond(columns, rows).search(data, 0, cut) is not None:
            return False
        if data.find(b"dimension", 0, cut) >= 0:
            dimension = _DIMENSION_TAG.search(data, 0, cut)
            if dimension is not None:
                self._dimension(dimension.group(1))
        self.extent.columns, self.extent.rows = columns, rows
        self.column = column_number(tail[-1][0].decode("ascii"))
        self.row = int(tail[-1][1])
        return True

    def _fast_all_cells(self, data: bytes, cut: int) -> bool:
        """``_fast`` with every cell's reference read."""
        body = data[:cut]
        # a cell without r= first, or a namespace prefix (x:c): let the slow path see them
        if _CELL_WITHOUT_REF.search(body) is not None or b":c" in body:
            return False
        cells = _FAST_CELL.findall(body)
        # (the substring test first: the tag's pattern is slow to fail on megabytes of cells)
        dimension = _DIMENSION_TAG.search(body) if b"dimension" in body else None
        if dimension is not None:
            self._dimension(dimension.group(1))
        if cells:
            letters = max(set(map(itemgetter(0), cells)), key=lambda t: (len(t), t))
            rows = max(map(int, set(map(itemgetter(1), cells))))
            self.extent.columns = max(self.extent.columns, column_number(letters.decode("ascii")))
            self.extent.rows = max(self.extent.rows, rows)
            self.column = column_number(cells[-1][0].decode("ascii"))
            self.row = int(cells[-1][1])
        return True

    def _dimension(self, attributes: bytes) -> None:
        ref = _DIMENSION.search(attributes)
        declared = _declared(ref.group(1)) if ref is not None else None
        if declared is not None and _over(declared, self.limits):
            raise _too_big_sheet(self.path, self.sheet, declared, "声明的范围", "declares", self.limits)

    def _slow(self, data: bytes, cut: int) -> None:
        extent = self.extent
        for match in _TAG.finditer(data, 0, cut):
            tag, attributes = match.group(1), match.group(2)
            if tag == b"c":
                ref = _CELL_REF.search(attributes)
                if ref is not None:
                    self.column = column_number(ref.group(1).decode("ascii"))
                    self.row = int(ref.group(2))
                else:  # cells may leave out r=: the next column of the row
                    self.column += 1
                if self.column > extent.columns:
                    extent.columns = self.column
                if self.row > extent.rows:
                    extent.rows = self.row
            elif tag == b"row":
                number = _ROW_NUMBER.search(attributes)
                self.row = int(number.group(1)) if number is not None else self.row + 1
                self.column = 0
            else:
                self._dimension(attributes)


def _letters(number: int) -> str:
    """1 -> "A", 26 -> "Z", 27 -> "AA" (``column_number`` the other way)."""
    text = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def _greater(text: str, digit: str, top: str, more: str) -> list[str]:
    """Patterns for the runs of ``digit`` characters, as long as ``text`` or up to ``more`` longer, greater than it."""
    found = [f"{digit}{{{len(text) + 1},{more}}}"] if more else []
    for i, ch in enumerate(text):
        if ch < top:
            rest = len(text) - i - 1
            found.append(re.escape(text[:i]) + f"[{chr(ord(ch) + 1)}-{top}]" + (f"{digit}{{{rest}}}" if rest else ""))
    return found


@lru_cache(maxsize=64)
def _beyond(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell tag without a reference (as ``_CELL_WITHOUT_REF``), or with one past ``columns`` or ``rows``.

    Letters compare by length, then alphabetically; a row number's leading
    zeros are not digits of its value. References are at most 4 letters and
    9 digits (a longer one is a cell without a reference here).
    """
    letters = _greater(_letters(columns), "[A-Z]", "Z", "4" if len(_letters(columns)) < 4 else "")
    digits = str(rows)
    numbers = [f"[1-9][0-9]{{{len(digits)},8}}"] if len(digits) < 9 else []
    numbers += _greater(digits, "[0-9]", "9", "")
    past = [f"(?:{'|'.join(letters)})[0-9]{{1,9}}\"" if letters else None,
            f"[A-Z]{{1,4}}0*(?:{'|'.join(numbers)})\"" if numbers else None]
    refs = "|".join(f" r=\"{p}" for p in past if p is not None)
    pattern = '<c(?:[>/\t\r\n]| (?!r="[A-Z]{1,4}[0-9]{1,9}")' + (f"|{refs}" if refs else "") + ")"
    return re.compile(pattern.encode("ascii"))


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet member name -> the sheet's name as Excel shows it (best effort)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return {}
    targets: dict[str, str] = {}
    for rel in rels:
        target = rel.get("Target") or ""
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id") or ""] = member
    names: dict[str, str] = {}
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
        if rid in targets and element.get("name"):
            names[targets[rid]] = element.get("name") or ""
    return names


def check_workbook(path: Path, *, sheet: str | None = None, limits: Limits = LIMITS) -> None:
    """Refuse a workbook too big to open, before any engine opens it.

    Every XML part is inflated as a stream and counted (a zip bomb stops at
    the limit, whatever its headers say); every worksheet (or only ``sheet``)
    is scanned for its declared and real extent.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = _sheet_names(archive)
            declared_total = sum(info.file_size for info in infos)
            if declared_total > limits.max_total_bytes:
                raise _too_big_file(path, declared_total, limits.max_total_bytes)
            inflated = 0
            for info in infos:
                if info.file_size > limits.max_member_bytes:
                    raise _too_big_member(path, info.filename, names, info.file_size, limits)
                if info.is_dir() or not info.filename.lower().endswith(_TEXT_PARTS):
                    continue
                shown = names.get(info.filename, info.filename)
                scan = None
                is_sheet = info.filename in names or _WORKSHEET.match(info.filename) is not None
                if is_sheet and (sheet is None or names.get(info.filename) in (None, sheet)):
                    scan = _SheetScan(path, shown, limits)
                size = 0
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        size += len(chunk)
                        inflated += len(chunk)
                        if size > limits.max_member_bytes:
                            raise _too_big_member(path, info.filename, names, size, limits)
                        if inflated > limits.max_total_bytes:
                            raise _too_big_file(path, inflated, limits.max_total_bytes)
                        if scan is not None:
                            scan.feed(chunk)
                if scan is not None:
                    scan.feed(b"", last=True)
    except RegistrationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError) as exc:
        raise RegistrationError(str(path), f"工作簿已损坏，无法打开（{type(exc).__name__}）",
                                f"the workbook is damaged ({exc})") from exc


def _too_big_file(path: Path, size: int, limit: int) -> RegistrationError:
    return RegistrationError(
        str(path),
        f"工作簿解压后超过 {_mib(limit)}（至少 {_mib(size)}），远大于任何报名表，未导入任何内容；"
        "请在 Excel 中打开，只保留报名表后另存为 .xlsx 再导入",
        f"the workbook inflates to more than {_mib(limit)} (at least {_mib(size)}), far more "
        "than any registration sheet; nothing was imported: open it in Excel, keep only the "
        "registration sheet, save as .xlsx and import that",
    )


def _too_big_member(path: Path, member: str, names: dict[str, str], size: int,
                    limits: Limits) -> RegistrationError:
    where_zh = f"工作表“{names[member]}”" if member in names else f"其中的“{member}”"
    where_en = f"sheet '{names[member]}'" if member in names else f"its part {member}"
    return RegistrationError(
        str(path),
        f"工作簿{where_zh}解压后超过 {_mib(limits.max_member_bytes)}（至少 {_mib(size)}），"
        "远大于任何报名表，未导入任何内容；请在 Excel 中删除多余内容后另存为 .xlsx 再导入",
        f"in the workbook, {where_en} inflates to more than {_mib(limits.max_member_bytes)} "
        f"(at least {_mib(size)}), far more than any registration sheet; nothing was imported: "
        "delete what is not needed in Excel, save as .xlsx and import that",
    )


def check_csv_size(path: Path, size: int, limits: Limits = LIMITS) -> None:
    """Refuse a CSV larger than any registration sheet, before reading it."""
    if size > limits.max_csv_bytes:
        raise RegistrationError(
            str(path),
            f"文件有 {_mib(size)}，超过报名表的上限 {_mib(limits.max_csv_bytes)}，未导入任何内容；"
            "请确认选对了文件，或把报名表拆成几个文件",
            f"the file is {_mib(size)}, over the limit of {_mib(limits.max_csv_bytes)} for a "
            "registration sheet; nothing was imported: check it is the right file, or split it",
        )


def check_csv_lines(path: Path, data: bytes, limits: Limits = LIMITS, *,
                    newline: bytes = b"\n") -> None:
    """Refuse a CSV with more lines than a registration sheet may have."""
    lines = data.count(newline) + (0 if data.endswith(newline) else 1)
    if lines > limits.max_rows:
        raise too_many_rows(path, None, lines, limits)


def too_many_rows(path: Path, sheet: str | None, rows: int, limits: Limits) -> RegistrationError:
    """The refusal of a sheet or CSV with more rows than ``limits.max_rows``."""
    where_zh = f"工作表“{sheet}”" if sheet else "文件"
    where_en = f"sheet '{sheet}'" if sheet else "the file"
    return RegistrationError(
        str(path),
        f"{where_zh}至少有 {_number(rows)} 行，超过报名表的上限 {_number(limits.max_rows)} 行，"
        "未导入任何内容；请删除多余的行，或把报名表拆成几个文件分别导入",
        f"{where_en} has at least {_number(rows)} rows, over the limit of "
        f"{_number(limits.max_rows)} rows for a registration sheet; nothing was imported: "
        "delete the extra rows, or split the sheet into several files and import each",
    )
