"""The CLI contract: commands, languages, JSON shapes, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from main import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(tmp_path: Path):
    db = tmp_path / "event.db"

    def invoke(*args: str, lang: str = "zh") -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args], catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


def test_every_contract_command_has_help() -> None:
    commands = [
        ["init"], ["course", "show"], ["entrants", "import"], ["entrants", "list"], ["checkin"],
        ["timing", "listen"], ["timing", "replay"], ["simulate"], ["penalty"], ["runs"], ["standings"],
        ["advance"], ["awards"], ["export"], ["verify"], ["run"], ["demo"],
    ]
    for cmd in commands:
        result = CliRunner().invoke(cli, [*cmd, "--help"])
        assert result.exit_code == 0, (cmd, result.output)
        assert "/" in result.output  # Chinese / English help text


def test_init_course_and_verify(run) -> None:
    code, out = run("init", "--title", "第三届快递员驾驶技能竞赛")
    assert code == 0 and "第三届快递员驾驶技能竞赛" in out
    code, out = run("course", "show", "--json")
    course = json.loads(out)
    assert [s["code"] for s in course["segments"]] == ["danbian", "xiankuan", "swan", "raogan", "xinhaodeng", "qifu"]
    inf = course["segments"][3]["infractions"][0]
    assert set(inf) >= {"code", "name_zh", "name_en", "hotkey", "seconds", "eliminates", "cap"}
    code, out = run("verify")
    assert code == 0 and "校验通过" in out
    code, out = run("verify", lang="en")
    assert "hash chain intact" in out


def test_user_errors_exit_1_without_traceback(run, tmp_path: Path) -> None:
    code, out = run("standings")
    assert code == 1 and "trackside init" in out and "Traceback" not in out
    run("init")
    code, out = run("init")
    assert code == 1 and "不会覆盖" in out
    code, out = run("penalty", "7", "绕杆", "碰杆")
    assert code == 1 and "没有" in out
    code, out = run("checkin", "999", lang="en")
    assert code == 1 and "no rider with bib 999" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("id = 'x'\n[[segments]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "other.db"), "init", "--course", str(bad)])
    assert result.exit_code == 1 and "bad.toml" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "other.db").exists()


def test_usage_error_is_exit_2(run) -> None:
    code, _ = run("checkin", "not-a-number")
    assert code == 2


def test_full_small_flow_with_json(run, tmp_path: Path) -> None:
    from competition.registration.sample_sheet import make_clerk_csv

    run("init")
    sheet = tmp_path / "报名表.csv"
    make_clerk_csv(sheet, 40, encoding="gbk")
    code, out = run("entrants", "import", str(sheet), "--json")
    summary = json.loads(out)
    assert code == 0 and summary["counts"]["imported"] == 34 and summary["counts"]["rejected"] == 4
    assert all({"row", "reason_zh"} <= set(r) for r in summary["rejected"])
    code, out = run("entrants", "list", "--json")
    assert all("****" in p["phone"] for p in json.loads(out))  # masked unless asked
    code, out = run("entrants", "list", "--json", "--full-phones")
    people = json.loads(out)
    assert len(people) == 34 and all(len(p["phone"]) == 11 for p in people)
    assert {"bib", "name", "phone", "platform", "station"} <= set(people[0])
    code, out = run("entrants", "list")
    assert "****" in out and people[0]["phone"] not in out  # plain text masks phones
    code, out = run("checkin", "3", "1", "2")
    assert code == 0
    code, out = run("queue", "--json")
    assert [q["bib"] for q in json.loads(out)] == [3, 1, 2]
    capture = tmp_path / "timy.cap"
    capture.write_bytes(
        b" 0001 C0  10:00:00.0000 00\r 0002 C1  10:00:45.1239 00\r 0003 C0  10:00:50.0000 00\r"
        b" 0004 C1  10:01:40.5000 00\r garbage\r"
    )
    code, out = run("timing", "replay", str(capture), "--protocol", "alge")
    assert code == 0, out
    code, out = run("penalty", "3", "绕杆", "倒杆出框", "--count", "2")
    assert code == 0
    code, out = run("runs", "--json")
    runs = {r["bib"]: r for r in json.loads(out)}
    assert runs[3]["raw_ns"] == 45_123_900_000 and runs[1]["raw_ns"] == 50_500_000_000
    assert {"bib", "attempt", "status", "raw_ns", "penalty_ns", "adjusted_ns"} <= set(runs[3])
    code, out = run("standings", "--json")
    st = json.loads(out)["standings"]
    assert [s["bib"] for s in st[:2]] == [1, 3]
    three = st[1]
    assert three["adjusted_ns"] == 45_120_000_000 + three["penalty_ns"]
    assert three["penalties"] and three["penalties"][0]["count"] == 2
    assert {"rank", "bib", "name", "status", "raw_ns", "penalty_ns", "adjusted_ns", "penalties"} <= set(three)
    code, out = run("verify")
    assert code == 0


def test_help_starts_without_heavy_imports() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and "trackside" in out.stdout.lower()
