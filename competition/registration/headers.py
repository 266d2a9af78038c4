"""Finding the header row of a clerk's sheet and mapping its columns to fields.

Clerks put a merged title row and a "填报单位：… 填报日期：…" line above the
header, decorate header cells with asterisks, "（必填）" and line breaks, and
name the same column a dozen ways. The header is the row among the first few
that names the most known fields.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from competition.clean_text import strip_controls
from competition.registration.cells import cell_text

HEADER_SEARCH_ROWS = 20
"""How many rows from the top may hold the header."""

MIN_HEADER_FIELDS = 2
"""A row must name at least this many known fields to count as the header."""

REQUIRED_FIELDS = ("name", "phone")

FIELD_LABELS_ZH = {
    "seq": "序号",
    "bib": "参赛号",
    "name": "姓名",
    "gender": "性别",
    "phone": "联系电话",
    "platform": "所属平台",
    "station": "配送站点",
    "id_number": "身份证号",
    "note": "备注",
}

FIELD_LABELS_EN = {
    "seq": "No.",
    "bib": "bib",
    "name": "name",
    "gender": "gender",
    "phone": "phone",
    "platform": "platform",
    "station": "station",
    "id_number": "ID number",
    "note": "note",
}

# Exact names after normalize_header(). "seq" is recognised so that 序号 helps
# find the header, but its values are ignored: a running number is not a bib.
_EXACT_NAMES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "no", "number", "#", "sn", "序"),
    "bib": ("参赛号", "参赛号码", "号码", "号码布", "参赛编号", "bib", "bibno", "bibnumber"),
    "name": ("姓名", "名字", "骑手姓名", "选手姓名", "参赛人", "参赛者", "参赛选手", "参赛人员",
             "参赛人姓名", "配送员姓名", "快递员姓名", "name", "fullname", "ridername"),
    "gender": ("性别", "gender", "sex"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式", "电话号码", "联系手机",
              "手机电话", "phone", "mobile", "phonenumber", "mobilephone", "mobileno",
              "mobilenumber", "tel", "telephone", "cellphone", "cell"),
    "platform": ("所属平台", "平台", "公司", "单位", "所属公司", "所属单位", "工作单位",
                 "平台名称", "所属企业", "企业", "platform", "company", "employer"),
    "station": ("站点", "配送站点", "所属站点", "站点名称", "配送站", "站点名", "所在站点",
                "网点", "所属网点", "station", "stationname", "depot"),
    "id_number": ("身份证号", "身份证", "身份证号码", "证件号码", "证件号", "公民身份号码",
                  "id", "idno", "idnumber", "idcard", "idcardno"),
    "note": ("备注", "说明", "note", "notes", "remark", "remarks", "comment", "comments"),
}

HEADER_FIELDS: dict[str, str] = {
    alias: field for field, aliases in _EXACT_NAMES.items() for alias in aliases
}

# Fallback for decorated names ("本人手机号" or "所属配送站点名称"): a keyword
# inside the header. Checked only for fields no exact header has claimed, and
# never for an emergency contact's phone.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("参赛号", "bib"),
    ("身份证", "id_number"),
    ("证件号", "id_number"),
    ("手机", "phone"),
    ("电话", "phone"),
    ("姓名", "name"),
    ("性别", "gender"),
    ("平台", "platform"),
    ("站点", "station"),
    ("备注", "note"),
)
_NOT_THE_RIDER = ("紧急", "联系人", "家属", "监护人", "领队", "负责人", "填报")

_DECORATION = re.compile(r"[（(][^（）()]*[）)]|[*＊※★:：.。_\-－]|\s+")
_MAX_HEADER_CHARS = 24


def normalize_header(text: str) -> str:
    """Reduce a header cell to the form looked up in the alias table.

    Removes spaces (incl. full-width and line breaks), asterisks, colons,
    dots and any bracketed remark such as "（必填）", and lower-cases.
    """
    return _DECORATION.sub("", text).lower()


def display_header(value: object) -> str:
    """A header cell as the organizer sees it, on one line."""
    return " ".join(strip_controls(cell_text(value)).split())


def field_for_header(text: str) -> str | None:
    """The field a header names exactly, or ``None``."""
    key = normalize_header(text)
    if not key or len(key) > _MAX_HEADER_CHARS:
        return None
    return HEADER_FIELDS.get(key)


def _keyword_field(text: str) -> str | None:
    key = normalize_header(text)
    if not key or len(key) > _MAX_HEADER_CHARS:
        return None
    if any(word in key for word in _NOT_THE_RIDER):
        return None
    for word, field in _KEYWORDS:
        if word in key:
            return field
    return None


def header_score(cells: Sequence[object]) -> int:
    """How many distinct known fields a row names; the header has the most."""
    found = {field_for_header(cell_text(c)) for c in cells if c not in (None, "")}
    found.discard(None)
    return len(found)


@dataclass(frozen=True)
class ColumnMap:
    """Where each field sits in the rows below the header.

    ``fields`` maps a field to its 0-based cell index; ``labels`` maps a
    cell index to how a problem in it is named ("联系电话 (D列)"); ``texts``
    are the header cells as shown.
    ``extras`` are (cell index, key in ``RegistrationRow.extra``).
    """

    fields: dict[str, int]
    headers: dict[str, str]
    extras: list[tuple[int, str]]
    labels: dict[int, str]
    texts: list[str]
    width: int


def column_letter(index: int) -> str:
    """Excel's column name for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def map_columns(cells: Sequence[object], *, first_column: int | None) -> ColumnMap:
    """Map the header row's cells to fields.

    ``first_column`` is the sheet column (0-based) of cell 0 for a
    workbook, or ``None`` for CSV, where labels carry no letter.
    Exact names claim fields first; keyword matches only take what is left;
    a second column naming a claimed field, and every unknown column, goes
    to ``extras`` under its header text.
    """
    texts = [display_header(c) for c in cells]

    def where(i: int) -> str:
        if first_column is None:
            return f"第{i + 1}列"
        return f"{column_letter(first_column + i)}列"

    labels = {
        i: (f"{t} ({where(i)})" if first_column is not None and t else t or where(i))
        for i, t in enumerate(texts)
    }
    fields: dict[str, int] = {}
    claimed: set[int] = set()
    for i, text in enumerate(texts):
        field = field_for_header(text)
        if field is not None and field not in fields:
            fields[field] = i
            claimed.add(i)
    for i, text in enumerate(texts):
        if i in claimed or not text:
            continue
        field = _keyword_field(text)
        if field is not None and field not in fields:
            fields[field] = i
            claimed.add(i)
    extras: list[tuple[int, str]] = []
    used_keys = {texts[i] for i in claimed}
    for i, text in enumerate(texts):
        if i in claimed:
            continue
        key = text or where(i)
        if key in used_keys:
            key = f"{text} ({where(i)})" if text else where(i)
        used_keys.add(key)
        extras.append((i, key))
    fields.pop("seq", None)
    headers = {f: texts[i] for f, i in fields.items()}
    return ColumnMap(fields=fields, headers=headers, extras=extras, labels=labels,
                     texts=texts, width=len(texts))


def find_header(rows: Sequence[Sequence[object]]) -> tuple[int, int] | None:
    """Index (into ``rows``) and score of the best header row, or ``None``.

    Ties go to the upper row; a title line that happens to name one field
    never beats a real header.
    """
    best: tuple[int, int] | None = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(cells)
        if score >= MIN_HEADER_FIELDS and (best is None or score > best[1]):
            best = (i, score)
    return best
