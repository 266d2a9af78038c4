"""trackside CLI: entrants, check-in and the start queue."""

from __future__ import annotations

import os

import click

from commands.common import CONTEXT, Ctx, emit_json, fail, pass_ctx, run_guarded
from commands.params import BIB, REASON, TRACK


@click.group(context_settings=CONTEXT)
def entrants() -> None:
    """报名选手 / entrants: import, list, edit, withdraw."""


@entrants.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="工作表名称 / worksheet name")
@click.option("--dry-run", is_flag=True, help="只检查，不写入 / check only, write nothing")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / JSON output")
@click.option("--encoding", default=None, metavar="NAME",
              help="CSV 的编码（如 gbk、big5、shift_jis），无法自动判断时使用 / CSV text encoding when it cannot be told")
@pass_ctx
def entrants_import(ctx: Ctx, file: str, sheet: str | None, dry_run: bool, as_json: bool,
                    encoding: str | None) -> None:
    """导入报名表（.xlsx / .csv）/ import the registration sheet.

    Finds the header row under title lines, maps Chinese and English column
    names, normalises phones, rejects bad rows with their row number, merges
    duplicates. Importing the same sheet again changes nothing.
    """

    def body() -> None:
        from competition.entrants import import_registration
        from competition.errors import CommandRefused
        from competition.registration import read_registration
        from competition.registration.report import capped
        from results.plain_text import import_summary_text, progress_printer

        try:
            os.stat(file)
        except FileNotFoundError:
            pass  # the reader says so, with the file name
        except OSError as exc:  # a name too long, a loop of links, …
            raise CommandRefused(f"无法读取 {file[:200]}（{exc.strerror}）。", f"Cannot read {file[:200]} ({exc.strerror}).") from exc
        with ctx.event() as event:
            progress = None if as_json else progress_printer(ctx.lang)
            reading = read_registration(file, sheet=sheet, progress=progress, encoding=encoding)
            summary = import_registration(event, reading, dry_run=dry_run)
            if as_json:
                from competition.privacy import mask_phone

                report: dict[str, object] = {"file": file, "dry_run": dry_run, "counts": summary.counts(),
                                             "imported": summary.imported, "updated": summary.updated}
                for key in ("duplicates", "rejected", "warnings"):  # first 100 each, the rest summed up
                    report[key], report[f"{key}_more"] = capped(getattr(summary, key))
                report["duplicates"] = [{**d, "phone": mask_phone(d.get("phone"))} for d in report["duplicates"]]
                emit_json(report)
            else:
                click.echo(import_summary_text(summary, ctx.lang))

    run_guarded(ctx, body)


@entrants.command("list", context_settings=CONTEXT)
@click.option("--search", "query", default=None, help="号码、手机尾号、姓名或拼音首字母 / bib, phone tail, name, initials")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（手机号打码）/ JSON output (phones masked)")
@click.option("--full-phones", "full_phones", is_flag=True,
              help="显示完整手机号（仅供主办方自用）/ full phone numbers, for the organizer only")
@pass_ctx
def entrants_list(ctx: Ctx, query: str | None, as_json: bool, full_phones: bool) -> None:
    """列出选手（手机号打码）/ list entrants (phones masked unless --full-phones)."""

    def body() -> None:
        from competition.entrants import list_entrants, search_entrants
        from results.plain_text import entrants_text

        with ctx.event() as event:
            rows = search_entrants(event, query, limit=100_000) if query else list_entrants(event)
            if as_json:
                from competition.privacy import mask_phone

                emit_json([
                    {"bib": r["bib"], "name": r["name"], "phone": r["phone"] if full_phones else mask_phone(r["phone"]),
                     "gender": r["gender"], "platform": r["platform"], "station": r["station"], "note": r["note"],
                     "status": r["status"], "extra": r["extra"]}
                    for r in rows
                ], full_phones=full_phones)
            else:
                click.echo(entrants_text(rows, ctx.lang, full_phones=full_phones))

    run_guarded(ctx, body)


@entrants.command("edit", context_settings=CONTEXT)
@click.argument("bib", type=BIB)
@click.option("--name")
@click.option("--phone")
@click.option("--gender")
@click.option("--platform")
@click.option("--station")
@click.option("--note")
@click.option("--reason", required=True, type=REASON, help="原因（记入日志）/ reason (journaled)")
@pass_ctx
def entrants_edit(ctx: Ctx, bib: int, reason: str, **fields: str | None) -> None:
    """修改选手信息（记入日志）/ correct a rider's details (journaled)."""

    def body() -> None:
        from competition.entrants import edit_entrant

        changes = {k: v for k, v in fields.items() if v is not None}
        if not changes:
            fail(ctx.say("没有给出要修改的内容（如 --name、--phone），未作任何修改。",
                         "Nothing to change: give a field such as --name or --phone. Nothing was changed."))
        with ctx.event() as event:
            before = event.store.journal_head()
            edit_entrant(event, bib, changes, reason=reason)
            changed = event.store.journal_head() != before
        if changed:
            click.echo(ctx.say(f"已修改 {bib} 号。", f"Bib {bib} updated."))
        else:
            click.echo(ctx.say(f"{bib} 号的信息与原来相同，未作修改。", f"Bib {bib} already has these details; nothing changed."))

    run_guarded(ctx, body)


@entrants.command("withdraw", context_settings=CONTEXT)
@click.argument("bib", type=BIB)
@click.option("--reason", required=True, type=REASON, help="原因 / reason")
@pass_ctx
def entrants_withdraw(ctx: Ctx, bib: int, reason: str) -> None:
    """选手退赛（保留记录）/ withdraw a rider (kept on file)."""

    def body() -> None:
        from competition.entrants import withdraw_entrant

        with ctx.event() as event:
            withdraw_entrant(event, bib, reason=reason)
        click.echo(ctx.say(f"{bib} 号已退赛。", f"Bib {bib} withdrawn."))

    run_guarded(ctx, body)




@click.command(context_settings=CONTEXT)
@click.argument("bibs", nargs=-1, type=BIB)
@click.option("--track", default=1, show_default=True, type=TRACK, help="赛道 / track")
@click.option("--all", "everyone", is_flag=True, help="本轮所有可出发选手按出发顺序签到 / queue everyone of the round")
@pass_ctx
def checkin(ctx: Ctx, bibs: tuple[int, ...], track: int, everyone: bool) -> None:
    """签到：按顺序加入出发队列 / check in: append riders to the start queue in order."""

    def body() -> None:
        from competition.start_queue import check_in, check_in_all

        if not bibs and not everyone:
            fail(ctx.say("请给出选手号码，或用 --all。", "Give bibs, or --all."))
        if bibs and everyone:
            fail(ctx.say("--all 与选手号码不能同时使用：请只给号码，或只用 --all。",
                         "--all and bibs cannot be combined: give bibs, or --all alone."))
        with ctx.event() as event:
            done = check_in_all(event, track=track) if everyone else check_in(event, list(bibs), track=track)
        click.echo(ctx.say(f"{len(done)} 名选手已加入 {track} 道出发队列。", f"{len(done)} rider(s) queued on track {track}."))

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--track", default=None, type=TRACK, help="赛道 / track")
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


COMMANDS = [entrants, checkin, queue]
