"""trackside: the command line. Thin: parses, calls the packages, prints.

Imports stay inside the commands so ``trackside --help`` and every non-UI
command start fast (no textual, no jinja2 unless a command needs them).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
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

    def say(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def event(self) -> Any:
        from competition.event import Event

        return Event.open(self.db, operator=self.operator, terminal=self.terminal)


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


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings=CONTEXT)
@click.option("--db", metavar="FILE", help="赛事文件（默认 ./trackside.db，或环境变量 TRACKSIDE_DB）/ event file")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=lambda: os.environ.get("TRACKSIDE_LANG", "zh"),
              show_default="zh", help="界面语言 / language")
@click.option("--operator", default=lambda: os.environ.get("TRACKSIDE_OPERATOR", ""),
              help="操作人姓名，记入日志 / operator name recorded in the journal")
@click.option("--terminal", default=None, help="终端名（默认 主机名:进程号）/ terminal id")
@click.version_option(package_name="trackside")
@click.pass_context
def cli(click_ctx: click.Context, db: str | None, lang: str, operator: str, terminal: str | None) -> None:
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


# -- the event ----------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.option("--course", "course_ref", default=None, metavar="NAME|FILE",
              help="赛道文件或内置名称（默认 default）/ course file or bundled name")
@click.option("--title", default="网约配送员驾驶技能竞赛", show_default=True, help="赛事名称 / event title")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD", help="比赛日期（默认今天）/ event date")
@click.option("--organizer", default=None, help="主办单位（印在奖状上）/ organizer, printed on certificates")
@pass_ctx
def init(ctx: Ctx, course_ref: str | None, title: str, day: str | None, organizer: str | None) -> None:
    """建立新赛事文件 / create a new event file.

    Refuses a file that already holds an event: nothing is ever overwritten.
    """

    def body() -> None:
        from competition.event import Event
        from courses.loader import load_course

        course = load_course(course_ref)
        event = Event.create(ctx.db, title=title, course=course, day=day, operator=ctx.operator,
                             terminal=ctx.terminal, organizer=organizer)
        click.echo(ctx.say(
            f"已建立赛事「{event.title}」：{ctx.db}（赛道 {course.name_zh}，{len(course.segments)} 个赛段）",
            f"Created event '{event.title}' in {ctx.db} (course {course.name_en}, {len(course.segments)} segments)",
        ))
        event.close()

    run_guarded(ctx, body)


@cli.group(context_settings=CONTEXT)
def course() -> None:
    """赛道与规则 / the event's course and rules."""


