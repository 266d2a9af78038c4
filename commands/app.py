"""trackside CLI: the trackside app and the demo."""

from __future__ import annotations

import os
from pathlib import Path

import click

from commands.backup import backup_options
from commands.common import CONTEXT, Ctx, fail, pass_ctx, run_guarded
from commands.params import RIDERS, SEED, TRACK
from commands.timing import PROTOCOL_HELP, configured_protocol, serial_options


@click.command(context_settings=CONTEXT)
@click.option("--port", "url", default=None, help="串口或 URL / port or URL")
@click.option("--protocol", default=None, help=PROTOCOL_HELP)
@click.option("--simulate", "simulated", is_flag=True, help="使用内置模拟计时器 / use a simulated timer")
@click.option("--track", default=1, show_default=True, type=TRACK)
@click.option("--leave-recorder", "leave_recorder", is_flag=True,
              help="退出界面时保留记录进程继续记录 / on exit, leave the recorder process recording")
@backup_options
@serial_options
@pass_ctx
def run(ctx: Ctx, url: str | None, protocol: str | None, simulated: bool, track: int, leave_recorder: bool,
        backup_dir: str | None, backup_every: int | None, baud: int | None, rtscts: bool,
        numbers: str | None) -> None:
    """打开计时终端 / open the trackside app.

    \b
    With --port (or --simulate) the port is read by a recorder process
    (`trackside timing listen`), started by the app or, if one already runs
    for that port and track, attached to; the app restarts it if it dies.
    Its output goes to <event>.recorder-track<N>.log.
    """
    if url and not protocol:
        fail(ctx.say("使用 --port 时必须同时给出 --protocol。", "--port needs --protocol."))

    def body() -> None:
        from competition.tui.launch import launch_app
        from hardware.protocols.settings import remember

        if url:
            configured_protocol(protocol or "", baud, rtscts, numbers)  # a bad value is a plain CLI error
            remember(url, baudrate=baud, rtscts=rtscts or None, numbers=numbers)

        launch_app(ctx.db, url=url, protocol=protocol, simulate=simulated, track=track, lang=ctx.lang,
                   operator=ctx.operator, terminal=ctx.terminal, backup_dir=backup_dir, backup_every=backup_every,
                   leave_recorder_running=leave_recorder)

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--headless", is_flag=True, help="不开界面，跑完整场比赛 / play a whole competition without the UI")
@click.option("--seed", default=2026, show_default=True, type=SEED)
@click.option("--riders", default=500, show_default=True, type=RIDERS)
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@pass_ctx
def demo(ctx: Ctx, headless: bool, seed: int, riders: int, out_dir: str | None) -> None:
    """演示赛事：500 名模拟选手 / the demo event with 500 simulated riders.

    Uses --db / TRACKSIDE_DB when given, else ./trackside-demo.db; never
    overwrites a real event.
    """
    db = ctx.db_given or os.environ.get("TRACKSIDE_DB") or "trackside-demo.db"

    def body() -> None:
        if headless:
            from results.demo import play_headless

            play_headless(db, seed=seed, riders=riders, out_dir=Path(out_dir) if out_dir else None,
                          lang=ctx.lang, echo=click.echo)
        else:
            from competition.tui.launch import launch_demo

            launch_demo(db, seed=seed, riders=riders, lang=ctx.lang)

    run_guarded(ctx, body)


COMMANDS = [run, demo]
