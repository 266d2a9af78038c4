"""trackside CLI: the venue network: the server for phones and the big screen, judges' tokens."""

from __future__ import annotations

import click

from commands.common import CONTEXT, Ctx, emit_json, fail, pass_ctx, run_guarded
from commands.params import PORT, REASON, TRACK


@click.command(context_settings=CONTEXT)
@click.option("--host", default="0.0.0.0", show_default=True,
              help="监听地址（127.0.0.1 只允许本机）/ address to bind (127.0.0.1: this machine only)")
@click.option("--port", default=8080, show_default=True, type=PORT, help="端口 / port")
@pass_ctx
def serve(ctx: Ctx, host: str, port: int) -> None:
    """现场服务器：观众实时成绩、大屏、裁判手机判罚 / the venue server: live results, board, judges' phones.

    \b
    Runs beside `trackside run` on the same event file. Pages:
      /            实时成绩 live results        /board   大屏 big screen
      /rider/BIB   选手成绩 a rider's page       /judge   赛段裁判 segment judges
    """

    def body() -> None:
        from competition.web.server import serve as run_server

        run_server(ctx.db, host=host, port=port, lang=ctx.lang, echo=click.echo)

    run_guarded(ctx, body)


@click.command(context_settings=CONTEXT)
@click.option("--url", "base_url", default=None, metavar="URL",
              help="现场服务器地址（默认本机 :8080）/ the venue server's address")
@click.option("--revoke", "segment", default=None, metavar="SEGMENT",
              help="作废该赛段（或 head）的裁判码并重新发放 / revoke and re-issue a segment's token")
@click.option("--reason", default=None, type=REASON, help="作废原因 / why (with --revoke)")
@click.option("--satellite", "satellite_track", default=None, type=TRACK, metavar="TRACK",
              help="为第二台计时电脑（该赛道）发放转发令牌 / issue a token for a second timing laptop on TRACK")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / JSON output")
@pass_ctx
def judges(ctx: Ctx, base_url: str | None, segment: str | None, reason: str | None, satellite_track: int | None,
           as_json: bool) -> None:
    """赛段裁判码：每个赛段一个（另有裁判长），打印在裁判记录表上 / judges' segment tokens.

    \b
    Issues a token for every segment without one and prints them all; the
    judge sheets from `trackside sheets` carry each one as a QR card.
      trackside judges --json                 [{"segment", "url", "token"}]
      trackside judges --revoke raogan --reason "手机丢失"
      trackside judges --satellite 2          token for track 2's laptop:
        trackside timing listen --port … --forward http://HUB:8080 --token T
    """

    def body() -> None:
        from competition.judges import (
            HEAD_REFEREE,
            SATELLITE,
            issue_satellite_token,
            issue_tokens,
            revoke_token,
        )
        from competition.venue_status import venue_url
        from results.venue_sheets import judge_url

        if segment is not None and not (reason or "").strip():
            fail(ctx.say("作废裁判码必须写明原因（--reason）。", "Revoking a token needs --reason."))
        url = venue_url(ctx.db, base_url) or "http://127.0.0.1:8080/"
        with ctx.event() as event:
            if segment is not None:
                revoke_token(event, segment, reason=reason or "")
            if satellite_track is not None:
                issue_satellite_token(event, satellite_track)
            tokens = issue_tokens(event)
            names = {s.code: (s.name_zh, s.name_en) for s in event.course.all_segments()}
            for t in tokens:
                if t.segment.startswith(SATELLITE):
                    n = t.segment[len(SATELLITE):]
                    names[t.segment] = (f"{n} 道计时副机", f"track {n} satellite laptop")
        if as_json:
            emit_json([{"segment": "head" if t.segment == HEAD_REFEREE else t.segment,
                        "url": url.rstrip("/") if t.satellite_track else judge_url(url, t.token), "token": t.token}
                       for t in tokens])
            return
        for t in tokens:
            zh, en = names.get(t.segment, ("裁判长", "Head referee"))
            where = f"--forward {url.rstrip('/')} --token {t.token}" if t.satellite_track else judge_url(url, t.token)
            click.echo(f"{ctx.say(zh, en)}\t{t.pin}\t{where}")

    run_guarded(ctx, body)


COMMANDS = [serve, judges]
