"""What goes to the WeChat groups and the print shop: a tall results PNG, rider cards, PDFs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competition.glossary import STATUSES
from results.share import SHARE_WIDTH, html_to_pdf, html_to_png

if TYPE_CHECKING:
    from competition.event import Event

HEAD_PX, ROW_PX, FOOT_PX = 300, 64, 220
MAX_ROWS = 800
STATUS_WORDS = {lang: {code: term.word(lang) for code, term in STATUSES.items()} for lang in ("zh", "en")}
# The documents of an awards folder that are also printed as PDFs (one print job each).
PDF_DOCUMENTS = ("获奖名单.html", "奖状.html", "团体成绩.html")


def _render(template: str, event: Event, lang: str, **context: Any) -> str:
    from results.printing import _environment
    from results.publish import event_info

    return _environment().get_template(template).render(event=event_info(event, lang), lang=lang, **context)


def _banner(event: Event, round_code: str, lang: str) -> str | None:
    from competition.round_states import provisional_banner

    return provisional_banner(event, round_code, lang)


def notice_png(event: Event, round_code: str, png: Path, *, lang: str = "zh") -> Path:
    """成绩公告 as one tall image, 1080 px wide, every rider of the round (first 800)."""
    from competition.round_states import round_state
    from results.publish import result_rows
    from results.standings import build_standings
    from results.venue_sheets import qr_svg

    report = build_standings(event, round_code)
    rows = result_rows(report)
    shown = rows[:MAX_ROWS]
    cut_index = max((i for i, r in enumerate(shown) if r.qualified), default=None)
    state = round_state(event, round_code)
    rule = event.course.round(round_code)
    more = None
    if len(rows) > MAX_ROWS:
        more = (f"and {len(rows) - MAX_ROWS} more riders: see the full notice" if lang == "en"
                else f"另有 {len(rows) - MAX_ROWS} 名选手，见完整成绩公告")
    html = _render("share_notice.html", event, lang, rows=shown, cut_index=cut_index, width=SHARE_WIDTH,
                   head_px=HEAD_PX, row_px=ROW_PX, foot_px=FOOT_PX, round_name=rule.name_en if lang == "en" else rule.name_zh,
                   banner=_banner(event, round_code, lang), seal=state.seal,
                   seal_qr=qr_svg(state.seal, scale=3) if state.seal else None, more=more,
                   status_words=STATUS_WORDS["en" if lang == "en" else "zh"])
    height = HEAD_PX + ROW_PX * len(shown) + FOOT_PX
    return _shot(html, png, SHARE_WIDTH, height)


def rider_card_png(event: Event, bib: int, png: Path, *, base_url: str | None, lang: str = "zh") -> Path:
    """One rider's result card (1080×1350) with a QR code to his page on the venue server."""
    from competition.errors import CommandRefused
    from competition.times import format_duration
    from results.standings import build_standings
    from results.venue_sheets import qr_svg

    rows = event.store.query("SELECT * FROM entrants WHERE bib = ?", (bib,))
    if not rows:
        raise CommandRefused(f"没有 {bib} 号选手。", f"No rider with bib {bib}.")
    entrant = rows[0]
    rounds = []
    prize = None
    words = STATUS_WORDS["en" if lang == "en" else "zh"]
    for r in event.rounds():
        report = build_standings(event, r["code"])
        standing = next((s for s in report.standings if s.bib == bib), None)
        if standing is None or standing.rider.counting is None:
            continue
        rule = event.course.round(r["code"])
        c = standing.rider.counting
        ok = standing.status == "OK" and c.adjusted_ns is not None
        rounds.append({"name": rule.name_en if lang == "en" else rule.name_zh,
                       "result": format_duration(c.adjusted_ns, event.course.precision_ns) if ok else None,
                       "status_word": words.get(standing.status, standing.status),
                       "rank": standing.rank if ok else None})
        won = report.prize_of(standing)
        if won:
            prize = won[1] if lang == "en" else won[0]
    url = (base_url or "").rstrip("/") + f"/rider/{bib}" if base_url else None
    html = _render("rider_card.html", event, lang, rider={"bib": bib, "name": entrant["name"],
                   "platform": entrant.get("platform"), "station": entrant.get("station"), "rounds": rounds,
                   "prize": prize}, url=url or "", qr=qr_svg(url, scale=8) if url else "",
                   banner=_banner(event, event.current_round, lang))
    return _shot(html, png, 1080, 1350)


def _shot(html: str, png: Path, width: int, height: int) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trackside-share-") as folder:
        page = Path(folder) / "page.html"
        page.write_text(html, encoding="utf-8")
        return html_to_png(page, png, width=width, height=height)


def awards_pdfs(folder: Path) -> list[Path]:
    """PDFs of an awards folder's printable documents, and of each 成绩公告 (one print job each)."""
    out = []
    names = [*PDF_DOCUMENTS, *sorted(p.name for p in folder.glob("成绩公告*.html"))]
    for name in names:
        html = folder / name
        if html.exists():
            out.append(html_to_pdf(html, html.with_suffix(".pdf")))
    return out
