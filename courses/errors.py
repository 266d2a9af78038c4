"""CourseError: what is wrong with a course file, where, in Chinese and English.

An organizer edits the course TOML by hand, so a mistake must be reported the way
they can fix it: the file, the line, the key path (``segments[3].infractions[1].seconds``,
indices counted from 0 in file order) and a plain reason — never pydantic's jargon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

NS_PER_SECOND = 1_000_000_000

# Model field (integer ns) -> the key an organizer writes in TOML (seconds).
TOML_KEY_FOR_FIELD: dict[str, str] = {
    "penalty_ns": "seconds",
    "time_limit_ns": "time_limit",
    "precision_ns": "precision",
    "double_trigger_ns": "double_trigger",
    "min_run_ns": "min_run",
    "major_threshold_ns": "major_threshold",
}
SECONDS_KEYS = frozenset(TOML_KEY_FOR_FIELD.values())


@dataclass(frozen=True)
class CourseProblem:
    """One thing wrong in a course file; ``line``/``column`` are 1-based when known."""

    message_zh: str
    message_en: str
    key_path: str | None = None
    line: int | None = None
    column: int | None = None


class CourseError(Exception):
    """A course file could not be read or is not a valid course.

    ``message_zh``/``message_en`` list every problem found with file, line and key
    path; ``path``, ``key_path``, ``line`` and ``column`` describe the first one.
    ``str(err)`` is the Chinese message.
    """

    def __init__(self, problems: Sequence[CourseProblem], path: str | None = None) -> None:
        if not problems:
            raise ValueError("CourseError needs at least one problem")
        self.problems: tuple[CourseProblem, ...] = tuple(problems)
        self.path = path
        first = self.problems[0]
        self.key_path = first.key_path
        self.line = first.line
        self.column = first.column
        self.message_zh = "\n".join(_render_zh(p, path) for p in self.problems)
        self.message_en = "\n".join(_render_en(p, path) for p in self.problems)
        super().__init__(self.message_zh)

    def __str__(self) -> str:
        return self.message_zh


def _render_zh(p: CourseProblem, path: str | None) -> str:
    where = [f"赛道文件 {path}" if path else "赛道文件"]
    if p.line is not None:
        where.append(f"第 {p.line} 行" + (f"第 {p.column} 列" if p.column is not None else ""))
    if p.key_path:
        where.append(f"键 {p.key_path}")
    return "，".join(where) + "：" + p.message_zh


def _render_en(p: CourseProblem, path: str | None) -> str:
    where = [f"course file {path}" if path else "course file"]
    if p.line is not None:
        where.append(f"line {p.line}" + (f", column {p.column}" if p.column is not None else ""))
    if p.key_path:
        where.append(f"key {p.key_path}")
    return ", ".join(where) + ": " + p.message_en


def key_path_of(loc: Iterable[str | int]) -> str:
    """Pydantic's ``loc`` as a TOML key path: ``segments[3].infractions[1].seconds``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = TOML_KEY_FOR_FIELD.get(part, part)
            text = f"{text}.{name}" if text else name
    return text


def seconds_text(ns: int) -> str:
    """Exact seconds for a message: 3000000000 -> ``3``, 10000000 -> ``0.01``."""
    whole, frac = divmod(ns, NS_PER_SECOND)
    if frac == 0:
        return str(whole)
    return f"{whole}.{str(frac).rjust(9, '0').rstrip('0')}"


def problems_from_validation(exc: ValidationError, text: str | None) -> list[CourseProblem]:
    """Translate every pydantic error into a plain-language CourseProblem with its line."""
    problems: list[CourseProblem] = []
    errors = exc.errors(include_url=False)
    deeper = [tuple(e.get("loc", ())) for e in errors]
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in deeper
        ):
            # pydantic adds "too short" for a list whose items all failed; the item
            # errors already say what is wrong.
            continue
        ctx: dict[str, Any] = dict(err.get("ctx") or {})
        if err["type"] == "course_rule":
            suffix = str(ctx.get("at", ""))
            base = key_path_of(loc)
            key = base
            if suffix:
                key = (
                    f"{base}{suffix}" if suffix.startswith("[") or not base else f"{base}.{suffix}"
                )
            zh, en = str(ctx["zh"]), str(ctx["en"])
        else:
            key = key_path_of(loc)
            zh, en = _reason(err["type"], loc, ctx, err.get("input"), err.get("msg", ""))
        line = line_of(text, key) if text is not None else None
        problems.append(CourseProblem(zh, en, key or None, line))
    return problems


def _last_name(loc: tuple[Any, ...]) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return ""


def _limit_text(field: str, value: Any) -> str:
    if field in TOML_KEY_FOR_FIELD and isinstance(value, int):
        return f"{seconds_text(value)} 秒"
    return str(value)


def _limit_text_en(field: str, value: Any) -> str:
    if field in TOML_KEY_FOR_FIELD and isinstance(value, int):
        return f"{seconds_text(value)} s"
    return str(value)


