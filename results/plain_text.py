"""Plain-text output for the terminal: aligned tables that know CJK is two columns wide.

Phones are masked in everything printed here and ID numbers never appear
(``scrub_text`` on every cell, also a number a clerk typed into a name or a
note); control characters are shown escaped (``printable``), so a name holding
a terminal escape code cannot clear or retitle the referee's terminal.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from competition.glossary import (
    channel_word,
    column,
    counts_text,
    disposition_word,
    kind_word,
    place_text,
    round_name,
    state_word,
    status_word,
)
from competition.privacy import mask_phone
from competition.text_safety import printable
from competition.times import format_duration, format_penalty
from results.redaction import scrub_text

if TYPE_CHECKING:
    from competition.entrants import ImportSummary
    from competition.journal import JournalRow
    from results.cut import AdvanceReport
    from results.standings import StandingsReport


def width(text: str) -> int:
    """Columns a string takes in a terminal (CJK and full-width count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def safe(value: object) -> str:
    """One value as printed text: ID numbers out, phones masked, control characters escaped."""
    return printable(scrub_text("" if value is None else str(value)))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, scrub: bool = True) -> str:
    """An aligned table; ``None`` shows as empty; every cell through ``safe``
    (``scrub=False``: only escaped, for columns of raw device numbers)."""
    cells = [[(safe(c) if scrub else printable(c)) for c in row] for row in rows]
    widths = [width(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], width(c))
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip() for row in cells]
    return "\n".join(lines)


def progress_printer(lang: str) -> Callable[[int, int], None]:
    """A progress bar on stderr for large imports (only when stderr is a terminal)."""
    label = "Reading" if lang == "en" else "读取中"

    def show(done: int, total: int) -> None:
        if not sys.stderr.isatty() or total < 2000:
            return
        filled = int(30 * done / total) if total else 30
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def import_summary_text(summary: ImportSummary, lang: str) -> str:
    from competition.registration.report import capped, more_lines

    en = lang == "en"
    c = summary.counts()
    head = ("DRY RUN — nothing written. " if en else "试运行，未写入。") if summary.dry_run else ""
    path = printable(summary.path)
    if en:
        lines = [f"{head}{path}: {c['rows']} rows read; imported {c['imported']}, updated {c['updated']}, "
                 f"unchanged {c['unchanged']}, duplicate {c['duplicate']}, rejected {c['rejected']}."]
    else:
        lines = [f"{head}{path}：读取 {c['rows']} 行；新增 {c['imported']}，更新 {c['updated']}，"
                 f"未变 {c['unchanged']}，重复合并 {c['duplicate']}，拒绝 {c['rejected']}。"]
    if summary.rejected:
        lines.append("Rejected rows:" if en else "被拒绝的行：")
        shown, more = capped(summary.rejected)
        for r in shown:
            reason = r["reason_en"] if en else r["reason_zh"]
            col = f" {r['column']}" if r.get("column") else ""
            # The cell as the clerk typed it, quoted so an empty one shows: 「」 / "".
            lines.append(safe(f"  row {r['row']}{col}: \"{r['value']}\" — {reason}" if en
                              else f"  第 {r['row']} 行{col}：「{r['value']}」— {reason}"))
        lines.extend(more_lines(more, lang))
    if summary.duplicates:
        lines.append("Duplicates merged:" if en else "重复报名（已合并）：")
        shown, more = capped(summary.duplicates)
        for d in shown:
            lines.append(safe(
                f"  row {d['row']} = row {d['first_row']} ({d['name']}, {mask_phone(d['phone'])})" if en
                else f"  第 {d['row']} 行 与第 {d['first_row']} 行为同一人（{d['name']}，{mask_phone(d['phone'])}）"
            ))
        lines.extend(more_lines(more, lang))
    if summary.warnings:
        lines.append("Warnings:" if en else "提示：")
        shown, more = capped(summary.warnings)
        for w in shown:
            col = f" {w['column']}" if w.get("column") else ""
            lines.append(safe(f"  row {w['row']}{col}: {w['reason_en']}" if en
                              else f"  第 {w['row']} 行{col}：{w['reason_zh']}"))
        lines.extend(more_lines(more, lang))
    return "\n".join(lines)