@course.command("show", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / JSON output")
@pass_ctx
def course_show(ctx: Ctx, as_json: bool) -> None:
    """显示本赛事的赛段、违规与罚时 / show segments, infractions and penalties."""

    def body() -> None:
        from results.course_view import course_json, course_text

        with ctx.event() as event:
            if as_json:
                emit_json(course_json(event.course))
            else:
                click.echo(course_text(event.course, ctx.lang))

    run_guarded(ctx, body)


@course.command("template", context_settings=CONTEXT)
@click.argument("out_file", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--course", "name", default="default", show_default=True, help="内置赛道名 / bundled course")
@pass_ctx
def course_template(ctx: Ctx, out_file: str, name: str) -> None:
    """复制内置赛道文件（带注释）以便修改 / copy a bundled course file (with comments) to edit.

    \b
    Then edit it (say 碰杆 +3 s -> +5 s) and create the event with it:
      trackside init --course FILE --title "…"
    """

    def body() -> None:
        from importlib import resources

        from competition.errors import CommandRefused
        from courses.loader import bundled_courses

        if name not in bundled_courses():
            raise CommandRefused(f"没有内置赛道 {name}（可用：{', '.join(bundled_courses())}）",
                                 f"No bundled course {name} (available: {', '.join(bundled_courses())})")
        target = Path(out_file)
        if target.exists():
            raise CommandRefused(f"{out_file} 已存在，不会覆盖。", f"{out_file} exists; it is not overwritten.")
        target.write_text(resources.files("courses").joinpath(f"{name}.toml").read_text(encoding="utf-8"),
                          encoding="utf-8")
        click.echo(ctx.say(f"已写出 {out_file}。修改后用 trackside init --course {out_file} 建立赛事。",
                           f"Wrote {out_file}. Edit it, then: trackside init --course {out_file}"))

    run_guarded(ctx, body)


# -- entrants -------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def entrants() -> None:
    """报名选手 / entrants: import, list, edit, withdraw."""


@entrants.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="工作表名称 / worksheet name")
@click.option("--dry-run", is_flag=True, help="只检查，不写入 / check only, write nothing")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / JSON output")
@pass_ctx
def entrants_import(ctx: Ctx, file: str, sheet: str | None, dry_run: bool, as_json: bool) -> None:
    """导入报名表（.xlsx / .csv）/ import the registration sheet.

    Finds the header row under title lines, maps Chinese and English column
    names, normalises phones, rejects bad rows with their row number, merges
    duplicates. Importing the same sheet again changes nothing.
    """

    def body() -> None:
        from competition.entrants import import_registration
        from competition.registration import read_registration
        from results.plain_text import import_summary_text, progress_printer

        with ctx.event() as event:
            progress = None if as_json else progress_printer(ctx.lang)
            reading = read_registration(file, sheet=sheet, progress=progress)
            summary = import_registration(event, reading, dry_run=dry_run)
            if as_json:
                emit_json({"file": file, "dry_run": dry_run, "counts": summary.counts(),
                           "imported": summary.imported, "updated": summary.updated,
                           "duplicates": summary.duplicates, "rejected": summary.rejected,
                           "warnings": summary.warnings})
            else:
                click.echo(import_summary_text(summary, ctx.lang))

    run_guarded(ctx, body)


@entrants.command("list", context_settings=CONTEXT)
@click.option("--search", "query", default=None, help="号码、手机尾号、姓名或拼音首字母 / bib, phone tail, name, initials")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（含完整手机号）/ JSON (full phone)")
@pass_ctx
def entrants_list(ctx: Ctx, query: str | None, as_json: bool) -> None:
    """列出选手（手机号打码）/ list entrants (phones masked)."""

    def body() -> None:
        from competition.entrants import list_entrants, search_entrants
        from results.plain_text import entrants_text

        with ctx.event() as event:
            rows = search_entrants(event, query, limit=100_000) if query else list_entrants(event)
            if as_json:
                emit_json([
                    {"bib": r["bib"], "name": r["name"], "phone": r["phone"], "gender": r["gender"],
                     "platform": r["platform"], "station": r["station"], "note": r["note"],
                     "status": r["status"], "extra": r["extra"]}
                    for r in rows
                ])
            else:
                click.echo(entrants_text(rows, ctx.lang))

    run_guarded(ctx, body)


@entrants.command("edit", context_settings=CONTEXT)
@click.argument("bib", type=int)
@click.option("--name")
@click.option("--phone")
@click.option("--gender")
@click.option("--platform")
@click.option("--station")
@click.option("--note")
@click.option("--reason", required=True, help="原因（记入日志）/ reason (journaled)")
@pass_ctx
def entrants_edit(ctx: Ctx, bib: int, reason: str, **fields: str | None) -> None:
    """修改选手信息（记入日志）/ correct a rider's details (journaled)."""

    def body() -> None:
        from competition.entrants import edit_entrant

        changes = {k: v for k, v in fields.items() if v is not None}
        with ctx.event() as event:
            edit_entrant(event, bib, changes, reason=reason)
        click.echo(ctx.say(f"已修改 {bib} 号。", f"Bib {bib} updated."))

    run_guarded(ctx, body)


@entrants.command("withdraw", context_settings=CONTEXT)
@click.argument("bib", type=int)
@click.option("--reason", required=True, help="原因 / reason")
@pass_ctx
def entrants_withdraw(ctx: Ctx, bib: int, reason: str) -> None:
    """选手退赛（保留记录）/ withdraw a rider (kept on file)."""

    def body() -> None:
        from competition.entrants import withdraw_entrant

        with ctx.event() as event:
            withdraw_entrant(event, bib, reason=reason)
        click.echo(ctx.say(f"{bib} 号已退赛。", f"Bib {bib} withdrawn."))

    run_guarded(ctx, body)


# -- check-in and the start queue ---------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.argument("bibs", nargs=-1, type=int)
@click.option("--track", default=1, show_default=True, type=int, help="赛道 / track")
@click.option("--all", "everyone", is_flag=True, help="本轮所有可出发选手按出发顺序签到 / queue everyone of the round")
@pass_ctx
def checkin(ctx: Ctx, bibs: tuple[int, ...], track: int, everyone: bool) -> None:
    """签到：按顺序加入出发队列 / check in: append riders to the start queue in order."""

    def body() -> None:
        from competition.start_queue import check_in, check_in_all

        if not bibs and not everyone:
            fail(ctx.say("请给出选手号码，或用 --all。", "Give bibs, or --all."))
        with ctx.event() as event:
            done = check_in_all(event, track=track) if everyone else check_in(event, list(bibs), track=track)
        click.echo(ctx.say(f"{len(done)} 名选手已加入 {track} 道出发队列。", f"{len(done)} rider(s) queued on track {track}."))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--track", default=None, type=int, help="赛道 / track")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def queue(ctx: Ctx, track: int | None, as_json: bool) -> None:
    """显示出发队列 / show the start queue."""

    def body() -> None:
        from competition.start_queue import waiting
        from results.plain_text import queue_text

        with ctx.event() as event:
            rows = waiting(event, track)
            if as_json:
                emit_json([{"track": r["track"], "order": i, "bib": r["bib"], "name": r["name"]}
                           for i, r in enumerate(rows, start=1)])
            else:
                click.echo(queue_text(rows, ctx.lang))

    run_guarded(ctx, body)


# -- timing ---------------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def timing() -> None:
    """计时器：无界面记录、回放、端口 / timers: headless recorder, replay, ports."""


@timing.command("listen", context_settings=CONTEXT)
@click.option("--port", "url", required=True, help="串口或 URL（/dev/ttyUSB0, COM3, socket://…）/ port")
@click.option("--protocol", required=True, help="alge | tagheuer | microgate | pad")
@click.option("--track", default=1, show_default=True, type=int)
@pass_ctx
def timing_listen(ctx: Ctx, url: str, protocol: str, track: int) -> None:
    """无界面计时记录（可与计时终端并行）/ headless timing recorder (beside the app or alone)."""

    def body() -> None:
        from competition.recorder import listen_forever

        listen_forever(ctx.db, url=url, protocol=protocol, track=track, lang=ctx.lang,
                       operator=ctx.operator, terminal=ctx.terminal, echo=click.echo)

    run_guarded(ctx, body)


@timing.command("replay", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--protocol", required=True, help="alge | tagheuer | microgate | pad")
@click.option("--track", default=1, show_default=True, type=int)
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
@click.option("--track", default=None, type=int)
@click.option("--limit", default=30, show_default=True, type=int)
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
@click.argument("impulse_seq", type=int)
@click.option("--bib", default=None, type=int, help="出发脉冲给哪位选手 / rider for a start impulse")
@click.option("--run", "run_id", default=None, type=int, help="终点脉冲给哪次成绩 / run for a finish impulse")
@click.option("--reason", required=True)
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
@click.argument("impulse_seq", type=int)
@click.option("--reason", required=True, help="如 试踩计时垫 / e.g. test slap")
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


@cli.command(context_settings=CONTEXT)
@click.option("--protocol", required=True, help="alge | tagheuer | microgate | pad")
@click.option("--riders", default=20, show_default=True, type=int, help="模拟选手数 / riders to play")
@click.option("--gap", default="20", show_default=True, help="出发间隔秒 / seconds between starts")
@click.option("--course-time", default="38-55", show_default=True, help="用时范围秒 / course time range, seconds")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--bounce", default="0.02", show_default=True, help="抖动触发概率 / bounce probability")
@click.option("--noise", default="0.01", show_default=True, help="噪声行概率 / noise probability")
@click.option("--bad-checksum", default="0", show_default=True, help="校验错误概率 / bad checksum probability")
@click.option("--disconnect-every", default=None, help="每隔 N 秒拔线一次 / unplug every N seconds")
@click.option("--speed", default="1", show_default=True, help="时间倍速 / time speed-up")
@pass_ctx
def simulate(ctx: Ctx, protocol: str, riders: int, gap: str, course_time: str, seed: int, bounce: str,
             noise: str, bad_checksum: str, disconnect_every: str | None, speed: str) -> None:
    """在虚拟串口上模拟计时器，打印设备路径 / simulate a timer on a pty; prints its path.

    \b
    Then, in another terminal:
      trackside run --port <path> --protocol <protocol>
    """

    def body() -> None:
        from decimal import Decimal, InvalidOperation

        from hardware.protocols import get_protocol
        from hardware.simulate_main import run_simulator_on_pty

        get_protocol(protocol)
        try:
            lo, _, hi = course_time.partition("-")
            numbers = [Decimal(v) for v in (gap, lo, hi or lo, bounce, noise, bad_checksum, speed)]
            every = Decimal(disconnect_every) if disconnect_every else None
        except InvalidOperation:
            fail(ctx.say("参数必须是数字（如 --gap 20 --course-time 38-55）。", "Options must be numbers (e.g. --gap 20 --course-time 38-55)."))
        g, a, b, pb, pn, pc, sp = numbers
        # The simulator paces itself with these; result times never pass through floats.
        run_simulator_on_pty(
            protocol, riders=riders, gap_s=g, course_s=(a, b), seed=seed, speed=float(sp),
            bounce_probability=float(pb), noise_probability=float(pn), bad_checksum_probability=float(pc),
            disconnect_every_s=float(every) if every is not None else None, out=click.echo,
        )

    run_guarded(ctx, body)


# -- judging ------------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.argument("bib", type=int)
@click.argument("segment")
@click.argument("code")
@click.option("--count", default=1, show_default=True, type=int, help="次数 / how many")
@click.option("--run", "run_id", default=None, type=int, help="指定成绩编号（默认当前一次）/ a specific run")
@pass_ctx
def penalty(ctx: Ctx, bib: int, segment: str, code: str, count: int, run_id: int | None) -> None:
    """判罚：BIB 赛段 违规 / call a penalty: BIB SEGMENT CODE.

    \b
    Segment and infraction by code, Chinese name or hotkey, e.g.
      trackside penalty 12 绕杆 碰杆
      trackside penalty 12 raogan pole_touch --count 2
    `trackside penalty-withdraw ID --reason …` withdraws a call.
    """

    def body() -> None:
        from competition.judging import call_penalty
        from results.standings import rider_line

        with ctx.event() as event:
            pid = call_penalty(event, bib, segment, code, count=count, run_id=run_id)
            click.echo(ctx.say(f"已记录判罚 #{pid}。", f"Penalty #{pid} recorded.") + " " + rider_line(event, bib, ctx.lang))

    run_guarded(ctx, body)


@cli.command("penalty-withdraw", context_settings=CONTEXT)
@click.argument("penalty_id", type=int)
@click.option("--reason", required=True)
@pass_ctx
def penalty_withdraw(ctx: Ctx, penalty_id: int, reason: str) -> None:
    """撤销判罚（保留记录）/ withdraw a penalty call (kept in the journal)."""

    def body() -> None:
        from competition.judging import withdraw_penalty

        with ctx.event() as event:
            withdraw_penalty(event, penalty_id, reason=reason)
        click.echo(ctx.say(f"判罚 #{penalty_id} 已撤销。", f"Penalty #{penalty_id} withdrawn."))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次 / round (prelim, final)")
@click.option("--bib", default=None, type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def runs(ctx: Ctx, round_code: str | None, bib: int | None, as_json: bool) -> None:
    """每一次成绩：原始时间、罚时、最终时间、状态 / every run: raw, penalties, adjusted, status."""

    def body() -> None:
        from results.plain_text import runs_text
        from results.standings import runs_report

        with ctx.event() as event:
            rows = runs_report(event, event.require_round(round_code) if round_code else None, bib=bib)
            if as_json:
                emit_json(rows)
            else:
                click.echo(runs_text(rows, event.course.precision_ns, ctx.lang))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.argument("run_id", type=int)
@click.argument("status", type=click.Choice(["OK", "DNF", "DSQ", "DNS"], case_sensitive=False))
@click.option("--reason", required=True)
@pass_ctx
def status(ctx: Ctx, run_id: int, status: str, reason: str) -> None:
    """设定成绩状态 / set a run's status (DNF, DSQ, DNS, OK)."""

    def body() -> None:
        from competition.judging import set_status

        with ctx.event() as event:
            set_status(event, run_id, status, reason=reason)
        click.echo(ctx.say(f"成绩 #{run_id} 状态：{status.upper()}", f"Run #{run_id}: {status.upper()}"))

    run_guarded(ctx, body)


@cli.command("correct-time", context_settings=CONTEXT)
@click.argument("run_id", type=int)
@click.argument("time_text", metavar="TIME")
@click.option("--reason", required=True)
@pass_ctx
def correct_time_cmd(ctx: Ctx, run_id: int, time_text: str, reason: str) -> None:
    """更正原始用时（如 62.34 或 1:02.34）/ correct a run's raw time."""

    def body() -> None:
        from competition.judging import correct_time, seconds_text_to_ns

        with ctx.event() as event:
            correct_time(event, run_id, seconds_text_to_ns(time_text), reason=reason)
        click.echo(ctx.say(f"成绩 #{run_id} 已更正为 {time_text}", f"Run #{run_id} corrected to {time_text}"))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.argument("run_id", type=int)
@click.option("--reason", required=True)
@pass_ctx
def rerun(ctx: Ctx, run_id: int, reason: str) -> None:
    """准予重赛（不占用次数）/ grant a rerun (does not use an attempt)."""

    def body() -> None:
        from competition.judging import grant_rerun

        with ctx.event() as event:
            grant_rerun(event, run_id, reason=reason)
        click.echo(ctx.say(f"成绩 #{run_id} 准予重赛，选手排到队首。", f"Rerun granted for run #{run_id}; rider at the front."))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.argument("bib", type=int)
@click.argument("score")
@click.option("--judge", required=True, help="评分裁判 / judge")
@click.option("--round", "round_code", default=None)
@pass_ctx
def style(ctx: Ctx, bib: int, score: str, judge: str, round_code: str | None) -> None:
    """最佳风采评分 0–10（一位小数）/ style score 0–10 (one decimal)."""

    def body() -> None:
        from decimal import Decimal, InvalidOperation

        from competition.judging import score_style

        try:
            tenths = Decimal(score) * 10
        except InvalidOperation:
            fail(ctx.say(f"风采分必须是数字：{score}", f"The score must be a number: {score}"))
        if tenths != tenths.to_integral_value():
            fail(ctx.say("风采分最多一位小数。", "At most one decimal."))
        with ctx.event() as event:
            score_style(event, bib, judge, int(tenths), round_code=round_code)
        click.echo(ctx.say(f"{bib} 号风采分已记录。", f"Style score for bib {bib} recorded."))

    run_guarded(ctx, body)


# -- results ----------------------------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次 / round")
@click.option("--platform", default=None, help="只看某平台 / only one platform")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def standings(ctx: Ctx, round_code: str | None, platform: str | None, as_json: bool) -> None:
    """排名（含判罚明细）/ standings with each rider's penalty breakdown."""

    def body() -> None:
        from results.plain_text import standings_text
        from results.standings import build_standings, standings_json

        with ctx.event() as event:
            report = build_standings(event, event.require_round(round_code))
            if as_json:
                emit_json(standings_json(report, platform=platform))
            else:
                click.echo(standings_text(report, ctx.lang, platform=platform))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--top", required=True, type=int, help="晋级人数 / how many advance")
@click.option("--order", type=click.Choice(["reverse", "rank"]), default="reverse", show_default=True,
              help="决赛出发顺序：初赛名次倒序或正序 / final start order")
@click.option("--round", "round_code", default=None, help="来源轮次 / from round")
@pass_ctx
def advance(ctx: Ctx, top: int, order: str, round_code: str | None) -> None:
    """晋级：前 N 名进入下一轮（并列全部晋级）/ the cut: best N to the next round (ties all advance)."""

    def body() -> None:
        from results.cut import advance as do_advance
        from results.plain_text import advance_text

        with ctx.event() as event:
            report = do_advance(event, top=top, order=order, source_round=round_code)
            click.echo(advance_text(report, ctx.lang))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="颁奖依据的轮次（默认最后一轮）/ round to award")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@click.option("--allow-ties", is_flag=True, help="奖项分界并列时仍打印（带警示）/ print despite unresolved ties")
@pass_ctx
def awards(ctx: Ctx, round_code: str | None, out_dir: str, allow_ties: bool) -> None:
    """获奖名单、奖状、成绩公告、出发顺序表、裁判记录表（HTML）/ printable award sheets and notices."""

    def body() -> None:
        from results.publish import write_award_documents

        with ctx.event() as event:
            report = write_award_documents(event, Path(out_dir), round_code=round_code, lang=ctx.lang,
                                           allow_ties=allow_ties)
        for line in report.lines(ctx.lang):
            click.echo(line)

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次（默认当前轮）/ round")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@pass_ctx
def sheets(ctx: Ctx, round_code: str | None, out_dir: str) -> None:
    """赛前打印：出发顺序表与裁判记录表 / before the round: start list and judges' paper sheets."""

    def body() -> None:
        from results.publish import write_start_documents

        with ctx.event() as event:
            report = write_start_documents(event, Path(out_dir), round_code=round_code, lang=ctx.lang)
        for line in report.lines(ctx.lang):
            click.echo(line)

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.argument("bib", type=int)
@click.argument("prize_code", metavar="PRIZE")
@click.option("--reason", required=True, help="原因（如 加赛胜出）/ reason (e.g. won the run-off)")
@click.option("--round", "round_code", default=None)
@pass_ctx
def prize(ctx: Ctx, bib: int, prize_code: str, reason: str, round_code: str | None) -> None:
    """裁判长指定获奖者（加赛结果、最佳风采奖）/ the head referee names a prize winner."""

    def body() -> None:
        from competition.judging import name_prize

        with ctx.event() as event:
            code = prize_code
            for tier in event.course.prizes:
                if prize_code in (tier.code, tier.name_zh, tier.name_en):
                    code = tier.code
            name_prize(event, bib, code, reason=reason, round_code=round_code)
        click.echo(ctx.say(f"已指定 {bib} 号获 {prize_code}。", f"Bib {bib} named for {prize_code}."))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.argument("run_id", type=int)
@pass_ctx
def confirm(ctx: Ctx, run_id: int) -> None:
    """裁判长确认成绩 / the head referee confirms a run."""

    def body() -> None:
        from competition.judging import confirm_run

        with ctx.event() as event:
            confirm_run(event, run_id)
        click.echo(ctx.say(f"成绩 #{run_id} 已确认。", f"Run #{run_id} confirmed."))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True)
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False))
@click.option("--round", "round_code", default=None, help="轮次（默认全部）/ round (default all)")
@click.option("--masked", is_flag=True, help="手机号打码 / mask phones")
@pass_ctx
def export(ctx: Ctx, fmt: str, out_file: str, round_code: str | None, masked: bool) -> None:
    """导出成绩（CSV/XLSX/JSON，防公式注入）/ export results."""

    def body() -> None:
        from results.publish import export_results

        with ctx.event() as event:
            n = export_results(event, fmt, Path(out_file), round_code=round_code, full_phone=not masked, lang=ctx.lang)
        click.echo(ctx.say(f"已导出 {n} 行到 {out_file}", f"Exported {n} rows to {out_file}"))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--bib", default=None, type=int)
