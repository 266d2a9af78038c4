"""trackside CLI: results people share: a tall results image, rider cards, PDFs for one print job."""

from __future__ import annotations

from pathlib import Path

import click

from commands.common import CONTEXT, Ctx, fail, pass_ctx, run_guarded


@click.command(context_settings=CONTEXT)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="输出文件夹 / output folder")
@click.option("--round", "round_code", default=None, help="轮次（默认当前轮）/ round")
@click.option("--cards", default=None, metavar="all|BIB,BIB",
              help="选手成绩卡：all 或号码列表（每张约 1 秒）/ rider cards: all, or bibs")
@click.option("--url", "base_url", default=None, metavar="URL", help="现场服务器地址，印在成绩卡二维码里 / venue server address")
@pass_ctx
def share(ctx: Ctx, out_dir: str, round_code: str | None, cards: str | None, base_url: str | None) -> None:
    """微信群用图片：长图成绩公告、选手成绩卡（含二维码）/ images for WeChat: the tall results notice, rider cards.

    \b
    Needs Chromium (apt-get install chromium fonts-noto-cjk). PDFs of the
    award list, the certificates (one file, one page each) and the notices:
    trackside awards --out 颁奖 --pdf
    """

    def body() -> None:
        from competition.venue_status import venue_url
        from results.share import chromium_binary, png_size
        from results.share_documents import notice_png, rider_card_png

        chromium_binary()  # say it now, not after the first page
        out = Path(out_dir)
        url = venue_url(ctx.db, base_url)
        with ctx.event() as event:
            code = event.require_round(round_code)
            name = event.course.round(code).name_zh
            png = notice_png(event, code, out / f"成绩公告-{name}.png", lang=ctx.lang)
            w, h = png_size(png)
            click.echo(ctx.say(f"长图：{png}（{w}×{h}）", f"Tall image: {png} ({w}×{h})"))
            if cards:
                if cards == "all":
                    bibs = [r["bib"] for r in event.store.query(
                        "SELECT DISTINCT bib FROM runs WHERE round = ? ORDER BY bib", (code,))]
                else:
                    try:
                        bibs = [int(b) for b in cards.split(",") if b.strip()]
                    except ValueError:
                        fail(ctx.say("--cards 应为 all 或逗号分隔的号码。", "--cards is all or bibs separated by commas."))
                for i, bib in enumerate(bibs, start=1):
                    card = rider_card_png(event, bib, out / "选手成绩卡" / f"{bib}.png", base_url=url, lang=ctx.lang)
                    click.echo(ctx.say(f"[{i}/{len(bibs)}] 成绩卡：{card}", f"[{i}/{len(bibs)}] card: {card}"))

    run_guarded(ctx, body)


COMMANDS = [share]
