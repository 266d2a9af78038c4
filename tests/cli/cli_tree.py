"""Walk the click command tree: every leaf command, its parameters, a valid argv for it.

The hostile-argument tests and the CLI fuzz build on this, so a command added
later is attacked without anyone listing it.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from commands.params import BoundedInt, CalendarDate, DecimalRange, Reason, RunTime
from main import cli


def leaf_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name in sorted(group.commands):
        command = group.commands[name]
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from leaf_commands(command, path)
        else:
            yield path, command


def is_integer(param: click.Parameter) -> bool:
    return isinstance(param.type, click.types.IntParamType | BoundedInt)


def valid_value(param: click.Parameter) -> str:
    """A value the parameter accepts (what the other parameters get while one is attacked)."""
    kind = param.type
    if isinstance(kind, BoundedInt):
        return str(kind.lo)
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, Reason):
        return "test"
    if isinstance(kind, RunTime):
        return "50"
    if isinstance(kind, DecimalRange):
        return "38-55"
    if isinstance(kind, CalendarDate):
        return "2026-05-01"
    if isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
        return "1"
    return "x"


def argv_with(path: tuple[str, ...], command: click.Command, target: click.Parameter | None,
              value: str) -> list[str]:
    """argv for ``command`` with every required parameter valid and ``target`` set to ``value``."""
    args: list[str] = list(path)
    positional: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument):
            if param is target:
                positional.append(value)
            elif param.required:
                positional.append(valid_value(param))
        elif isinstance(param, click.Option):
            if param.is_flag or param.name == "help":
                continue
            if param is target:
                args += [param.opts[0], value]
            elif param.required:
                args += [param.opts[0], valid_value(param)]
    if any(p.startswith("-") for p in positional):
        return [*args, "--", *positional]
    return args + positional
