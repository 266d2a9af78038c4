"""Printable HTML for the competition day: award list, certificates, results
notices, start lists, judges' paper sheets, and a folder that holds them.

Every function returns one standalone HTML document (UTF-8, print CSS inlined)
that prints on A4 from any browser. Rendering is jinja2 with autoescape on and
StrictUndefined, so a rider named ``<script>`` prints as text and a missing
label is an error here, not a blank on paper. Every value printed passes
through ``scrub_text`` (the environment's ``finalize``): phones are masked and
anything shaped like an ID number is removed, whatever field it arrived in.

This module imports jinja2 at top level: it is only for rendering; the CLI
imports it when it prints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from competition.glossary import column, status_word
from competition.times import format_duration, format_penalty
from results.documents import (
    AwardEntry,
    EventInfo,
    ResultRow,
    SegmentSheet,
    StartListEntry,
    status_label,
)
from results.output_files import INDEX_FILE, OutputError, write_folder_atomic
from results.redaction import mask_phone, scrub_text

__all__ = [
    "AWARD_LIST_FILE",
    "CERTIFICATES_FILE",
    "INDEX_FILE",
    "REFEREE_SHEETS_FILE",
    "OutputError",
    "render_award_list",
    "render_certificates",
    "render_index",
    "render_referee_sheets",
    "render_results_notice",
    "render_start_list",
    "results_notice_file",
    "start_list_file",
    "write_documents",
]

AWARD_LIST_FILE = "获奖名单.html"
CERTIFICATES_FILE = "奖状.html"
REFEREE_SHEETS_FILE = "裁判记录表.html"

_TEMPLATES = Path(__file__).with_name("templates")

# Column headings and status words come from the glossary, so paper says what the
# screens and the terminal say; the rest are the documents' own phrases.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "award_list": "获奖名单",
        "certificates": "奖状",
        "certificate_heading": "奖　状",
        "certificate_greeting": "同志：",
        "certificate_body_before": "在",
        "certificate_body_middle": "中，荣获",
        "certificate_closing": "特发此状，以资鼓励。",
        "results_notice": "成绩公告",
        "start_list": "出发顺序表",
        "referee_sheets": "裁判记录表",
        "index": "输出文件",
        "prize": column("prize", "zh"),
        "rank": column("rank", "zh"),
        "order": column("order", "zh"),
        "bib": column("bib", "zh"),
        "name": column("name", "zh"),
        "gender": column("gender", "zh"),
        "phone": column("phone", "zh"),
        "platform": column("platform", "zh"),
        "station": column("station", "zh"),
        "track": column("track", "zh"),
        "track_n": "第{n}赛道",
        "raw": column("raw", "zh"),
        "penalties": column("penalties", "zh"),
        "penalty_total": column("penalty", "zh"),
        "adjusted": column("adjusted", "zh"),
        "status": column("status", "zh"),
        "remarks": column("note", "zh"),
        "runs": column("runs", "zh"),
        "counting_run": "计入成绩",
        "result": column("adjusted", "zh"),
        "style_score": column("style_score", "zh"),
        "points": "分",
        "qualified": "晋级",
        "shared": "并列",
        "cut_line": "晋级线：以上 {n} 人晋级",
        "cut_line_target": "（名额 {cut} 人）",
        "ties_heading": "注意：以下并列需裁判长裁定（加赛），名单尚未最终确定",
        "riders": "人",
        "total": "合计",
        "count": "共 {n} 人",
        "judge": "裁判员（签名）",
        "head_referee": "裁判长（签名）",
        "date_label": "日期",
        "segment": "项目",
        "cap": "上限",
        "eliminates": status_word("DSQ", "zh"),
        "tally_hint": "每次违例在格内画“正”字计数；取消成绩项打“×”。",
        "course": "赛道方案",
        "signature_line": "签名：",
        "page_of": "第 {page} 页",
        "generated_by": "由 Trackside 生成",
        "check": "检录",
        "no_entries": "暂无数据",
        "colon": "：",
        "paren_l": "（",
        "paren_r": "）",
        "semicolon": "；",
    },
    "en": {
        "award_list": "Prize Winners",
        "certificates": "Certificates",
        "certificate_heading": "Certificate of Award",
        "certificate_greeting": "",
        "certificate_body_before": "at",
        "certificate_body_middle": "was awarded",
        "certificate_closing": "In recognition of outstanding riding skill.",
        "results_notice": "Results",
        "start_list": "Start List",
        "referee_sheets": "Judge Sheets",
        "index": "Outputs",
        "prize": column("prize", "en"),
        "rank": column("rank", "en"),
        "order": column("order", "en"),
        "bib": column("bib", "en"),
        "name": column("name", "en"),
        "gender": column("gender", "en"),
        "phone": column("phone", "en"),
        "platform": column("platform", "en"),
        "station": column("station", "en"),
        "track": column("track", "en"),
        "track_n": "Track {n}",
        "raw": column("raw", "en"),
        "penalties": column("penalties", "en"),
        "penalty_total": column("penalty", "en"),
        "adjusted": column("adjusted", "en"),
        "status": column("status", "en"),
        "remarks": column("note", "en"),
        "runs": column("runs", "en"),
        "counting_run": "counts",
        "result": column("adjusted", "en"),
        "style_score": column("style_score", "en"),
        "points": "pts",
        "qualified": "Qualified",
        "shared": "tie",
        "cut_line": "Qualification line: {n} riders above advance",
        "cut_line_target": " (places: {cut})",
        "ties_heading": "Attention: ties below need a ruling by the head referee (run-off); this list is not final",
        "riders": "riders",
        "total": "Total",
        "count": "{n} riders",
        "judge": "Judge (signature)",
        "head_referee": "Head referee (signature)",
        "date_label": "Date",
        "segment": "Segment",
        "cap": "max",
        "eliminates": status_word("DSQ", "en"),
        "tally_hint": "Tally each infraction with a stroke in its box; mark an eliminating one with ×.",
        "course": "Course",
        "signature_line": "Signature:",
        "page_of": "Page {page}",
        "generated_by": "Generated by Trackside",
        "check": "Check",
        "no_entries": "No entries",
        "colon": ": ",
        "paren_l": " (",
        "paren_r": ")",
        "semicolon": "; ",
    },
}

_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _file_part(text: str) -> str:
    """A round name made safe for a file name on Windows and Linux alike."""
    cleaned = _UNSAFE_FILE_CHARS.sub("_", text).strip(" .")
    return cleaned or "_"


def results_notice_file(round_name_zh: str) -> str:
    """File name of a round's results notice: ``成绩公告-初赛.html``."""
    return f"成绩公告-{_file_part(round_name_zh)}.html"


