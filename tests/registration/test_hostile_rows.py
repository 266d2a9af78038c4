"""Issue #16: one NUL byte, control characters and long lists of bad rows.

A NUL byte used to reject the whole CSV without naming the row; now only that
row is rejected, named by row and column (a NUL is damage, not text: the
row cannot be trusted, the rows around it can). Reports list the first 100
rejections and sum up the rest.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from competition.registration import read_registration
from main import cli

from .sheets import write_csv


def test_a_nul_byte_rejects_only_its_row_naming_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("姓名,手机号,备注\n甲,13800000001,\n乙,138000\x0000002,\n丙,13800000003,ok\n"
                     .encode())
    reading = read_registration(path)
    assert [r.name for r in reading.rows] == ["甲", "丙"]
    [bad] = reading.rejected
    assert bad.sheet_row == 3 and bad.column == "手机号"
    assert "空字符" in bad.reason_zh and "NUL" in bad.reason_en and "\x00" not in bad.value
    assert reading.total_rows == 3


def test_a_nul_byte_in_an_unnamed_column_is_named_by_its_position(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("姓名,手机号\n甲,13800000001,x\x00y\n".encode())
    [bad] = read_registration(path).rejected
    assert bad.sheet_row == 2 and bad.column == "第3列"


def test_binary_content_is_still_refused_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"name,phone\n" + bytes(range(32)) * 4)
    from competition.registration import RegistrationError

    try:
        read_registration(path)
    except RegistrationError as error:
        assert "二进制" in error.message_zh
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("binary content was read as a sheet")


def test_control_characters_and_escape_codes_are_stripped_on_the_way_in(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [
        ["姓名", "手机号", "配送站点", "备注", "所属平台"],
        ["张\x1b[31m三\x1b[0m", "13800000001", "朝阳\x07站", "请\x1b]0;pwned\x07注意\u202e", "美团\x08"],
        *[[f"选手{i}", f"139{i:08d}", "海淀站", "", "饿了么"] for i in range(30)],
    ])
    row = read_registration(path).rows[0]
    assert row.name == "张三" and row.station == "朝阳站" and row.note == "请注意"
    assert row.platform is not None and "\x08" not in row.platform


def _bad_rows_csv(path: Path, n: int) -> Path:
    rows: list[list[object]] = [["姓名", "手机号"]]
    rows += [[f"选手{i}", f"1380{i:04d}"] for i in range(n)]  # 8 digits: each one rejected
    rows += [["甲", "13900000001"]]
    return write_csv(path, rows)


def test_the_report_lists_the_first_100_rejections_then_sums_up(tmp_path: Path) -> None:
    db = str(tmp_path / "e.db")
    sheet = _bad_rows_csv(tmp_path / "bad.csv", 250)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)
        return result.exit_code, result.output

    run("init")
    code, out = run("entrants", "import", str(sheet), "--dry-run")
    assert code == 0
    listed = [line for line in out.splitlines() if line.startswith("  第 ")]
    assert len(listed) == 100 and listed[0].startswith("  第 2 行") and listed[-1].startswith("  第 101 行")
    assert "另有 150 条同类问题未逐条列出" in out
    assert "手机号应为 # 位数字，这里是 # 位 × 150" in out
    assert "拒绝 250" in out
    code, out = run("--lang", "en", "entrants", "import", str(sheet), "--dry-run")
    assert "and 150 more of the same kinds" in out
    code, out = run("entrants", "import", str(sheet), "--json")
    report = json.loads(out)
    assert report["counts"]["rejected"] == 250 and report["counts"]["imported"] == 1
    assert len(report["rejected"]) == 100 and report["rejected"][0]["row"] == 2
    assert report["rejected_more"]["count"] == 150
    [kind] = report["rejected_more"]["kinds"]
    assert kind["count"] == 150 and kind["column"] == "手机号" and "#" in kind["reason_en"]
    assert report["warnings_more"] == {"count": 0, "kinds": []}
    assert report["duplicates_more"] == {"count": 0, "kinds": []}
