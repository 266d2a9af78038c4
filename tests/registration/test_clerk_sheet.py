"""The EVENT-DAY registration sheet, step 1 and 3: 512 rows, 506 riders, 4 rejected, 2 merged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from competition.registration import SheetReading, read_registration

from .sheets import make_clerk_csv, make_clerk_workbook


def _truth(expected: dict[str, Any]) -> list[tuple[object, ...]]:
    return [(r["sheet_row"], r["name"], r["phone"], r["gender"], r["platform"], r["station"],
             r["id_number"], r["note"]) for r in expected["rider_rows"]]


def _read(reading: SheetReading) -> list[tuple[object, ...]]:
    return [(r.sheet_row, r.name, r.phone, r.gender, r.platform, r.station, r.id_number, r.note)
            for r in reading.rows]


@pytest.fixture(scope="module")
def clerk_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("clerk") / "报名表.xlsx"
    return path, make_clerk_workbook(path)


def test_event_day_counts(clerk_book: tuple[Path, dict[str, Any]]) -> None:
    path, expected = clerk_book
    reading = read_registration(path)
    assert reading.total_rows == 512
    assert len(reading.rows) == 506
    assert len(reading.rejected) == 4
    assert len(reading.duplicates) == 2
    assert reading.header_row == 3
    assert reading.sheet == "报名表"
    assert reading.file_kind == "xlsx"
    assert reading.warnings == []
    assert reading.skipped_rows == expected["footer_rows"]
    assert expected["riders"] == 506 and expected["rejected"] == 4 and expected["duplicates"] == 2


def test_every_rider_reads_as_the_truth(clerk_book: tuple[Path, dict[str, Any]]) -> None:
    path, expected = clerk_book
    reading = read_registration(path)
    assert _read(reading) == _truth(expected)
    assert all(len(r.phone) == 11 and r.phone.isascii() and r.phone.isdigit() for r in reading.rows)
    assert {r.platform for r in reading.rows} == {"美团", "饿了么"}
    assert all("\u3000" not in r.name and " " not in r.name for r in reading.rows)


def test_rejected_rows_say_where_and_why(clerk_book: tuple[Path, dict[str, Any]]) -> None:
    path, expected = clerk_book
    reading = read_registration(path)
    assert [r.sheet_row for r in reading.rejected] == expected["rejected_rows"]
    by_reason = {r.reason_en.split(";")[0]: r for r in reading.rejected}
    columns = {r.column for r in reading.rejected}
    assert columns <= {"姓名 (B列)", "联系电话 (D列)"}
    reasons = " ".join(r.reason_zh for r in reading.rejected)
    assert "缺少姓名" in reasons
    assert "缺少手机号" in reasons
    assert "固定电话" in reasons
    assert "10 位" in reasons
    assert any("landline" in k for k in by_reason)
    landline = next(r for r in reading.rejected if "固定电话" in r.reason_zh)
    assert landline.value.startswith("010-")


def test_duplicates_are_merged_into_the_first(clerk_book: tuple[Path, dict[str, Any]]) -> None:
    path, expected = clerk_book
    reading = read_registration(path)
    assert [(d.sheet_row, d.first_row) for d in reading.duplicates] == expected["duplicate_rows"]
    rows_by_line = {r.sheet_row: r for r in reading.rows}
    for dup in reading.duplicates:
        first = rows_by_line[dup.first_row]
        assert first.phone == dup.phone
        assert first.name == dup.name
        assert dup.sheet_row not in rows_by_line
    # one of the first rows had an empty station, and its repeat filled it
    assert all(r.station for r in reading.rows)


def test_clerk_fixes_two_rows(tmp_path: Path) -> None:
    first = make_clerk_workbook(tmp_path / "v1.xlsx")
    second = make_clerk_workbook(tmp_path / "v2.xlsx", fixed=True)
    before = read_registration(tmp_path / "v1.xlsx")
    after = read_registration(tmp_path / "v2.xlsx")
    assert len(after.rows) == 508 and len(after.rejected) == 2
    old = {(r.sheet_row, r.phone, r.name) for r in before.rows}
    new = {(r.sheet_row, r.phone, r.name) for r in after.rows}
    assert old < new
    assert sorted(row for row, _, _ in new - old) == first["fixable_rows"] == second["fixable_rows"]
    assert _read(after) == _truth(second)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("gbk", ","), ("gb18030", ","), ("utf-8", "\t"),
     ("gbk", "\t"), ("utf-8", ";"), ("utf-16", "\t")],
)
def test_same_sheet_as_csv(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "报名表.csv"
    expected = make_clerk_csv(path, 120, encoding, delimiter=delimiter, seed=3)
    reading = read_registration(path)
    assert reading.file_kind == "csv"
    assert reading.delimiter == delimiter
    assert reading.encoding == {"gb18030": "gbk"}.get(encoding, encoding)
    assert reading.header_row == 3
    assert _read(reading) == _truth(expected)
    assert [r.sheet_row for r in reading.rejected] == expected["rejected_rows"]
    assert [(d.sheet_row, d.first_row) for d in reading.duplicates] == expected["duplicate_rows"]
    assert all(r.column is not None and "列" not in r.column for r in reading.rejected)


def test_extension_does_not_decide(tmp_path: Path) -> None:
    xlsx_named_csv = tmp_path / "报名表.csv"
    expected = make_clerk_workbook(xlsx_named_csv, 40, seed=5)
    csv_named_xlsx = tmp_path / "报名表.xlsx"
    make_clerk_csv(csv_named_xlsx, 40, "gbk", seed=5)
    assert read_registration(xlsx_named_csv).file_kind == "xlsx"
    assert read_registration(csv_named_xlsx).file_kind == "csv"
    assert _read(read_registration(xlsx_named_csv)) == _truth(expected)


def test_openpyxl_and_calamine_agree(tmp_path: Path) -> None:
    path = tmp_path / "报名表.xlsx"
    expected = make_clerk_workbook(path, 80, seed=9)
    by_calamine = read_registration(path, engine="calamine")
    by_openpyxl = read_registration(path, engine="openpyxl")
    assert by_calamine.rows == by_openpyxl.rows
    assert by_calamine.rejected == by_openpyxl.rejected
    assert by_calamine.duplicates == by_openpyxl.duplicates
    assert _read(by_openpyxl) == _truth(expected)


def test_progress_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "报名表.xlsx"
    make_clerk_workbook(path, 1200, seed=2)
    calls: list[tuple[int, int]] = []
    reading = read_registration(path, progress=lambda done, total: calls.append((done, total)))
    assert [done for done, _ in calls[:2]] == [500, 1000]
    assert all(done <= total for done, total in calls)
    assert calls[-1][0] == calls[-1][1] >= reading.total_rows
    assert len(calls) == 3


@pytest.mark.parametrize("seed", [1, 2, 7, 11])
def test_other_seeds_keep_the_shape(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "s.xlsx"
    expected = make_clerk_workbook(path, 60, seed=seed)
    reading = read_registration(path)
    assert (reading.total_rows, len(reading.rows), len(reading.rejected), len(reading.duplicates)) == (
        60, 54, 4, 2)
    assert _read(reading) == _truth(expected)
