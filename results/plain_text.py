"""Plain-text output for the terminal: aligned tables that know CJK is two columns wide.

Phones are masked in everything printed here; only ``--json`` carries them in full.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from competition.privacy import mask_phone
from competition.times import format_duration, format_penalty

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


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An aligned table; ``None`` shows as empty."""
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
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
    en = lang == "en"
    c = summary.counts()
    head = ("DRY RUN — nothing written. " if en else "试运行，未写入。") if summary.dry_run else ""
    if en:
        lines = [f"{head}{summary.path}: {c['rows']} rows read; imported {c['imported']}, updated {c['updated']}, "
                 f"unchanged {c['unchanged']}, duplicate {c['duplicate']}, rejected {c['rejected']}."]
    else:
        lines = [f"{head}{summary.path}：读取 {c['rows']} 行；新增 {c['imported']}，更新 {c['updated']}，"
                 f"未变 {c['unchanged']}，重复合并 {c['duplicate']}，拒绝 {c['rejected']}。"]
    if summary.rejected:
        lines.append("Rejected rows:" if en else "被拒绝的行：")
        for r in summary.rejected:
            reason = r["reason_en"] if en else r["reason_zh"]
            col = f" {r['column']}" if r.get("column") else ""
            lines.append(f"  {'row' if en else '第'} {r['row']}{'' if en else ' 行'}{col}: {r['value']!r} — {reason}")
    if summary.duplicates:
        lines.append("Duplicates merged:" if en else "重复报名（已合并）：")
        for d in summary.duplicates:
            lines.append(
                f"  row {d['row']} = row {d['first_row']} ({d['name']}, {mask_phone(d['phone'])})" if en
                else f"  第 {d['row']} 行 与第 {d['first_row']} 行为同一人（{d['name']}，{mask_phone(d['phone'])}）"
            )
    if summary.warnings:
        lines.append("Warnings:" if en else "提示：")
        for w in summary.warnings:
            lines.append(f"  {'row' if en else '第'} {w['row']}{'' if en else ' 行'} {w.get('column') or ''}: "
                         f"{w['reason_en'] if en else w['reason_zh']}")
    return "\n".join(lines)


def entrants_text(rows: Sequence[dict[str, Any]], lang: str) -> str:
    en = lang == "en"
    headers = ["Bib", "Name", "Phone", "Platform", "Station", "Status"] if en else ["号码", "姓名", "手机", "平台", "站点", "状态"]
    status = {"active": "", "withdrawn": "withdrawn" if en else "已退赛"}
    body = [[r["bib"], r["name"], mask_phone(r["phone"]), r["platform"], r["station"], status.get(r["status"], r["status"])]
            for r in rows]
    footer = f"\n{len(rows)} riders" if en else f"\n共 {len(rows)} 人"
    return table(headers, body) + footer


def queue_text(rows: Sequence[dict[str, Any]], lang: str) -> str:
    en = lang == "en"
    if not rows:
        return "The start queue is empty." if en else "出发队列为空。"
    headers = ["Track", "#", "Bib", "Name", "Platform"] if en else ["赛道", "顺序", "号码", "姓名", "平台"]
    body = []
    counters: dict[int, int] = {}
    for r in rows:
        counters[r["track"]] = counters.get(r["track"], 0) + 1
        body.append([r["track"], counters[r["track"]], r["bib"], r["name"], r["platform"]])
    return table(headers, body)


def outcome_counts_text(counts: dict[str, int], lang: str) -> str:
    names_zh = {"start": "出发", "finish": "到达", "double": "重复触发", "too_short": "过短", "orphan": "无主",
                "unusable": "作废/校验失败", "split": "分段", "candidate": "待选", "duplicate": "重复（已丢弃）",
                "rejected": "无法识别", "cancel": "计时器取消", "disqualify": "计时器取消资格",
                "timer_record": "计时器成绩/状态行"}
    parts = [f"{(k if lang == 'en' else names_zh.get(k, k))} {v}" for k, v in sorted(counts.items())]
    return ("Replayed: " if lang == "en" else "回放完成：") + (", ".join(parts) if parts else "0")


STATUS_ZH = {"OK": "完成", "DNF": "未完成", "DSQ": "取消成绩", "DNS": "未出发", "PENDING": "进行中"}


def _status(status: str, lang: str) -> str:
    return status if lang == "en" else STATUS_ZH.get(status, status)


