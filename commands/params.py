"""Typed, bounded command-line values: every number, time, score, date and range.

A value outside its bounds is a usage error (exit code 2) with a message in the
chosen language that names the option and the allowed range, before any command
body runs. Nothing reaches SQLite, ``int()`` of an infinity or the calendar
unchecked: a bib of 2^63, a time of 1e300 s or ``--date 2026-13-45`` stop here.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import click

# SQLite stores 64-bit integers; every id, bib and count we take fits in 31 bits,
# so arithmetic on them (sums, offsets, +1) can never leave SQLite's range.
MAX_ID = 2**31 - 1
MAX_TRACK = 99
MAX_LIMIT = 1_000_000
MAX_COUNT = 99
MAX_RIDERS = 100_000
# A corrected run time: more than a day on one course is a typo, not a ride.
MAX_RUN_SECONDS = 24 * 3600


def _lang(ctx: click.Context | None) -> str:
    if ctx is not None:
        obj = ctx.find_root().obj
        lang = getattr(obj, "lang", None)
        if lang:
            return str(lang)
        root_lang = ctx.find_root().params.get("lang")
        if root_lang:
            return str(root_lang)
    return os.environ.get("TRACKSIDE_LANG", "zh")


def say(ctx: click.Context | None, zh: str, en: str) -> str:
    return en if _lang(ctx) == "en" else zh


class BoundedInt(click.ParamType):
    """A whole number in [lo, hi]; huge, negative or non-numeric text is a usage error."""

    name = "integer"

    def __init__(self, lo: int, hi: int, what_zh: str, what_en: str) -> None:
        self.lo = lo
        self.hi = hi
        self.what_zh = what_zh
        self.what_en = what_en

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            # Digits only (an optional sign): no "1e9", "0x10", "1_000" or 5 000-digit strings.
            body = text[1:] if text[:1] in "+-" else text
            if not body.isdigit() or not body.isascii() or len(body) > 12:
                if body.isdigit() and body.isascii():
                    self._out_of_range(text, param, ctx)
                self.fail(say(ctx, f"{self.what_zh}必须是整数（收到 {text!r}）",
                              f"{self.what_en} must be a whole number (got {text!r})"), param, ctx)
            number = int(text)
        if not self.lo <= number <= self.hi:
            self._out_of_range(str(number), param, ctx)
        return number

    def _out_of_range(self, shown: str, param: click.Parameter | None, ctx: click.Context | None) -> None:
        if len(shown) > 24:
            shown = shown[:20] + "…"
        self.fail(say(ctx, f"{self.what_zh}必须在 {self.lo} 到 {self.hi} 之间（收到 {shown}）",
                      f"{self.what_en} must be from {self.lo} to {self.hi} (got {shown})"), param, ctx)

    def __repr__(self) -> str:
        return f"BoundedInt({self.lo}, {self.hi})"


BIB = BoundedInt(1, MAX_ID, "号码", "The bib")
TRACK = BoundedInt(1, MAX_TRACK, "赛道号", "The track")
RUN_ID = BoundedInt(1, MAX_ID, "成绩编号", "The run number")
PENALTY_ID = BoundedInt(1, MAX_ID, "判罚编号", "The penalty number")
IMPULSE_SEQ = BoundedInt(1, MAX_ID, "脉冲编号", "The impulse number")
LIMIT = BoundedInt(1, MAX_LIMIT, "条数", "The limit")
COUNT = BoundedInt(1, MAX_COUNT, "次数", "The count")
TOP = BoundedInt(1, MAX_ID, "晋级人数", "The number to advance")
SEED = BoundedInt(0, MAX_ID, "随机种子", "The seed")
RIDERS = BoundedInt(1, MAX_RIDERS, "选手数", "The number of riders")
CASE_ID = BoundedInt(1, MAX_ID, "申诉编号", "The appeal number")
ATTEMPT = BoundedInt(1, 20, "第几次", "The attempt")
PORT = BoundedInt(0, 65535, "端口", "The port")


class Reason(click.ParamType):
    """A reason for the journal: never empty or blank; surrounding spaces dropped."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not text:
            self.fail(say(ctx, "原因不能为空，请写明原因", "The reason cannot be empty"), param, ctx)
        if len(text) > 2000:
            self.fail(say(ctx, "原因太长（最多 2000 字）", "The reason is too long (2000 characters at most)"),
                      param, ctx)
        return text


REASON = Reason()


