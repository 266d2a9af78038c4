"""trackside CLI: a round's results posted (公示), appealed (申诉) and made official (正式成绩)."""

from __future__ import annotations

import click

from commands.common import CONTEXT, Ctx, emit_json, pass_ctx, run_guarded
from commands.params import BIB, CASE_ID, REASON, RUN_ID


@click.group("round", context_settings=CONTEXT)
def round_group() -> None:
    """轮次成绩：公示 → 申诉 → 正式成绩（封存）/ results: posted, appealed, official (sealed)."""


def _state_lines(ctx: Ctx, states: list, cases_by_round: dict) -> list[str]:  # type: ignore[type-arg]
    out = []
    for s in states:
        line = f"{s.round_code}\t{s.words(ctx.lang)}"
        if s.appeal_closes_utc and s.state == "provisional":
            from datetime import datetime

            closes = datetime.fromisoformat(s.appeal_closes_utc).astimezone().strftime("%H:%M")
            line += ctx.say(f"\t申诉截止 {closes}", f"\tappeals until {closes}")
        if s.open_appeals:
            line += ctx.say(f"\t未裁决申诉 {len(s.open_appeals)} 件", f"\t{len(s.open_appeals)} open appeals")
        if s.seal:
            line += ctx.say(f"\t封存码 {s.seal}", f"\tseal {s.seal}")
        out.append(line)
    return out


