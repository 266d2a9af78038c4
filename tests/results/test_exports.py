"""CSV / XLSX / JSON exports: read back equal, formula-safe, masked, atomic."""

from __future__ import annotations

import csv
import errno
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from results import exports
from results.documents import Attempt, PenaltyItem, ResultRow
from results.exports import (
    JSON_FORMAT,
    OutputError,
    export_csv,
    export_json,
    export_xlsx,
    safe_cell,
)

S = 1_000_000_000
ID_NUMBER = "11010519491231002X"
FORMULA_NAME = '=HYPERLINK("http://x","点我")'


def rows() -> list[ResultRow]:
    pen = (
        PenaltyItem("绕杆", "Slalom", "碰杆", "Pole down", 2, 6 * S, False, "slalom", "pole_down"),
        PenaltyItem("限宽门", "Gate", "压线", "On the line", 1, 2_500_000_000, False),
    )
    return [
        ResultRow(
            1,
            False,
            101,
            "张三",
            "男",
            "13812345678",
            "美团",
            "望京站",
            "OK",
            62 * S + 349_999_999,
            0,
            62 * S + 349_999_999,
            qualified=True,
            prize_zh="一等奖",
            prize_en="First Prize",
        ),
        ResultRow(
            2,
            True,
            102,
            FORMULA_NAME,
            "女",
            "13987654321",
            "+饿了么",
            "@亦庄",
            "OK",
            55 * S,
            8_500_000_000,
            63_500_000_000,
            pen,
            qualified=True,
            note_zh="-并列，需加赛",
            note_en="tie",
        ),
        ResultRow(
            2,
            True,
            103,
            f"李四{ID_NUMBER}",
            None,
            "13700001111",
            None,
            None,
            "OK",
            60 * S,
            3 * S + 500_000_000,
            63_500_000_000,
            # plain tuples, the shape the brief names; ResultRow normalises them to Attempt
            attempts=((1, "DSQ", None, 0, None), (2, "OK", 60 * S, 3_500_000_000, 63_500_000_000)),  # type: ignore[arg-type]
        ),
        ResultRow(
            None, False, 104, "王五", "男", "13600002222", "京东", "＝站", "DNF", None, 0, None
        ),
    ]


# ---------------------------------------------------------------- safe_cell


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1＋1", "＋1", "－2", "＠x"]
)
def test_safe_cell_quotes_formula_starts(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["张三", "1:02.34", "a=b", "", 5, -5, 0, None, 62_349_999_999])
def test_safe_cell_leaves_other_values(value: object) -> None:
    assert safe_cell(value) == value


@given(st.text())
def test_safe_cell_never_leaves_a_formula_start(text: str) -> None:
    out = safe_cell(text)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"))
    assert out in (text, "'" + text)


# ---------------------------------------------------------------- CSV


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel opens UTF-8 Chinese right
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_reads_back_equal(tmp_path: Path) -> None:
    path = export_csv(rows(), tmp_path / "初赛.csv", full_phone=False)
    table = read_csv(path)
    header, body = table[0], table[1:]
    assert header[:4] == ["名次", "并列", "号码", "姓名"] and header[-4:] == [
        "raw_ns",
        "penalty_ns",
        "adjusted_ns",
        "status_code",
    ]
    assert len(body) == len(rows())
    col = {name: i for i, name in enumerate(header)}
    for line, src in zip(body, rows(), strict=True):
        assert int(line[col["号码"]]) == src.bib
        assert line[col["名次"]] == ("" if src.rank is None else str(src.rank))
        assert line[col["raw_ns"]] == ("" if src.raw_ns is None else str(src.raw_ns))
        assert int(line[col["penalty_ns"]]) == src.penalty_ns
        assert line[col["adjusted_ns"]] == ("" if src.adjusted_ns is None else str(src.adjusted_ns))
        assert line[col["status_code"]] == src.status
        assert line[col["电话"]] == src.phone[:3] + "****" + src.phone[-4:]
    first, second, third, fourth = body
    assert first[col["原始成绩"]] == "1:02.34" and first[col["最终成绩"]] == "1:02.34"  # truncated
    assert first[col["奖项"]] == "一等奖" and first[col["晋级"]] == "是"
    assert second[col["罚时明细"]] == "绕杆·碰杆×2 +6；限宽门·压线 +2.5"
    assert second[col["罚时(秒)"]] == "8.5"
    assert second[col["并列"]] == "是"
    assert third[col["各轮成绩"]] == "1: 取消成绩；2: 1:00.00 +3.5 = 1:03.50 *"
    assert fourth[col["状态"]] == "未完成" and fourth[col["最终成绩"]] == ""


