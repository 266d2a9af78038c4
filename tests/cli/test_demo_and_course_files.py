"""The demo command, its safety around real events, and editing a course file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from competition.event import Event
from main import cli


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_headless_demo_plays_a_whole_competition(tmp_path: Path) -> None:
    db, out = tmp_path / "demo.db", tmp_path / "颁奖"
    code, text = invoke("--db", str(db), "demo", "--headless", "--riders", "80", "--seed", "5", "--out", str(out))
    assert code == 0, text
    assert "校验通过" in text and "决赛" in text
    for name in ("获奖名单.html", "奖状.html", "成绩公告-决赛.html", "裁判记录表.html", "index.html"):
        assert (out / name).is_file()
    assert "演示区总工会" in (out / "奖状.html").read_text(encoding="utf-8")  # the issuer line
    with Event.open(db) as ev:
        assert ev.is_demo
        assert ev.store.query("SELECT COUNT(*) AS n FROM round_entries WHERE round = 'final'")[0]["n"] == 70
        finals = ev.store.query("SELECT COUNT(*) AS n FROM runs WHERE round = 'final' AND state = 'finished'")[0]["n"]
        assert finals == 140  # best of two
        # The union day: both rounds official with their seals, an upheld appeal each, teams and categories.
        from competition.appeals import cases
        from competition.round_states import all_round_states
        from results.seal import verify_seal

        states = all_round_states(ev)
        assert [s.state for s in states] == ["official", "official"]
        assert all(verify_seal(ev, s.seal or "").ok for s in states)
        assert [c.ruling for c in cases(ev)] == ["upheld", "upheld"]
        assert ev.course.categories is not None and ev.course.teams is not None
    award_list = (out / "获奖名单.html").read_text(encoding="utf-8")
    assert "男子组一等奖" in award_list and "团体一等奖" in award_list
    assert (out / "团体成绩.html").is_file()
    assert "封存码" in (out / "成绩公告-决赛.html").read_text(encoding="utf-8")
    # Again: the earlier demo is set aside, never mixed into the new one.
    code, text = invoke("--db", str(db), "demo", "--headless", "--riders", "80", "--seed", "5", "--out", str(out))
    assert code == 0 and (tmp_path / "demo.db.previous").exists()


def test_demo_never_overwrites_a_real_event(tmp_path: Path) -> None:
    db = tmp_path / "real.db"
    invoke("--db", str(db), "init", "--title", "真实赛事")
    with Event.open(db) as ev:
        rows = ev.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"]
    code, text = invoke("--db", str(db), "demo", "--headless", "--riders", "20")
    assert code == 1 and "不会覆盖" in text
    with Event.open(db) as ev:
        assert ev.title == "真实赛事"
        assert ev.store.query("SELECT COUNT(*) AS n FROM journal")[0]["n"] == rows


def test_organizer_edits_a_penalty_in_a_copy_of_the_course(tmp_path: Path) -> None:
    course = tmp_path / "我们的赛道.toml"
    code, _ = invoke("course", "template", str(course))
    assert code == 0
    text = course.read_text(encoding="utf-8")
    marker = 'name_zh = "碰杆"\n  name_en = "Gate bar touched"\n  hotkey = "p"\n  seconds = 3'
    assert marker in text
    course.write_text(text.replace(marker, marker[:-1] + "5"), encoding="utf-8")
    db = tmp_path / "e.db"
    code, out = invoke("--db", str(db), "init", "--course", str(course))
    assert code == 0, out
    code, out = invoke("--db", str(db), "course", "show", "--json")
    gate = json.loads(out)["segments"][1]
    touched = next(i for i in gate["infractions"] if i["name_zh"] == "碰杆")
    assert touched["penalty_ns"] == 5_000_000_000
    code, out = invoke("course", "template", str(course))
    assert code == 1  # never overwrites the organizer's file
