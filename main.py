"""trackside: the command line. Thin: parses, calls the packages, prints.

Commands live in ``commands/``, one module per group of jobs. Imports stay
inside the commands so ``trackside --help`` and every non-UI command start fast
(no textual, no jinja2 unless a command needs them).
"""

from __future__ import annotations

import os

import click

from commands import (
    app,
    backup,
    entrants,
    event,
    judging,
    paper,
    results,
    rounds,
    share,
    timing,
    venue,
)
from commands.common import CONTEXT, Ctx, GuardedGroup
from commands.free_text import clean_free_text
from commands.params import CASE_ID


@click.group(cls=GuardedGroup, context_settings=CONTEXT)
@click.option("--db", metavar="FILE", help="赛事文件（默认 ./trackside.db，或环境变量 TRACKSIDE_DB）/ event file")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=lambda: os.environ.get("TRACKSIDE_LANG") or "zh",
              show_default="zh", help="界面语言 / language")
@click.option("--operator", default=lambda: os.environ.get("TRACKSIDE_OPERATOR", ""),
              help="操作人姓名，记入日志 / operator name recorded in the journal")
@click.option("--terminal", default=None, help="终端名（默认 主机名:进程号）/ terminal id")
@click.option("--case", "case_id", default=None, type=CASE_ID, metavar="N",
              help="按已裁决成立的申诉 N 更正（记入日志）/ a correction made under upheld appeal N")
@click.version_option(package_name="trackside")
@click.pass_context
def cli(click_ctx: click.Context, db: str | None, lang: str, operator: str, terminal: str | None,
        case_id: int | None) -> None:
    """Trackside 赛道计时与裁判系统 — timing and judging for skills competitions.

    \b
    常用流程 / a competition day:
      trackside init --title "…技能竞赛"        建立赛事 / create the event
      trackside entrants import 报名表.xlsx     导入报名 / import the sheet
      trackside run --port /dev/ttyUSB0 --protocol alge   计时终端 / trackside app
      trackside advance --top 70                晋级决赛 / cut to the final
      trackside awards --out 颁奖               奖状与名单 / award sheets
    """
    click_ctx.obj = Ctx(db, lang, operator, terminal)
    click_ctx.obj.case_id = case_id


for _module in (event, entrants, timing, judging, results, rounds, paper, share, app, backup, venue):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
clean_free_text(cli)  # no control characters in --operator, --reason, names … (after every command is added)


def main() -> None:
    """The console entry point; the group itself turns any stray exception into one line and a log."""
    cli(prog_name="trackside")


if __name__ == "__main__":
    main()