@click.option("--kind", "kinds", multiple=True)
@click.option("--limit", default=50, show_default=True, type=int)
@pass_ctx
def journal(ctx: Ctx, bib: int | None, kinds: tuple[str, ...], limit: int) -> None:
    """查看日志（最新在前）/ show the journal, newest first."""

    def body() -> None:
        from competition.journal import recent_rows
        from results.plain_text import journal_text

        with ctx.event() as event:
            rows = recent_rows(event.store.conn, limit=limit, kinds=kinds or None, bib=bib)
            click.echo(journal_text(rows, ctx.lang))

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@pass_ctx
def verify(ctx: Ctx) -> None:
    """校验：哈希链完整，且由日志重建的数据与现有数据一致 / check the hash chain and rebuild == live."""

    def body() -> None:
        from competition.verify import verify_event

        with ctx.event() as event:
            report = verify_event(event)
        for line in report.lines(ctx.lang):
            click.echo(line)
        if not report.ok:
            sys.exit(1)

    run_guarded(ctx, body)


# -- the trackside app and the demo -------------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@click.option("--port", "url", default=None, help="串口或 URL / port or URL")
@click.option("--protocol", default=None, help="alge | tagheuer | microgate | pad")
@click.option("--simulate", "simulated", is_flag=True, help="使用内置模拟计时器 / use a simulated timer")
@click.option("--track", default=1, show_default=True, type=int)
@pass_ctx
def run(ctx: Ctx, url: str | None, protocol: str | None, simulated: bool, track: int) -> None:
    """打开计时终端 / open the trackside app."""
    if url and not protocol:
        fail(ctx.say("使用 --port 时必须同时给出 --protocol。", "--port needs --protocol."))

    def body() -> None:
        from competition.tui.launch import launch_app

        launch_app(ctx.db, url=url, protocol=protocol, simulate=simulated, track=track, lang=ctx.lang,
                   operator=ctx.operator, terminal=ctx.terminal)

    run_guarded(ctx, body)


@cli.command(context_settings=CONTEXT)
@click.option("--headless", is_flag=True, help="不开界面，跑完整场比赛 / play a whole competition without the UI")
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--riders", default=500, show_default=True, type=int)
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


def main() -> None:
    cli(prog_name="trackside")


if __name__ == "__main__":
    main()
