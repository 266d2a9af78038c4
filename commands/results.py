"""trackside CLI: standings, the cut, awards, printed sheets, prizes, confirmation, exports."""

from __future__ import annotations

from pathlib import Path

import click

from commands.common import (
    CONTEXT,
    Ctx,
    emit_json,
    guard_output_file,
    guard_output_folder,
    pass_ctx,
    run_guarded,
)
from commands.params import BIB, REASON, RUN_ID, TOP


@click.command(context_settings=CONTEXT)
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


@click.command(context_settings=CONTEXT)
@click.option("--top", required=True, type=TOP, help="晋级人数 / how many advance")
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


@click.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="颁奖依据的轮次（默认最后一轮）/ round to award")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@click.option("--allow-ties", is_flag=True, help="奖项分界并列时仍打印（带警示）/ print despite unresolved ties")
@pass_ctx
def awards(ctx: Ctx, round_code: str | None, out_dir: str, allow_ties: bool) -> None:
    """获奖名单、奖状、成绩公告、出发顺序表、裁判记录表（HTML）/ printable award sheets and notices."""

    def body() -> None:
        from results.publish import write_award_documents

        guard_output_folder(ctx, out_dir)
        with ctx.event() as event:
            report = write_award_documents(event, Path(out_dir), round_code=round_code, lang=ctx.lang,
                                           allow_ties=allow_ties)
        for line in report.lines(ctx.lang):
            click.echo(line)

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次（默认当前轮）/ round")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@pass_ctx
def sheets(ctx: Ctx, round_code: str | None, out_dir: str) -> None:
    """赛前打印：出发顺序表与裁判记录表 / before the round: start list and judges' paper sheets."""

    def body() -> None:
        from results.publish import write_start_documents

        guard_output_folder(ctx, out_dir)
        with ctx.event() as event:
            report = write_start_documents(event, Path(out_dir), round_code=round_code, lang=ctx.lang)
        for line in report.lines(ctx.lang):
            click.echo(line)

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.argument("bib", type=BIB)
@click.argument("prize_code", metavar="PRIZE")
@click.option("--reason", required=True, type=REASON, help="原因（如 加赛胜出）/ reason (e.g. won the run-off)")
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


@click.command(context_settings=CONTEXT)
@click.argument("run_id", type=RUN_ID)
@pass_ctx
def confirm(ctx: Ctx, run_id: int) -> None:
    """裁判长确认成绩 / the head referee confirms a run."""

    def body() -> None:
        from competition.judging import confirm_run

        with ctx.event() as event:
            confirm_run(event, run_id)
        click.echo(ctx.say(f"成绩 #{run_id} 已确认。", f"Run #{run_id} confirmed."))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True)
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False))
@click.option("--round", "round_code", default=None, help="轮次（默认全部）/ round (default all)")
@click.option("--masked", is_flag=True, help="手机号打码 / mask phones")
@pass_ctx
def export(ctx: Ctx, fmt: str, out_file: str, round_code: str | None, masked: bool) -> None:
    """导出成绩（CSV/XLSX/JSON，防公式注入）/ export results."""

    def body() -> None:
        from results.publish import export_results

        guard_output_file(ctx, out_file)
        with ctx.event() as event:
            n = export_results(event, fmt, Path(out_file), round_code=round_code, full_phone=not masked, lang=ctx.lang)
        click.echo(ctx.say(f"已导出 {n} 行到 {out_file}", f"Exported {n} rows to {out_file}"))

    run_guarded(ctx, body)


COMMANDS = [standings, advance, awards, sheets, prize, confirm, export]
