"""trackside CLI: penalties, statuses, corrections, reruns, style scores."""

from __future__ import annotations

from decimal import Decimal

import click

from commands.common import CONTEXT, Ctx, emit_json, fail, pass_ctx, run_guarded
from commands.params import BIB, COUNT, PENALTY_ID, REASON, RUN_ID, RUN_TIME, SCORE


@click.command(context_settings=CONTEXT)
@click.argument("bib", type=BIB)
@click.argument("segment")
@click.argument("code")
@click.option("--count", default=1, show_default=True, type=COUNT, help="次数 / how many")
@click.option("--run", "run_id", default=None, type=RUN_ID, help="指定成绩编号（默认当前一次）/ a specific run")
@pass_ctx
def penalty(ctx: Ctx, bib: int, segment: str, code: str, count: int, run_id: int | None) -> None:
    """判罚：BIB 赛段 违规 / call a penalty: BIB SEGMENT CODE.

    \b
    Segment and infraction by code, Chinese name or hotkey, e.g.
      trackside penalty 12 绕杆 碰杆
      trackside penalty 12 raogan pole_touched --count 2
    `trackside penalty-withdraw ID --reason …` withdraws a call.
    """

    def body() -> None:
        from competition.judging import call_penalty
        from results.plain_text import run_result_line, safe
        from results.standings import build_standings, runs_report

        with ctx.event() as event:
            pid = call_penalty(event, bib, segment, code, count=count, run_id=run_id)
            called = event.store.query("SELECT run_id FROM penalties WHERE penalty_id = ?", (pid,))[0]["run_id"]
            run = next(r for r in runs_report(event, None, bib=bib) if r["run_id"] == called)
            standing = next((s for s in build_standings(event, run["round"]).standings if s.bib == bib), None)
            click.echo(ctx.say(f"已记录判罚 #{pid}：", f"Penalty #{pid} recorded: ")
                       + safe(run_result_line(run, standing, event.course, ctx.lang)))

    run_guarded(ctx, body)


@click.command("penalty-withdraw", context_settings=CONTEXT)
@click.argument("penalty_id", type=PENALTY_ID)
@click.option("--reason", required=True, type=REASON)
@pass_ctx
def penalty_withdraw(ctx: Ctx, penalty_id: int, reason: str) -> None:
    """撤销判罚（保留记录）/ withdraw a penalty call (kept in the journal)."""

    def body() -> None:
        from competition.judging import withdraw_penalty

        with ctx.event() as event:
            withdraw_penalty(event, penalty_id, reason=reason)
        click.echo(ctx.say(f"判罚 #{penalty_id} 已撤销。", f"Penalty #{penalty_id} withdrawn."))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次 / round (prelim, final)")
@click.option("--bib", default=None, type=BIB)
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
                click.echo(runs_text(rows, event.course.precision_ns, ctx.lang, event.course))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.argument("status", type=click.Choice(["OK", "DNF", "DSQ", "DNS"], case_sensitive=False))
@click.option("--reason", required=True, type=REASON)
@pass_ctx
def status(ctx: Ctx, run_id: int, status: str, reason: str) -> None:
    """设定成绩状态 / set a run's status (DNF, DSQ, DNS, OK)."""

    def body() -> None:
        from competition.glossary import status_word
        from competition.judging import set_status

        with ctx.event() as event:
            set_status(event, run_id, status, reason=reason)
        word = status_word(status.upper(), ctx.lang)
        click.echo(ctx.say(f"成绩 #{run_id} 状态：{word}", f"Run #{run_id}: {word}"))

    run_guarded(ctx, body)


@click.command("correct-time", context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.argument("raw_ns", metavar="TIME", type=RUN_TIME)
@click.option("--reason", required=True, type=REASON)
@click.option("--outside-limits", is_flag=True,
              help="确认：时间短于最短有效用时或超过限时仍更正 / confirm a time below min_run or over the limit")
@pass_ctx
def correct_time_cmd(ctx: Ctx, run_id: int, raw_ns: int, reason: str, outside_limits: bool) -> None:
    """更正原始用时（如 62.34 或 1:02.34）/ correct a run's raw time."""

    def body() -> None:
        from competition.errors import CommandRefused
        from competition.judging import correct_time
        from competition.times import format_duration

        with ctx.event() as event:
            course = event.course
            shown = format_duration(raw_ns, course.precision_ns)
            low, high = course.min_run_ns, course.time_limit_ns
            if not outside_limits and not low <= raw_ns <= high:
                raise CommandRefused(
                    f"{shown} 秒不在本赛道的有效范围内（最短 {format_duration(low, 1_000_000)} 秒，限时 "
                    f"{format_duration(high, 1_000_000)} 秒）。确属实情请加 --outside-limits。",
                    f"{shown} s is outside this course's limits (min_run {format_duration(low, 1_000_000)} s, time limit "
                    f"{format_duration(high, 1_000_000)} s). Add --outside-limits if it is really so.",
                )
            correct_time(event, run_id, raw_ns, reason=reason)
        click.echo(ctx.say(f"成绩 #{run_id} 已更正为 {shown}", f"Run #{run_id} corrected to {shown}"))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@click.option("--reason", required=True, type=REASON)
@pass_ctx
def rerun(ctx: Ctx, run_id: int, reason: str) -> None:
    """准予重赛（不占用次数）/ grant a rerun (does not use an attempt)."""

    def body() -> None:
        from competition.judging import grant_rerun

        with ctx.event() as event:
            grant_rerun(event, run_id, reason=reason)
        click.echo(ctx.say(f"成绩 #{run_id} 准予重赛，选手排到队首。", f"Rerun granted for run #{run_id}; rider at the front."))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.argument("bib", type=BIB)
@click.argument("score", type=SCORE)
@click.option("--judge", required=True, help="评分裁判 / judge")
@click.option("--round", "round_code", default=None)
@pass_ctx
def style(ctx: Ctx, bib: int, score: Decimal, judge: str, round_code: str | None) -> None:
    """最佳风采评分 0–10（一位小数）/ style score 0–10 (one decimal)."""

    def body() -> None:
        from competition.judging import score_style

        tenths = score * 10
        if tenths != tenths.to_integral_value():
            fail(ctx.say("风采分最多一位小数。", "At most one decimal."))
        with ctx.event() as event:
            score_style(event, bib, judge, int(tenths), round_code=round_code)
        click.echo(ctx.say(f"{bib} 号风采分已记录。", f"Style score for bib {bib} recorded."))

    run_guarded(ctx, body)


COMMANDS = [penalty, penalty_withdraw, runs, status, correct_time_cmd, rerun, style]
