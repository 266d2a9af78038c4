"""Click's usage errors in the user's language.

Click prints "Error: Missing option '--reason'." in English whatever the
interface language. The top-level group hands every ``click.UsageError`` here;
in Chinese (the default) the usage line, the help hint and the message are
said in Chinese, naming the same option or argument; ``--lang en`` keeps
Click's own wording. Messages our own parameter types raise are already
bilingual and pass through.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

import click

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^No such command '(?P<a>.+)'\.$"), "没有命令 '{a}'。"),
    (re.compile(r"^Option '(?P<a>.+)' requires an argument\.$"), "选项 '{a}' 后面需要一个值。"),
    (re.compile(r"^Option '(?P<a>.+)' requires (?P<n>\d+) arguments\.$"), "选项 '{a}' 后面需要 {n} 个值。"),
    (re.compile(r"^Got unexpected extra arguments? \((?P<a>.*)\)$"), "多余的参数：{a}"),
    (re.compile(r"^Option '(?P<a>.+)' does not take a value\.$"), "选项 '{a}' 不带值。"),
    (re.compile(r"^'(?P<a>.*)' is not one of (?P<b>.+)\.$"), "'{a}' 不是可选值之一（可选：{b}）。"),
    (re.compile(r"^'(?P<a>.*)' is not a valid integer\.$"), "'{a}' 不是整数。"),
    (re.compile(r"^'(?P<a>.*)' is not a valid float\.$"), "'{a}' 不是数字。"),
    (re.compile(r"^(?P<a>File|Directory|Path) '(?P<b>.*)' does not exist\.$"), "'{b}' 不存在。"),
    (re.compile(r"^(?P<a>File|Directory|Path) '(?P<b>.*)' is a directory\.$"), "'{b}' 是文件夹。"),
    (re.compile(r"^(?P<a>File|Directory|Path) '(?P<b>.*)' is a file\.$"), "'{b}' 是文件，不是文件夹。"),
)


def language(ctx: click.Context | None, argv: Sequence[str] | None = None) -> str:
    """The language of this invocation, even when parsing stopped before ``--lang`` was read."""
    if ctx is not None:
        root = ctx.find_root()
        lang = getattr(root.obj, "lang", None) or root.params.get("lang")
        if lang in ("zh", "en"):
            return str(lang)
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return "en" if os.environ.get("TRACKSIDE_LANG") == "en" else "zh"


def chinese(message: str) -> str:
    """One of Click's English messages in Chinese; a message we do not know is kept as it is."""
    for pattern, zh in _PATTERNS:
        m = pattern.match(message)
        if m:
            return zh.format(**m.groupdict())
    return message


def _param_name(exc: click.UsageError) -> str | None:
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint:
        return hint if isinstance(hint, str) else " / ".join(hint)
    if param is not None and exc.ctx is not None:
        return param.get_error_hint(exc.ctx)
    return None


def zh_message(exc: click.UsageError) -> str:
    if isinstance(exc, click.MissingParameter):
        name = _param_name(exc) or ""
        kind = {"argument": "参数", "option": "选项"}.get(exc.param_type or (exc.param.param_type_name if exc.param else ""), "参数")
        return f"缺少{kind} {name}。".replace("  ", " ")
    if isinstance(exc, click.NoSuchOption):
        text = f"没有选项 '{exc.option_name}'。"
        if exc.possibilities:
            text += "您是否想用 " + "、".join(sorted(exc.possibilities)) + "？"
        return text
    if isinstance(exc, click.BadParameter):
        name = _param_name(exc)
        inner = chinese(exc.message)
        return f"{name} 的值无效：{inner}" if name else f"值无效：{inner}"
    return chinese(exc.message)


def show(exc: click.UsageError, lang: str) -> None:
    """Print ``exc`` as Click would, in ``lang``."""
    if lang == "en":
        exc.show()
        return
    ctx = exc.ctx
    out = []
    if ctx is not None:
        out.append("用法：" + ctx.get_usage().removeprefix("Usage: "))
        if ctx.command.get_help_option(ctx) is not None:
            out.append(f"查看帮助：{ctx.command_path} {ctx.help_option_names[0]}")
        out.append("")
    out.append("错误：" + zh_message(exc))
    click.echo("\n".join(out), err=True)
