"""Scores from outside the track (a theory exam…), imported from a sheet and matched to riders.

Rows are matched by bib, else by phone, else by a name only one rider has;
a row that matches nobody, or a name two riders share, is reported with its
row number and never guessed. Scores are points out of 100 with up to two
decimals, kept as integer hundredths. Importing again replaces a rider's score.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event

BIB = ("号码", "参赛号", "bib")
NAME = ("姓名", "name")
PHONE = ("手机", "手机号", "电话", "联系电话", "phone")
SCORE = ("成绩", "分数", "得分", "理论成绩", "理论", "score")


@dataclass
class ScoreImport:
    component: str
    matched: list[dict[str, Any]] = field(default_factory=list)  # {"bib", "points", "row", "by"}
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # {"row", "value", "reason_zh", "reason_en"}

    def lines(self, lang: str) -> list[str]:
        en = lang == "en"
        out = [f"{len(self.matched)} scores matched, {len(self.unmatched)} rows not matched." if en
               else f"已匹配 {len(self.matched)} 个成绩，{len(self.unmatched)} 行未匹配。"]
        for u in self.unmatched:
            out.append(f"  row {u['row']}: {u['value']} — {u['reason_en']}" if en
                       else f"  第 {u['row']} 行：{u['value']} —— {u['reason_zh']}")
        return out


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        return [[("" if c is None else str(int(c)) if isinstance(c, float) and c.is_integer() else str(c)).strip()
                 for c in row] for row in sheet.to_python()[:20_000]]
    from competition.paper_sheets import read_text

    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(read_text(path).lstrip("\ufeff")))][:20_000]


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for i, h in enumerate(header):
        if h.strip().lower() in {n.lower() for n in names}:
            return i
    return None


def _points(text: str) -> int:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(text)
    return int(value * 100)  # hundredths, truncated


def read_scores(event: Event, path: Path, component: str) -> ScoreImport:
    """Match a score sheet to riders (nothing is written)."""
    rows = _rows(path)
    at = next((i for i, r in enumerate(rows[:10]) if _column(r, SCORE) is not None), None)
    if at is None:
        raise CommandRefused(f"{path.name}：找不到「成绩」列。", f"{path.name}: no score column (成绩/score).")
    header = rows[at]
    cols = {k: _column(header, v) for k, v in (("bib", BIB), ("name", NAME), ("phone", PHONE), ("score", SCORE))}
    entrants = event.store.query("SELECT bib, name, phone FROM entrants")
    by_bib = {e["bib"]: e for e in entrants}
    by_phone = {e["phone"]: e for e in entrants}
    names: dict[str, list[int]] = {}
    for e in entrants:
        names.setdefault(e["name"], []).append(e["bib"])
    result = ScoreImport(component)

    def cell(row: list[str], key: str) -> str:
        i = cols[key]
        return row[i] if i is not None and i < len(row) else ""

    for number, row in enumerate(rows[at + 1:], start=at + 2):
        if not any(row):
            continue
        shown = " ".join(x for x in (cell(row, "bib"), cell(row, "name")) if x) or "?"
        try:
            points = _points(cell(row, "score"))
        except ValueError:
            result.unmatched.append({"row": number, "value": shown, "reason_zh": f"成绩「{cell(row, 'score')}」不是 0–100 的数",
                                     "reason_en": f"score {cell(row, 'score')!r} is not a number 0–100"})
            continue
        bib_text, phone = cell(row, "bib"), re.sub(r"\D", "", cell(row, "phone"))
        found, by = None, None
        if bib_text.isdigit() and int(bib_text) in by_bib:
            found, by = int(bib_text), "bib"
        elif phone and phone in by_phone:
            found, by = by_phone[phone]["bib"], "phone"
        elif len(names.get(cell(row, "name"), [])) == 1:
            found, by = names[cell(row, "name")][0], "name"
        if found is None:
            twice = len(names.get(cell(row, "name"), [])) > 1
            result.unmatched.append({
                "row": number, "value": shown,
                "reason_zh": "同名选手不止一位，请填号码或手机号" if twice else "号码、手机号、姓名都对不上报名选手",
                "reason_en": "more than one rider has this name: give the bib or phone" if twice
                else "no rider with this bib, phone or name",
            })
            continue
        result.matched.append({"bib": found, "points": points, "row": number, "by": by})
    return result


def import_scores(event: Event, path: Path, component: str) -> ScoreImport:
    """Read, match and record a component's scores (one journal row); unmatched rows are only reported."""
    rule = event.course.composite
    if rule is None or not any(p.code == component and p.source == "sheet" for p in rule.parts):
        codes = ", ".join(p.code for p in (rule.parts if rule else ()) if p.source == "sheet") or "—"
        raise CommandRefused(f"赛道文件的综合成绩里没有从表格导入的项目「{component}」（可用：{codes}）。",
                             f"The course's composite has no sheet component {component!r} ({codes}).")
    result = read_scores(event, path, component)
    if result.matched:
        event.store.record("component_scores_imported", {
            "component": component, "source": path.name,
            "scores": [{"bib": m["bib"], "points": m["points"], "row": m["row"], "by": m["by"]} for m in result.matched],
            "unmatched_rows": [u["row"] for u in result.unmatched],
        })
    return result
