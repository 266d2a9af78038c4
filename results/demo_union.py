"""The demo day's union parts: two categories, teams by station, an appeal, sealed results.

Kept beside ``results.demo`` so the demo plays what a district union's
contest does: the course has categories by gender, a team prize by station
and an organizing award by platform; after each round the results are posted
(成绩公示), one rider appeals a call and the jury upholds it, and the round is
made official with its seal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from courses.loader import parse_course_text

if TYPE_CHECKING:
    from competition.event import Event
    from courses.schema import Course

UNION_RULES = """
[teams]
unit = "station"
best = 3
min_finishers = 3

[[teams.prizes]]
code = "team_first"
name_zh = "团体一等奖"
name_en = "Team first prize"
count = 1

[[teams.prizes]]
code = "team_second"
name_zh = "团体二等奖"
name_en = "Team second prize"
count = 2

[organizing_award]
unit = "platform"
count = 1

[categories]
by = "gender"
"""


def demo_course() -> Course:
    """The bundled default course with the union rules added."""
    from importlib.resources import files

    text = files("courses").joinpath("default.toml").read_text(encoding="utf-8")
    return parse_course_text(text + UNION_RULES, "default.toml + demo union rules")


def appeal_and_seal(event: Event, round_code: str, echo: Callable[[str], None], *, en: bool) -> str:
    """Post the round, take one appeal (upheld: the call is withdrawn under the case), make it official."""
    from competition.appeals import file_appeal, rule_appeal
    from competition.judging import withdraw_penalty
    from competition.round_states import publish_round
    from results.seal import make_official

    publish_round(event, round_code)
    call = event.store.query(
        "SELECT p.penalty_id, p.bib FROM penalties p JOIN runs r ON r.run_id = p.run_id"
        " WHERE r.round = ? AND p.withdrawn = 0 ORDER BY p.penalty_id LIMIT 1", (round_code,))
    if call:
        bib, penalty_id = call[0]["bib"], call[0]["penalty_id"]
        case = file_appeal(event, bib, reason="判罚有误，请求复核录像", filed_by=f"{bib} 号选手所在站点领队",
                           evidence="赛段裁判手机录像", round_code=round_code)
        rule_appeal(event, case, ruling="upheld", reasoning="录像显示未违规，撤销该判罚", jury="监督仲裁组")
        event.store.case_id = case
        try:
            withdraw_penalty(event, penalty_id, reason="仲裁裁决：撤销判罚")
        finally:
            event.store.case_id = None
        echo(f"Appeal #{case} by #{bib}: upheld, the call withdrawn" if en
             else f"申诉 #{case}（{bib} 号）：成立，撤销该判罚")
    state = make_official(event, round_code, early_reason="演示：申诉已全部裁决")
    echo(f"{round_code}: official, seal {state.seal}" if en else f"{round_code} 轮：正式成绩，封存码 {state.seal}")
    return state.seal or ""
