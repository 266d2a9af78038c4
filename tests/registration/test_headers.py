"""Finding the header row and mapping its many spellings to fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from competition.registration import read_registration
from competition.registration.headers import (
    column_letter,
    field_for_header,
    find_header,
    map_columns,
    normalize_header,
)

from .sheets import CLERK_TOP, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓名", "name"), ("名字", "name"), ("骑手姓名", "name"), ("Name", "name"),
        ("*姓名", "name"), ("姓 名", "name"), ("姓\u3000名", "name"), ("姓名（必填）", "name"),
        ("姓名\n(必填)", "name"), ("性别", "gender"), ("Gender", "gender"), ("SEX", "gender"),
        ("手机", "phone"), ("手机号", "phone"), ("手机号码", "phone"), ("联系电话", "phone"),
        ("电话", "phone"), ("联系方式", "phone"), ("Phone", "phone"), ("Mobile", "phone"),
        ("Phone Number", "phone"), ("联系电话*", "phone"), ("所属平台", "platform"),
        ("平台", "platform"), ("公司", "platform"), ("单位", "platform"), ("所属公司", "platform"),
        ("Platform", "platform"), ("Company", "platform"), ("站点", "station"),
        ("配送站点", "station"), ("所属站点", "station"), ("站点名称", "station"),
        ("Station", "station"), ("身份证号", "id_number"), ("身份证", "id_number"),
        ("身份证号码", "id_number"), ("证件号码", "id_number"), ("ID", "id_number"),
        ("ID No.", "id_number"), ("参赛号", "bib"), ("号码", "bib"), ("号码布", "bib"),
        ("Bib", "bib"), ("备注", "note"), ("Note", "note"), ("Remarks", "note"),
        ("序号", "seq"), ("No.", "seq"), ("XX区第三届快递员驾驶技能竞赛报名表", None),
        ("填报单位：XX区总工会", None), ("紧急联系人", None),
    ],
)
def test_header_names(header: str, field: str | None) -> None:
    assert field_for_header(header) == field


def test_normalize_header_strips_decoration() -> None:
    assert normalize_header("＊联系电话\n（必填）：") == "联系电话"


def test_header_below_title_and_fill_in_line() -> None:
    rows: list[list[object]] = [
        *CLERK_TOP,
        [None],
        ["序号", "姓名", "性别", "联系电话", "所属平台", "配送站点", "身份证号", "备注"],
        [1, "张三", "男", 13812345678, "美团", "望京站", None, None],
    ]
    found = find_header(rows)
    assert found is not None and found[0] == 3 and found[1] == 8  # 序号 counts too


def test_seq_is_not_a_bib_and_not_extra() -> None:
    cmap = map_columns(["序号", "姓名", "联系电话"], first_column=0)
    assert "seq" not in cmap.fields and "bib" not in cmap.fields
    assert cmap.extras == []


def test_keyword_headers_and_emergency_contacts() -> None:
    cmap = map_columns(["本人姓名", "紧急联系人电话", "本人手机号", "所属配送站点名称"], first_column=2)
    assert cmap.fields == {"name": 0, "phone": 2, "station": 3}
    assert cmap.extras == [(1, "紧急联系人电话")]
    assert cmap.labels[2] == "本人手机号 (E列)"


def test_exact_header_wins_over_keyword() -> None:
    cmap = map_columns(["姓名", "手机号（本人）", "电话"], first_column=0)
    # "手机号（本人）" normalizes to 手机号: exact; "电话" is exact too but second
    assert cmap.fields["phone"] == 1
    assert cmap.extras == [(2, "电话")]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 3, 25, 26, 27, 701, 702)] == [
        "A", "D", "Z", "AA", "AB", "ZZ", "AAA"]


def test_english_headers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "en.xlsx", [
        ["Rider registration"],
        ["No.", "Name", "Gender", "Mobile", "Company", "Station", "ID No.", "Bib", "Remarks"],
        [1, "Li Lei", "M", "+86 139 1234 5678", "Meituan", "Wangjing", None, 7, "night shift"],
        [2, "Han Meimei", "female", "13612345678", "ele.me", "Sanlitun", None, 8, None],
    ])
    reading = read_registration(path)
    assert reading.header_row == 2
    assert reading.columns == {"name": "Name", "gender": "Gender", "phone": "Mobile",
                               "platform": "Company", "station": "Station",
                               "id_number": "ID No.", "bib": "Bib", "note": "Remarks"}
    assert [(r.name, r.phone, r.gender, r.platform, r.bib, r.note) for r in reading.rows] == [
        ("Li Lei", "13912345678", "男", "美团", 7, "night shift"),
        ("Han Meimei", "13612345678", "女", "饿了么", 8, None),
    ]


def test_header_deep_in_the_sheet(tmp_path: Path) -> None:
    rows: list[list[object]] = [[f"说明第{i}条：请如实填写"] for i in range(14)]
    rows += [["姓名", "手机号"], ["王五", "13712345678"]]
    reading = read_registration(write_csv(tmp_path / "deep.csv", rows))
    assert reading.header_row == 15
    assert [(r.sheet_row, r.name) for r in reading.rows] == [(16, "王五")]


def test_decorated_header_cells(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "deco.xlsx", [
        *CLERK_TOP,
        ["序号", "*姓名\n（必填）", "性 别", "联系电话*\n(必填)", "所属平台", "配送站点"],
        [1, "赵六", "男", "13512345678", "美团", "望京站"],
    ])
    reading = read_registration(path)
    assert reading.columns["name"] == "*姓名 （必填）"
    assert reading.columns["phone"] == "联系电话* (必填)"
    assert reading.rows[0].phone == "13512345678"


def test_sheet_not_starting_at_a1(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "offset.xlsx", [
        [],
        [],
        [None, None, "姓名", "性别", "手机号"],
        [None, None, "孙七", "男", "1381234567"],
    ], merge_title=False)
    for engine in ("calamine", "openpyxl"):
        reading = read_registration(path, engine=engine)
        assert reading.header_row == 3
        assert reading.rejected[0].sheet_row == 4
        assert reading.rejected[0].column == "手机号 (E列)"