def _reason(
    kind: str, loc: tuple[Any, ...], ctx: dict[str, Any], value: Any, msg: str
) -> tuple[str, str]:
    """Chinese and English reason for one pydantic error type (no pydantic wording)."""
    field = _last_name(loc)
    is_seconds = field in TOML_KEY_FOR_FIELD
    shown = _show_value(value)
    if is_seconds and isinstance(value, int) and not isinstance(value, bool):
        sign = "-" if value < 0 else ""
        shown = f"{sign}{seconds_text(abs(value))}"
    if kind == "missing":
        if field in ("segments", "infractions", "rounds"):
            return _reason("too_short", loc, ctx, value, msg)
        return "缺少必填项", "required key is missing"
    if kind == "extra_forbidden":
        return (
            "不认识的键（拼写错误？）；允许的键见 docs/COURSES.md",
            "unknown key (misspelt?); see docs/COURSES.md for the allowed keys",
        )
    if kind in ("int_type", "int_from_float", "int_parsing"):
        if is_seconds:
            return (
                f"应为秒数，例如 3 或 2.5（不加引号），现在是 {shown}",
                f"expected a number of seconds such as 3 or 2.5 (no quotes), got {shown}",
            )
        return (
            f"应为整数（不加引号），现在是 {shown}",
            f"expected a whole number (no quotes), got {shown}",
        )
    if kind == "string_type":
        return f"应为带引号的文字，现在是 {shown}", f"expected quoted text, got {shown}"
    if kind == "bool_type":
        return f"应为 true 或 false，现在是 {shown}", f"expected true or false, got {shown}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        expected_zh = expected.replace(" or ", " 或 ").replace(", ", "、")
        return f"取值 {shown} 无效，只能是 {expected_zh}", f"{shown} is not allowed; use {expected}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit_key = {
            "greater_than_equal": "ge",
            "greater_than": "gt",
            "less_than_equal": "le",
            "less_than": "lt",
        }[kind]
        limit = ctx.get(limit_key)
        if field == "penalty_ns" and kind == "greater_than_equal":
            return (
                f"罚时秒数不能为负数，现在是 {shown} 秒",
                f"penalty seconds cannot be negative (got {shown} s)",
            )
        word_zh = {"ge": "不能小于", "gt": "必须大于", "le": "不能大于", "lt": "必须小于"}[
            limit_key
        ]
        word_en = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}[
            limit_key
        ]
        return (
            f"{word_zh} {_limit_text(field, limit)}，现在是 {shown}",
            f"must be {word_en} {_limit_text_en(field, limit)}, got {shown}",
        )
    if kind == "string_pattern_mismatch":
        if field == "hotkey":
            return (
                f"快捷键必须是一个小写英文字母或数字，现在是 {shown}",
                f"a hotkey must be one lower-case letter or digit, got {shown}",
            )
        if field == "id":
            return (
                f"赛道 id 只能用小写英文字母、数字、- 和 _，现在是 {shown}",
                f"a course id may use only lower-case letters, digits, - and _, got {shown}",
            )
        return (
            f"代码只能用小写英文字母、数字和下划线，且以字母开头，现在是 {shown}",
            f"a code may use only lower-case letters, digits and _, starting with a letter; got {shown}",
        )
    if kind == "string_too_short":
        return "不能为空", "must not be empty"
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return f"太长（最多 {n} 个字符）", f"too long (at most {n} characters)"
    if kind == "too_short":
        if field == "segments":
            return "至少要有一个赛段 [[segments]]", "at least one [[segments]] is required"
        if field == "infractions":
            return (
                "每个赛段至少要有一项违规 [[…infractions]]",
                "each segment needs at least one infraction",
            )
        if field == "rounds":
            return "至少要有一个轮次 [[rounds]]", "at least one [[rounds]] is required"
        return "至少要有一项", "must have at least one entry"
    if kind in ("tuple_type", "list_type"):
        return f"应为列表，现在是 {shown}", f"expected a list, got {shown}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"应为表格（[表名] 或 {{ … }}），现在是 {shown}", f"expected a table, got {shown}"
    return f"取值 {shown} 无效（{msg}）", f"invalid value {shown} ({msg})"


def _show_value(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "一个表格" if value else "空表格"
    if isinstance(value, list | tuple):
        return "一个列表"
    return str(value)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def line_of(text: str | None, key_path: str | None) -> int | None:
    """Best-effort 1-based line where ``key_path`` is written in a course TOML text.

    Follows ``[table]`` and ``[[array.of.tables]]`` headers the way TOML does, so
    ``segments[3].infractions[1].seconds`` finds the ``seconds =`` line under the
    second ``[[segments.infractions]]`` of the fourth ``[[segments]]``. A key that is
    missing points at its table's header line; unknown layouts give ``None``.
    """
    if not text or not key_path:
        return None
    defined: dict[str, int] = {}
    arrays: dict[str, int] = {}
    current = ""

    def resolve(parts: list[str]) -> str:
        out = ""
        for part in parts:
            out = f"{out}.{part}" if out else part
            if out in arrays:
                out = f"{out}[{arrays[out]}]"
        return out

    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(raw)
        if header:
            parts = [p.strip() for p in header.group(2).split(".")]
            if header.group(1) == "[[":
                parent = resolve(parts[:-1])
                array = f"{parent}.{parts[-1]}" if parent else parts[-1]
                arrays[array] = arrays.get(array, -1) + 1
                current = f"{array}[{arrays[array]}]"
            else:
                current = resolve(parts)
            defined.setdefault(current, number)
            continue
        key = _KEY.match(raw)
        if key:
            full = f"{current}.{key.group(1)}" if current else key.group(1)
            defined.setdefault(full, number)
    probe = key_path
    while probe:
        if probe in defined:
            return defined[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        if cut <= 0:
            break
        probe = probe[:cut]
    return None
