"""Issue #16: a CSV's encoding is told with confidence or asked for (--encoding), never guessed.

Shift-JIS and Big5 CSVs used to be read as GBK and imported as garbled names
with exit 0 (陳大文 -> 朝ゅ).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.registration import RegistrationError, read_registration
from main import cli

from .sheets import CLERK_TOP, write_csv

TRADITIONAL = [("陳大文", "13800000001"), ("張美玲", "13800000002"), ("黃國強", "13800000003"),
               ("劉曉華", "13800000004"), ("鄭家豪", "13800000005")]
JAPANESE = [("田中太郎", "13800000011"), ("山本花子", "13800000012"), ("佐藤健", "13800000013"),
            ("鈴木一郎", "13800000014")]
SIMPLIFIED = [("陈大文", "13800000021"), ("张美玲", "13800000022"), ("黄国强", "13800000023"),
              ("欧阳娜", "13800000024")]


def _sheet(path: Path, riders: list[tuple[str, str]], encoding: str, *, header: tuple[str, str]
           = ("name", "phone")) -> Path:
    return write_csv(path, [list(header), *[list(r) for r in riders]], encoding=encoding)


def _ask(path: Path, **kwargs: object) -> RegistrationError:
    with pytest.raises(RegistrationError) as caught:
        read_registration(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize(
    ("encoding", "riders", "option", "label"),
    [("big5", TRADITIONAL, "big5", "Big5"), ("shift_jis", JAPANESE, "shift_jis", "Shift-JIS")],
)
def test_big5_and_shift_jis_are_asked_about_not_read_as_gbk(
        tmp_path: Path, encoding: str, riders: list[tuple[str, str]], option: str, label: str) -> None:
    path = _sheet(tmp_path / "报名表.csv", riders, encoding)
    error = _ask(path)
    assert error.message_zh.startswith(str(path))
    assert "无法确定文件的编码" in error.message_zh and label in error.message_zh
    assert f"--encoding {option}" in error.message_zh and f"--encoding {option}" in error.message_en
    assert "没有导入任何内容" in error.message_zh
    reading = read_registration(path, encoding=option)
    assert [(r.name, r.phone) for r in reading.rows] == riders
    assert reading.encoding == option


def test_traditional_names_in_big5_with_a_chinese_header(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "r.csv", TRADITIONAL, "big5", header=("姓名", "tel"))
    assert "--encoding big5" in _ask(path).message_zh
    assert read_registration(path, encoding="big5").rows[0].name == "陳大文"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gb18030"),
     ("utf-16", "utf-16")],
)
def test_clear_encodings_are_read_without_asking(tmp_path: Path, encoding: str, expected: str) -> None:
    riders = [*SIMPLIFIED, ("张三", "13800000031")]
    if encoding == "gb18030":
        riders.append(("王䶮", "13800000032"))  # 䶮 is in GB18030 but not in GBK
    if encoding in ("utf-8", "utf-8-sig", "utf-16"):
        riders += TRADITIONAL + JAPANESE
    path = write_csv(tmp_path / "r.csv", [*CLERK_TOP, ["序号", "姓名", "联系电话"],
                                          *[[i, n, p] for i, (n, p) in enumerate(riders, 1)]],
                     encoding=encoding)
    reading = read_registration(path)
    assert reading.encoding == expected
    assert [(r.name, r.phone) for r in reading.rows] == riders


def test_utf16_without_a_bom_is_asked_about(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "r.csv", SIMPLIFIED, "utf-16-le")
    error = _ask(path)
    assert "--encoding utf-16-le" in error.message_zh and "BOM" in error.message_en
    assert [r.name for r in read_registration(path, encoding="utf-16-le").rows] == [n for n, _ in SIMPLIFIED]


def test_a_named_encoding_that_does_not_fit_names_the_line(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "r.csv", SIMPLIFIED, "utf-8")
    error = _ask(path, encoding="ascii")
    assert "第 2 行" in error.message_zh and "line 2" in error.message_en


def test_an_unknown_encoding_name_lists_real_ones(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "r.csv", SIMPLIFIED, "utf-8")
    error = _ask(path, encoding="klingon")
    assert "“klingon”" in error.message_zh and "big5" in error.message_en


def test_a_workbook_ignores_encoding_with_a_warning(tmp_path: Path) -> None:
    from .sheets import write_xlsx

    path = write_xlsx(tmp_path / "r.xlsx", [["姓名", "手机号"], ["甲", "13800000001"]])
    reading = read_registration(path, encoding="big5")
    assert len(reading.rows) == 1 and "--encoding big5" in reading.warnings[0].reason_zh


TRADITIONAL_CHARS = "陳張黃劉鄭林吳蔡楊許謝郭洪邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋鄧"
GIVEN_CHARS = "大文美玲國強曉華家豪志明俊傑淑芬雅婷建宏麗娟宗翰怡君冠宇佳穎"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TRADITIONAL_CHARS),
                          st.text(alphabet=GIVEN_CHARS, min_size=1, max_size=2)),
                min_size=2, max_size=12))
def test_big5_names_are_never_taken_for_gbk(tmp_path_factory: pytest.TempPathFactory,
                                            names: list[tuple[str, str]]) -> None:
    riders = [(s + g, f"139{i:08d}") for i, (s, g) in enumerate(names)]
    path = _sheet(tmp_path_factory.mktemp("b5") / "r.csv", riders, "big5")
    error = _ask(path)
    assert "--encoding" in error.message_zh


def test_the_cli_asks_and_then_imports_with_encoding(tmp_path: Path) -> None:
    db = str(tmp_path / "e.db")
    path = _sheet(tmp_path / "报名表.csv", TRADITIONAL, "big5")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)
        return result.exit_code, result.output

    assert run("init")[0] == 0
    code, out = run("entrants", "import", str(path))
    assert code == 1 and "--encoding big5" in out and "Traceback" not in out
    assert json.loads(run("entrants", "list", "--json")[1]) == []
    code, out = run("entrants", "import", str(path), "--encoding", "big5", "--json")
    assert code == 0 and json.loads(out)["counts"]["imported"] == 5
    names = [p["name"] for p in json.loads(run("entrants", "list", "--json")[1])]
    assert names == [n for n, _ in TRADITIONAL]
