"""Issue #16, privacy on the way in and in the import report.

The report used to print full 18-digit IDs (two rows sharing a phone with
different IDs; swapped columns) and --json repeated them; IDs and phones
typed into notes showed in full in `entrants list --json` and `journal`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from competition.privacy import ID_MARKER, has_personal_number, scrub_personal_numbers
from main import cli

from .sheets import write_xlsx

ID_A = "11010519491231002X"
ID_B = "110105198001010016"
ID_C = "440303199001011237"
FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


@pytest.fixture
def run(tmp_path: Path):
    db = str(tmp_path / "e.db")

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)
        return result.exit_code, result.output

    invoke("init")
    return invoke


def _no_id(text: str) -> None:
    for number in (ID_A, ID_B, ID_C):
        assert number not in text
    assert not ID_LIKE.search(text), ID_LIKE.search(text)


def test_same_phone_different_ids_reports_rows_never_the_ids(run, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", [
        ["姓名", "手机号", "身份证号"],
        ["张三", "13800000001", ID_A],
        ["张三", "13800000001", ID_B],
    ])
    for lang in ("zh", "en"):
        code, out = run("--lang", lang, "entrants", "import", str(sheet), "--dry-run")
        assert code == 0
        _no_id(out)
        assert ("身份证号不一致" in out and "第 2 行" in out) if lang == "zh" else "ID differs" in out
    code, out = run("entrants", "import", str(sheet), "--json")
    _no_id(out)
    [warning] = [w for w in json.loads(out)["warnings"] if "不一致" in w["reason_zh"]]
    assert warning["row"] == 3 and warning["value"] == "" and "row 2" in warning["reason_en"]


def test_swapped_phone_and_id_columns_print_no_id_and_no_whole_phone(run, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", [
        ["姓名", "手机号", "身份证号"],
        ["张三", ID_A, "13800000001"],
        ["李四", ID_B, "13800000002"],
        ["王五", "13800000003", ID_C[:17] + "9"],  # a wrong check digit: a warning about the ID
    ])
    for args in (("--lang", "zh"), ("--lang", "en")):
        code, out = run(*args, "entrants", "import", str(sheet), "--dry-run")
        _no_id(out)
        assert not FULL_PHONE.search(out), out
    code, out = run("entrants", "import", str(sheet), "--json")
    assert code == 0
    _no_id(out)
    assert not FULL_PHONE.search(out)
    report = json.loads(out)
    assert [r["row"] for r in report["rejected"]] == [2, 3]
    assert all(r["value"] == ID_MARKER for r in report["rejected"])


def test_duplicates_in_the_json_report_carry_a_masked_phone(run, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", [["姓名", "手机号"], ["张三", "13800000001"],
                                             ["张三", "13800000001"]])
    _, out = run("entrants", "import", str(sheet), "--json")
    [dup] = json.loads(out)["duplicates"]
    assert dup["phone"] == "138****0001" and not FULL_PHONE.search(out)


def test_ids_and_phones_typed_into_free_text_are_scrubbed_on_the_way_in(run, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", [
        ["姓名", "手机号", "配送站点", "备注", "身份证号", "其他说明", "紧急联系电话"],
        ["张三", "13800000001", "朝阳站（站长 13911112222）",
         f"身份证 {ID_B}，另一个手机 139-1234-5678", ID_A, f"证件：{ID_C}", "13700001111"],
    ])
    code, _ = run("entrants", "import", str(sheet))
    assert code == 0
    code, out = run("entrants", "list", "--json", "--full-phones")
    [rider] = json.loads(out)
    assert rider["phone"] == "13800000001"  # the rider's own phone: the organizer's data
    assert rider["note"] == f"身份证 {ID_MARKER}，另一个手机 139****5678"
    assert rider["station"] == "朝阳站（站长 139****2222）"
    assert rider["extra"]["其他说明"] == f"证件：{ID_MARKER}"
    assert rider["extra"]["紧急联系电话"] == "13700001111"  # a contact column's value is data
    code, out = run("journal", "--limit", "5")
    _no_id(out.replace(ID_A, ""))  # the ID column itself is h4's to mask at the exit
    assert "13911112222" not in out and "13912345678" not in out


def test_entrants_edit_cleans_what_is_typed(run, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", [["姓名", "手机号"], ["张三", "13800000001"]])
    run("entrants", "import", str(sheet))
    code, out = run("entrants", "edit", "1", "--name", "张\x1b[31m三丰", "--note",
                    f"电话 13912345678 身份证 {ID_A}\x07", "--reason", "本人来电 13800000009")
    assert code == 0, out
    [rider] = json.loads(run("entrants", "list", "--json", "--full-phones")[1])
    assert rider["name"] == "张三丰"
    assert rider["note"] == f"电话 139****5678 身份证 {ID_MARKER}"
    code, out = run("journal", "--limit", "3")
    assert "13912345678" not in out and ID_A not in out and "13800000009" not in out


@given(st.from_regex(r"[1-9][0-9]{16}[0-9X]", fullmatch=True), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
       st.text(alphabet="备注请联系的，。 abc", max_size=10))
def test_scrubbed_text_holds_no_id_and_no_whole_phone(id_number: str, phone: str, filler: str) -> None:
    text = f"{filler}{id_number}{filler}，{phone}{filler}"
    scrubbed = scrub_personal_numbers(text)
    assert id_number not in scrubbed and phone not in scrubbed
    assert ID_MARKER in scrubbed and f"{phone[:3]}****{phone[-4:]}" in scrubbed
    assert not has_personal_number(scrubbed)