def test_csv_quotes_formulas_and_hides_ids(tmp_path: Path) -> None:
    table = read_csv(export_csv(rows(), tmp_path / "r.csv", full_phone=True))
    header, body = table[0], table[1:]
    col = {name: i for i, name in enumerate(header)}
    assert body[1][col["姓名"]] == "'" + FORMULA_NAME
    assert body[1][col["所属平台"]] == "'+饿了么"
    assert body[1][col["配送站点"]] == "'@亦庄"
    assert body[1][col["备注"]] == "'-并列，需加赛"
    assert body[3][col["配送站点"]] == "'＝站"
    assert body[0][col["电话"]] == "13812345678"  # full phones when asked for
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert ID_NUMBER not in text and ID_NUMBER[:17] not in text
    assert body[2][col["姓名"]] == "李四[已隐去]"
    for line in body:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠")), cell


def test_csv_in_english(tmp_path: Path) -> None:
    table = read_csv(export_csv(rows(), tmp_path / "r.csv", full_phone=False, lang="en"))
    assert table[0][:6] == ["Rank", "Tie", "Bib", "Name", "Gender", "Phone"]
    assert table[2][12] == "Slalom: Pole down×2 +6; Gate: On the line +2.5"
    assert table[4][8] == "DNF"
    assert table[1][3] == "张三"


# ---------------------------------------------------------------- XLSX