class RunTime(click.ParamType):
    """A run time as typed by a referee (``62.34``, ``1:02.34``) -> integer ns, bounded."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from competition.times import parse_duration

        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        problem = say(ctx, f"无法识别的时间：{text!r}（例如 62.34 或 1:02.34）",
                      f"Not a time: {text!r} (e.g. 62.34 or 1:02.34)")
        if len(text) > 40:
            self.fail(problem, param, ctx)
        try:
            ns = parse_duration(text)
        except (ValueError, ArithmeticError):
            self.fail(problem, param, ctx)
        if ns <= 0 or ns > MAX_RUN_SECONDS * 1_000_000_000:
            self.fail(say(ctx, f"时间必须大于 0 且不超过 {MAX_RUN_SECONDS} 秒（收到 {text}）",
                          f"The time must be above 0 and at most {MAX_RUN_SECONDS} s (got {text})"), param, ctx)
        return ns


RUN_TIME = RunTime()


def finite_decimal(text: str) -> Decimal | None:
    """``Decimal(text)`` when it is an ordinary finite number of sane length, else ``None``."""
    text = str(text).strip()
    if not text or len(text) > 30:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    # Refuse exponents that make a short text enormous ("1e999999").
    if number != 0 and not (-12 <= number.adjusted() <= 12):
        return None
    return number


class BoundedDecimal(click.ParamType):
    """A finite decimal number in [lo, hi] (``inf``, ``nan`` and ``1e300`` are refused)."""

    name = "number"

    def __init__(self, lo: Decimal, hi: Decimal, what_zh: str, what_en: str, *, above_lo: bool = False) -> None:
        self.lo = lo
        self.hi = hi
        self.above_lo = above_lo
        self.what_zh = what_zh
        self.what_en = what_en

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            number: Decimal | None = value if value.is_finite() else None
        else:
            number = finite_decimal(str(value))
        too_low = number is not None and (number <= self.lo if self.above_lo else number < self.lo)
        if number is None or too_low or number > self.hi:
            low = f"大于 {self.lo}" if self.above_lo else f"{self.lo} 到"
            low_en = f"above {self.lo} and at most" if self.above_lo else f"from {self.lo} to"
            self.fail(say(ctx, f"{self.what_zh}必须是{low} {self.hi} 之间的数（收到 {str(value)[:24]!r}）",
                          f"{self.what_en} must be a number {low_en} {self.hi} (got {str(value)[:24]!r})"),
                      param, ctx)
        return number


SCORE = BoundedDecimal(Decimal(0), Decimal(10), "风采分", "The score")
PROBABILITY = BoundedDecimal(Decimal(0), Decimal(1), "概率", "The probability")
SECONDS = BoundedDecimal(Decimal(0), Decimal(3600), "秒数", "The seconds", above_lo=True)
SPEED = BoundedDecimal(Decimal(0), Decimal(1000), "倍速", "The speed-up", above_lo=True)


class DecimalRange(click.ParamType):
    """``LO-HI`` (or one number) of seconds: finite, positive, lo ≤ hi, at most ``hi`` s."""

    name = "range"

    def __init__(self, hi: Decimal, what_zh: str, what_en: str) -> None:
        self.hi = hi
        self.what_zh = what_zh
        self.what_en = what_en

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[Decimal, Decimal]:
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        lo_text, _, hi_text = text.partition("-")
        lo = finite_decimal(lo_text)
        hi = finite_decimal(hi_text) if hi_text else lo
        if lo is None or hi is None or lo <= 0 or hi > self.hi:
            self.fail(say(ctx, f"{self.what_zh}必须是 大于0的最小值-最大值（最大 {self.hi}），如 38-55（收到 {text[:24]!r}）",
                          f"{self.what_en} must be LO-HI, above 0 and at most {self.hi}, e.g. 38-55 "
                          f"(got {text[:24]!r})"), param, ctx)
        if lo > hi:
            self.fail(say(ctx, f"{self.what_zh}的最小值大于最大值：{text}",
                          f"{self.what_en}: the low end is above the high end: {text}"), param, ctx)
        return lo, hi


COURSE_TIME_RANGE = DecimalRange(Decimal(3600), "用时范围", "The course time range")


class CalendarDate(click.ParamType):
    """A real calendar date written ``YYYY-MM-DD`` (2026-13-45 is refused), returned as text."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        try:
            if len(text) != 10:
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(say(ctx, f"日期必须是真实日期，写成 YYYY-MM-DD（收到 {text[:24]!r}）",
                          f"The date must be a real date written YYYY-MM-DD (got {text[:24]!r})"), param, ctx)
        if not 2000 <= day.year <= 2999:
            self.fail(say(ctx, f"日期年份必须在 2000–2999 之间（收到 {text}）",
                          f"The date's year must be 2000–2999 (got {text})"), param, ctx)
        return day.isoformat()


DATE = CalendarDate()

