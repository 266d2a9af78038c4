"""Row-level reading: rejects, duplicates, bibs, extra columns, footers, warnings."""

from __future__ import annotations

from pathlib import Path

from competition.registration import read_registration

from .sheets import CLERK_TOP, write_csv, write_xlsx

HEAD: list[object] = ["序号", "姓名", "性别", "联系电话", "所属平台", "配送站点", "身份证号", "备注"]


def test_phones_typed_every_way(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        *CLERK_TOP,
        HEAD,
        [1, "甲一", "男", 13812345678, "美团", "望京站"],
        [2, "乙二", "男", 1.3912345678e10, "美团", "望京站"],
        [3, "丙三", "男", "137-1234-5678", "美团", "望京站"],
        [4, "丁四", "男", "+86 136 1234 5678", "美团", "望京站"],
        [5, "戊五", "男", "１３５１２３４５６７８", "美团", "望京站"],
        [6, "己六", "男", "86-150-1234-5678", "美团", "望京站"],
        [7, "庚七", "男", "(+86)151 1234 5678", "美团", "望京站"],
    ]
    reading = read_registration(write_xlsx(tmp_path / "p.xlsx", rows))
    assert [r.phone for r in reading.rows] == [
        "13812345678", "13912345678", "13712345678", "13612345678", "13512345678",
        "15012345678", "15112345678"]
    assert [r.sheet_row for r in reading.rows] == [4, 5, 6, 7, 8, 9, 10]
    assert reading.rejected == []


def test_bad_rows_are_rejected_with_row_column_reason(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        *CLERK_TOP,
        HEAD,
        [1, None, "男", "13812345678", "美团"],
        [2, "短号", "男", "1381234567", "美团"],
        [3, "座机", "男", "010-65123456", "美团"],
        [4, "没电话", "男", None, "美团"],
        [5, "好人", "男", "13912345678", "美团"],
        [6, None, None, "123", None],
    ]
    reading = read_registration(write_xlsx(tmp_path / "bad.xlsx", rows))
    assert [r.name for r in reading.rows] == ["好人"]
    got = [(r.sheet_row, r.column, r.value) for r in reading.rejected]
    assert got == [
        (4, "姓名 (B列)", ""),
        (5, "联系电话 (D列)", "1381234567"),
        (6, "联系电话 (D列)", "010-65123456"),
        (7, "联系电话 (D列)", ""),
        (9, "姓名 (B列)", ""),
    ]
    # both problems of row 9 are told, the second with its column
    assert "缺少姓名" in reading.rejected[-1].reason_zh
    assert "联系电话 (D列)：手机号应为 11 位数字" in reading.rejected[-1].reason_zh
    assert all(r.reason_en and r.reason_zh for r in reading.rejected)
    assert reading.total_rows == 6


def test_blank_rows_and_footer_are_skipped(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        HEAD,
        [1, "张三", "男", "13812345678"],
        [None, None, None, None],
        ["", "  ", "\u3000", ""],
        [2, "李四", "女", "13912345678"],
        [3],  # a pre-numbered row left empty
        ["合计", "2人"],
        ["制表人：李明", None, None, "13712345678"],
    ]
    reading = read_registration(write_csv(tmp_path / "f.csv", rows))
    assert [r.name for r in reading.rows] == ["张三", "李四"]
    assert reading.rejected == []
    assert reading.total_rows == 2
    assert reading.skipped_rows == [6, 7, 8]


def test_name_without_phone_is_rejected_not_skipped(tmp_path: Path) -> None:
    reading = read_registration(write_csv(tmp_path / "n.csv", [HEAD, [1, "王五", "男", ""]]))
    assert reading.rows == []
    assert [(r.sheet_row, r.reason_en) for r in reading.rejected] == [
        (2, "the phone number is missing")]


def test_duplicates_merge_later_values_into_empty_fields(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [*HEAD, "衣服尺码"],
        [1, "张三", None, "13812345678", "美团", None, None, None, None],
        [2, "李四", "女", "13912345678", "饿了么", "蜂鸟望京站"],
        [3, "张\u3000三", "男", "138-1234-5678", "美团外卖", "望京站", None, "夜班", "XL"],
        [4, "张三丰", "男", "+86 13812345678", "饿了么", "三里屯站"],
    ]
    reading = read_registration(write_csv(tmp_path / "d.csv", rows))
    assert len(reading.rows) == 2
    first = reading.rows[0]
    assert (first.sheet_row, first.name, first.gender, first.platform, first.station, first.note) == (
        2, "张三", "男", "美团", "望京站", "夜班")
    assert first.extra == {"衣服尺码": "XL"}
    assert [(d.sheet_row, d.first_row, d.phone, d.name) for d in reading.duplicates] == [
        (4, 2, "13812345678", "张三"), (5, 2, "13812345678", "张三丰")]
    # row 5 disagrees on name, platform and station: kept from row 2, each told
    conflicts = [(w.sheet_row, w.column) for w in reading.warnings]
    assert conflicts == [(5, "姓名"), (5, "所属平台"), (5, "配送站点")]
    assert "保留第 2 行的“张三”" in reading.warnings[0].reason_zh
    assert reading.total_rows == 4


