"""Paper sheets entered back: every difference from the live calls listed, settled, journaled."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition.errors import CommandRefused
from competition.event import Event
from competition.paper import differences
from competition.round_states import publish_round
from competition.verify import verify_event
from main import cli
from results.seal import make_official
from tests.web_free_helpers import ride_round

S = 1_000_000_000


@pytest.fixture
def ridden(event: Event) -> Event:
    """Five riders rode 40–44 s; live calls at 绕杆: #1 倒杆出框 ×2, #2 支脚, #4 漏杆."""
    return ride_round(event, [40, 41, 42, 43, 44], calls=(
        (1, "raogan", "pole_down", 2), (2, "raogan", "foot_down", 1), (4, "raogan", "pole_missed", 1)))


def invoke(event_path: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(event_path), *args], input=stdin)
    return result.exit_code, result.output


def test_every_deliberate_difference_is_listed(ridden: Event, event_path: Path) -> None:
    # The judge's paper: #1 倒杆出框 once (live has 2), #2 as live, #3 碰杆出框? no: #3 支脚 (live none),
    # #4 missing from the sheet (live has 漏杆), #5 nothing.
    sheet = "1 倒杆出框\n2 foot_down\n3 支脚\n"
    code, out = invoke(event_path, "paper", "enter", "绕杆", stdin=sheet)
    assert code == 0, out
    found = {(d.bib, d.code, d.live, d.paper) for d in differences(ridden)}
    assert found == {(1, "pole_down", 2, 1), (3, "foot_down", 0, 1), (4, "pole_missed", 1, 0)}
    code, out = invoke(event_path, "paper", "diff")
    assert "#1" in out and "#3" in out and "#4" in out and "#2 " not in out and "共 3 处差异" in out
    listing = json.loads(invoke(event_path, "paper", "diff", "--json")[1])
    assert len(listing) == 3 and all(set(d) >= {"bib", "segment", "code", "live", "paper", "run_id"} for d in listing)


def test_settling_by_paper_corrects_and_by_live_keeps(ridden: Event, event_path: Path) -> None:
    invoke(event_path, "paper", "enter", "raogan", stdin="1 pole_down\n3 foot_down\n2 foot_down\n")
    assert invoke(event_path, "paper", "settle", "1", "raogan", "--use", "paper", "--reason", "录像确认只倒一根")[0] == 0
    assert invoke(event_path, "paper", "settle", "3", "raogan", "--use", "paper", "--reason", "纸质记录")[0] == 0
    assert invoke(event_path, "paper", "settle", "4", "raogan", "--use", "live", "--reason", "裁判漏记")[0] == 0
    calls = {(p["bib"], p["code"]): p["n"] for p in ridden.store.query(
        "SELECT bib, code, SUM(count) AS n FROM penalties WHERE withdrawn = 0 GROUP BY bib, code")}
    assert calls == {(1, "pole_down"): 1, (2, "foot_down"): 1, (3, "foot_down"): 1, (4, "pole_missed"): 1}
    assert differences(ridden) == []
    assert len(differences(ridden, include_settled=True)) == 1  # #4: live stands, still different on paper
    assert verify_event(ridden).ok
    again = invoke(event_path, "paper", "settle", "4", "raogan", "--use", "live", "--reason", "x")
    assert again[0] == 1 and "没有待处理的差异" in again[1]


def test_stopwatch_sheet_against_the_timer(ridden: Event, event_path: Path) -> None:
    code, out = invoke(event_path, "paper", "times", stdin="1 40.1\n2 41.0\n3 45.50\n# 4 and 5 not timed by hand\n")
    assert code == 0, out
    diffs = [d for d in differences(ridden) if d.segment == "time"]
    assert [(d.bib, d.live, d.paper) for d in diffs] == [(3, 42 * S, 45_500_000_000)]
    bad = invoke(event_path, "paper", "times", stdin="1 40.1\nx 41\n")
    assert bad[0] == 1 and "第 2 行" in bad[1]


def test_official_waits_for_every_difference_to_be_settled(ridden: Event, event_path: Path) -> None:
    invoke(event_path, "paper", "enter", "raogan", stdin="1 pole_down*2\n2 foot_down\n")  # #4's 漏杆 missing
    publish_round(ridden)
    later = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(CommandRefused, match="差异未处理"):
        make_official(ridden, now=later)
    invoke(event_path, "paper", "settle", "4", "raogan", "--use", "live", "--reason", "漏记")
    assert make_official(ridden, now=later).state == "official"


def test_a_csv_sheet_and_bad_lines_name_where(ridden: Event, event_path: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "绕杆.csv"
    csv_file.write_text("号码,倒杆出框,漏杆,支脚\n1,2,,\n2,,,1\n4,,1,\n", encoding="utf-8-sig")
    assert invoke(event_path, "paper", "enter", "raogan", "--file", str(csv_file))[0] == 0
    assert differences(ridden) == []
    code, out = invoke(event_path, "paper", "enter", "raogan", stdin="1 pole_down\n2 不存在的违规\n")
    assert code == 1 and "不存在的违规" in out
    code, out = invoke(event_path, "paper", "enter", "raogan", stdin="1 pole_down\nabc\n")
    assert code == 1 and "第 2 行" in out
