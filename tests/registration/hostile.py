"""Hostile workbooks built byte by byte with zipfile (no binaries committed).

A minimal .xlsx is five XML parts; ``hostile_workbook`` writes one whose
sheet XML is whatever the test needs: a far-away cell, a lying
``<dimension>``, millions of rows, or a member that inflates enormously.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def inline_cell(ref: str, text: str) -> str:
    """One inline-string cell (no sharedStrings part needed)."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: Iterable[str], *, dimension: str | None = None) -> Iterable[str]:
    """The parts of a worksheet XML around already-written ``<row>`` elements."""
    yield _SHEET_HEAD
    if dimension is not None:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    yield from rows
    yield "</sheetData></worksheet>"


def hostile_workbook(path: Path, sheet: Iterable[str], *,
                     extra_members: dict[str, bytes] | None = None) -> Path:
    """Write a workbook whose only sheet's XML is the concatenation of ``sheet``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for part in sheet:
                member.write(part.encode("utf-8"))
        for name, data in (extra_members or {}).items():
            archive.writestr(name, data)
    return path


def far_cell_workbook(path: Path) -> Path:
    """The issue's 4.7 KB sheet: its only cell is at XFD1048576 (and says so)."""
    cell = inline_cell("XFD1048576", "x")
    return hostile_workbook(path, sheet_xml([f'<row r="1048576">{cell}</row>'],
                                            dimension="XFD1048576"))


def header_rows(n: int, *, start: int = 2) -> Iterable[str]:
    """A header row then ``n`` rider rows with bad phones (each one a rejection)."""
    yield f'<row r="1">{inline_cell("A1", "姓名")}{inline_cell("B1", "手机号")}</row>'
    for i in range(n):
        r = start + i
        yield f'<row r="{r}">{inline_cell(f"A{r}", "张三")}{inline_cell(f"B{r}", "123")}</row>'
