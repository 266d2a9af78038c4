"""What every command shares: the context (event file, language, operator), errors, JSON.

"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
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

        event = Event.open(self.db, operator=self.operator, terminal=self.terminal, busy_notice=self.busy_notice)
        if self.case_id is not None:
            from competition.appeals import require_case_for_corrections

            try:
                require_case_for_corrections(event, self.case_id)
            except BaseException:
                event.close()
                raise
            event.store.case_id = self.case_id
        return event

    def busy_notice(self) -> None:
        """Said once when a write has waited about a second for another writer."""
        click.echo(self.say("赛事文件正被其他程序写入，等待中…", "The event file is being written by another program; waiting…"),
                   err=True)


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
        text = user_message(exc, ctx.lang) or path_problem(exc, ctx.lang)
        if text is None:
            last_resort(exc, ctx.db, ctx.lang)
        fail(("错误：" if ctx.lang != "en" else "Error: ") + text)


def path_problem(exc: BaseException, lang: str) -> str | None:
    """An OSError about a path the user named (too long, no such folder, no permission): one line.

    It is the user's input or machine, not a bug; nothing was recorded (every
    write to the event is one transaction, and outputs are written aside first).
    """
    if not isinstance(exc, OSError) or exc.filename is None:
        return None
    from results.output_files import os_reason

    zh, en = os_reason(exc)
    return f"Cannot use {exc.filename} ({en})" if lang == "en" else f"无法使用 {exc.filename}（{zh}）"


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


ERROR_LOG = "trackside-errors.log"


def write_error_log(exc: BaseException, db: str | None) -> Path:
    """Append the traceback to trackside-errors.log beside the event file (else in the temp folder)."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    text = (f"==== {stamp} pid {os.getpid()} argv {sys.argv!r}\n"
            + "".join(traceback.format_exception(exc)) + "\n")
    folders = []
    if db:
        folders.append(Path(db).absolute().parent)
    folders.append(Path(tempfile.gettempdir()))
    for folder in folders:
        log = folder / ERROR_LOG
        try:
            if log.exists() and not log.is_file():
                continue
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(text)
            return log
        except OSError:
            continue
    return Path(tempfile.gettempdir()) / ERROR_LOG


def last_resort(exc: BaseException, db: str | None, lang: str) -> NoReturn:
    """A bug, not a user error: the traceback goes to a log; the user sees one line; exit code 1."""
    log = write_error_log(exc, db)
    what = type(exc).__name__
    fail(
        f"Unexpected error: the command did not finish ({what}). Details were written to {log}; "
        "nothing half-done was recorded. Please send that file to the Trackside maintainers."
        if lang == "en" else
        f"意外错误：命令没有完成（{what}）。详情已写入 {log}；未完成的操作没有记录。请把该文件发给 Trackside 维护人员。"
    )


class GuardedGroup(click.Group):
    """The top-level group: any exception no command handled goes through ``last_resort``."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:  # e.g. `--lang xx`, a bad --db before any command
            _say_usage_error(exc, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a subcommand's missing option, unknown command …
            _say_usage_error(exc, None)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # `trackside journal | head`: the reader left; nothing to say, and nobody to say it to.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            from competition.errors import user_message

            obj = ctx.find_object(Ctx)
            lang = obj.lang if obj is not None else os.environ.get("TRACKSIDE_LANG", "zh")
            text = user_message(exc, lang) or path_problem(exc, lang)
            if text is not None:
                fail(("Error: " if lang == "en" else "错误：") + text)
            last_resort(exc, obj.db if obj is not None else None, lang)


def _say_usage_error(exc: click.UsageError, args: list[str] | None) -> NoReturn:
    """Click's usage error in the user's language, then the exit code Click would give."""
    from commands.usage_errors import language, show

    show(exc, language(exc.ctx, args))
    raise click.exceptions.Exit(exc.exit_code)


def guard_output_file(ctx: Ctx, target: str) -> None:
    """An output file must never be the event file (or its -wal/-shm): that would destroy the event."""
    from competition.errors import CommandRefused

    db = Path(ctx.db).resolve()
    aimed = Path(target).resolve()
    if aimed in {db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))}:
        raise CommandRefused(f"{target} 是赛事文件本身，不会覆盖。请写到另一个文件。",
                             f"{target} is the event file itself; it is never overwritten. Name another file.")


def guard_output_folder(ctx: Ctx, target: str) -> None:
    """An output folder is swapped whole: it must not hold the event file, anywhere inside it."""
    from competition.errors import CommandRefused

    db = Path(ctx.db).resolve()
    aimed = Path(target).resolve()
    if aimed == db or aimed in db.parents:
        raise CommandRefused(f"输出文件夹 {target} 里有赛事文件 {ctx.db}；请另选一个文件夹（如 颁奖）。",
                             f"The output folder {target} holds the event file {ctx.db}; name another folder "
                             "(e.g. awards).")


