"""trackside CLI: the judges' paper sheets and the backup stopwatch, entered back and reconciled."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from commands.common import CONTEXT, Ctx, emit_json, pass_ctx, run_guarded
from commands.params import ATTEMPT, BIB, REASON


@click.group("paper", context_settings=CONTEXT)
def paper_group() -> None:
    """纸质记录表录入与核对 / enter the paper sheets back and compare them with the live record."""


def _read(file: str | None, ctx: Ctx) -> tuple[str, str]:
    if file:
        from competition.paper_sheets import read_text

        return read_text(Path(file)), Path(file).name
    if sys.stdin.isatty():
        click.echo(ctx.say("逐行输入，空行结束：", "One line each, an empty line ends:"), err=True)
        lines = []
        for line in sys.stdin:
            if not line.strip():
                break
            lines.append(line)
        return "".join(lines), ctx.say("输入", "input")
    return sys.stdin.read(), ctx.say("输入", "input")


@paper_group.command("enter", context_settings=CONTEXT)
@click.argument("segment")
@click.option("--file", "file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="CSV：号码列 + 每种违规一列（次数）/ CSV: bib + a count column per infraction")
@click.option("--attempt", default=1, show_default=True, type=ATTEMPT, help="第几次 / attempt")
@click.option("--round", "round_code", default=None)
@pass_ctx
def paper_enter(ctx: Ctx, segment: str, file: str | None, attempt: int, round_code: str | None) -> None:
    """录入某赛段的纸质记录表（整张）/ enter one segment's paper sheet (all its marks).

    \b
    One line per rider with marks: BIB INFRACTION[*N] …, e.g.
      12 倒杆出框*2 支脚
      37 pole_down
    A rider not on the sheet has no marks. Entering a rider again replaces his line.
    """

    def body() -> None:
        from competition.paper import enter_sheet
        from competition.paper_sheets import parse_sheet_text

        text, source = _read(file, ctx)
        lines = parse_sheet_text(text, attempt=attempt, source=source)
        with ctx.event() as event:
            enter_sheet(event, segment, lines, round_code=round_code, entered_by=ctx.operator)
        click.echo(ctx.say(f"已录入 {len(lines)} 名选手的纸质记录。", f"Entered {len(lines)} riders' paper lines."))

    run_guarded(ctx, body)


@paper_group.command("times", context_settings=CONTEXT)
@click.option("--file", "file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="CSV：号码、用时两列 / CSV with bib and time columns")
@click.option("--attempt", default=1, show_default=True, type=ATTEMPT)
@click.option("--round", "round_code", default=None)
@pass_ctx
def paper_times(ctx: Ctx, file: str | None, attempt: int, round_code: str | None) -> None:
    """录入备用秒表记录：每行「号码 用时」/ enter the backup stopwatch sheet: BIB TIME lines."""

    def body() -> None:
        from competition.paper import enter_times
        from competition.paper_sheets import parse_times_text

        text, source = _read(file, ctx)
        times = parse_times_text(text, attempt=attempt, source=source)
        with ctx.event() as event:
            enter_times(event, times, round_code=round_code, entered_by=ctx.operator)
        click.echo(ctx.say(f"已录入 {len(times)} 个秒表时间。", f"Entered {len(times)} stopwatch times."))

    run_guarded(ctx, body)


@paper_group.command("diff", context_settings=CONTEXT)
@click.option("--round", "round_code", default=None)
@click.option("--all", "include_settled", is_flag=True, help="包括已处理的 / include settled ones")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def paper_diff(ctx: Ctx, round_code: str | None, include_settled: bool, as_json: bool) -> None:
    """纸质与现场记录不一致的每一处 / every place where paper and the live record differ."""

    def body() -> None:
        from competition.paper import TIME, differences
        from competition.times import format_duration

        with ctx.event() as event:
            found = differences(event, round_code, include_settled=include_settled)
            names = {}
            for s in event.course.all_segments():
                for i in s.infractions:
                    names[(s.code, i.code)] = (f"{s.name_zh}·{i.name_zh}", f"{s.name_en}·{i.name_en}")
            precision = event.course.precision_ns
        if as_json:
            emit_json([d.as_json() for d in found])
            return
        if not found:
            click.echo(ctx.say("纸质记录与现场记录一致。", "Paper and the live record agree."))
            return
        for d in found:
            if d.segment == TIME:
                click.echo(ctx.say(
                    f"#{d.bib} 第{d.attempt}次 用时：计时器 {format_duration(d.live, precision)}，秒表 {format_duration(d.paper, precision)}",
                    f"#{d.bib} attempt {d.attempt} time: timer {format_duration(d.live, precision)}, stopwatch {format_duration(d.paper, precision)}"))
            else:
                zh, en = names.get((d.segment, d.code or ""), (d.code, d.code))
                click.echo(ctx.say(f"#{d.bib} 第{d.attempt}次 {zh}：现场 {d.live} 次，纸质 {d.paper} 次",
                                   f"#{d.bib} attempt {d.attempt} {en}: live {d.live}, paper {d.paper}"))
        click.echo(ctx.say(f"共 {len(found)} 处差异；用 trackside paper settle 号码 赛段 --use paper|live --reason … 处理。",
                           f"{len(found)} differences; settle each with trackside paper settle BIB SEGMENT --use paper|live --reason …"))

    run_guarded(ctx, body)


@paper_group.command("settle", context_settings=CONTEXT)
@click.argument("bib", type=BIB)
@click.argument("segment", metavar="SEGMENT|time")
@click.option("--use", type=click.Choice(["paper", "live"]), required=True,
              help="以纸质（paper）或现场记录（live）为准 / which record stands")
@click.option("--reason", required=True, type=REASON)
@click.option("--attempt", default=1, show_default=True, type=ATTEMPT)
@click.option("--round", "round_code", default=None)
@pass_ctx
def paper_settle(ctx: Ctx, bib: int, segment: str, use: str, reason: str, attempt: int, round_code: str | None) -> None:
    """裁判长处理一处差异（记入日志）/ the head referee settles a difference (journaled)."""

    def body() -> None:
        from competition.paper import settle

        with ctx.event() as event:
            done = settle(event, bib, segment, use=use, reason=reason, round_code=round_code, attempt=attempt)
        click.echo(ctx.say(f"已处理 {len(done)} 处差异（以{'纸质' if use == 'paper' else '现场'}记录为准）。",
                           f"Settled {len(done)} differences ({use} stands)."))

    run_guarded(ctx, body)


COMMANDS = [paper_group]
