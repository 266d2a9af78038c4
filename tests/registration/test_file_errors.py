"""Whole-file problems raise RegistrationError naming the file and the problem, in zh and en."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from competition.registration import RegistrationError, read_registration

from .sheets import CLERK_TOP, write_csv, write_xlsx

OLE2_HEADER = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)


def _error(path: Path, **kwargs: object) -> RegistrationError:
    with pytest.raises(RegistrationError) as caught:
        read_registration(path, **kwargs)  # type: ignore[arg-type]
    error = caught.value
    assert error.path == str(path)
    assert str(error) == error.message_zh
    assert error.message_zh.startswith(str(path))
    assert error.message_en.startswith(str(path))
    return error


def test_encrypted_or_old_xls(tmp_path: Path) -> None:
    for name in ("报名表.xls", "报名表.xlsx"):
        path = tmp_path / name
        path.write_bytes(OLE2_HEADER)
        error = _error(path)
        assert "是加密的或旧版 .xls 工作簿，请在 Excel 中另存为 .xlsx" in error.message_zh
        assert ".xls" in error.message_en


def test_text_that_is_not_a_sheet(tmp_path: Path) -> None:
    path = tmp_path / "说明.txt"
    path.write_text("各位站长：\n请于周五前把报名表发到邮箱。\n谢谢！\n", encoding="utf-8")
    error = _error(path)
    assert "找不到表头" in error.message_zh
    assert "no header row" in error.message_en


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "不是表格文件" in _error(path).message_zh


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "报名表.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "不是 Excel 工作簿" in _error(path).message_zh


def test_damaged_zip(tmp_path: Path) -> None:
    path = tmp_path / "报名表.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert "损坏" in _error(path).message_zh


def test_empty_workbook(tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    openpyxl.Workbook().save(path)
    error = _error(path)
    assert "工作簿是空的" in error.message_zh
    assert "empty" in error.message_en


def test_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "文件是空的" in _error(empty).message_zh
    blank = tmp_path / "blank.csv"
    blank.write_text("\r\n\r\n  \r\n", encoding="utf-8")
    assert "文件是空的" in _error(blank).message_zh


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert "找不到" in _error(tmp_path / "nope.xlsx").message_zh
    assert "文件夹" in _error(tmp_path).message_zh


def test_sheet_without_header(tmp_path: Path) -> None:
    rows: list[list[object]] = [[TITLE_LIKE], ["张三", "13812345678", "美团"],
                                ["李四", "13912345678", "饿了么"]]
    error = _error(write_xlsx(tmp_path / "nohead.xlsx", rows, title="名单"))
    assert "找不到表头" in error.message_zh
    assert "名单" in error.message_zh


TITLE_LIKE = "报名名单"


def test_missing_phone_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [*CLERK_TOP, ["序号", "姓名", "性别", "所属平台", "配送站点"],
                                [1, "张三", "男", "美团", "望京站"]]
    error = _error(write_xlsx(tmp_path / "nophone.xlsx", rows))
    assert "第 3 行的表头里找不到“联系电话”列" in error.message_zh
    assert "姓名" in error.message_zh  # the headers that were found are listed
    assert "phone" in error.message_en


def test_missing_name_column_in_csv(tmp_path: Path) -> None:
    rows: list[list[object]] = [["序号", "手机号", "平台"], [1, "13812345678", "美团"]]
    error = _error(write_csv(tmp_path / "noname.csv", rows))
    assert "“姓名”" in error.message_zh


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["姓名", "手机号"], ["甲", "13800000001"]],
                      title="报名表", more_sheets={"备用": []})
    error = _error(path, sheet="第二批")
    assert "第二批" in error.message_zh
    assert "“报名表”" in error.message_zh and "“备用”" in error.message_zh
    assert "报名表" in error.message_en


def test_named_sheet_that_is_empty(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["姓名", "手机号"], ["甲", "13800000001"]],
                      title="报名表", more_sheets={"备用": []})
    assert "“备用”是空的" in _error(path, sheet="备用").message_zh


def test_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    # valid neither as UTF-8 nor as GB18030 (0x80 and 0xFF are not lead bytes there)
    path.write_bytes("姓名,手机号\n".encode() + b"\x80\xff\x80\xff,138\n")
    error = _error(path)
    assert "编码" in error.message_zh and "encoding" in error.message_en


def test_csv_sheet_name_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["姓名", "手机号"], ["甲", "13800000001"]])
    reading = read_registration(path, sheet="Sheet1")
    assert len(reading.rows) == 1
    assert reading.warnings[0].sheet_row == 0