def runs_text(rows: Sequence[dict[str, Any]], precision_ns: int, lang: str) -> str:
    en = lang == "en"
    headers = (["Run", "Round", "Bib", "Name", "Try", "Track", "Raw", "Pen.", "Adjusted", "Status", "Note"] if en
               else ["成绩", "轮次", "号码", "姓名", "次", "赛道", "用时", "罚时", "成绩", "状态", "备注"])
    body = []
    for r in rows:
        note = []
        if r["state"] == "on_course":
            note.append("on course" if en else "赛道上")
        if r["state"] == "void":
            note.append("void" if en else "作废")
        elif not r["counts"]:
            note.append("rerun granted" if en else "已准予重赛")
        if r["manual"]:
            note.append("manual" if en else "手动计时")
        if r["confirmed"]:
            note.append("confirmed" if en else "已确认")
        body.append([r["run_id"], r["round"], r["bib"], r["name"], r["attempt"], r["track"],
                     format_duration(r["raw_ns"], precision_ns), format_penalty(r["penalty_ns"]),
                     format_duration(r["adjusted_ns"], precision_ns), _status(r["status"], lang), " ".join(note)])
    return table(headers, body)


def standings_text(report: StandingsReport, lang: str, *, platform: str | None = None) -> str:
    en = lang == "en"
    precision = report.course.precision_ns
    headers = (["Rank", "Bib", "Name", "Platform", "Raw", "Pen.", "Result", "Status", "Penalties", ""] if en
               else ["名次", "号码", "姓名", "平台", "用时", "罚时", "成绩", "状态", "判罚", ""])
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
            f"{(ln.segment_name_en if en else ln.segment_name_zh)}·{(ln.name_en if en else ln.name_zh)}"
            + (f"×{ln.count}" if ln.count > 1 else "")
            + (" DSQ" if ln.eliminates else f" {format_penalty(ln.seconds_ns)}")
            for ln in (c.lines if c else ())
        )
        mark = ""
        prize = report.prize_of(s)
        if prize:
            mark = prize[1] if en else prize[0]
        elif report.qualified(s):
            mark = "Q"
        if s.bib in report.on_course:
            mark += " on course" if en else " 赛道上"
        rank = "" if s.rank is None else (f"={s.rank}" if s.shared else str(s.rank))
        body.append([rank, s.bib, e.get("name", ""), e.get("platform", ""),
                     format_duration(c.raw_truncated_ns if c else None, precision),
                     format_penalty(c.penalty_ns) if c else "", format_duration(c.adjusted_ns if c else None, precision),
                     _status(s.status, lang), pens, mark.strip()])
    out = [("Round: " if en else "轮次：") + report.round_code, table(headers, body)]
    for t in report.ties:
        out.append(("! " + t.what_en) if en else ("！" + t.what_zh))
    return "\n".join(out)


def advance_text(report: AdvanceReport, lang: str) -> str:
    en = lang == "en"
    lines = [
        (f"{len(report.bibs)} riders advance to {report.round_code} (top {report.top})." if en
         else f"{len(report.bibs)} 名选手晋级 {report.round_code}（前 {report.top} 名）。")
    ]
    for t in report.ties:
        lines.append(("! " + t.what_en) if en else ("！" + t.what_zh))
    lines.append("Start order:" if en else "决赛出发顺序：")
    lines.append(table(["#", "Bib", "Name"] if en else ["顺序", "号码", "姓名"],
                       [[i, b, report.names.get(b, "")] for i, b in enumerate(report.bibs, start=1)]))
    return "\n".join(lines)


def journal_text(rows: Sequence[JournalRow], lang: str) -> str:
    from results.journal_view import describe_row

    headers = ["Seq", "UTC", "Operator", "Kind", "What"] if lang == "en" else ["序号", "时间(UTC)", "操作人", "类型", "内容"]
    return table(headers, [[r.seq, r.utc[:19].replace("T", " "), r.operator, r.kind, describe_row(r, lang)] for r in rows])


DISPOSITION_ZH = {
    "start": "出发", "finish": "到达", "double": "重复触发", "too_short": "过短", "orphan": "无主",
    "unusable": "作废/校验失败", "split": "分段", "candidate": "待选", "replaced": "已替换",
    "assigned": "已指定", "discarded": "已搁置", "cancel": "计时器取消", "disqualify": "计时器取消资格",
    "voided": "已作废",
}


def impulses_text(rows: Sequence[dict[str, Any]], lang: str) -> str:
    from competition.times import format_time_of_day

    en = lang == "en"
    headers = (["#", "Track", "Channel", "Device", "Seq", "Time", "Flags", "What", "Run"] if en
               else ["编号", "赛道", "通道", "设备", "序号", "时间", "标记", "处理", "成绩"])
    body = []
    for r in rows:
        flags = " ".join(f for f, on in (("M", r["manual"]), ("R", r["replayed"]), ("C", r["cleared"]),
                                         ("CHK", r["bad_checksum"])) if on)
        when = format_time_of_day(r["device_time_ns"]) if r["device_time_ns"] is not None and r["clock_modulus_ns"] == 86_400 * 10**9 else (
            str(r["device_time_ns"]) if r["device_time_ns"] is not None else "host")
        what = r["disposition"] if en else DISPOSITION_ZH.get(r["disposition"], r["disposition"])
        body.append([r["seq"], r["track"], r["channel"], r["device"], r["device_seq"], when, flags, what, r["run_id"]])
    return table(headers, body)
