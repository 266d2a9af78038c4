"""Opening a registration file, whatever its extension says, into rows of cells.

The kind is told by content: a zip holding ``xl/workbook.xml`` is an xlsx;
an OLE2 compound file is an encrypted xlsx or an old ``.xls`` (both refused
with the fix); anything else must decode as text and is read as CSV with its
encoding and delimiter detected.

Workbooks are read with python-calamine when it is installed (about ten
times faster than openpyxl on 50,000 rows, see bench/bench_import.py),
otherwise with openpyxl in read-only mode.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, count
from pathlib import Path
from typing import Any

from competition.registration.bounds import LIMITS, Limits, check_csv_lines, check_csv_size
from competition.registration.cells import is_blank
from competition.registration.encodings import decode_with, detect_and_decode
from competition.registration.errors import RegistrationError
from competition.registration.headers import HEADER_SEARCH_ROWS, find_header

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_DELIMITERS = (",", "\t", ";")

Cells = Sequence[object]


@dataclass
class RawSheet:
    """One sheet's rows as (sheet row number, cells), plus how it was read.

    ``first_column`` is the sheet column (0-based) of cell 0 for workbooks,
    ``None`` for CSV. ``last_row`` is the last row (or line) number as far
    as known up front, for progress reporting.
    """

    name: str | None
    kind: str
    rows: Iterator[tuple[int, Cells]]
    last_row: int
    first_column: int | None
    encoding: str | None = None
    delimiter: str | None = None
    may_hold_nul: bool = True
    """False when no cell can hold a NUL byte (a CSV whose text has none)."""


def _fail(path: Path, zh: str, en: str) -> RegistrationError:
    return RegistrationError(str(path), zh, en)


def file_kind(path: Path) -> str:
    """``"xlsx"`` or ``"csv"`` from the file's first bytes, or a RegistrationError."""
    if not path.exists():
        raise _fail(path, "找不到这个文件", "the file does not exist")
    if path.is_dir():
        raise _fail(path, "这是一个文件夹，不是报名表文件", "this is a folder, not a registration file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise _fail(path, "文件是空的", "the file is empty")
    if head.startswith(OLE2_MAGIC):
        raise _fail(
            path,
            "是加密的或旧版 .xls 工作簿，请在 Excel 中另存为 .xlsx（并去掉密码）后再导入",
            "an encrypted or old-style .xls workbook: save it as .xlsx in Excel "
            "(without a password) and import that",
        )
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise _fail(path, "工作簿已损坏，无法打开", f"the workbook is damaged ({exc})") from exc
        if "xl/workbook.xml" not in names:
            raise _fail(path, "不是 Excel 工作簿（.xlsx）；请在 Excel 中另存为 .xlsx 或 .csv",
                        "not an Excel workbook (.xlsx); save it as .xlsx or .csv")
        return "xlsx"
    return "csv"


# ---------------------------------------------------------------- workbooks

class _Workbook:
    """A workbook's sheet names and rows, through calamine or openpyxl."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            import python_calamine
        except ImportError:  # pragma: no cover - the openpyxl path is tested with engine=
            self._calamine: Any = None
        else:
            self._calamine = python_calamine
        self.engine = "calamine" if self._calamine is not None else "openpyxl"
        self._book: Any = None

    def open(self, engine: str | None = None) -> list[str]:
        """Open the workbook and return its visible sheet names (then hidden ones)."""
        if engine not in (None, "calamine", "openpyxl"):
            raise ValueError(f"unknown workbook engine {engine!r}")
        if engine is not None:
            # without python-calamine installed, openpyxl reads every workbook
            self.engine = engine if self._calamine is not None else "openpyxl"
        try:
            if self.engine == "calamine":
                book = self._calamine.CalamineWorkbook.from_path(str(self.path))
                self._book = book
                visible = [m.name for m in book.sheets_metadata
                           if m.visible == self._calamine.SheetVisibleEnum.Visible]
                return visible + [n for n in book.sheet_names if n not in visible]
            import openpyxl

            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            self._book = wb
            visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
            return visible + [n for n in wb.sheetnames if n not in visible]
        except RegistrationError:
            raise
        except Exception as exc:  # any parser failure means the same thing to the clerk
            raise _fail(self.path, f"工作簿无法读取（{type(exc).__name__}），请在 Excel 中打开后另存为 .xlsx",
                        f"the workbook cannot be read ({exc}); open it in Excel and save as .xlsx") from exc

    def sheet(self, name: str) -> RawSheet:
        """The rows of one sheet, numbered as Excel shows them."""
        try:
            if self.engine == "calamine":
                return self._calamine_sheet(name)
            return self._openpyxl_sheet(name)
        except Exception as exc:
            raise _fail(self.path, f"工作表“{name}”无法读取（{type(exc).__name__}）",
                        f"sheet '{name}' cannot be read ({exc})") from exc

    def _calamine_sheet(self, name: str) -> RawSheet:
        sheet = self._book.get_sheet_by_name(name)
        first_row, first_col = sheet.start if sheet.start is not None else (0, 0)
        rows = iter(sheet.iter_rows())
        head = next(rows, None)
        if head is None:
            return RawSheet(name=name, kind="xlsx", rows=iter(()), last_row=0, first_column=0)
        # python-calamine pads rows above the used range with empty ones (from
        # row 1) but starts columns at the used range; make either layout
        # number rows and columns as Excel does. The used range's first row
        # is never blank, so a blank first row means padding.
        row_base = 1 if first_row == 0 or is_blank(head) else first_row + 1
        col_base = 0 if first_col and len(head) == first_col + sheet.width else first_col

        numbered = chain([(row_base, head)], zip(count(row_base + 1), rows))
        return RawSheet(name=name, kind="xlsx", rows=numbered, last_row=first_row + sheet.height,
                        first_column=col_base)

    def _openpyxl_sheet(self, name: str) -> RawSheet:
        ws = self._book[name]
        # Dimensions written by some tools are missing or wrong; the rows are
        # materialized once so the total is exact (fine for 50,000 rows).
        ws.reset_dimensions()
        table = list(ws.iter_rows(values_only=True))

        def rows() -> Iterator[tuple[int, Cells]]:
            for offset, cells in enumerate(table):
                yield offset + 1, cells

        return RawSheet(name=name, kind="xlsx", rows=rows(), last_row=len(table),
                        first_column=0)

    def close(self) -> None:
        """Release the file handle."""
        closer = getattr(self._book, "close", None)
        if closer is not None:
            closer()


# ---------------------------------------------------------------- CSV text

def decode_text(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in.

    ``encoding`` is the organizer's ``--encoding`` and is used as given.
    Otherwise a BOM (UTF-8, UTF-16 as Excel's "Unicode text" writes),
    strict UTF-8 or, when it clearly is, GBK (read as GB18030, its
    superset); any other file is refused with the likely encodings (see
    ``encodings``). Binary content raises.
    """
    if encoding is not None:
        text, name = decode_with(path, data, encoding)
    else:
        text, name = detect_and_decode(path, data)
    # escape codes (ESC) are hostile text, stripped from each cell later; other
    # control characters in bulk mean the file is not text at all
    controls = sum(1 for ch in text[:20000] if ch < " " and ch not in "\t\r\n\x1b")
    if controls > max(3, len(text[:20000]) // 200):
        raise _fail(path, "不是表格文件（含有大量控制字符）；请导入 .xlsx 或 .csv",
                    "not a spreadsheet (full of control characters); import an .xlsx or .csv file")
    return text, name


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, Cells]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    for record in reader:
        yield line + 1, record
        line = reader.line_num


def sniff_delimiter(text: str) -> str:
    """The delimiter under which the top of the file shows the best header row.

    Comma, tab and semicolon are tried; the Chinese comma "，" is text.
    Without any header the delimiter splitting the lines most evenly wins.
    """
    end = 0
    for _ in range(HEADER_SEARCH_ROWS * 2):
        found_at = text.find("\n", end)
        if found_at < 0:
            end = len(text)
            break
        end = found_at + 1
    head = text[:end]
    best = CSV_DELIMITERS[0]
    best_key: tuple[int, int] = (-1, -1)
    for delimiter in CSV_DELIMITERS:
        try:
            records = [cells for _, cells in _csv_rows(head, delimiter) if not is_blank(cells)]
        except csv.Error:
            continue
        found = find_header(records)
        widths = [len(r) for r in records]
        common = max(widths.count(w) for w in set(widths)) if widths and max(widths) > 1 else 0
        key = (found[1] if found else 0, common)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def open_csv(path: Path, encoding: str | None = None, limits: Limits = LIMITS) -> RawSheet:
    """A CSV file's rows, numbered by the line each record starts on.

    Its size and line count are checked against ``limits`` before decoding.
    """
    check_csv_size(path, path.stat().st_size, limits)
    data = path.read_bytes()
    check_csv_size(path, len(data), limits)
    check_csv_lines(path, data, limits, newline=b"\n\x00" if data.startswith(codecs.BOM_UTF16_LE)
                    else b"\x00\n" if data.startswith(codecs.BOM_UTF16_BE) else b"\n")
    text, encoding = decode_text(path, data, encoding)
    if not text.strip():
        raise _fail(path, "文件是空的", "the file is empty")
    delimiter = sniff_delimiter(text)
    return RawSheet(name=None, kind="csv", rows=_csv_rows(text, delimiter),
                    last_row=text.count("\n") + 1, first_column=None,
                    encoding=encoding, delimiter=delimiter, may_hold_nul="\x00" in text)


def open_workbook(path: Path, engine: str | None = None) -> tuple[_Workbook, list[str]]:
    """An opened workbook and its sheet names (visible first)."""
    book = _Workbook(path)
    return book, book.open(engine)