@round_group.command("status", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / JSON output")
@pass_ctx
def round_status(ctx: Ctx, as_json: bool) -> None:
    """每轮状态、未裁决申诉与封存码 / each round's state, open appeals and seal."""

    def body() -> None:
        from competition.appeals import cases
        from competition.round_states import all_round_states

        with ctx.event() as event:
            states = all_round_states(event)
            by_round = {s.round_code: [c.as_json() for c in cases(event, s.round_code)] for s in states}
        if as_json:
            emit_json([{**s.as_json(), "appeals": by_round[s.round_code]} for s in states])
            return
        for line in _state_lines(ctx, states, by_round):
            click.echo(line)

    run_guarded(ctx, body)


@round_group.command("publish", context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次（默认当前轮）/ round")
@pass_ctx
def round_publish(ctx: Ctx, round_code: str | None) -> None:
    """成绩公示：开始申诉期（时长见赛道文件）/ post the results provisionally; the appeal window starts."""

    def body() -> None:
        from competition.round_states import provisional_banner, publish_round

        with ctx.event() as event:
            state = publish_round(event, round_code)
            click.echo(provisional_banner(event, state.round_code, ctx.lang) or "")

    run_guarded(ctx, body)


@round_group.command("official", context_settings=CONTEXT)
@click.option("--round", "round_code", default=None, help="轮次（默认当前轮）/ round")
@click.option("--early-reason", default=None, help="申诉期结束前确定的原因 / why before the window closed")
@pass_ctx
def round_official(ctx: Ctx, round_code: str | None, early_reason: str | None) -> None:
    """确定为正式成绩并封存（封存码印在成绩公告上）/ make the results official and seal them."""

    def body() -> None:
        from results.seal import make_official

        with ctx.event() as event:
            state = make_official(event, round_code, early_reason=early_reason)
        click.echo(ctx.say(f"{state.round_code} 轮已确定为正式成绩。封存码：{state.seal}",
                           f"Round {state.round_code} is official. Seal: {state.seal}"))
        from competition.backup import BackupError
        from competition.backup_schedule import backup_now

        try:  # an official round is a moment worth a copy off this laptop's file
            copy = backup_now(ctx.db, f"{state.round_code} 正式成绩 official")
            click.echo(copy.line(ctx.lang))
        except BackupError as exc:
            click.echo(ctx.say(f"备份未成功：{exc.message_zh}", f"Backup failed: {exc.message_en}"), err=True)
        click.echo(ctx.say(f"日后核验：trackside verify --seal {state.seal}", f"Check later: trackside verify --seal {state.seal}"))

    run_guarded(ctx, body)


@click.group("appeal", context_settings=CONTEXT)
def appeal_group() -> None:
    """申诉：书面申诉立案、仲裁裁决 / appeals: file a written appeal, the jury's ruling."""


@appeal_group.command("file", context_settings=CONTEXT)
@click.argument("bib", type=BIB)
@click.option("--reason", required=True, type=REASON, help="申诉理由 / the appeal's grounds")
@click.option("--by", "filed_by", required=True, help="申诉人（选手本人、领队…）/ who appeals")
@click.option("--evidence", default="", help="证据说明（录像、纸质记录表第几页）/ evidence note")
@click.option("--run", "run_id", default=None, type=RUN_ID, help="针对的成绩编号 / the run")
@click.option("--round", "round_code", default=None)
@pass_ctx
def appeal_file(ctx: Ctx, bib: int, reason: str, filed_by: str, evidence: str, run_id: int | None,
                round_code: str | None) -> None:
    """立案：成绩公示期间的书面申诉 / file a written appeal while results are provisional."""

    def body() -> None:
        from competition.appeals import file_appeal

        with ctx.event() as event:
            case = file_appeal(event, bib, reason=reason, filed_by=filed_by, evidence=evidence, run_id=run_id,
                               round_code=round_code)
        click.echo(ctx.say(f"申诉已立案：#{case}", f"Appeal filed: #{case}"))

    run_guarded(ctx, body)


@appeal_group.command("rule", context_settings=CONTEXT)
@click.argument("case_id", metavar="CASE", type=CASE_ID)
@click.option("--upheld", "ruling", flag_value="upheld", help="申诉成立 / upheld")
@click.option("--dismissed", "ruling", flag_value="dismissed", help="申诉驳回 / dismissed")
@click.option("--reasoning", required=True, type=REASON, help="裁决理由 / the jury's reasoning")
@click.option("--jury", required=True, help="监督仲裁组成员 / who ruled")
@pass_ctx
def appeal_rule(ctx: Ctx, case_id: int, ruling: str | None, reasoning: str, jury: str) -> None:
    """仲裁裁决（最终）；成立时用 --case N 做更正 / the jury's final ruling; apply it with --case N."""

    def body() -> None:
        from competition.appeals import rule_appeal

        if ruling is None:
            from commands.common import fail

            fail(ctx.say("请选择 --upheld（成立）或 --dismissed（驳回）。", "Choose --upheld or --dismissed."))
        with ctx.event() as event:
            case = rule_appeal(event, case_id, ruling=ruling or "", reasoning=reasoning, jury=jury)
        click.echo(ctx.say(f"申诉 #{case.case_id} 已裁决：{'成立' if case.ruling == 'upheld' else '驳回'}。",
                           f"Appeal #{case.case_id} ruled: {case.ruling}."))
        if case.ruling == "upheld":
            click.echo(ctx.say(f"按裁决更正成绩时加 --case {case.case_id}，例如：trackside --case {case.case_id} status 运行号 OK --reason …",
                               f"Apply it with --case {case.case_id}, e.g. trackside --case {case.case_id} status RUN OK --reason …"))

    run_guarded(ctx, body)


@appeal_group.command("list", context_settings=CONTEXT)
@click.option("--round", "round_code", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def appeal_list(ctx: Ctx, round_code: str | None, as_json: bool) -> None:
    """所有申诉及其裁决与据此所做的更正 / every appeal, its ruling and the corrections made under it."""

    def body() -> None:
        from competition.appeals import cases

        with ctx.event() as event:
            found = cases(event, round_code)
        if as_json:
            emit_json([c.as_json() for c in found])
            return
        for c in found:
            state = ctx.say({"open": "待裁决", "ruled": "已裁决"}[c.state], c.state)
            ruling = "" if c.ruling is None else ctx.say("（成立）" if c.ruling == "upheld" else "（驳回）", f" ({c.ruling})")
            click.echo(f"#{c.case_id}\t{c.round_code}\t#{c.bib}\t{state}{ruling}\t{c.reason}\t"
                       + ctx.say(f"更正 {len(c.corrections)} 条", f"{len(c.corrections)} corrections"))

    run_guarded(ctx, body)


COMMANDS = [round_group, appeal_group]


@click.group("scores", context_settings=CONTEXT)
def scores_group() -> None:
    """综合成绩的其他项目（如理论考试）/ composite components from outside the track (a theory exam)."""


@scores_group.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--component", default="theory", show_default=True, help="赛道文件中的项目代码 / component code")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def scores_import(ctx: Ctx, file: str, component: str, as_json: bool) -> None:
    """导入成绩表（按号码、手机号、唯一姓名匹配，不猜测）/ import a score sheet, matched by bib, phone or unique name."""

    def body() -> None:
        from pathlib import Path

        from competition.component_scores import import_scores

        with ctx.event() as event:
            result = import_scores(event, Path(file), component)
        if as_json:
            emit_json({"component": component, "matched": result.matched, "unmatched": result.unmatched})
            return
        for line in result.lines(ctx.lang):
            click.echo(line)

    run_guarded(ctx, body)


COMMANDS.append(scores_group)
