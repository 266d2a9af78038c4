"""One line per journal row, in the reader's language, for the CLI and the app's 记录 screen."""

from __future__ import annotations

from typing import Any

from competition.glossary import (
    JOURNAL_KINDS,
    channel_word,
    disposition_word,
    infraction_name,
    kind_word,
    round_name,
    status_word,
)
from competition.journal import JournalRow
from competition.privacy import mask_phone
from results.redaction import scrub_text

# Fields of an entrant_updated payload, in the reader's words.
_FIELDS = {"name": ("姓名", "name"), "phone": ("手机", "phone"), "gender": ("性别", "gender"),
           "platform": ("平台", "platform"), "station": ("站点", "station"), "note": ("备注", "note")}

# Kept for the app's journal filter, which matches a typed word against these names.
KIND_ZH = {kind: term.zh for kind, term in JOURNAL_KINDS.items()}


def kind_label(kind: str, lang: str) -> str:
    return kind_word(kind, lang)


def describe_row(row: JournalRow, lang: str, course: Any = None) -> str:
    """A short human description; phones masked (also inside notes and reasons), no ID
    number, raw bytes summarised, no internal codes. The app's 记录 screen and
    ``trackside journal`` use it. ``course`` (the event's) names segments,
    infractions and rounds; without it they show as their codes."""
    return scrub_text(_describe(row, lang, course))


def _describe(row: JournalRow, lang: str, course: Any = None) -> str:
    from competition.times import format_duration

    p: dict[str, Any] = row.payload
    en = lang == "en"
    bib = f"#{p['bib']} " if p.get("bib") is not None else ""
    reason = p.get("reason")
    tail = f" — {reason}" if reason else ""
    run_word = "run" if en else "成绩"
    k = row.kind
    if k == "entrant_registered":
        return f"{bib}{p['name']} {mask_phone(p['phone'])} {p.get('platform') or ''}".strip()
    if k == "entrant_updated":
        parts = []
        for key, value in p["changes"].items():
            if key in ("initials", "id_number"):
                continue
            shown = mask_phone(value) if key == "phone" else value
            label = _FIELDS.get(key, (key, key))[1 if en else 0]
            parts.append(f"{label}: {shown}" if en else f"{label}：{shown}")
        return f"{bib}{'; '.join(parts) if en else '；'.join(parts)}{tail}"
    if k == "checked_in":
        front = (" (front)" if en else " 队首") if p.get("front") else ""
        return f"{bib}{'track' if en else '赛道'} {p['track']}{front}"
    if k == "impulse_recorded":
        # A hand-keyed impulse has no device sequence number; say "manual" instead of a None.
        source = ("manual" if en else "手动") if p.get("device_seq") is None else (
            f"{p['protocol']} #{p['device_seq']}")
        text = f"{'track' if en else '赛道'} {p['track']} {channel_word(p['channel'], lang)} {source}"
        if p["disposition"] != p["channel"]:  # a start that started someone needs no "→ start"
            text += f" → {disposition_word(p['disposition'], lang)}"
        return text
    if k == "impulse_disposed":
        target = f" → {bib.strip()}" if bib else ""
        return (f"{'impulse' if en else '脉冲'} #{p['impulse_seq']} {disposition_word(p['disposition'], lang)}"
                f"{target}{tail}")
    if k == "run_started":
        return f"{bib}{run_word} {row.seq} {'attempt' if en else '第'} {p['attempt']}{'' if en else ' 次'}"
    if k in ("run_finished", "run_time_chosen", "run_time_corrected"):
        status = status_word(p["status"], lang) if p.get("status") else ""
        return f"{bib}{run_word} {p['run_id']} {format_duration(p.get('raw_ns'))} {status}".rstrip() + tail
    if k == "penalty_called":
        count = f" ×{p['count']}" if p.get("count", 1) != 1 else ""
        return (f"{bib}{infraction_name(p['segment'], p['code'], lang, course)}{count} "
                f"({run_word} {p['run_id']})" if en else
                f"{bib}{infraction_name(p['segment'], p['code'], lang, course)}{count}（{run_word} {p['run_id']}）")
    if k == "penalty_withdrawn":
        return f"{bib}{'penalty' if en else '判罚'} #{p['penalty_id']}{tail}"
    if k == "run_status_set":
        return f"{bib}{run_word} {p['run_id']} → {status_word(p['status'], lang)}{tail}"
    if k == "raw_bytes":
        return f"{'track' if en else '赛道'} {p['track']} {p['port']} {len(p['b64']) * 3 // 4} B"
    if k in ("frame_rejected", "timer_record"):
        return p["reason_en"] if en else p["reason_zh"]
    if k in ("impulse_voided", "impulse_unvoided"):
        who = f" ({p['by']})" if p.get("by") else ""
        return f"{'impulse' if en else '脉冲'} {p['impulse_seq']}{who}{tail}"
    if k == "runs_swapped":
        return f"{'runs' if en else '成绩'} {p['run_a']} ⇄ {p['run_b']} (#{p['bib_a']} / #{p['bib_b']}){tail}"
    if k == "port_status":
        state = ("online" if en else "已连接") if p["online"] else ("OFFLINE" if en else "断开")
        return f"{p['url']} {state} {p.get('settings') or p.get('error') or ''}".strip()
    if k == "round_opened":
        name = round_name(p["round"], lang, course)
        return (f"{name}: {len(p['bibs'])} riders (top {p['top']})" if en
                else f"{name}：{len(p['bibs'])} 人（前 {p['top']} 名）")
    if k == "event_created":
        return f"{p['title']} {p['date']}"
    if k in ("run_start_undone", "run_finish_undone", "rerun_granted", "run_confirmed"):
        return f"{bib}{run_word} {p['run_id']}{tail}"
    if k in ("queue_skipped", "queue_scratched", "entrant_withdrawn", "entrant_reinstated"):
        return f"{bib.strip()}{tail}"
    if k == "style_scored":
        from competition.glossary import score_text

        return f"{bib}{p.get('judge', '')} {score_text(int(p['score']), 10)}".strip()
    if k in ("prize_named", "prize_unnamed"):
        from competition.glossary import prize_name

        return f"{bib}{prize_name(p.get('prize', ''), lang, course)}{tail}"
    # Anything else: its fields as "name value", never a Python dict.
    rest = [f"{key} {_plain(v)}" for key, v in p.items() if key not in ("bib", "reason")]
    return f"{bib}{' '.join(rest)}{tail}".strip()


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k} {_plain(v)}" for k, v in value.items())
    return str(value)
