"""trackside CLI: timers: the headless recorder, replay, impulses, ports, the simulator."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from commands.backup import backup_options
from commands.common import CONTEXT, Ctx, emit_json, fail, pass_ctx, run_guarded
from commands.params import (
    BAUD,
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

PROTOCOL_HELP = "alge | timy | tagheuer | microgate | farmtek | raceamerica | stackmat | pad"


def serial_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--baud``, ``--rtscts`` and ``--numbers`` (see docs/HARDWARE.md for each timer's values)."""
    fn = click.option("--numbers", type=click.Choice(["auto", "bib", "impulse"]), default=None,
                      help="计时器号码是选手号（bib）还是脉冲计数（impulse）；默认 auto 由数据判断"
                           " / the timer's number is the bib or an impulse counter (default: detect)")(fn)
    fn = click.option("--rtscts", is_flag=True, default=False,
                      help="RTS/CTS 硬件握手（TAG Heuer 此设置下每帧回 ACK）/ RTS/CTS handshake")(fn)
    return click.option("--baud", type=BAUD, default=None,
                        help="波特率，默认取协议出厂值 / baud rate (default: the protocol's factory setting)")(fn)


def configured_protocol(protocol: str, baud: int | None, rtscts: bool, numbers: str | None) -> Any:
    from hardware.protocols.settings import configured

    return configured(protocol, baudrate=baud, rtscts=rtscts or None, numbers=numbers)


@click.group(context_settings=CONTEXT)
def timing() -> None:
    """计时器：无界面记录、回放、端口 / timers: headless recorder, replay, ports."""


@timing.command("listen", context_settings=CONTEXT)
@click.option("--port", "url", required=True, help="串口或 URL（/dev/ttyUSB0, COM3, socket://…）/ port")
@click.option("--protocol", required=True, help=PROTOCOL_HELP)
@click.option("--track", default=1, show_default=True, type=TRACK)
@click.option("--forward", "hub_url", default=None, metavar="URL",
              help="副机：把每个脉冲转发到主机的现场服务器（如 http://192.168.1.10:8080）/ forward to the hub")
@click.option("--token", default=None, help="主机发给本副机的令牌（trackside judges --satellite N）/ satellite token")
@backup_options
@serial_options
@pass_ctx
def timing_listen(ctx: Ctx, url: str, protocol: str, track: int, hub_url: str | None, token: str | None,
                  backup_dir: str | None, backup_every: int | None, baud: int | None, rtscts: bool,
                  numbers: str | None) -> None:
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
        proto = configured_protocol(protocol, baud, rtscts, numbers)
        try:
            listen_forever(ctx.db, url=url, protocol=proto, track=track, lang=ctx.lang,
                           operator=ctx.operator, terminal=ctx.terminal, echo=click.echo)
        finally:
            if backups is not None:
                backups.stop()
            if forwarder is not None:
                forwarder.stop()

    run_guarded(ctx, body)


