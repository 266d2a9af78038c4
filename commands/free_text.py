"""Free text typed on the command line enters the event without control characters.

``--operator``, ``--terminal``, every ``--reason``, names and notes given to
``entrants edit``, a judge's name, the event title … are plain string options.
``clean_free_text`` gives every such parameter of every command a type that
strips control characters (terminal escape codes, bidi overrides; a line break
or tab becomes a space) before the command sees it, so nothing of the kind is
journaled and replayed onto other terminals. Paths, choices and numbers keep
their own types.
"""

from __future__ import annotations

from typing import Any

import click

from competition.text_safety import strip_controls


class FreeText(click.ParamType):
    """A string with control characters stripped (see ``competition.text_safety``)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            return strip_controls(value)
        return value


FREE_TEXT = FreeText()


def clean_free_text(command: click.Command) -> None:
    """Give every plain string parameter of ``command`` and its subcommands the FreeText type."""
    for param in command.params:
        if param.type is click.STRING:
            param.type = FREE_TEXT
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            clean_free_text(sub)
