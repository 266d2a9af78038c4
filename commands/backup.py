"""trackside CLI: backups of the event file and restoring one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from commands.common import CONTEXT, Ctx, pass_ctx, run_guarded

F = TypeVar("F", bound=Callable[..., Any])


def backup_options(fn: F) -> F:
    """``--backup-dir`` and ``--backup-every`` for ``run`` and ``timing listen``.

    Either one turns automatic backups on (default folder: backups/ beside the event
    file; default interval: 5 minutes).
    """
    fn = click.option("--backup-every", "backup_every", default=None, type=click.IntRange(1, 1440), metavar="MIN",
                      help="每隔 MIN 分钟自动备份（默认 5）/ back up every MIN minutes (default 5)")(fn)
    fn = click.option("--backup-dir", "backup_dir", default=None, type=click.Path(file_okay=False),
                      help="自动备份到此文件夹（如 U 盘）/ automatic backups into this folder (e.g. a USB stick)")(fn)
    return fn


@click.command(context_settings=CONTEXT)
@click.option("--to", "to_dir", default=None, type=click.Path(file_okay=False),
              help="备份文件夹（如 U 盘；默认赛事文件旁的 backups/）/ backup folder (default backups/ beside the event file)")
@pass_ctx
def backup(ctx: Ctx, to_dir: str | None) -> None:
    """备份赛事文件（比赛进行中也可以）并校验 / back up the event file (safe while timing) and check the copy.

    \b
    The copy is named with the event, the UTC time and its journal head, e.g.
      网约配送员驾驶技能竞赛-20261201T140259Z-seq1234-ab12cd34.trackside.db
    `trackside restore FILE` makes it an event file again.
    """

    def body() -> None:
        from competition.backup import backup_event
        from competition.event import Event

        # Opening the event first gives the usual messages for a missing or foreign file.
        with Event.open(ctx.db, operator=ctx.operator, terminal=ctx.terminal):
            pass
        result = backup_event(ctx.db, to_dir, reason="manual")
        click.echo(result.line(ctx.lang))
        click.echo(result.head.line(ctx.lang))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False))
@click.option("--to", "to_file", default=None, type=click.Path(dir_okay=False),
              help="恢复成的新赛事文件（不能已存在）/ the new event file (must not exist)")
@pass_ctx
def restore(ctx: Ctx, backup_file: str, to_file: str | None) -> None:
    """检查备份后把它恢复为赛事文件（从不覆盖）/ check a backup, then make it an event file (never overwrites).

    \b
    Without --to the restored file is --db (default ./trackside.db) when that does
    not exist yet, else a new name beside it, e.g. trackside-restored-20261201T141500Z.db.
    """

    def body() -> None:
        from competition.backup import restore_backup

        result = restore_backup(backup_file, to=to_file, default_target=ctx.db)
        if result.renamed:
            click.echo(ctx.say(f"{ctx.db} 已存在，未覆盖；备份恢复为新文件。",
                               f"{ctx.db} exists and was left alone; the backup was restored under a new name."))
        click.echo(ctx.say(f"已检查并恢复：{backup_file} → {result.path}", f"Checked and restored: {backup_file} → {result.path}"))
        click.echo(result.head.line(ctx.lang))
        click.echo(ctx.say(
            f"下一步：trackside --db {result.path} verify，然后接上计时器 "
            f"trackside --db {result.path} run --port … --protocol …（计时器会补传它记忆中的脉冲）。",
            f"Next: trackside --db {result.path} verify, then re-attach the timer with "
            f"trackside --db {result.path} run --port … --protocol … (the timer replays its memory).",
        ))

    run_guarded(ctx, body)


COMMANDS = [backup, restore]
