"""One journal row in the referee's words, for the app's 记录 screen (no Textual here).

No internal code or raw value reaches the screen: infractions by their course
names (not ``xiankuan/bar_touched``), channels and dispositions in words,
times formatted, phones masked, unknown device sequence numbers left out (no
``seq=None``), and never a raw payload dict. Rows the CLI also prints are
worded by ``results.journal_view``; this module is the app's own wording.
"""

from __future__ import annotations

from typing import Any

from competition.journal import JournalRow
from competition.privacy import mask_phone
from competition.times import format_duration
from competition.tui.i18n import Texts
from courses.schema import Course

FIELD_WORDS = {"name": "dialog.name", "phone": "dialog.phone", "platform": "dialog.platform"}


def _infraction(course: Course, segment: str, code: str, tr: Texts) -> str:
    seg = next((s for s in course.all_segments() if s.code == segment), None)
    inf = next((i for i in seg.infractions if i.code == code), None) if seg else None
    if seg is None or inf is None:
        return tr("journal.unknown_infraction")
    return f"{tr.pick(seg.name_zh, seg.name_en)}·{tr.pick(inf.name_zh, inf.name_en)}"


def _round_name(course: Course, code: str, tr: Texts) -> str:
    rule = next((r for r in course.rounds if r.code == code), None)
    return tr.pick(rule.name_zh, rule.name_en) if rule else code


def describe(row: JournalRow, tr: Texts, course: Course) -> str:
    """A short description of ``row`` in ``tr``'s language."""
    p: dict[str, Any] = row.payload
    precision = course.precision_ns
    who = tr("rider_bib", bib=p["bib"]) + " " if p.get("bib") is not None else ""
    why = f" — {p['reason']}" if p.get("reason") else ""
    k = row.kind
    run = tr("journal.run", run=p["run_id"]) if p.get("run_id") is not None else ""
    if k == "impulse_recorded":
        parts = [tr("status.track", track=p["track"]), tr(f"channel.{p['channel']}"), str(p.get("protocol") or "")]
        if p.get("device_seq") is not None:
            parts.append(tr("journal.device_seq", seq=p["device_seq"]))
        if p.get("manual"):
            parts.append(tr("timing.manual"))
        if p.get("replayed"):
            parts.append(tr("assign.replayed"))
        return " ".join(x for x in parts if x) + " → " + tr(f"disposition.{p['disposition']}")
    if k == "impulse_disposed":
        return f"{tr('journal.impulse', seq=p['impulse_seq'])} → {tr('disposition.' + str(p['disposition']))} {who}".rstrip() + why
    if k == "penalty_called":
        count = f" ×{p['count']}" if int(p.get("count", 1)) > 1 else ""
        judge = f" ({p['judge']})" if p.get("judge") else ""
        return f"{who}{_infraction(course, p['segment'], p['code'], tr)}{count} · {run}{judge}"
    if k == "penalty_withdrawn":
        return f"{who}{tr('journal.penalty', penalty=p['penalty_id'])}{why}"
    if k in ("run_finished", "run_time_chosen", "run_time_corrected"):
        status = f" {tr('run_status.' + str(p['status']))}" if p.get("status") else ""
        return f"{who}{run} {format_duration(p.get('raw_ns'), precision)}{status}{why}"
    if k == "run_started":
        return f"{who}{tr('journal.run', run=row.seq)} {tr('journal.attempt', n=p.get('attempt', 1))}"
    if k == "run_status_set":
        return f"{who}{run} → {tr('run_status.' + str(p['status']))}{why}"
    if k in ("run_start_undone", "run_finish_undone", "rerun_granted", "run_confirmed"):
        return f"{who}{run}{why}"
    if k == "entrant_registered":
        return f"{who}{p.get('name', '')} {mask_phone(p.get('phone') or '')} {p.get('platform') or ''}".strip()
    if k == "entrant_updated":
        changes = [
            f"{tr(FIELD_WORDS[key]) if key in FIELD_WORDS else key} {mask_phone(v) if key == 'phone' else v}"
            for key, v in p.get("changes", {}).items() if key not in ("initials", "id_number")
        ]
        return f"{who}{'，'.join(changes)}{why}"
    if k == "checked_in":
        front = " " + tr("journal.front") if p.get("front") else ""
        return f"{who}{tr('status.track', track=p['track'])}{front}"
    if k in ("queue_skipped", "queue_moved"):
        return f"{who}{tr('status.track', track=p['track'])}"
    if k == "queue_reordered":
        return f"{tr('status.track', track=p['track'])}: " + " ".join(f"#{b}" for b in p.get("bibs", []))
    if k == "round_opened":
        return tr("journal.round", round=_round_name(course, p["round"], tr), n=len(p.get("bibs", [])))
    if k == "port_status":
        state = tr("status.online") if p.get("online") else tr("status.offline")
        return f"{p.get('url', '')} {state} {p.get('settings') or p.get('error') or ''}".strip()
    if k == "frame_rejected":
        return str(p.get("reason_en") if tr.lang == "en" else p.get("reason_zh"))
    if k == "raw_bytes":
        return f"{tr('status.track', track=p['track'])} {p.get('port', '')} {len(p.get('b64', '')) * 3 // 4} B"
    if k == "event_created":
        return f"{p.get('title', '')} {p.get('date', '')}"
    # Anything else: the reader's words for the fields we know, never the raw dict.
    known = []
    for key, value in p.items():
        if key in ("bib", "reason", "run_id") or isinstance(value, (dict, list)):
            continue
        known.append(f"{value}")
    return f"{who}{run} {' '.join(known)}".strip() + why
