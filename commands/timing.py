"""trackside CLI: timers: the headless recorder, replay, impulses, ports, the simulator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from commands.backup import backup_options
from commands.common import CONTEXT, Ctx, emit_json, fail, pass_ctx, run_guarded
from commands.params import (
    BIB,
    COURSE_TIME_RANGE,
    IMPULSE_SEQ,
    LIMIT,
    PROBABILITY,
    REASON,
    RIDERS,
    RUN_ID,
    SECONDS,
    SEED,
    SPEED,
    TRACK,
)


@click.group(context_settings=CONTEXT)
def timing() -> None:
    """计时器：无界面记录、回放、端口 / timers: headless recorder, replay, ports."""


@timing.command("listen", context_settings=CONTEXT)
@click.option("--port", "url", required=True, help="串口或 URL（/dev/ttyUSB0, COM3, socket://…）/ port")
@click.option("--protocol", required=True, help="alge | tagheuer | microgate | pad")
@click.option("--track", default=1, show_default=True, type=TRACK)
@click.option("--forward", "hub_url", default=None, metavar="URL",
              help="副机：把每个脉冲转发到主机的现场服务器（如 http://192.168.1.10:8080）/ forward to the hub")
@click.option("--token", default=None, help="主机发给本副机的令牌（trackside judges --satellite N）/ satellite token")
@backup_options
@pass_ctx
def timing_listen(ctx: Ctx, url: str, protocol: str, track: int, hub_url: str | None, token: str | None,
                  backup_dir: str | None, backup_every: int | None) -> None:
    """无界面计时记录（可与计时终端并行）/ headless timing recorder (beside the app or alone).

    \b
    With --forward and --token this laptop is a satellite: it keeps its own
    event file (nothing is lost while the hub or the Wi-Fi is down) and sends
    every impulse to the hub, which pairs them on the token's track.
    """
    if bool(hub_url) != bool(token):
        fail(ctx.say("--forward 与 --token 必须同时给出。", "--forward and --token go together."))

    def body() -> None:
        from competition.backup_schedule import BackupOutcome, schedule_from_options
        from competition.recorder import listen_forever

        def backed_up(outcome: BackupOutcome) -> None:
            # A failing backup target is an alarm (bell, stderr); timing goes on.
            if outcome.failed:
                click.echo("\a" + outcome.line(ctx.lang), err=True)
            elif outcome.result is not None:
                click.echo(outcome.line(ctx.lang))

        backups = schedule_from_options(ctx.db, backup_dir, backup_every, on_outcome=backed_up)
        if backups is not None:
            backups.start()
        forwarder = None
        if hub_url and token:
            from competition.satellite import Forwarder, ForwarderStatus

            def shown(s: ForwarderStatus) -> None:
                if s.online:
                    click.echo(ctx.say(f"主机 {hub_url}：已连接，待转发 {s.backlog}", f"hub {hub_url}: online, backlog {s.backlog}"))
                else:
                    click.echo(ctx.say(f"主机 {hub_url}：断开（{s.last_error}），脉冲保存在本机，恢复后补发",
                                       f"hub {hub_url}: OFFLINE ({s.last_error}); impulses kept here, sent on return"))

            forwarder = Forwarder(ctx.db, hub_url, token, on_status=shown)
            forwarder.start()
        try:
            listen_forever(ctx.db, url=url, protocol=protocol, track=track, lang=ctx.lang,
                           operator=ctx.operator, terminal=ctx.terminal, echo=click.echo)
        finally:
            if backups is not None:
                backups.stop()
            if forwarder is not None:
                forwarder.stop()

    run_guarded(ctx, body)


@timing.command("replay", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--protocol", required=True, help="alge | tagheuer | microgate | pad")
@click.option("--track", default=1, show_default=True, type=TRACK)
@pass_ctx
def timing_replay(ctx: Ctx, file: str, protocol: str, track: int) -> None:
    """把抓包文件送入与现场相同的流程 / feed a byte capture through the live pipeline."""

    def body() -> None:
        from competition.recorder import replay_capture
        from results.plain_text import outcome_counts_text

        with ctx.event() as event:
            counts = replay_capture(event, Path(file).read_bytes(), protocol=protocol, track=track, source=file)
        click.echo(outcome_counts_text(counts, ctx.lang))

    run_guarded(ctx, body)


@timing.command("impulses", context_settings=CONTEXT)
@click.option("--waiting", is_flag=True, help="只看待处理（无主/待选）/ only orphans and candidates")
@click.option("--track", default=None, type=TRACK)
@click.option("--limit", default=30, show_default=True, type=LIMIT)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def timing_impulses(ctx: Ctx, waiting: bool, track: int | None, limit: int, as_json: bool) -> None:
    """计时脉冲（最新在前）/ impulses, newest first."""

    def body() -> None:
        from competition.timing import impulses, orphans
        from results.plain_text import impulses_text

        with ctx.event() as event:
            rows = orphans(event, track) if waiting else impulses(event, limit=limit, track=track)
            if as_json:
                emit_json([{k: v for k, v in r.items() if k != "raw"} for r in rows])
            else:
                click.echo(impulses_text(rows, ctx.lang))

    run_guarded(ctx, body)


@timing.command("assign", context_settings=CONTEXT)
@click.argument("impulse_seq", type=IMPULSE_SEQ)
@click.option("--bib", default=None, type=BIB, help="出发脉冲给哪位选手 / rider for a start impulse")
@click.option("--run", "run_id", default=None, type=RUN_ID, help="终点脉冲给哪次成绩 / run for a finish impulse")
@click.option("--reason", required=True, type=REASON)
@pass_ctx
def timing_assign(ctx: Ctx, impulse_seq: int, bib: int | None, run_id: int | None, reason: str) -> None:
    """把无主脉冲指定给选手，或选定真实终点时间 / give an orphan impulse to a rider, or pick the real finish."""

    def body() -> None:
        from competition.timing import assign_impulse

        with ctx.event() as event:
            rid = assign_impulse(event, impulse_seq, bib=bib, run_id=run_id, reason=reason)
        click.echo(ctx.say(f"脉冲 {impulse_seq} 已指定给成绩 #{rid}。", f"Impulse {impulse_seq} assigned to run #{rid}."))

    run_guarded(ctx, body)


@timing.command("discard", context_settings=CONTEXT)
@click.argument("impulse_seq", type=IMPULSE_SEQ)
@click.option("--reason", required=True, type=REASON, help="如 试踩计时垫 / e.g. test slap")
@pass_ctx
def timing_discard(ctx: Ctx, impulse_seq: int, reason: str) -> None:
    """搁置脉冲（试踩等；保留记录，不计时）/ set an impulse aside (test slap; kept, never used)."""

    def body() -> None:
        from competition.timing import discard_impulse

        with ctx.event() as event:
            discard_impulse(event, impulse_seq, reason=reason)
        click.echo(ctx.say(f"脉冲 {impulse_seq} 已搁置。", f"Impulse {impulse_seq} set aside."))

    run_guarded(ctx, body)


@timing.command("ports", context_settings=CONTEXT)
@pass_ctx
def timing_ports(ctx: Ctx) -> None:
    """列出串口 / list serial ports."""
    from hardware.ports import list_ports

    ports = list_ports()
    if not ports:
        click.echo(ctx.say("没有找到串口。", "No serial ports found."))
    for p in ports:
        click.echo(f"{p.device}\t{p.description}\t{p.hwid}")


@click.command(context_settings=CONTEXT)
@click.option("--protocol", required=True, help="alge | tagheuer | microgate | pad")
@click.option("--riders", default=20, show_default=True, type=RIDERS, help="模拟选手数 / riders to play")
@click.option("--gap", default="20", show_default=True, type=SECONDS, help="出发间隔秒 / seconds between starts")
@click.option("--course-time", default="38-55", show_default=True, type=COURSE_TIME_RANGE,
              help="用时范围秒 / course time range, seconds")
@click.option("--seed", default=1, show_default=True, type=SEED)
@click.option("--bounce", default="0.02", show_default=True, type=PROBABILITY, help="抖动触发概率 / bounce probability")
@click.option("--noise", default="0.01", show_default=True, type=PROBABILITY, help="噪声行概率 / noise probability")
@click.option("--bad-checksum", default="0", show_default=True, type=PROBABILITY,
              help="校验错误概率 / bad checksum probability")
@click.option("--disconnect-every", default=None, type=SECONDS, help="每隔 N 秒拔线一次 / unplug every N seconds")
@click.option("--speed", default="1", show_default=True, type=SPEED, help="时间倍速 / time speed-up")
@pass_ctx
def simulate(ctx: Ctx, protocol: str, riders: int, gap: Decimal, course_time: tuple[Decimal, Decimal], seed: int,
             bounce: Decimal, noise: Decimal, bad_checksum: Decimal, disconnect_every: Decimal | None,
             speed: Decimal) -> None:
    """在虚拟串口上模拟计时器，打印设备路径 / simulate a timer on a pty; prints its path.

    \b
    Then, in another terminal:
      trackside run --port <path> --protocol <protocol>
    """

    def body() -> None:
        from hardware.protocols import get_protocol
        from hardware.simulate_main import run_simulator_on_pty

        get_protocol(protocol)
        # The simulator paces itself with these; result times never pass through floats.
        run_simulator_on_pty(
            protocol, riders=riders, gap_s=gap, course_s=course_time, seed=seed, speed=float(speed),
            bounce_probability=float(bounce), noise_probability=float(noise),
            bad_checksum_probability=float(bad_checksum),
            disconnect_every_s=float(disconnect_every) if disconnect_every is not None else None, out=click.echo,
        )

    run_guarded(ctx, body)


COMMANDS = [timing, simulate]
