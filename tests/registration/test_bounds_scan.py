"""The worksheet scan's quick way (``_SheetScan._usual``) finds what reading every cell's reference finds.

The same sheet XML, cut into the same chunks, is scanned with the quick way
and without it: the extent after each chunk, the last cell seen and the
refusal (its message) must be the same. The sheets mix what the quick way
leaves to the general one: cells without references, lower-case and ``$``
references, namespace prefixes, leading zeros, far cells early or late,
``<dimension>`` tags, 10-digit rows and cell-like text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from competition.registration import bounds
from competition.registration.bounds import Limits, _beyond, _letters, column_number
from competition.registration.errors import RegistrationError

LETTERS = ["A", "B", "H", "I", "Z", "AA", "AZ", "BA", "AMJ", "AMK", "XFD", "ZZZZ", "a", "$C"]
LIMITS = [Limits(max_rows=300, max_columns=20, max_cells=3000), Limits()]


@st.composite
def _cell(draw: Any, row: int) -> str:
    kind = draw(st.sampled_from(["ref"] * 8 + ["noref", "single", "spaced", "late", "zeros", "long", "text"]))
    letters = draw(st.sampled_from(LETTERS))
    number = draw(st.sampled_from([row, row, row, row + 1, max(row - 1, 0), 9, 60_001, 1_048_576, 0]))
    if kind == "noref":
        return draw(st.sampled_from(["<c/>", "<c t=\"s\"><v>1</v></c>", "<c>", "<c\tt=\"n\"/>"]))
    if kind == "single":
        return f"<c r='{letters}{number}'/>"
    if kind == "spaced":
        return f'<c  r="{letters}{number}"/>'
    if kind == "late":
        return f'<c s="1" r="{letters}{number}"/>'
    if kind == "zeros":
        return f'<c r="{letters}{number:07d}"/>'
    if kind == "long":
        return f'<c r="{letters}{number:010d}"/>'
    if kind == "text":
        return f'<c r="A{row}" t="inlineStr"><is><t>&lt;c r="XFD{number}"/&gt;</t></is></c>'
    return f'<c r="{letters}{number}" t="n"><v>{number}</v></c>'


@st.composite
def _sheet(draw: Any) -> bytes:
    parts = ['<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if draw(st.booleans()):
        parts.append(f'<dimension ref="A1:{draw(st.sampled_from(["H500", "AMK2", "B70000", "XFD1048576", "x"]))}"/>')
    parts.append("<sheetData>")
    prefix = "x:" if draw(st.integers(0, 9)) == 0 else ""
    row = 0
    for _ in range(draw(st.integers(0, 40))):
        row += draw(st.sampled_from([1, 1, 1, 2, 500]))
        cells = draw(st.lists(_cell(row), max_size=6))
        if prefix:
            cells = [c.replace("<c", f"<{prefix}c", 1) for c in cells]
        parts.append(f'<{prefix}row r="{row}">' + "".join(cells) + f"</{prefix}row>")
        if draw(st.integers(0, 19)) == 0:
            parts.append('<dimension ref="A1:ZZ99"/>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def _scan(xml: bytes, cuts: list[int], limits: Limits, *, usual: bool) -> list[Any]:
    scan = bounds._SheetScan(Path("s.xlsx"), "Sheet1", limits)
    if not usual:
        scan._usual = lambda _data, _cut: False  # type: ignore[method-assign]
    seen: list[Any] = []
    start = 0
    try:
        for end in [*sorted(set(cuts)), len(xml)]:
            scan.feed(xml[start:end])
            seen.append((scan.extent.rows, scan.extent.columns, scan.row, scan.column))
            start = end
        scan.feed(b"", last=True)
        seen.append((scan.extent.rows, scan.extent.columns, scan.row, scan.column))
    except RegistrationError as error:
        seen.append(error.message_en)
    return seen


@settings(max_examples=400, deadline=None)
@given(_sheet(), st.lists(st.integers(0, 4000), max_size=4), st.sampled_from(LIMITS))
def test_the_quick_way_finds_what_every_reference_finds(xml: bytes, cuts: list[int], limits: Limits) -> None:
    cuts = [c for c in cuts if c < len(xml)]
    assert _scan(xml, cuts, limits, usual=True) == _scan(xml, cuts, limits, usual=False)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 475_254), st.integers(0, 999_999_999), st.sampled_from(LETTERS[:12]),
       st.integers(0, 999_999_999), st.integers(0, 3))
def test_beyond_matches_exactly_the_references_past_the_extent(columns: int, rows: int, letters: str,
                                                               row: int, zeros: int) -> None:
    digits = "0" * zeros + str(row)
    tag = f'<c r="{letters}{digits}"/>'.encode()
    past = column_number(letters) > columns or row > rows
    well_formed = len(digits) <= 9
    assert (_beyond(columns, rows).search(tag) is not None) is (past or not well_formed)


def test_letters_is_column_number_the_other_way() -> None:
    assert [_letters(n) for n in (1, 26, 27, 52, 53, 702, 703, 1024, 16_384)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "AMJ", "XFD"]
    assert all(column_number(_letters(n)) == n for n in range(1, 20_000))