def entrants_text(rows: Sequence[dict[str, Any]], lang: str, *, full_phones: bool = False) -> str:
    """The entrants table; ``full_phones`` (``entrants list --full-phones``) shows whole numbers."""
    en = lang == "en"
    headers = [column(c, lang) for c in ("bib", "name", "phone", "platform", "station", "status")]
    status = {r["bib"]: "" if r["status"] == "active" else state_word(r["status"], lang) for r in rows}
    if full_phones:  # whole numbers: every other cell escaped and scrubbed here, the table only escapes
        body = [[r["bib"], safe(r["name"]), printable(r["phone"]), safe(r["platform"]), safe(r["station"]),
                 status[r["bib"]]] for r in rows]
    else:
        body = [[r["bib"], r["name"], mask_phone(r["phone"]), r["platform"], r["station"], status[r["bib"]]]
                for r in rows]
    footer = f"\n{len(rows)} riders" if en else f"\n共 {len(rows)} 人"
    return table(headers, body, scrub=not full_phones) + footer


def queue_text(rows: Sequence[dict[str, Any]], lang: str) -> str:
    en = lang == "en"
    if not rows:
        return "The start queue is empty." if en else "出发队列为空。"
    headers = [column(c, lang) for c in ("track", "order", "bib", "name", "platform")]
    body = []
    counters: dict[int, int] = {}
    for r in rows:
        counters[r["track"]] = counters.get(r["track"], 0) + 1
        body.append([r["track"], counters[r["track"]], r["bib"], r["name"], r["platform"]])
    return table(headers, body)


def outcome_counts_text(counts: dict[str, int], lang: str) -> str:
    return ("Replayed: " if lang == "en" else "回放完成：") + counts_text(counts, lang)


def _status(status: str, lang: str) -> str:
    return status_word(status, lang)


RUNS_COLUMNS = ("run", "round", "bib", "name", "attempt", "track", "raw", "penalty", "adjusted", "status", "note")


def runs_text(rows: Sequence[dict[str, Any]], precision_ns: int, lang: str, course: Any = None) -> str:
    """``trackside runs``: one line per run; ``course`` names the rounds (预赛, not prelim)."""
    headers = [column(c, lang) for c in RUNS_COLUMNS]
    body = []
    for r in rows:
        note = []
        if r["state"] == "on_course":
            note.append(state_word("on_course", lang))
        if r["state"] == "void":
            note.append(state_word("void", lang))
        elif not r["counts"]:
            note.append(state_word("rerun", lang))
        if r["manual"]:
            note.append(state_word("manual", lang))
        if r["confirmed"]:
            note.append(state_word("confirmed", lang))
        body.append([r["run_id"], round_name(r["round"], lang, course), r["bib"], r["name"], r["attempt"], r["track"],
                     format_duration(r["raw_ns"], precision_ns), format_penalty(r["penalty_ns"]),
                     format_duration(r["adjusted_ns"], precision_ns),
                     # still riding: no result yet, whatever the default status says
                     "—" if r["state"] == "on_course" else _status(r["status"], lang), " ".join(note)])
    return table(headers, body)


def standings_text(report: StandingsReport, lang: str, *, platform: str | None = None) -> str:
    en = lang == "en"
    precision = report.course.precision_ns
    headers = [column(c, lang) for c in ("rank", "bib", "name", "platform", "raw", "penalty", "adjusted", "status",
                                         "penalties")] + [""]
    body: list[list[Any]] = []
    cut_drawn = False
    for s in report.standings:
        e = report.entrants.get(s.bib, {})
        if platform and e.get("platform") != platform:
            continue
        if report.cut is not None and not cut_drawn and s.rank is not None and s.rank > report.cut:
            body.append(["", "", ("-- cut --" if en else "—— 晋级线 ——"), "", "", "", "", "", "", ""])
            cut_drawn = True
        c = s.rider.counting
        pens = "；".join(
            f"{(ln.segment_name_en if en else ln.segment_name_zh)}{': ' if en else '·'}{(ln.name_en if en else ln.name_zh)}"
            + (f"×{ln.count}" if ln.count > 1 else "")
            + (f" {status_word('DSQ', lang)}" if ln.eliminates else f" {format_penalty(ln.seconds_ns)}")
            for ln in (c.lines if c else ())
        )
        mark = ""
        prize = report.prize_of(s)
        if prize:
            mark = prize[1] if en else prize[0]
        elif report.qualified(s):
            mark = state_word("qualified", lang)
        if s.bib in report.on_course:
            mark += " " + state_word("on_course", lang)
        rank = place_text(s.rank, s.shared, s.status)  # DNF/DSQ are listed, not placed
        body.append([rank, s.bib, e.get("name", ""), e.get("platform", ""),
                     format_duration(c.raw_truncated_ns if c else None, precision),
                     format_penalty(c.penalty_ns) if c else "", format_duration(c.adjusted_ns if c else None, precision),
                     _status(s.status, lang), pens, mark.strip()])
    out = [("Round: " if en else "轮次：") + round_name(report.round_code, lang, report.course), table(headers, body)]
    for t in report.ties:
        out.append(safe(("! " + t.what_en) if en else ("！" + t.what_zh)))
    return "\n".join(out)


