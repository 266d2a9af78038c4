"""Teams by station, the organizing award, categories with their own prizes, one prize per person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition.event import Event
from competition.judging import call_penalty, score_style
from competition.start_queue import check_in
from courses.loader import parse_course_text
from main import cli
from results.awards import compute_awards
from results.teams import organizing_award, team_standings
from results.union_awards import union_awards
from tests.web_free_helpers import finish_all

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "union_course.toml"
S = 1_000_000_000

# bib: (name, gender, platform, station, district, seconds)
RIDERS = {
    1: ("甲一", "男", "美团", "望京站", "朝阳区总工会", 40),
    2: ("甲二", "女", "美团", "望京站", "朝阳区总工会", 41),
    3: ("甲三", "男", "美团", "望京站", "朝阳区总工会", 45),
    4: ("乙一", "男", "饿了么", "望京站", "朝阳区总工会", 42),
    5: ("乙二", "女", "饿了么", "望京站", "朝阳区总工会", 43),
    6: ("乙三", "男", "饿了么", "望京站", "朝阳区总工会", 41),
    7: ("丙一", "女", "美团", "亮马桥站", "东城区总工会", 44),
    8: ("丙二", "男", "美团", "亮马桥站", "东城区总工会", 46),
}


@pytest.fixture
def union_event(event_path: Path) -> Event:
    course = parse_course_text(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE))
    ev = Event.create(event_path, title="区总工会快递员技能竞赛", course=course, day="2026-11-28")
    with ev.store.transaction():
        for bib, (name, gender, platform, station, district, _) in RIDERS.items():
            ev.store.append("entrant_registered", {
                "bib": bib, "name": name, "phone": f"139{bib:08d}", "gender": gender, "platform": platform,
                "station": station, "id_number": None, "note": None, "extra": {"所属工会": district},
                "initials": ""})
    check_in(ev, list(RIDERS), track=1)
    finish_all(ev, [RIDERS[b][5] for b in RIDERS])
    yield ev
    ev.close()


def test_team_rule_best_three_summed_min_finishers_and_tie_break(union_event: Event) -> None:
    report = team_standings(union_event)
    lines = {ln.unit: ln for ln in report.lines}
    # 美团·望京站 40+41+45 = 126; 饿了么·望京站 41+42+43 = 126: equal sums, the best rider (40 s) wins it.
    assert lines["美团·望京站"].total_ns == 126 * S and lines["饿了么·望京站"].total_ns == 126 * S
    assert lines["美团·望京站"].rank == 1 and lines["饿了么·望京站"].rank == 2
    assert lines["美团·亮马桥站"].rank is None and "不足 3 人" in (lines["美团·亮马桥站"].why_not_zh or "")
    assert lines["美团·望京站"].prize_zh == "团体一等奖" and lines["饿了么·望京站"].prize_zh == "团体二等奖"


def test_a_true_tie_on_a_team_prize_line_is_reported(union_event: Event) -> None:
    from competition.judging import correct_time

    runs = {r["bib"]: r["run_id"] for r in union_event.store.query("SELECT bib, run_id FROM runs")}
    correct_time(union_event, runs[1], 41 * S, reason="计时复核")  # 美团·望京站: 41 + 41 + 44 = 126, best 41
    correct_time(union_event, runs[3], 44 * S, reason="计时复核")  # 饿了么·望京站: 41 + 42 + 43 = 126, best 41
    report = team_standings(union_event)
    top = [(ln.unit, ln.rank, ln.shared) for ln in report.lines if ln.rank == 1]
    assert top == [("美团·望京站", 1, True), ("饿了么·望京站", 1, True)]
    assert report.ties_zh and "团体一等奖" in report.ties_zh[0]
    assert "美团·望京站" in report.ties_zh[0] and "饿了么·望京站" in report.ties_zh[0]


def test_organizing_award_by_finish_rate_and_safety(union_event: Event) -> None:
    lines = {ln.unit: ln for ln in organizing_award(union_event)}
    assert lines["美团"].riders == 5 and lines["饿了么"].riders == 3
    call_penalty(union_event, 4, "danbian", "fall")  # a safety elimination for 饿了么
    lines = {ln.unit: ln for ln in organizing_award(union_event)}
    assert lines["饿了么"].rank is None and "安全违规" in (lines["饿了么"].why_not_zh or "")
    assert lines["美团"].prize


def test_categories_rank_and_award_on_their_own(union_event: Event) -> None:
    men = compute_awards(union_event, category="男子组")
    women = compute_awards(union_event, category="女子组")
    assert [(e.prize_zh, e.bib) for e in men.entries if e.prize_code.endswith(":first")] == [("男子组一等奖", 1)]
    assert [(e.prize_zh, e.bib) for e in women.entries if e.prize_code.endswith(":first")] == [("女子组一等奖", 2)]
    everyone = union_awards(union_event)
    bibs = [e.bib for e in everyone.riders.entries]
    assert len(bibs) == len(set(bibs))  # one prize per person across the lists
    out = CliRunner().invoke(cli, ["--db", union_event.path, "standings", "--category", "女子组", "--json"])
    rows = json.loads(out.output)["standings"]
    assert [(r["bib"], r["rank"]) for r in rows] == [(2, 1), (5, 2), (7, 3)]


def test_one_prize_per_person_unless_the_course_allows_two(union_event: Event) -> None:
    for judge in ("王", "李", "张"):
        score_style(union_event, 1, judge, 95)  # the fastest man is also the most stylish
        score_style(union_event, 8, judge, 80)
    men = compute_awards(union_event, category="男子组")
    style = [e.bib for e in men.entries if e.prize_code.endswith(":best_style")]
    assert 1 in style  # this course sets one_prize_per_person = false
    text = union_event.store.meta("course_toml") or ""
    strict = union_event.course.model_copy(update={"one_prize_per_person": True})
    union_event.__dict__["_course"] = (text, strict)  # the same event under a course that allows one prize
    men = compute_awards(union_event, category="男子组")
    assert 1 not in [e.bib for e in men.entries if e.prize_code.endswith(":best_style")]


def test_awards_write_the_team_page_and_unit_certificates(union_event: Event, tmp_path: Path) -> None:
    out = tmp_path / "颁奖"
    result = CliRunner().invoke(cli, ["--db", union_event.path, "awards", "--out", str(out), "--allow-ties"])
    assert result.exit_code == 0, result.output
    team_page = (out / "团体成绩.html").read_text(encoding="utf-8")
    assert "美团·望京站" in team_page and "团体一等奖" in team_page and "优秀组织奖" in team_page
    certificates = (out / "奖状.html").read_text(encoding="utf-8")
    assert 'data-unit="美团·望京站"' in certificates
    award_list = (out / "获奖名单.html").read_text(encoding="utf-8")
    assert "团体奖与组织奖" in award_list and "男子组一等奖" in award_list
    teams = json.loads(CliRunner().invoke(cli, ["--db", union_event.path, "standings", "--teams", "--json"]).output)
    assert teams["teams"]["teams"][0]["unit"] == "美团·望京站"
    assert teams["organizing_award"]["units"][0]["unit"] in ("美团", "饿了么")