def start_list_file(round_name_zh: str) -> str:
    """File name of a round's start list: ``出发顺序表-初赛.html``."""
    return f"出发顺序表-{_file_part(round_name_zh)}.html"


def _finalize(value: Any) -> Any:
    # Applied to every {{ expression }} before escaping: no field can smuggle an
    # ID number or a full phone onto paper, whatever the caller put in it.
    if isinstance(value, Markup):
        return Markup(scrub_text(str(value)))
    if isinstance(value, str):
        return scrub_text(value)
    return value


@jinja2.pass_context
def _duration_filter(context: jinja2.runtime.Context, ns: int | None) -> str:
    event = context.get("event")
    if not isinstance(event, EventInfo):
        raise jinja2.UndefinedError("duration filter needs `event` in the template context")
    return format_duration(ns, event.precision_ns)


def _penalty_filter(ns: int) -> str:
    return format_penalty(ns)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=True),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["duration"] = _duration_filter
    env.filters["penalty"] = _penalty_filter
    env.filters["mask_phone"] = mask_phone
    env.globals["status_label"] = status_label
    return env


def _render(template: str, event: EventInfo, **context: Any) -> str:
    labels = LABELS["en" if event.lang == "en" else "zh"]
    return _environment().get_template(template).render(
        event=event, t=labels, lang=event.lang, **context
    )


def _group_awards(awards: Sequence[AwardEntry]) -> list[tuple[AwardEntry, list[AwardEntry]]]:
    """Groups of one prize each, ordered by the tier's place, then first appearance."""
    groups: dict[str, list[AwardEntry]] = {}
    for entry in awards:
        groups.setdefault(entry.prize_code, []).append(entry)
    ordered = sorted(groups.values(), key=lambda g: min(e.place for e in g))  # stable
    return [(group[0], group) for group in ordered]


def render_award_list(
    event: EventInfo, awards: Sequence[AwardEntry], ties: Sequence[str] = (),
    unit_winners: Sequence[tuple[str, str, str]] = (),
) -> str:
    """获奖名单: the winners grouped by prize (一等奖, 二等奖, 三等奖, 最佳风采奖…).

    ``ties`` are messages about ties on a prize boundary that still need a
    run-off; when present a warning block heads the page so nobody prints
    certificates from an undecided list without seeing it.
    """
    return _render(
        "award_list.html",
        event,
        groups=_group_awards(awards),
        ties=list(ties),
        total=len(awards) + len(unit_winners),
        unit_winners=list(unit_winners),
    )


def render_certificates(
    event: EventInfo, awards: Sequence[AwardEntry], unit_winners: Sequence[tuple[str, str, str]] = ()
) -> str:
    """奖状: one certificate per winner (riders, then units), each exactly one A4 landscape page."""
    return _render("certificates.html", event, awards=list(awards), unit_winners=list(unit_winners))


