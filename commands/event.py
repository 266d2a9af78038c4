"""trackside CLI: the event file: init, course, journal, verify."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from commands.common import CONTEXT, Ctx, emit_json, pass_ctx, run_guarded
from commands.params import BIB, DATE, LIMIT


@click.command(context_settings=CONTEXT)
@click.option("--course", "course_ref", default=None, metavar="NAME|FILE",
              help="赛道文件或内置名称（默认 default）/ course file or bundled name")
@click.option("--title", default="网约配送员驾驶技能竞赛", show_default=True, help="赛事名称 / event title")
@click.option("--date", "day", default=None, type=DATE, metavar="YYYY-MM-DD", help="比赛日期（默认今天）/ event date")
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


@click.group(context_settings=CONTEXT)
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
        from results.output_files import write_file_atomic

        target = Path(out_file)
        try:
            taken = target.exists() or target.is_symlink()
        except OSError as exc:  # a name too long, a loop of links, …
            raise CommandRefused(f"无法写出 {out_file[:200]}（{exc.strerror}）。",
                                 f"Cannot write {out_file[:200]} ({exc.strerror}).") from exc
        if taken:
            raise CommandRefused(f"{out_file} 已存在，不会覆盖。", f"{out_file} exists; it is not overwritten.")
        if not target.absolute().parent.is_dir():
            raise CommandRefused(f"文件夹 {target.absolute().parent} 不存在，未写出 {out_file}。",
                                 f"The folder {target.absolute().parent} does not exist; {out_file} was not written.")
        text = resources.files("courses").joinpath(f"{name}.toml").read_text(encoding="utf-8")
        write_file_atomic(target, lambda temp: temp.write_text(text, encoding="utf-8"), "赛道文件", "the course file")
        click.echo(ctx.say(f"已写出 {out_file}。修改后用 trackside init --course {out_file} 建立赛事。",
                           f"Wrote {out_file}. Edit it, then: trackside init --course {out_file}"))

    run_guarded(ctx, body)



@click.command(context_settings=CONTEXT)
@click.option("--bib", default=None, type=BIB)
@click.option("--kind", "kinds", multiple=True, help="类型（如 判罚 或 penalty_called）/ kind, by name or code")
@click.option("--limit", default=50, show_default=True, type=LIMIT)
@pass_ctx
def journal(ctx: Ctx, bib: int | None, kinds: tuple[str, ...], limit: int) -> None:
    """查看日志（最新在前）/ show the journal, newest first."""

    def body() -> None:
        from competition.glossary import JOURNAL_KINDS
        from competition.journal import recent_rows
        from results.plain_text import journal_text

        # A kind by its code or by the name the journal shows (判罚 = penalty_called).
        wanted = tuple(next((code for code, t in JOURNAL_KINDS.items() if k in (code, t.zh, t.en)), k) for k in kinds)
        with ctx.event() as event:
            rows = recent_rows(event.store.conn, limit=limit, kinds=wanted or None, bib=bib)
            click.echo(journal_text(rows, ctx.lang, event.course))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--seal", "seal", default=None, metavar="CODE",
              help="核验成绩公告上的封存码 / check the seal printed on a results notice")
@pass_ctx
def verify(ctx: Ctx, seal: str | None) -> None:
    """校验：哈希链完整，且由日志重建的数据与现有数据一致 / check the hash chain and rebuild == live.

    \b
    With --seal CODE (printed on the 成绩公告 when the round became official):
    proves this file still produces exactly those official results.
    """

    def body() -> None:
        from competition.eventfile import EventStore
        from competition.verify import verify_store

        # The bare store, not an Event: verify must work when the event's own tables are damaged.
        with EventStore.open(ctx.db, terminal=ctx.terminal, operator=ctx.operator) as store:
            report = verify_store(store)
        seal_report = None
        if seal:
            from results.seal import verify_seal

            with ctx.event() as event:
                seal_report = verify_seal(event, seal)
        for line in report.lines(ctx.lang):
            click.echo(line)
        if seal_report is not None:
            for line in seal_report.lines(ctx.lang):
                click.echo(line)
        if not report.ok or (seal_report is not None and not seal_report.ok):
            sys.exit(1)

    run_guarded(ctx, body)


COMMANDS = [init, course, journal, verify]
