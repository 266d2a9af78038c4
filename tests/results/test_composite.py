"""综合成绩: 实操 70% + 理论 30% with a theory sheet matched by bib, phone or unique name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition.event import Event
from competition.start_queue import check_in
from courses.loader import parse_course_text
from main import cli
from results.awards import compute_awards
from results.composite import composite_lines
from results.standings import build_standings
from tests.web_free_helpers import finish_all

DEFAULT = Path(__file__).resolve().parents[2] / "courses" / "default.toml"
COMPOSITE = """
[composite]
practical_points = "ratio"

[[composite.parts]]
code = "practical"
name_zh = "实操"
name_en = "Practical"
weight = 70
source = "practical"

[[composite.parts]]
code = "theory"
name_zh = "理论"
name_en = "Theory"
weight = 30
source = "sheet"
"""


@pytest.fixture
def exam_event(event_path: Path) -> Event:
    course = parse_course_text(DEFAULT.read_text(encoding="utf-8") + COMPOSITE)
    ev = Event.create(event_path, title="理论+实操", course=course, day="2026-11-28")
    names = {1: "张伟", 2: "王芳", 3: "李强", 4: "张伟", 5: "赵敏"}  # two riders called 张伟
    with ev.store.transaction():
        for bib, name in names.items():
            ev.store.append("entrant_registered", {
                "bib": bib, "name": name, "phone": f"1390000000{bib}", "gender": None, "platform": "美团",
                "station": "站", "id_number": None, "note": None, "extra": {}, "initials": ""})
    check_in(ev, [1, 2, 3, 4, 5], track=1)
    finish_all(ev, [40, 44, 50, 60, 80])
    yield ev
    ev.close()


def test_theory_sheet_matched_never_guessed(exam_event: Event, event_path: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "理论考试.csv"
    sheet.write_text(
        "序号,号码,姓名,手机号,成绩\n"
        "1,1,张伟,,60\n"           # by bib
        "2,,王芳,13900000002,95\n"  # by phone
        "3,,李强,,88.5\n"           # by unique name
        "4,,张伟,,70\n"             # two riders called 张伟: not guessed
        "5,99,无名氏,,80\n"         # nobody
        "6,5,赵敏,,一百\n",          # not a number
        encoding="utf-8-sig")
    out = CliRunner().invoke(cli, ["--db", str(event_path), "scores", "import", str(sheet), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [(m["bib"], m["points"], m["by"]) for m in data["matched"]] == [(1, 6000, "bib"), (2, 9500, "phone"), (3, 8850, "name")]
    assert [u["row"] for u in data["unmatched"]] == [5, 6, 7]
    assert "同名" in data["unmatched"][0]["reason_zh"]
    text = CliRunner().invoke(cli, ["--db", str(event_path), "scores", "import", str(sheet)]).output
    assert "第 5 行" in text and "第 7 行" in text


def test_composite_ranks_and_the_rank_prizes_follow_it(exam_event: Event, event_path: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "theory.csv"
    sheet.write_text("号码,成绩\n1,50\n2,100\n3,90\n4,0\n5,100\n", encoding="utf-8")
    CliRunner().invoke(cli, ["--db", str(event_path), "scores", "import", str(sheet)])
    lines = {ln.bib: ln for ln in composite_lines(exam_event, build_standings(exam_event, "prelim"))}
    # practical = 100 × 40 / time: 1 -> 100.00, 2 -> 90.90, 3 -> 80.00 (hundredths, truncated)
    assert lines[1].parts == {"practical": 10000, "theory": 5000}
    assert lines[2].parts["practical"] == 9090
    assert lines[1].total == (70 * 10000 + 30 * 5000) // 100  # 85.00
    assert lines[2].total == (70 * 9090 + 30 * 10000) // 100  # 93.63
    assert [b for b, _ in sorted(((ln.bib, ln.rank) for ln in lines.values()), key=lambda t: t[1])][:3] == [2, 1, 3]  # 93.63, 85.00, 83.00
    first = [e.bib for e in compute_awards(exam_event).entries if e.prize_code == "first"]
    assert first == [2]  # the fastest rider (#1) is not first on the composite
    shown = json.loads(CliRunner().invoke(cli, ["--db", str(event_path), "standings", "--composite", "--json"]).output)
    assert "实操 70%" in shown["formula_zh"] and "理论 30%" in shown["formula_zh"]
    assert shown["standings"][0]["bib"] == 2 and shown["standings"][0]["composite_text"] == "93.63"
