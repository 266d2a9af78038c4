"""The course as JSON (``course show --json``, documented in docs/CLI.md) and as text."""

from __future__ import annotations

from typing import Any

from competition.glossary import status_word
from competition.times import format_penalty
from courses.schema import Course


def course_json(course: Course) -> dict[str, Any]:
    def segment(s: Any) -> dict[str, Any]:
        return {
            "code": s.code, "name_zh": s.name_zh, "name_en": s.name_en, "hotkey": s.hotkey,
            "infractions": [
                {"code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "hotkey": i.hotkey,
                 "seconds": format_penalty(i.penalty_ns).lstrip("+"), "penalty_ns": i.penalty_ns,
                 "eliminates": i.eliminates, "cap": i.cap, "major": i.major}
                for i in s.infractions
            ],
        }

    return {
        "id": course.id, "name_zh": course.name_zh, "name_en": course.name_en,
        "segments": [segment(s) for s in course.segments],
        "general": segment(course.general) if course.general else None,
        "time_limit_ns": course.time_limit_ns, "precision_ns": course.precision_ns,
        "double_trigger_ns": course.double_trigger_ns, "min_run_ns": course.min_run_ns,
        "scoring_mode": course.scoring_mode, "tie_break": list(course.tie_break),
        "rounds": [{"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "attempts": r.attempts,
                    "counting": r.counting} for r in course.rounds],
        "prizes": [{"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en, "count": p.count,
                    "source": p.source} for p in course.prizes],
    }


def course_text(course: Course, lang: str) -> str:
    en = lang == "en"
    lines = [f"{course.name_en if en else course.name_zh} ({course.id})"]
    limit = format_penalty(course.time_limit_ns).lstrip("+")
    precision = format_penalty(course.precision_ns).lstrip("+")
    lines.append(
        f"Time limit {limit} s, precision {precision} s, ranking by "
        f"{'time + penalties' if course.scoring_mode == 'time_plus_penalty' else 'fewer calls, then time'}" if en else
        (f"限时 {limit} 秒，精度 {precision} 秒，"
         f"计分 {'时间+罚时' if course.scoring_mode == 'time_plus_penalty' else '先比违规次数再比时间'}")
    )
    for s in course.all_segments():
        lines.append(f"[{s.hotkey}] {s.name_en if en else s.name_zh} ({s.code})")
        for i in s.infractions:
            what = status_word("DSQ", lang) if i.eliminates else format_penalty(i.penalty_ns) + (" s" if en else " 秒")
            cap = (f" cap {i.cap}" if en else f" 上限 {i.cap} 次") if i.cap else ""
            lines.append(f"    [{i.hotkey}] {i.name_en if en else i.name_zh} ({i.code}) {what}{cap}")
    return "\n".join(lines)
