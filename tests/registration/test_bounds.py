"""Issue #16, bounded input: a workbook or CSV too big for any registration sheet
is refused before a parser sees it, with the file, the sheet and the limit."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from competition.registration import RegistrationError, read_registration
from competition.registration.bounds import LIMITS, Limits, check_workbook

from .hostile import far_cell_workbook, header_rows, hostile_workbook, inline_cell, sheet_xml

ROOT = Path(__file__).resolve().parents[2]


def _refusal(path: Path, **kwargs: object) -> RegistrationError:
    with pytest.raises(RegistrationError) as caught:
        read_registration(path, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert error.message_zh.startswith(str(path)) and error.message_en.startswith(str(path))
    return error


def test_the_issues_far_cell_sheet_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = far_cell_workbook(tmp_path / "报名表.xlsx")
    assert path.stat().st_size < 5000  # the 4.7 KB sheet of the issue
    error = _refusal(path)
    assert "工作表“Sheet1”" in error.message_zh
    assert "1,048,576 行 × 16,384 列" in error.message_zh
    assert "60,000 行" in error.message_zh and "未导入任何内容" in error.message_zh
    assert "60,000 rows" in error.message_en and "sheet 'Sheet1'" in error.message_en


def _far_beside_a1(path: Path, *, dimension: str | None) -> Path:
    rows = [f'<row r="1">{inline_cell("A1", "姓名")}{inline_cell("B1", "手机号")}</row>',
            f'<row r="1048576">{inline_cell("XFD1048576", "x")}</row>']
    return hostile_workbook(path, sheet_xml(rows, dimension=dimension))


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", "A1:B1", None])
def test_a_far_cell_beside_a1_never_reaches_the_engine(tmp_path: Path, dimension: str | None) -> None:
    # Before the bounds, python-calamine tried to allocate 549,755,813,888 bytes and the
    # process died with SIGABRT. A lying or missing <dimension> changes nothing:
    # the real extent is measured.
    path = _far_beside_a1(tmp_path / "far.xlsx", dimension=dimension)
    error = _refusal(path)
    assert "1,048,576 行 × 16,384 列" in error.message_zh


def test_the_hostile_sheet_in_a_subprocess_exits_cleanly_with_little_memory(tmp_path: Path) -> None:
    """No SIGABRT, no traceback: `entrants import` says what is wrong, exit 1, memory bounded."""
    path = _far_beside_a1(tmp_path / "far.xlsx", dimension="A1:XFD1048576")
    db = tmp_path / "e.db"
    script = (
        "import json, resource, sys\n"
        "from click.testing import CliRunner\n"
        "from main import cli\n"
        f"db, sheet = {str(db)!r}, {str(path)!r}\n"
        "CliRunner().invoke(cli, ['--db', db, 'init'])\n"
        "result = CliRunner().invoke(cli, ['--db', db, 'entrants', 'import', sheet])\n"
        "status = open('/proc/self/status').read().split('VmHWM:')\n"  # own peak, not the parent's
        "peak = int(status[1].split()[0]) if len(status) > 1 else "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'code': result.exit_code, 'out': result.output, 'peak_kib': peak}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 1
    assert "超出报名表的上限" in result["out"] and "Traceback" not in result["out"]
    assert result["peak_kib"] < 400 * 1024  # a generous ceiling; the engine alone wanted 512 GiB


def test_a_lying_dimension_does_not_hide_the_real_extent(tmp_path: Path) -> None:
    path = hostile_workbook(tmp_path / "rows.xlsx", sheet_xml(header_rows(1500), dimension="A1:B2"))
    error = _refusal(path, limits=Limits(max_rows=1000))
    assert "1,501 行" in error.message_zh and "1,000 行" in error.message_zh


def test_cells_without_references_are_counted_too(tmp_path: Path) -> None:
    wide = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(40))
    rows = [f'<row r="1">{inline_cell("A1", "姓名")}{inline_cell("B1", "手机号")}</row>',
            f"<row>{wide}</row>"]
    path = hostile_workbook(tmp_path / "wide.xlsx", sheet_xml(rows))
    error = _refusal(path, limits=Limits(max_columns=30))
    assert "2 行 × 40 列" in error.message_zh


def test_rows_up_to_the_limit_are_read_and_one_more_is_refused(tmp_path: Path) -> None:
    limits = Limits(max_rows=300)
    fits = hostile_workbook(tmp_path / "fits.xlsx", sheet_xml(header_rows(299)))
    for engine in ("calamine", "openpyxl"):
        reading = read_registration(fits, limits=limits, engine=engine)
        assert reading.total_rows == 299 and len(reading.rejected) == 299
    over = hostile_workbook(tmp_path / "over.xlsx", sheet_xml(header_rows(300)))
    for engine in ("calamine", "openpyxl"):
        assert "301 行" in _refusal(over, limits=limits, engine=engine).message_zh


def test_only_the_named_sheet_is_measured(tmp_path: Path) -> None:
    path = far_cell_workbook(tmp_path / "far.xlsx")
    check_workbook(path, sheet="另一张")  # no such sheet: nothing of Sheet1 is measured
    with pytest.raises(RegistrationError):
        check_workbook(path, sheet="Sheet1")


def test_a_zip_bomb_member_is_refused_by_what_it_inflates_to(tmp_path: Path) -> None:
    bomb = b" " * (3 * 1024 * 1024)  # 3 MB of spaces deflate to a few KB
    path = hostile_workbook(tmp_path / "bomb.xlsx", sheet_xml(header_rows(3)),
                            extra_members={"xl/sharedStrings.xml": bomb})
    assert path.stat().st_size < 100_000
    error = _refusal(path, limits=Limits(max_member_bytes=1024 * 1024))
    assert "xl/sharedStrings.xml" in error.message_zh and "1.0 MB" in error.message_zh
    error = _refusal(path, limits=Limits(max_total_bytes=2 * 1024 * 1024))
    assert "解压后超过 2.0 MB" in error.message_zh


def test_a_member_whose_header_understates_its_size_is_counted_as_inflated(tmp_path: Path) -> None:
    path = hostile_workbook(tmp_path / "liar.xlsx", sheet_xml(header_rows(3)),
                            extra_members={"xl/sharedStrings.xml": b" " * (2 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
    # patch the declared sizes (local header and central directory) down to 10 bytes
    central = data.find(b"PK\x01\x02", info.header_offset)
    while central >= 0:
        name_len = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + name_len] == b"xl/sharedStrings.xml":
            data[central + 24:central + 28] = (10).to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    data[info.header_offset + 22:info.header_offset + 26] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(RegistrationError) as caught:
        read_registration(path, limits=Limits(max_member_bytes=1024 * 1024))
    assert "损坏" in caught.value.message_zh or "超过" in caught.value.message_zh


def test_the_three_million_row_csv_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "3m.csv"
    path.write_bytes("姓名,手机号\n".encode() + b"a,123\n" * 3_000_000)
    error = _refusal(path)
    assert "3,000,001 行" in error.message_zh and f"{LIMITS.max_rows:,} 行" in error.message_zh
    assert "rows" in error.message_en


def _numbered_csv(path: Path, riders: int) -> Path:
    lines = [b"name,phone"] + [b"A%d,1%010d" % (i, 3_000_000_000 + i) for i in range(riders)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_a_csv_one_line_over_the_real_limit_is_refused(tmp_path: Path) -> None:
    path = _numbered_csv(tmp_path / "over.csv", LIMITS.max_rows)  # with the header: one too many
    assert f"{LIMITS.max_rows + 1:,} 行" in _refusal(path).message_zh


def test_a_csv_at_a_row_limit_is_read(tmp_path: Path) -> None:
    limits = Limits(max_rows=300)
    assert read_registration(_numbered_csv(tmp_path / "fits.csv", 299), limits=limits).total_rows == 299
    assert "301 行" in _refusal(_numbered_csv(tmp_path / "over.csv", 300), limits=limits).message_zh


@pytest.mark.slow
def test_a_csv_at_the_real_row_limit_is_read(tmp_path: Path) -> None:
    path = _numbered_csv(tmp_path / "limit.csv", LIMITS.max_rows - 1)
    assert read_registration(path).total_rows == LIMITS.max_rows - 1


def test_a_csv_larger_than_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"name,phone\n" + b"x" * 3000 + b"\n")
    error = _refusal(path, limits=Limits(max_csv_bytes=2000))
    assert "超过报名表的上限" in error.message_zh


def test_a_reference_that_is_not_the_first_attribute_is_still_read(tmp_path: Path) -> None:
    rows = [f'<row r="1">{inline_cell("A1", "姓名")}{inline_cell("B1", "手机号")}</row>',
            '<row r="2"><c s="0" r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>']
    path = hostile_workbook(tmp_path / "late_ref.xlsx", sheet_xml(rows))
    assert "2 行 × 16,384 列" in _refusal(path).message_zh