def advance_text(report: AdvanceReport, lang: str, course: Any = None) -> str:
    en = lang == "en"
    name = round_name(report.round_code, lang, course)
    lines = [
        (f"{len(report.bibs)} riders advance to the {name} (top {report.top})." if en
         else f"{len(report.bibs)} 名选手晋级{name}（前 {report.top} 名）。")
    ]
    for t in report.ties:
        lines.append(safe(("! " + t.what_en) if en else ("！" + t.what_zh)))
    lines.append(f"{name} start order:" if en else f"{name}出发顺序：")
    lines.append(table([column(c, lang) for c in ("order", "bib", "name")],
                       [[i, b, report.names.get(b, "")] for i, b in enumerate(report.bibs, start=1)]))
    return "\n".join(lines)


def journal_text(rows: Sequence[JournalRow], lang: str, course: Any = None) -> str:
    from results.journal_view import describe_row

    headers = [column("seq", lang), "UTC" if lang == "en" else "时间(UTC)", column("operator", lang),
               column("kind", lang), column("what", lang)]
    return table(headers, [[r.seq, r.utc[:19].replace("T", " "), r.operator, kind_word(r.kind, lang),
                            describe_row(r, lang, course)] for r in rows])


_FLAGS = (("manual", "手动", "manual"), ("replayed", "回放", "replayed"), ("cleared", "已清除", "cleared"),
          ("bad_checksum", "校验错", "bad checksum"))


def impulses_text(rows: Sequence[dict[str, Any]], lang: str) -> str:
    from competition.times import format_time_of_day

    en = lang == "en"
    headers = ["#" if en else "编号", column("track", lang), column("channel", lang), column("device", lang),
               column("seq", lang), column("time", lang), "Flags" if en else "标记", column("disposition", lang),
               column("run", lang)]
    body = []
    for r in rows:
        flags = " ".join(en_word if en else zh for key, zh, en_word in _FLAGS if r[key])
        if r["device_time_ns"] is None:
            when = "host clock" if en else "主机时钟"
        elif r["clock_modulus_ns"] == 86_400 * 10**9:
            when = format_time_of_day(r["device_time_ns"])
        else:  # a pad's running counter: its seconds, not raw nanoseconds
            when = format_duration(r["device_time_ns"], 1_000_000)
        device = state_word("manual", lang) if r["manual"] and r["device_seq"] is None else r["device"]
        body.append([r["seq"], r["track"], channel_word(r["channel"], lang), device, r["device_seq"], when, flags,
                     disposition_word(r["disposition"], lang), r["run_id"]])
    # Device numbers can be long integers: escaped, not scrubbed as if they were phones.
    return table(headers, body, scrub=False)


def run_result_line(run: dict[str, Any], counting: Any, course: Any, lang: str) -> str:
    """The line after a penalty call: the run the call went on, then the rider's place in the round.

    ``run`` is a ``runs_report`` row (the penalised run, whichever attempt);
    ``counting`` the rider's ``Standing`` in that round (or None). In a
    best-of-two the other attempt may be the one that counts: the line then
    says so instead of showing that attempt's time as if it were this one's.
    """
    en = lang == "en"
    precision = course.precision_ns
    attempt = f"attempt {run['attempt']}" if en else f"第 {run['attempt']} 次"
    text = f"#{run['bib']} {run['name']} {attempt}"
    pen = format_penalty(run["penalty_ns"])
    if run["state"] == "on_course":
        text += f" {state_word('on_course', lang)} {pen}"
    elif run["status"] == "OK" and run["adjusted_ns"] is not None:
        text += (f" {format_duration(run['raw_ns'], precision)} {pen}"
                 f" = {format_duration(run['adjusted_ns'], precision)}")
    else:
        text += f" {format_duration(run['raw_ns'], precision)} {pen} {status_word(run['status'], lang)}"
    if counting is None or counting.status != "OK" or counting.rank is None:
        return text
    place = place_text(counting.rank, counting.shared, counting.status)
    best = counting.rider.counting
    if best is not None and best.attempt != run["attempt"]:
        shown = format_duration(best.adjusted_ns, precision)
        return text + (f" (counting: attempt {best.attempt} {shown}, rank {place})" if en
                       else f"（计入第 {best.attempt} 次 {shown}，第 {place} 名）")
    return text + (f" (rank {place})" if en else f"（第 {place} 名）")
