"""One line per journal row, in the reader's language, for the CLI and the app's 记录 screen."""

from __future__ import annotations

from typing import Any

from competition.journal import JournalRow
from competition.privacy import mask_phone

KIND_ZH = {
    "event_created": "建立赛事", "entrant_registered": "报名", "entrant_updated": "修改选手", "entrant_withdrawn": "退赛",
    "entrant_reinstated": "恢复参赛", "checked_in": "签到", "queue_reordered": "调整顺序", "queue_skipped": "顺延",
    "queue_scratched": "取消出发", "queue_moved": "换赛道", "impulse_recorded": "计时脉冲", "impulse_disposed": "指定脉冲",
    "run_started": "出发", "run_finished": "到达", "run_start_undone": "撤销出发", "run_finish_undone": "撤销到达",
    "run_time_chosen": "选定时间", "run_time_corrected": "更正时间", "run_status_set": "设定状态",
    "run_confirmed": "确认成绩", "rerun_granted": "准予重赛", "penalty_called": "判罚", "penalty_withdrawn": "撤销判罚",
    "round_opened": "晋级/开轮", "style_scored": "风采评分", "prize_named": "指定奖项", "prize_unnamed": "取消指定",
    "raw_bytes": "串口原始数据", "frame_rejected": "无法识别的数据", "port_status": "端口状态", "note": "备注",
    "event_renamed": "更名", "impulse_voided": "作废脉冲", "impulse_unvoided": "恢复脉冲",
    "runs_swapped": "交换终点", "timer_record": "计时器成绩/状态",
}


def kind_label(kind: str, lang: str) -> str:
    return kind if lang == "en" else KIND_ZH.get(kind, kind)


def describe_row(row: JournalRow, lang: str) -> str:
    """A short human description; phones masked, raw bytes summarised."""
    p: dict[str, Any] = row.payload
    en = lang == "en"
    bib = f"#{p['bib']} " if p.get("bib") is not None else ""
    reason = p.get("reason")
    tail = f" — {reason}" if reason else ""
    k = row.kind
    if k == "entrant_registered":
        return f"{bib}{p['name']} {mask_phone(p['phone'])} {p.get('platform') or ''}".strip()
    if k == "entrant_updated":
        changes = {key: (mask_phone(v) if key == "phone" else v) for key, v in p["changes"].items() if key != "initials"}
        return f"{bib}{changes}{tail}"
    if k == "checked_in":
        return f"{bib}{'track' if en else '赛道'} {p['track']}" + (" (front)" if en and p.get("front") else " 队首" if p.get("front") else "")
    if k == "impulse_recorded":
        return f"{'track' if en else '赛道'} {p['track']} {p['channel']} {p['protocol']} seq={p.get('device_seq')} → {p['disposition']}"
    if k == "run_started":
        return f"{bib}{'run' if en else '成绩'} {row.seq} {'attempt' if en else '第'} {p['attempt']}{'' if en else ' 次'}"
    if k in ("run_finished", "run_time_chosen", "run_time_corrected"):
        from competition.times import format_duration

        return f"{bib}{'run' if en else '成绩'} {p['run_id']} {format_duration(p.get('raw_ns'))} {p.get('status', '')}{tail}"
    if k == "penalty_called":
        return f"{bib}{p['segment']}/{p['code']} ×{p['count']} ({'run' if en else '成绩'} {p['run_id']})"
    if k == "penalty_withdrawn":
        return f"{bib}#{p['penalty_id']}{tail}"
    if k == "run_status_set":
        return f"{bib}{'run' if en else '成绩'} {p['run_id']} → {p['status']}{tail}"
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
        return f"{p['url']} {state} {p.get('error') or ''}".strip()
    if k == "round_opened":
        return f"{p['round']}: {len(p['bibs'])} {'riders' if en else '人'} (top {p['top']})"
    if k == "event_created":
        return f"{p['title']} {p['date']} ({p['course_id']})"
    if k in ("run_start_undone", "run_finish_undone", "rerun_granted", "run_confirmed"):
        return f"{bib}{'run' if en else '成绩'} {p['run_id']}{tail}"
    rest = {key: v for key, v in p.items() if key not in ("bib", "reason")}
    return f"{bib}{rest}{tail}"
