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
@click.option("--category", default=None, help="只看某组别（组内排名）/ one category, ranked within it")
@click.option("--teams", "teams", is_flag=True, help="团体成绩与优秀组织奖 / team results and the organizing award")
@click.option("--composite", is_flag=True, help="综合成绩（各项得分与公式）/ composite scores with every component")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def standings(ctx: Ctx, round_code: str | None, platform: str | None, category: str | None, teams: bool,
              composite: bool, as_json: bool) -> None:
    """排名（含判罚明细）/ standings with each rider's penalty breakdown."""

    def body() -> None:
        from results.plain_text import standings_text
        from results.standings import build_standings, standings_json

        with ctx.event() as event:
            if teams:
                from results.team_text import teams_json, teams_text

                if as_json:
                    emit_json(teams_json(event))
                else:
                    click.echo(teams_text(event, ctx.lang))
                return
            report = build_standings(event, event.require_round(round_code))
            if category is not None:
                from results.categories import category_report

                report = category_report(event, report, category)
            if composite:
                from results.composite import composite_lines, formula_text, points_text

                lines = composite_lines(event, report)
                rule = event.course.composite
                if as_json:
                    emit_json({"round": report.round_code, "formula_zh": formula_text(rule, "zh"),
                               "formula_en": formula_text(rule, "en"),
                               "components": [{"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en,
                                               "weight": p.weight, "source": p.source} for p in rule.parts],
                               "standings": [{**ln.as_json(), "name": report.entrants[ln.bib]["name"]} for ln in lines]})
                    return
                click.echo(formula_text(rule, ctx.lang))
                for ln in lines:
                    parts = "  ".join(f"{(p.name_en if ctx.lang == 'en' else p.name_zh)} {points_text(ln.parts[p.code])}"
                                      for p in rule.parts)
                    rank = "" if ln.rank is None else f"{ln.rank}{'=' if ln.shared else ''}"
                    click.echo(f"{rank:>4}  #{ln.bib} {report.entrants[ln.bib]['name']}  {points_text(ln.total)}  {parts}")
                return
            from competition.round_states import provisional_banner, round_state

            banner = provisional_banner(event, report.round_code, ctx.lang)
            if as_json:
                data = standings_json(report, platform=platform)
                state = round_state(event, report.round_code)
                data["round_state"] = {"state": state.state, "appeal_closes_utc": state.appeal_closes_utc,
                                       "seal": state.seal}
                emit_json(data)
            else:
                if banner:
                    click.echo(banner)
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
            click.echo(advance_text(report, ctx.lang, event.course))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="颁奖依据的轮次（默认最后一轮）/ round to award")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@click.option("--allow-ties", is_flag=True, help="奖项分界并列时仍打印（带警示）/ print despite unresolved ties")
@click.option("--pdf", "as_pdf", is_flag=True,
              help="另存 PDF：获奖名单、奖状（一个文件）、成绩公告，一次打印 / also PDFs for one print job")
@pass_ctx
def awards(ctx: Ctx, round_code: str | None, out_dir: str, allow_ties: bool, as_pdf: bool) -> None:
    """获奖名单、奖状、成绩公告、出发顺序表、裁判记录表（HTML）/ printable award sheets and notices."""

    def body() -> None:
        from results.publish import write_award_documents

        guard_output_folder(ctx, out_dir)
        with ctx.event() as event:
            report = write_award_documents(event, Path(out_dir), round_code=round_code, lang=ctx.lang,
                                           allow_ties=allow_ties)
        for line in report.lines(ctx.lang):
            click.echo(line)
        if as_pdf:
            from results.share_documents import awards_pdfs

            for pdf in awards_pdfs(Path(out_dir)):
                click.echo(ctx.say(f"  PDF：{pdf.name}", f"  PDF: {pdf.name}"))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次（默认当前轮）/ round")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@click.option("--url", "base_url", default=None, metavar="URL",
              help="现场服务器地址，印在二维码海报和裁判码卡片上（默认本机 :8080）/ venue server address for the QR codes")
@pass_ctx
def sheets(ctx: Ctx, round_code: str | None, out_dir: str, base_url: str | None) -> None:
    """赛前打印：出发顺序表、裁判记录表（附裁判码二维码）、观众二维码海报 / start list, judges' sheets, QR poster."""

    def body() -> None:
        from competition.venue_status import venue_url
        from results.publish import write_start_documents

        guard_output_folder(ctx, out_dir)
        url = venue_url(ctx.db, base_url)
        with ctx.event() as event:
            report = write_start_documents(event, Path(out_dir), round_code=round_code, lang=ctx.lang, venue_url=url)
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
        from competition.glossary import prize_name
        from competition.judging import name_prize

        with ctx.event() as event:
            code = prize_code
            for tier in event.course.prizes:
                if prize_code in (tier.code, tier.name_zh, tier.name_en):
                    code = tier.code
            name_prize(event, bib, code, reason=reason, round_code=round_code)
            shown = prize_name(code, ctx.lang, event.course)
        click.echo(ctx.say(f"已指定 {bib} 号获{shown}。", f"Bib {bib} named for the {shown}."))

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
@click.option("--full-phones", "full_phones", is_flag=True,
              help="写入完整手机号（仅供主办方自用，勿外发）/ full phone numbers, for the organizer's own copy only")
@click.option("--masked", is_flag=True, help="手机号打码（默认如此）/ mask phones (the default)")
@pass_ctx
def export(ctx: Ctx, fmt: str, out_file: str, round_code: str | None, full_phones: bool, masked: bool) -> None:
    """导出成绩（CSV/XLSX/JSON，手机号打码，防公式注入）/ export results (phones masked, formula-safe).

    \b
    Phones are masked (138****5678) in every format and ID numbers never appear,
    so the file can go to the newsletter. --full-phones writes full numbers for
    the organizer's own records.
    """
    if masked and full_phones:
        raise click.UsageError(ctx.say("--masked 与 --full-phones 不能同时使用。", "--masked and --full-phones exclude each other."))

    def body() -> None:
        from results.publish import export_results

        guard_output_file(ctx, out_file)
        with ctx.event() as event:
            n = export_results(event, fmt, Path(out_file), round_code=round_code, full_phone=full_phones, lang=ctx.lang)
        click.echo(ctx.say(f"已导出 {n} 行到 {out_file}", f"Exported {n} rows to {out_file}"))
        if full_phones:
            click.echo(
                f"注意：{out_file} 含选手完整手机号，仅供主办方自用，请勿外发或公开。"
                f" / Warning: {out_file} contains full phone numbers; keep it to the organizer, do not share or publish it.",
                err=True,
            )

    run_guarded(ctx, body)


COMMANDS = [standings, advance, awards, sheets, prize, confirm, export]
