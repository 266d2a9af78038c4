"""What every command shares: the context (event file, language, operator), errors, JSON.

"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Ctx:
    """What every command needs: the event file, the language, who is operating."""

    def __init__(self, db: str | None, lang: str, operator: str, terminal: str | None) -> None:
        self.db_given = db
        self.db = db or os.environ.get("TRACKSIDE_DB") or "trackside.db"
        self.lang = lang
        self.operator = operator
        self.terminal = terminal
        self.case_id: int | None = None  # --case N: corrections made under an upheld appeal

    def say(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def event(self) -> Any:
        from competition.event import Event

        event = Event.open(self.db, operator=self.operator, terminal=self.terminal)
        if self.case_id is not None:
            from competition.appeals import require_case_for_corrections

            try:
                require_case_for_corrections(event, self.case_id)
            except BaseException:
                event.close()
                raise
            event.store.case_id = self.case_id
        return event


pass_ctx = click.make_pass_decorator(Ctx)


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def run_guarded(ctx: Ctx, fn: Callable[[], Any]) -> Any:
    """Run a command body; our errors become one clear line and exit code 1."""
    from competition.errors import user_message

    try:
        return fn()
    except KeyboardInterrupt:
        fail(ctx.say("已中断。", "Interrupted."))
    except Exception as exc:  # every user-facing error of ours carries message_zh/en
        text = user_message(exc, ctx.lang)
        if text is None:
            raise
        fail(("错误：" if ctx.lang != "en" else "Error: ") + text)


def emit_json(data: Any, *, full_phones: bool = False) -> None:
    """Print JSON: every string cleaned of ID numbers and (unless ``full_phones``) of full
    phones, and nothing a terminal would act on (the values decode the same otherwise)."""
    from competition.text_safety import json_printable
    from results.redaction import redact_id_numbers, scrub_text

    clean = redact_id_numbers if full_phones else scrub_text

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    click.echo(json_printable(json.dumps(walk(data), ensure_ascii=False, indent=2)))