def render_team_results(event: EventInfo, teams: Any, organizing: Sequence[Any], organizing_name: tuple[str, str],
                        names: Mapping[int, str], banner: str | None = None) -> str:
    """团体成绩: the units ranked by the course's team rule, and the organizing award's table."""
    return _render("team_results.html", event, teams=teams, organizing=list(organizing),
                   organizing_name=organizing_name, names=dict(names), banner=banner)


def _cut_after(rows: Sequence[ResultRow], cut: int | None) -> int | None:
    """Index of the last row above the cut line, or None when there is no line.

    The ``qualified`` flags decide (ties at the cut all advance); without any
    flag, ranks within ``cut`` do.
    """
    last: int | None = None
    if any(row.qualified for row in rows):
        for i, row in enumerate(rows):
            if row.qualified:
                last = i
        return last
    if cut is None:
        return None
    for i, row in enumerate(rows):
        if row.rank is not None and row.status == "OK" and row.rank <= cut:
            last = i
    return last


def render_results_notice(
    event: EventInfo,
    round_name_zh: str,
    round_name_en: str,
    rows: Sequence[ResultRow],
    cut: int | None = None,
    state_line: str | None = None,
    seal: str | None = None,
) -> str:
    """成绩公告 for one round: ranked rows, itemised penalties, the cut line, prizes.

    Rows print in the order given (the ranking's order). Headers repeat on each
    printed page and a row is never split across pages. ``state_line`` says
    成绩公示 (with the appeal deadline) or 正式成绩; an official notice prints its
    ``seal`` in short form and as a QR code.
    """
    rows = list(rows)
    cut_after = _cut_after(rows, cut)
    qualified_count = (cut_after + 1) if cut_after is not None else 0
    show_runs = any(len(row.attempts) > 1 for row in rows)
    return _render(
        "results_notice.html",
        event,
        round_name=round_name_en if event.lang == "en" else round_name_zh,
        rows=rows,
        cut=cut,
        cut_after=cut_after,
        qualified_count=qualified_count,
        show_runs=show_runs,
        state_line=state_line,
        seal=seal,
        seal_qr=_seal_qr(seal) if seal else None,
    )


def _seal_qr(seal: str) -> Markup:
    from results.venue_sheets import qr_svg

    return Markup(qr_svg(seal, scale=2))


def render_start_list(
    event: EventInfo,
    round_name_zh: str,
    round_name_en: str,
    entries: Sequence[StartListEntry],
    track: int | None = None,
) -> str:
    """出发顺序表: riders in start order, with a tick column for the start steward."""
    entries = list(entries)
    return _render(
        "start_list.html",
        event,
        round_name=round_name_en if event.lang == "en" else round_name_zh,
        entries=entries,
        track=track,
        show_track=track is None and any(e.track is not None for e in entries),
    )


def render_referee_sheets(
    event: EventInfo,
    segments: Sequence[SegmentSheet],
    entries: Sequence[StartListEntry],
    round_name_zh: str | None = None,
    round_name_en: str | None = None,
    judge_cards: Mapping[str, Any] | None = None,
) -> str:
    """裁判记录表: one blank paper backup sheet per segment, riders in start order.

    Each rider gets a box per infraction for the judge to tally and a total
    box; every segment starts on a new page with a judge's signature line.
    With ``judge_cards`` (``results.venue_sheets``), each sheet carries its
    judge's QR code and PIN for the venue server.
    """
    round_name = round_name_en if event.lang == "en" else round_name_zh
    return _render(
        "referee_sheets.html",
        event,
        segments=list(segments),
        entries=list(entries),
        round_name=round_name or "",
        judge_cards=dict(judge_cards or {}),
    )


def render_index(event: EventInfo, file_names: Sequence[str]) -> str:
    """index.html of an output folder: a link to every document in it."""
    names = [name for name in file_names if name != INDEX_FILE]
    return _render("index.html", event, files=names)


def write_documents(
    out_dir: Path, documents: Mapping[str, str], *, event: EventInfo | None = None
) -> list[Path]:
    """Write rendered documents (file name -> HTML) into ``out_dir`` as one set.

    An ``index.html`` linking them is added unless the mapping has one (its
    title comes from ``event`` when given). Writing is atomic as a set; see
    ``results.output_files.write_folder_atomic``. Raises OutputError with the
    folder and the reason when it cannot be written.
    """
    files = dict(documents)
    if INDEX_FILE not in files:
        index_event = event or EventInfo(
            title="Trackside", date="", course_name_zh="", course_name_en="", precision_ns=10_000_000
        )
        files[INDEX_FILE] = render_index(index_event, list(files))
    return write_folder_atomic(Path(out_dir), {n: html.encode("utf-8") for n, html in files.items()})