def test_bib_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "参赛号", "姓名", "手机号"],
        [1, 101, "甲", "13800000001"],
        [2, "102", "乙", "13800000002"],
        [3, "A3", "丙", "13800000003"],
        [4, 101, "丁", "13800000004"],
        [5, None, "戊", "13800000005"],
        [6, 12.5, "己", "13800000006"],
        [7, 0, "庚", "13800000007"],
        [8, "１０８", "辛", "13800000008"],
    ]
    reading = read_registration(write_xlsx(tmp_path / "bib.xlsx", rows))
    assert [(r.name, r.bib) for r in reading.rows] == [("甲", 101), ("乙", 102), ("戊", None),
                                                       ("辛", 108)]
    rejected = {r.sheet_row: r for r in reading.rejected}
    assert sorted(rejected) == [4, 5, 7, 8]
    assert rejected[5].reason_zh == "参赛号 101 与第 2 行重复"
    assert rejected[4].column == "参赛号 (B列)" and rejected[4].value == "A3"
    assert "整数" in rejected[7].reason_zh


def test_seq_column_is_never_a_bib(tmp_path: Path) -> None:
    reading = read_registration(write_csv(tmp_path / "s.csv", [HEAD, [7, "甲", "男", "13800000001"]]))
    assert reading.rows[0].bib is None
    assert "bib" not in reading.columns


def test_unknown_columns_are_kept_in_extra(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["姓名", "手机号", "衣服尺码", "紧急联系人电话", None, "驾龄"],
        ["甲", "13800000001", "XL", "13900000000", None, 3],
        ["乙", "13800000002", None, None, "口头报名", None, "另说"],
    ]
    reading = read_registration(write_xlsx(tmp_path / "x.xlsx", rows))
    assert reading.extra_columns == ["衣服尺码", "紧急联系人电话", "驾龄", "E列", "G列"]
    assert reading.rows[0].extra == {"衣服尺码": "XL", "紧急联系人电话": "13900000000", "驾龄": "3"}
    assert reading.rows[1].extra == {"E列": "口头报名", "G列": "另说"}
    assert reading.rows[0].phone == "13800000001"


def test_doubts_keep_the_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        HEAD,
        [1, "甲", "男", "13800000001", None, None, "110105194912310021"],   # bad check digit
        [2, "乙", "男", "13800000002", None, None, "11010519491231002X"],   # ID says 女
        [3, "丙", "未知", "13800000003"],
        [4, "丁", "女", "13800000004", None, None, 1.10105199001011e17],   # typed as a number
        [5, "戊", "男", "13800000005/13900000005"],
    ]
    reading = read_registration(write_xlsx(tmp_path / "w.xlsx", rows))
    assert len(reading.rows) == 5 and reading.rejected == []
    assert [(w.sheet_row, w.column) for w in reading.warnings] == [
        (2, "身份证号 (G列)"), (3, "性别 (C列)"), (4, "性别 (C列)"), (5, "身份证号 (G列)"),
        (6, "联系电话 (D列)")]
    assert reading.rows[0].id_number == "110105194912310021"
    assert reading.rows[3].id_number is None
    assert reading.rows[4].phone == "13800000005"


def test_platforms_canonical_and_other_kept(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["姓名", "手机号", "公司"],
        ["甲", "13800000001", "美团配送"],
        ["乙", "13800000002", "蜂鸟即配"],
        ["丙", "13800000003", "达达"],
        ["丁", "13800000004", "  同城 快跑  "],
        ["戊", "13800000005", None],
    ]
    reading = read_registration(write_csv(tmp_path / "pl.csv", rows))
    assert [r.platform for r in reading.rows] == ["美团", "饿了么", "京东", "同城 快跑", None]


def test_other_registration_sheets_are_named(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "two.xlsx",
        [["说明"], ["本工作簿按平台分表"]],
        title="说明",
        more_sheets={
            "美团": [["姓名", "手机号"], ["甲", "13800000001"]],
            "饿了么": [["姓名", "手机号"], ["乙", "13800000002"]],
        },
    )
    reading = read_registration(path)
    assert reading.sheet == "美团"
    assert [r.name for r in reading.rows] == ["甲"]
    assert len(reading.warnings) == 1 and "饿了么" in reading.warnings[0].reason_zh
    assert reading.warnings[0].sheet_row == 0
    other = read_registration(path, sheet="饿了么")
    assert [r.name for r in other.rows] == ["乙"] and other.warnings == []


def test_tab_separated_with_chinese_commas(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["姓名", "手机号", "备注"],
        ["甲", "13800000001", "夜班，周末可以"],
        ["乙", "13800000002", "新人，第一次参加，有点紧张"],
    ]
    reading = read_registration(write_csv(tmp_path / "t.txt", rows, delimiter="\t"))
    assert reading.delimiter == "\t"
    assert [r.note for r in reading.rows] == ["夜班，周末可以", "新人，第一次参加，有点紧张"]


def test_csv_line_numbers_follow_multiline_cells(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["姓名", "手机号", "备注"],
        ["甲", "13800000001", "第一行\n第二行"],
        ["乙", "138000"],
    ]
    reading = read_registration(write_csv(tmp_path / "m.csv", rows))
    assert reading.rejected[0].sheet_row == 4
