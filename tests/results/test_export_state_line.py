"""Every CSV/XLSX export says the round's state: 进行中, 成绩公示 until …, 正式成绩 · seal (issue 15)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from competition.event import Event
from competition.registration.headers import find_header
from competition.round_states import publish_round
from main import cli
from results.seal import make_official
from tests.web_free_helpers import ride_round

LATER = datetime.now(UTC) + timedelta(hours=2)


@pytest.fixture
def ridden(event: Event) -> Event:
    return ride_round(event, [40, 41, 42, 43])


def export(event_path: Path, out: Path, fmt: str, *extra: str) -> Path:
    result = CliRunner().invoke(cli, ["--db", str(event_path), *extra, "export", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def csv_rows(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def closes_local(event: Event) -> str:
    row = event.store.query("SELECT appeal_closes_utc FROM round_states WHERE round = 'prelim'")[0]
    return datetime.fromisoformat(row["appeal_closes_utc"]).astimezone().strftime("%Y-%m-%d %H:%M")


def test_csv_first_row_follows_the_round_from_running_to_sealed(ridden: Event, event_path: Path,
                                                                tmp_path: Path) -> None:
    running = csv_rows(export(event_path, tmp_path / "a.csv", "csv"))
    assert running[0] == ["测试赛事 · 预赛 · 进行中：成绩尚未公示"]
    assert running[1][:4] == ["名次", "并列", "号码", "姓名"]
    assert len(running) == 2 + 4

    publish_round(ridden)
    posted = csv_rows(export(event_path, tmp_path / "b.csv", "csv"))
    assert posted[0] == [f"测试赛事 · 预赛 · 成绩公示：书面申诉截止 {closes_local(ridden)}"]
    assert posted[1:] == running[1:]  # the table itself did not move

    english = csv_rows(export(event_path, tmp_path / "en.csv", "csv", "--lang", "en"))
    assert english[0][0].endswith(f"Provisional results: written appeals until {closes_local(ridden)}")
    assert english[1][:3] == ["Rank", "Tie", "Bib"]

    seal = make_official(ridden, now=LATER).seal
    assert seal
    sealed = csv_rows(export(event_path, tmp_path / "c.csv", "csv"))
    assert sealed[0] == [f"测试赛事 · 预赛 · 正式成绩 · 封存码 {seal}"]
    assert sealed[1:] == running[1:]


def test_the_state_row_does_not_hide_the_header_from_our_readers(ridden: Event, event_path: Path,
                                                                  tmp_path: Path) -> None:
    publish_round(ridden)
    path = export(event_path, tmp_path / "r.csv", "csv")
    rows = csv_rows(path)
    found = find_header(rows)
    assert found is not None and found[0] == 1  # the registration reader finds the header under the line
    with open(path, encoding="utf-8-sig", newline="") as handle:
        next(handle)  # a script skips the one state line, then reads by column name
        by_bib = {r["号码"]: r for r in csv.DictReader(handle)}
    assert sorted(by_bib) == ["1", "2", "3", "4"] and by_bib["1"]["名次"] == "1"


def test_xlsx_each_round_sheet_has_its_title_row(ridden: Event, event_path: Path, tmp_path: Path) -> None:
    publish_round(ridden)
    seal = make_official(ridden, now=LATER).seal
    path = export(event_path, tmp_path / "r.xlsx", "xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["预赛"]
    assert sheet["A1"].value == f"测试赛事 · 预赛 · 正式成绩 · 封存码 {seal}" and sheet["A1"].font.b
    assert [c.value for c in sheet[2]][:4] == ["名次", "并列", "号码", "姓名"]
    assert sheet.freeze_panes == "A3"  # the header stays in view under the title row
    assert [c.value for c in sheet[3]][2] == 1  # bib 1 first, still an integer
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert calamine[0][0] == sheet["A1"].value
    found = find_header(calamine)
    assert found is not None and found[0] == 1


def test_xlsx_provisional_and_json_meta(ridden: Event, event_path: Path, tmp_path: Path) -> None:
    publish_round(ridden)
    book = openpyxl.load_workbook(export(event_path, tmp_path / "r.xlsx", "xlsx"))
    assert book["预赛"]["A1"].value == f"测试赛事 · 预赛 · 成绩公示：书面申诉截止 {closes_local(ridden)}"
    doc = json.loads(export(event_path, tmp_path / "r.json", "json").read_text(encoding="utf-8"))
    assert doc["meta"]["state"] == "provisional"
    assert doc["meta"]["state_line"] == f"成绩公示：书面申诉截止 {closes_local(ridden)}"
    assert doc["meta"]["appeal_closes_utc"] and doc["meta"]["seal"] is None
    seal = make_official(ridden, now=LATER).seal
    doc = json.loads(export(event_path, tmp_path / "s.json", "json").read_text(encoding="utf-8"))
    assert doc["meta"]["state"] == "official" and doc["meta"]["seal"] == seal


def test_a_state_line_that_looks_like_a_formula_is_quoted(tmp_path: Path) -> None:
    from results.exports import export_csv, export_xlsx

    path = export_csv([], tmp_path / "x.csv", full_phone=False, state_line="=cmd|' /C calc'!A0")
    assert csv_rows(path)[0] == ["'=cmd|' /C calc'!A0"]
    book = openpyxl.load_workbook(export_xlsx({"预赛": []}, tmp_path / "x.xlsx", full_phone=False,
                                              state_lines={"预赛": "+1"}))
    assert book["预赛"]["A1"].value == "'+1"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_our_own_registration_import_reads_an_export_with_the_state_row(ridden: Event, event_path: Path,
                                                                        tmp_path: Path, fmt: str) -> None:
    publish_round(ridden)
    # The organizer's own copy (full phones): a masked phone is no registration.
    result = CliRunner().invoke(cli, ["--db", str(event_path), "export", "--format", fmt, "--out",
                                      str(tmp_path / f"r.{fmt}"), "--full-phones"])
    assert result.exit_code == 0, result.output
    path = tmp_path / f"r.{fmt}"
    again = tmp_path / "next.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(again), "init", "--title", "复赛"]).exit_code == 0
    done = runner.invoke(cli, ["--db", str(again), "entrants", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "新增 4" in done.output and "拒绝 0" in done.output