@timing.command("replay", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--protocol", required=True, help=PROTOCOL_HELP)
@click.option("--track", default=1, show_default=True, type=TRACK)
@click.option("--numbers", type=click.Choice(["auto", "bib", "impulse"]), default=None,
              help="计时器号码是选手号还是脉冲计数（默认由数据判断）/ bib or impulse counter (default: detect)")
@pass_ctx
def timing_replay(ctx: Ctx, file: str, protocol: str, track: int, numbers: str | None) -> None:
    """把抓包文件送入与现场相同的流程 / feed a byte capture through the live pipeline."""

    def body() -> None:
        from competition.recorder import replay_capture
        from results.plain_text import outcome_counts_text

        proto = configured_protocol(protocol, None, False, numbers)
        with ctx.event() as event:
            counts = replay_capture(event, Path(file).read_bytes(), protocol=proto, track=track, source=file)
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
@click.option("--force", is_flag=True, help="结果超出赛道限制时仍然记录（需理由）/ record a result outside the course's limits")
@click.option("--preview", is_flag=True, help="只显示将记录的时间，不记录 / show what would be recorded, record nothing")
@pass_ctx
def timing_assign(ctx: Ctx, impulse_seq: int, bib: int | None, run_id: int | None, reason: str, force: bool,
                  preview: bool) -> None:
    """把无主脉冲指定给选手，或选定真实终点时间 / give an orphan impulse to a rider, or pick the real finish.

    \b
    A result under the minimum run time or over the time limit is refused
    unless confirmed with --force (and the reason). --preview shows the
    impulse's time and the resulting run time first.
    """

    def body() -> None:
        from competition.assignment import preview_assignment
        from competition.timing import assign_impulse

        with ctx.event() as event:
            pv = preview_assignment(event, impulse_seq, bib=bib, run_id=run_id)
            when = pv["time_of_day"] or pv["recorded_utc"] or "?"
            ago = pv["age"] or ctx.say("未知", "unknown")
            result = pv["raw"] if pv["action"] != "start" else pv["running"] or ctx.say("未知", "unknown")
            click.echo(ctx.say(
                f"脉冲 {impulse_seq}：{when}（{ago} 之前）→ {pv['bib']} 号，用时 {result}",
                f"Impulse {impulse_seq}: {when} ({ago} ago) -> bib {pv['bib']}, time {result}",
            ))
            if preview:
                return
            rid = assign_impulse(event, impulse_seq, bib=bib, run_id=run_id, reason=reason, force=force)
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


@timing.command("gaps", context_settings=CONTEXT)
@click.option("--track", default=None, type=TRACK)
@click.option("--all", "show_all", is_flag=True, help="含已补齐/已确认 / include filled and acknowledged")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def timing_gaps(ctx: Ctx, track: int | None, show_all: bool, as_json: bool) -> None:
    """计时器序号缺口（暂停自动配对）/ device sequence gaps (pairing held while open)."""

    def body() -> None:
        from competition.sequence_gaps import describe, gaps

        with ctx.event() as event:
            rows = gaps(event, track, include_closed=show_all)
        if as_json:
            emit_json([g.as_dict() for g in rows])
            return
        if not rows:
            click.echo(ctx.say("没有未处理的序号缺口。", "No open sequence gaps."))
        for g in rows:
            click.echo(describe(g, ctx.lang))

    run_guarded(ctx, body)


@timing.command("acknowledge-gap", context_settings=CONTEXT)
@click.argument("gap_seq", type=IMPULSE_SEQ)
@click.option("--reason", required=True, type=REASON, help="如 相关选手重赛 / e.g. riders concerned re-ride")
@pass_ctx
def timing_acknowledge_gap(ctx: Ctx, gap_seq: int, reason: str) -> None:
    """确认序号缺口已处理，恢复自动配对 / the referee dealt with a gap: pairing resumes."""

    def body() -> None:
        from competition.sequence_gaps import acknowledge

        with ctx.event() as event:
            gap = acknowledge(event, gap_seq, reason=reason)
        click.echo(ctx.say(f"缺口 #{gap.seq}（{gap.track} 道）已确认。", f"Gap #{gap.seq} (track {gap.track}) acknowledged."))

    run_guarded(ctx, body)


@timing.command("discard-before-session", context_settings=CONTEXT)
@click.option("--track", required=True, type=TRACK)
@click.option("--reason", required=True, type=REASON, help="如 计时器旧记录 / e.g. the timer's old memory")
@pass_ctx
def timing_discard_before_session(ctx: Ctx, track: int, reason: str) -> None:
    """搁置开赛前的全部脉冲（计时器旧记录），恢复自动配对 / set aside every impulse from before the session."""

    def body() -> None:
        from competition.timing_holds import discard_before_session

        with ctx.event() as event:
            n = discard_before_session(event, track, reason=reason)
        click.echo(ctx.say(f"已搁置 {track} 道开赛前的 {n} 个脉冲。", f"{n} impulses from before the session set aside on track {track}."))

    run_guarded(ctx, body)


@timing.command("swap", context_settings=CONTEXT)
@click.argument("run_a", type=RUN_ID)
@click.argument("run_b", type=RUN_ID)
@click.option("--reason", required=True, type=REASON, help="如 5 号在赛道上超过了 3 号 / e.g. bib 5 overtook bib 3")
@pass_ctx
def timing_swap(ctx: Ctx, run_a: int, run_b: int, reason: str) -> None:
    """交换两次成绩的终点时间（后出发者超车）/ swap two runs' finishes (rider B overtook rider A)."""

    def body() -> None:
        from competition.pairing_by_number import swap_finishes

        with ctx.event() as event:
            swap_finishes(event, run_a, run_b, reason=reason)
        click.echo(ctx.say(f"成绩 #{run_a} 与 #{run_b} 的终点时间已交换。", f"Finishes of runs #{run_a} and #{run_b} swapped."))

    run_guarded(ctx, body)


@timing.command("unvoid", context_settings=CONTEXT)
@click.argument("impulse_seq", type=IMPULSE_SEQ)
@click.option("--reason", required=True, type=REASON)
@pass_ctx
def timing_unvoid(ctx: Ctx, impulse_seq: int, reason: str) -> None:
    """撤销作废（计时器取消的脉冲重新变为无主，可再指定）/ reverse a void: the impulse is an orphan again."""

    def body() -> None:
        from competition.pairing_by_number import unvoid_impulse

        with ctx.event() as event:
            unvoid_impulse(event, impulse_seq, reason=reason)
        click.echo(ctx.say(f"脉冲 {impulse_seq} 已恢复为无主，可用 timing assign 指定。",
                           f"Impulse {impulse_seq} is an orphan again; assign it with timing assign."))

    run_guarded(ctx, body)


@timing.command("decide-check", context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.option("--use", "decision", required=True, type=click.Choice(["timer", "trackside"]),
              help="timer：采用计时器的用时；trackside：保留本机用时 / use the timer's time or keep Trackside's")
@click.option("--reason", required=True, type=REASON)
@pass_ctx
def timing_decide_check(ctx: Ctx, run_id: int, decision: str, reason: str) -> None:
    """处理与计时器用时不一致的成绩（记入日志）/ decide a run that differs from the timer's own time (journaled)."""

    def body() -> None:
        from competition.timer_check_review import decide

        with ctx.event() as event:
            decide(event, run_id, decision, reason=reason)
        click.echo(ctx.say(f"成绩 #{run_id}：" + ("已采用计时器的用时。" if decision == "timer" else "保留本机用时。"),
                           f"Run #{run_id}: " + ("set to the timer's time." if decision == "timer"
                                                  else "Trackside's time kept.")))

    run_guarded(ctx, body)


@timing.command("checks", context_settings=CONTEXT)
@click.option("--track", default=None, type=TRACK)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def timing_checks(ctx: Ctx, track: int | None, as_json: bool) -> None:
    """计时器自己算出的用时与 Trackside 的对照，不一致的标出 / the timer's own net times beside Trackside's."""

    def body() -> None:
        from competition.pairing_by_number import number_mismatches
        from competition.timer_check_review import review

        with ctx.event() as event:
            by_run, kept = review(event, track)
            checks = sorted(by_run.values(), key=lambda c: c.run_id)
            mismatches = number_mismatches(event)
        if as_json:
            emit_json({"checks": [{"run_id": c.run_id, "trackside_ns": c.trackside_ns, **c.as_json(),
                                   "timer_kept": c.run_id in kept} for c in checks],
                       "number_mismatches": mismatches})
            return
        for c in checks:
            mark = {True: "=", False: ctx.say("≠ 不一致", "≠ DIFFERS"), None: "…"}[c.agrees]
            if c.run_id in kept:
                mark += ctx.say("（裁判保留本机用时）", " (kept by the referee)")
            click.echo(f"#{c.run_id}	{c.trackside_ns}	{c.timer_net_ns}	{mark}")
        for m in mismatches:
            click.echo(f"[{m['track']}] #{m['seq']} {m['channel']} {m['disposition']}: {m['mismatch']}")
        if not checks and not mismatches:
            click.echo(ctx.say("计时器没有发来自己的用时。", "The timer sent no net times of its own."))

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
@click.option("--protocol", required=True, help=PROTOCOL_HELP)
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
@click.option("--start-now", is_flag=True,
              help="不等计时终端连接就开始（演练开机早于电脑）/ start before the timing desk connects")
@serial_options
@pass_ctx
def simulate(ctx: Ctx, protocol: str, riders: int, gap: Decimal, course_time: tuple[Decimal, Decimal], seed: int,
             bounce: Decimal, noise: Decimal, bad_checksum: Decimal, disconnect_every: Decimal | None,
             speed: Decimal, start_now: bool, baud: int | None, rtscts: bool, numbers: str | None) -> None:
    """在虚拟串口上模拟计时器，打印设备路径 / simulate a timer on a pty; prints its path.

    \b
    Then, in another terminal:
      trackside run --port <path> --protocol <protocol>
    """

    def body() -> None:
        from hardware.simulate_main import run_simulator_on_pty

        proto = configured_protocol(protocol, baud, rtscts, numbers)
        # The simulated device is "set" like the real one would be; a pty carries any baud.
        click.echo(ctx.say(f"模拟设备设置：{proto.settings_text()}；读取端请用相同设置。",
                           f"Simulated device set to {proto.settings_text()}; open the reader the same way."))
        # The simulator paces itself with these; result times never pass through floats.
        run_simulator_on_pty(
            protocol, riders=riders, gap_s=gap, course_s=course_time, seed=seed, speed=float(speed),
            bounce_probability=float(bounce), noise_probability=float(noise),
            bad_checksum_probability=float(bad_checksum),
            disconnect_every_s=float(disconnect_every) if disconnect_every is not None else None,
            start_now=start_now, out=click.echo,
            # --numbers bib: a TdC in start-number mode (bibs, n lines, RT run times).
            simulator_options={"start_numbers": True, "type_bibs": True} if numbers == "bib" else None,
        )

    run_guarded(ctx, body)


COMMANDS = [timing, simulate]
