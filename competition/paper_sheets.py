"""Reading what a clerk types back from the paper: sheet lines and stopwatch lines, with line numbers.

A judge's sheet line is ``BIB [INFRACTION[*N] …]`` (``12 倒杆出框*2 支脚``;
infractions by code, Chinese name or hotkey; ``×``/``x`` work as ``*``), or a
CSV with a 号码/bib column and one column per infraction holding counts. A
stopwatch line is ``BIB TIME`` (``12 45.31`` or ``12 1:02.34``), or a CSV with
号码/bib and 用时/time columns. Errors name the line.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from competition.errors import CommandRefused
from competition.paper import PaperLine

_COUNT = re.compile(r"^(.+?)(?:[*×xX](\d{1,2}))?$")
BIB_HEADERS = ("号码", "参赛号", "bib", "BIB", "Bib")
TIME_HEADERS = ("用时", "时间", "秒表", "time", "Time")


def read_text(path: Path) -> str:
    """A typed-up sheet: UTF-8 (with or without BOM) or GB18030 as Excel on a Chinese PC saves it."""
    data = path.read_bytes()
    if len(data) > 5_000_000:
        raise CommandRefused(f"{path.name} 太大（超过 5 MB），不像一张记录表。", f"{path.name} is over 5 MB: not a sheet.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandRefused(f"{path.name} 不是 UTF-8 或 GBK 文本。", f"{path.name} is neither UTF-8 nor GBK text.")


def _bib(text: str, where: str) -> int:
    if not text.strip().isdigit() or not 0 < int(text) < 2**31:
        raise CommandRefused(f"{where}：号码「{text}」无效。", f"{where}: bib {text!r} is not a number.")
    return int(text)


def parse_sheet_text(text: str, *, attempt: int = 1, source: str = "输入") -> list[PaperLine]:
    """Typed sheet lines or a CSV -> one PaperLine per rider (a repeated rider: the last line wins)."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    if "," in first:
        return _sheet_csv(text, attempt, source)
    lines: dict[int, PaperLine] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens = raw.replace("，", " ").split()
        if not tokens or tokens[0].startswith("#"):
            continue
        where = f"{source} 第 {number} 行"
        bib = _bib(tokens[0], where)
        counts: dict[str, int] = {}
        for token in tokens[1:]:
            m = _COUNT.match(token)
            if not m:
                raise CommandRefused(f"{where}：无法识别「{token}」。", f"{where}: cannot read {token!r}.")
            counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2) or 1)
        lines[bib] = PaperLine(bib, attempt, counts)
    return list(lines.values())


def _sheet_csv(text: str, attempt: int, source: str) -> list[PaperLine]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = reader.fieldnames or []
    bib_col = next((h for h in headers if h.strip() in BIB_HEADERS), None)
    if bib_col is None:
        raise CommandRefused(f"{source}：缺少「号码」列。", f"{source}: no bib column (号码/bib).")
    out = []
    for number, row in enumerate(reader, start=2):
        where = f"{source} 第 {number} 行"
        bib = _bib(row.get(bib_col) or "", where)
        counts = {}
        for header, value in row.items():
            if header == bib_col or header is None or not (value or "").strip():
                continue
            if not value.strip().isdigit():
                raise CommandRefused(f"{where}「{header}」列：{value!r} 不是次数。", f"{where}, column {header}: {value!r} is not a count.")
            counts[header.strip()] = int(value)
        out.append(PaperLine(bib, attempt, counts))
    return out


def parse_times_text(text: str, *, attempt: int = 1, source: str = "输入") -> list[tuple[int, int, int]]:
    """Stopwatch lines -> (bib, attempt, raw ns)."""
    from competition.judging import seconds_text_to_ns

    rows: list[tuple[str, str, str]] = []
    first = text.strip().splitlines()[0] if text.strip() else ""
    if "," in first:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        headers = reader.fieldnames or []
        bib_col = next((h for h in headers if h.strip() in BIB_HEADERS), None)
        time_col = next((h for h in headers if h.strip() in TIME_HEADERS), None)
        if bib_col is None or time_col is None:
            raise CommandRefused(f"{source}：需要「号码」和「用时」两列。", f"{source}: needs bib and time columns.")
        rows = [(f"{source} 第 {n} 行", r.get(bib_col) or "", r.get(time_col) or "") for n, r in enumerate(reader, start=2)]
    else:
        for n, raw in enumerate(text.splitlines(), start=1):
            tokens = raw.split()
            if not tokens or tokens[0].startswith("#"):
                continue
            if len(tokens) != 2:
                raise CommandRefused(f"{source} 第 {n} 行：应为「号码 用时」。", f"{source} line {n}: expected BIB TIME.")
            rows.append((f"{source} 第 {n} 行", tokens[0], tokens[1]))
    out = []
    for where, bib_text, time_text in rows:
        bib = _bib(bib_text, where)
        try:
            out.append((bib, attempt, seconds_text_to_ns(time_text.strip())))
        except CommandRefused as exc:
            raise CommandRefused(f"{where}：{exc.message_zh}", f"{where}: {exc.message_en}") from exc
    return out
