"""Read a course from a TOML file or a bundled name into a validated ``Course``.

Times are written in seconds in the file (``time_limit = 180``, ``seconds = 2.5``)
and converted to integer nanoseconds exactly: TOML floats are parsed as
``decimal.Decimal``, never ``float``. Every problem becomes a ``CourseError`` with
the file, line, key path and a plain Chinese / English reason.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from courses.errors import (
    NS_PER_SECOND,
    SECONDS_KEYS,
    TOML_KEY_FOR_FIELD,
    CourseError,
    CourseProblem,
    line_of,
    problems_from_validation,
)
from courses.schema import Course
from courses.writer import course_to_toml

__all__ = [
    "DEFAULT_COURSE",
    "CourseError",
    "bundled_courses",
    "course_to_toml",
    "load_course",
    "parse_course_text",
]

DEFAULT_COURSE = "default"
# Bounds that keep every value a course can hold inside SQLite's integers and sane.
MAX_SECONDS = 86_400  # no time in a course (limit, penalty, window) is longer than a day
MAX_COURSE_INT = 2**31 - 1
MAX_NESTING = 12  # the bundled course nests 3 deep
MAX_COURSE_CHARS = 1_000_000

_FIELD_FOR_TOML_KEY = {toml: field for field, toml in TOML_KEY_FOR_FIELD.items()}
_NS_FIELDS = frozenset(TOML_KEY_FOR_FIELD)
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def bundled_courses() -> list[str]:
    """Names of the courses shipped inside the package (``default``, …), sorted."""
    root = resources.files("courses")
    return sorted(
        entry.name[: -len(".toml")]
        for entry in root.iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
    )


def load_course(name_or_path: str | Path | None = None) -> Course:
    """Load a course: ``None`` = the default, a bundled name (``"default"``) or a .toml path.

    A plain name without a path separator or ``.toml`` suffix is looked up among the
    bundled courses; anything else is read as a file.
    """
    if name_or_path is None:
        name_or_path = DEFAULT_COURSE
    text_name = str(name_or_path)
    is_name = (
        isinstance(name_or_path, str)
        and not text_name.lower().endswith(".toml")
        and "/" not in text_name
        and "\\" not in text_name
    )
    if is_name:
        resource = resources.files("courses") / f"{text_name}.toml"
        try:
            found = len(text_name) <= 60 and resource.is_file()
        except OSError:  # a name too long for the filesystem, …
            found = False
        if not found:
            known = "、".join(bundled_courses())
            raise CourseError(
                [
                    CourseProblem(
                        f"没有名为 “{text_name}” 的内置赛道（内置：{known}）；如是文件请写 .toml 路径",
                        f"no bundled course named '{text_name}' (bundled: {', '.join(bundled_courses())}); "
                        "give a .toml path for a file",
                    )
                ],
                text_name,
            )
        return parse_course_text(resource.read_text(encoding="utf-8"), f"<内置>/{text_name}.toml")
    path = Path(name_or_path)
    try:
        if path.exists() and not path.is_file():
            raise CourseError([CourseProblem("不是普通文件（文件夹、设备或管道）",
                                             "not a regular file (a folder, device or pipe)")], str(path))
        if path.is_file() and path.stat().st_size > MAX_COURSE_CHARS * 4:
            raise CourseError([CourseProblem("文件太大，不像赛道文件", "the file is too large to be a course file")],
                              str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise CourseError([CourseProblem("文件不存在", "file not found")], str(path)) from None
    except OSError as exc:
        raise CourseError(
            [
                CourseProblem(
                    f"无法读取文件（{exc.strerror}）", f"cannot read the file ({exc.strerror})"
                )
            ],
            str(path),
        ) from exc
    try:
        text = data.decode("utf-8-sig")  # Windows Notepad saves a BOM
    except UnicodeDecodeError as exc:
        raise CourseError(
            [
                CourseProblem(
                    f"文件不是 UTF-8 编码（第 {exc.start} 字节）；请用 UTF-8 另存",
                    f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8",
                )
            ],
            str(path),
        ) from exc
    return parse_course_text(text, str(path))


def parse_course_text(text: str, source: str = "<text>") -> Course:
    """Parse and validate course TOML text; ``source`` names it in error messages."""
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_COURSE_CHARS:
        raise CourseError(
            [CourseProblem(f"文件太大（超过 {MAX_COURSE_CHARS // 1000} KB），不像赛道文件",
                           f"the file is too large (over {MAX_COURSE_CHARS // 1000} KB) to be a course file")],
            source,
        )
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
        depth = _depth(raw)
    except RecursionError:
        depth = MAX_NESTING + 1
        raw = {}
    except ValueError as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise _syntax_error(exc, source) from exc
        # Python refuses integers of thousands of digits ("Exceeds the limit … digits").
        raise CourseError(
            [CourseProblem("数字太长（位数过多），不是合理的取值", "a number has far too many digits to be a real value")],
            source,
        ) from exc
    if depth > MAX_NESTING:
        raise CourseError(
            [CourseProblem(f"表格或列表嵌套太深（超过 {MAX_NESTING} 层），不是赛道文件的结构",
                           f"tables or lists are nested too deeply (over {MAX_NESTING} levels) for a course file")],
            source,
        )
    problems: list[CourseProblem] = []
    model_input = _seconds_to_ns(raw, (), problems, text)
    if problems:
        raise CourseError(problems, source)
    try:
        return Course.model_validate(model_input)
    except ValidationError as exc:
        raise CourseError(problems_from_validation(exc, text), source) from exc


def _depth(node: Any, level: int = 0) -> int:
    """How deeply tables and lists nest (stops counting past the limit)."""
    if level > MAX_NESTING:
        return level
    if isinstance(node, dict):
        return max((_depth(v, level + 1) for v in node.values()), default=level + 1)
    if isinstance(node, list):
        return max((_depth(v, level + 1) for v in node), default=level + 1)
    return level


def _syntax_error(exc: tomllib.TOMLDecodeError, source: str) -> CourseError:
    message = str(exc)
    pos = _TOML_POSITION.search(message)
    line = int(pos.group(1)) if pos else None
    column = int(pos.group(2)) if pos else None
    reason = _TOML_POSITION.sub("", message).strip()
    return CourseError(
        [
            CourseProblem(
                f"TOML 语法错误：{_toml_reason_zh(reason)}（{reason}）",
                f"TOML syntax error: {reason}",
                None,
                line,
                column,
            )
        ],
        source,
    )


def _toml_reason_zh(reason: str) -> str:
    lowered = reason.lower()
    if "cannot overwrite" in lowered or "cannot declare" in lowered:
        return "同一个键或表格写了两次"
    if "invalid value" in lowered:
        return "取值写法不对（文字要加引号，数字不加）"
    if "expected '=' after a key" in lowered or "invalid statement" in lowered:
        return "这一行不是 键 = 值 的形式"
    if "unclosed" in lowered or "unterminated" in lowered or "closing" in lowered:
        return "引号或括号没有闭合"
    return "无法解析"


def _seconds_to_ns(
    node: Any, loc: tuple[str | int, ...], problems: list[CourseProblem], text: str
) -> Any:
    """Copy the parsed TOML, turning every seconds key into its ``*_ns`` field exactly.

    Keys spelled like the internal ``*_ns`` fields are refused, so a file can only
    give times in seconds. Values of the wrong type are passed on untouched for
    pydantic to report with the right key path.
    """
    if isinstance(node, list):
        return [_seconds_to_ns(item, (*loc, i), problems, text) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = _path_text((*loc, key))
        if key in _NS_FIELDS:
            problems.append(
                CourseProblem(
                    f"不认识的键；时间请写成秒：{TOML_KEY_FOR_FIELD[key]} = …",
                    f"unknown key; write times in seconds: {TOML_KEY_FOR_FIELD[key]} = …",
                    path,
                    line_of(text, path),
                )
            )
            continue
        if key in SECONDS_KEYS and isinstance(value, int | Decimal) and not isinstance(value, bool):
            if (isinstance(value, int) or value.is_finite()) and abs(value) > MAX_SECONDS:
                problems.append(
                    CourseProblem(
                        f"{str(value)[:24]} 秒太大（最多 {MAX_SECONDS} 秒）",
                        f"{str(value)[:24]} s is too large (at most {MAX_SECONDS} s)",
                        path,
                        line_of(text, path),
                    )
                )
                continue
            ns = _exact_ns(value)
            if ns is None:
                shown = format(value, "f") if isinstance(value, Decimal) else str(value)
                problems.append(
                    CourseProblem(
                        f"{shown} 秒无法换算成整纳秒（最多 9 位小数，且须为有限数）",
                        f"{shown} s is not a whole number of nanoseconds (at most 9 decimals, finite)",
                        path,
                        line_of(text, path),
                    )
                )
                continue
            out[_FIELD_FOR_TOML_KEY[key]] = ns
            continue
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_COURSE_INT:
            problems.append(
                CourseProblem(
                    f"数字 {str(value)[:24]} 太大（最多 {MAX_COURSE_INT}）",
                    f"the number {str(value)[:24]} is too large (at most {MAX_COURSE_INT})",
                    path,
                    line_of(text, path),
                )
            )
            continue
        field = _FIELD_FOR_TOML_KEY.get(str(key), str(key))
        out[field] = _seconds_to_ns(value, (*loc, key), problems, text)
    return out


def _exact_ns(value: int | Decimal) -> int | None:
    """Seconds to ns with no rounding; ``None`` when not finite or finer than 1 ns."""
    if isinstance(value, int):
        return value * NS_PER_SECOND
    if not value.is_finite():
        return None
    ns = value * NS_PER_SECOND
    if ns != ns.to_integral_value():
        return None
    return int(ns)


def _path_text(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
