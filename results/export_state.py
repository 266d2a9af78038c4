"""The state line every spreadsheet export of a round carries: 进行中 / 成绩公示 until … / 正式成绩 · seal.

The prints say it (``competition.round_states.provisional_banner``); a CSV
or XLSX passed around a WeChat group must say it too, or a provisional table
reads as final. The line names the event and the round, so a file that lost
its name still says what it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from results.redaction import scrub_text

if TYPE_CHECKING:
    from competition.event import Event

RUNNING_WORDS = ("进行中：成绩尚未公示", "In progress: results not yet posted")


def state_words(event: Event, round_code: str, lang: str) -> str:
    """成绩公示：书面申诉截止 YYYY-MM-DD HH:MM, 正式成绩 · 封存码 …, or 进行中 (not yet posted)."""
    from competition.round_states import provisional_banner

    banner = provisional_banner(event, round_code, lang)
    if banner:
        return banner
    return RUNNING_WORDS[1] if lang == "en" else RUNNING_WORDS[0]


def export_state_line(event: Event, round_code: str, lang: str) -> str:
    """``{event title} · {round} · {state}``; the organizer's words are scrubbed, the seal is not."""
    rule = event.course.round(round_code)
    name = rule.name_en if lang == "en" else rule.name_zh
    return f"{scrub_text(event.title)} · {scrub_text(name)} · {state_words(event, round_code, lang)}"


def export_state_meta(event: Event, round_code: str, lang: str) -> dict[str, Any]:
    """The same facts for the JSON export's ``meta``: the state code, the line, the window, the seal."""
    from competition.round_states import round_state

    state = round_state(event, round_code)
    return {"state": state.state, "state_line": state_words(event, round_code, lang),
            "appeal_closes_utc": state.appeal_closes_utc, "seal": state.seal}