def test_xlsx_one_sheet_per_round_reads_back(tmp_path: Path) -> None:
    final = [rows()[0]]
    path = export_xlsx(
        {"初赛": rows(), "决赛": final, "a/b:c": []}, tmp_path / "成绩.xlsx", full_phone=False
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["初赛", "决赛", "a_b_c"]
    sheet = book["初赛"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert all(c.font.b for c in sheet[1])
    assert header[2:4] == ["号码", "姓名"]
    col = {name: i for i, name in enumerate(header)}
    body = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert len(body) == len(rows())
    for line, src in zip(body, rows(), strict=True):
        assert line[col["号码"]] == src.bib and isinstance(line[col["号码"]], int)
        assert line[col["名次"]] == src.rank
        assert line[col["raw_ns"]] == src.raw_ns
        assert line[col["penalty_ns"]] == src.penalty_ns and isinstance(
            line[col["penalty_ns"]], int
        )
        assert line[col["adjusted_ns"]] == src.adjusted_ns
        assert line[col["电话"]] == src.phone[:3] + "****" + src.phone[-4:]
    assert body[0][col["最终成绩"]] == "1:02.34" and isinstance(body[0][col["最终成绩"]], str)
    assert body[1][col["姓名"]] == "'" + FORMULA_NAME
    assert body[1][col["罚时明细"]] == "绕杆·碰杆×2 +6；限宽门·压线 +2.5"
    assert [c.value for c in book["决赛"][2]][col["奖项"]] == "一等奖"
    # No cell anywhere in the file is a formula.
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
        )
    assert "<f>" not in xml and ID_NUMBER not in xml
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", xml)


def test_xlsx_single_sequence_full_phone_english(tmp_path: Path) -> None:
    path = export_xlsx(rows(), tmp_path / "r.xlsx", full_phone=True, lang="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Results"]
    values = [[c.value for c in r] for r in book.active.iter_rows()]
    assert values[0][:4] == ["Rank", "Tie", "Bib", "Name"]
    assert values[1][5] == "13812345678"
    assert values[3][3] == "李四[已隐去]"


# ---------------------------------------------------------------- JSON


def test_json_shape_and_values(tmp_path: Path) -> None:
    path = export_json(rows(), tmp_path / "r.json", meta={"event": "测试赛", "round": "初赛"}, full_phone=True)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == JSON_FORMAT and doc["version"] == 1
    assert doc["meta"] == {"event": "测试赛", "round": "初赛"}
    assert [r["bib"] for r in doc["rows"]] == [r.bib for r in rows()]
    first, second, third, fourth = doc["rows"]
    assert first["phone"] == "13812345678"  # the organizer's own copy (--full-phones): full phone
    assert first["raw_ns"] == 62 * S + 349_999_999 and first["adjusted_ns"] == first["raw_ns"]
    assert second["name"] == FORMULA_NAME  # JSON is not a spreadsheet: no quote prefix
    assert second["penalties"][0] == {
        "segment": "slalom",
        "code": "pole_down",
        "segment_zh": "绕杆",
        "segment_en": "Slalom",
        "name_zh": "碰杆",
        "name_en": "Pole down",
        "count": 2,
        "seconds_ns": 6 * S,
        "eliminates": False,
    }
    assert second["penalties"][1]["segment"] is None
    assert second["shared"] is True and second["qualified"] is True
    assert third["name"] == "李四[已隐去]"
    assert third["attempts"] == [
        {
            "attempt": 1,
            "status": "DSQ",
            "raw_ns": None,
            "penalty_ns": 0,
            "adjusted_ns": None,
            "counts": False,
        },
        {
            "attempt": 2,
            "status": "OK",
            "raw_ns": 60 * S,
            "penalty_ns": 3_500_000_000,
            "adjusted_ns": 63_500_000_000,
            "counts": True,
        },
    ]
    assert fourth["rank"] is None and fourth["status"] == "DNF"
    assert ID_NUMBER not in path.read_text(encoding="utf-8")


def test_attempts_accept_tuples_and_mark_counting_run() -> None:
    r = rows()[2]
    assert all(isinstance(a, Attempt) for a in r.attempts)
    assert [a.counts for a in r.attempts] == [False, True]


# ---------------------------------------------------------------- atomic writing


def test_failed_csv_write_leaves_no_final_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FullDisk:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def writerow(self, row: object) -> None:
            self.handle.write("名次,号码\n")  # type: ignore[attr-defined]

        def writerows(self, rows: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exports.csv, "writer", FullDisk)
    target = tmp_path / "初赛.csv"
    with pytest.raises(OutputError) as caught:
        export_csv(rows(), target, full_phone=False)
    assert caught.value.path == target
    assert "磁盘空间已满" in caught.value.message_zh and str(target) in caught.value.message_zh
    assert list(tmp_path.iterdir()) == []


def test_failed_xlsx_write_keeps_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "成绩.xlsx"
    export_xlsx(rows(), target, full_phone=False)
    before = target.read_bytes()

    def broken_table(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exports, "result_table", broken_table)
    with pytest.raises(OutputError):
        export_xlsx(rows(), target, full_phone=False)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["成绩.xlsx"]


@pytest.mark.parametrize("writer", ["csv", "xlsx", "json"])
def test_unwritable_targets_give_output_error(tmp_path: Path, writer: str) -> None:
    folder = tmp_path / "already-a-folder"
    folder.mkdir()
    missing_parent = tmp_path / "no" / "such" / "dir" / "x.out"
    for target in (folder, missing_parent):
        with pytest.raises(OutputError) as caught:
            if writer == "csv":
                export_csv(rows(), target, full_phone=False)
            elif writer == "xlsx":
                export_xlsx(rows(), target, full_phone=False)
            else:
                export_json(rows(), target)
        assert caught.value.path == target
        assert caught.value.message_en.startswith("Cannot write")
    assert list(folder.iterdir()) == []


# ---------------------------------------------------------------- masked by default, at every exit


def _small_event_with_results(tmp_path: Path) -> Path:
    """An event through the CLI: a sheet, two runs from a capture, a penalty."""
    from click.testing import CliRunner

    from competition.registration.sample_sheet import make_clerk_csv
    from main import cli

    db = tmp_path / "event.db"
    sheet = tmp_path / "报名表.csv"
    make_clerk_csv(sheet, 20, seed=4)

    def run(*args: str) -> None:
        result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    run("init")
    run("entrants", "import", str(sheet))
    run("checkin", "1", "2")
    capture = tmp_path / "timy.cap"
    capture.write_bytes(b" 0001 C0  10:00:00.0000 00\r 0002 C1  10:00:45.1239 00\r"
                        b" 0003 C0  10:00:50.0000 00\r 0004 C1  10:01:40.5000 00\r")
    run("timing", "replay", str(capture), "--protocol", "alge")
    return db


def _full_phones(db: Path) -> set[str]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT phone FROM entrants")}
    finally:
        conn.close()


def _export(db: Path, *args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from main import cli

    result = CliRunner().invoke(cli, ["--db", str(db), "export", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("flags", [(), ("--masked",)])
def test_export_masks_phones_by_default_in_every_format(tmp_path: Path, fmt: str, flags: tuple[str, ...]) -> None:
    """The issues: `export --format json --masked` wrote full phones; `export` without
    `--masked` wrote full phones while the README says to send it to the newsletter."""
    db = _small_event_with_results(tmp_path)
    phones = _full_phones(db)
    out = tmp_path / f"results.{fmt}"
    code, _, _ = _export(db, "--format", fmt, "--out", str(out), *flags)
    assert code == 0
    if fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        text = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    else:
        text = out.read_text(encoding="utf-8-sig")
    assert "****" in text
    assert not [p for p in phones if p in text]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_full_phones_only_when_asked_with_a_warning(tmp_path: Path, fmt: str) -> None:
    db = _small_event_with_results(tmp_path)
    phones = _full_phones(db)
    out = tmp_path / f"organizer.{fmt}"
    code, stdout, stderr = _export(db, "--format", fmt, "--out", str(out), "--full-phones")
    assert code == 0 and str(out) in stdout
    assert "完整手机号" in stderr and "full phone numbers" in stderr
    if fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        text = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    else:
        text = out.read_text(encoding="utf-8-sig")
    assert any(p in text for p in phones)
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", text)  # never an ID number


def test_masked_and_full_phones_together_is_a_usage_error(tmp_path: Path) -> None:
    db = _small_event_with_results(tmp_path)
    code, _, stderr = _export(db, "--format", "csv", "--out", str(tmp_path / "x.csv"), "--masked", "--full-phones")
    assert code == 2 and "--full-phones" in stderr and not (tmp_path / "x.csv").exists()


def test_json_masks_phones_inside_free_text_too(tmp_path: Path) -> None:
    one = rows()[0]
    from dataclasses import replace

    noted = replace(one, note_zh="备用电话 139-8765-4321", name="张三13911112222")
    path = export_json([noted], tmp_path / "r.json", meta={"title": "赛事 13800001111"})
    text = path.read_text(encoding="utf-8")
    assert "13812345678" not in text and "138****5678" in text
    assert "139****4321" in text and "13911112222" not in text and "13800001111" not in text
    full = export_json([noted], tmp_path / "full.json", meta={}, full_phone=True)
    assert "13812345678" in full.read_text(encoding="utf-8")
