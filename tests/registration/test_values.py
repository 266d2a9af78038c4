"""Normalizing single cell values: phones, names, genders, platforms, ID numbers, bibs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.registration.cells import cell_text, float_digits
from competition.registration.id_numbers import id_check_char, id_checksum_ok, id_gender
from competition.registration.platforms import canonical_platform
from competition.registration.values import (
    MOBILE,
    explain_phone,
    normalize_bib,
    normalize_gender,
    normalize_id_number,
    normalize_name,
    normalize_phone,
)

mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(min_value=0, max_value=10**9 - 1),
)


def _full_width(text: str) -> str:
    return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in text)


RENDERINGS = [
    lambda p: int(p),
    lambda p: float(p),
    lambda p: float(f"{p[0]}.{p[1:]}E10"),
    lambda p: p,
    lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}",
    lambda p: f"{p[:3]} {p[3:7]} {p[7:]}",
    lambda p: f"+86 {p}",
    lambda p: f"+86-{p[:3]}-{p[3:7]}-{p[7:]}",
    lambda p: f"86{p}",
    lambda p: f"0086{p}",
    lambda p: f"(+86){p}",
    lambda p: _full_width(p),
    lambda p: "＋８６　" + _full_width(p),
    lambda p: f"{p}.0",
    lambda p: f"{p[0]}.{p[1:]}E+10",
    lambda p: f"\u3000{p}\u3000",
    lambda p: f"{p[:3]}—{p[3:7]}—{p[7:]}",
    lambda p: f'="{p}"',
    lambda p: f"'{p}",
]


@given(phone=mobiles, style=st.integers(min_value=0, max_value=len(RENDERINGS) - 1))
def test_any_rendering_of_a_mobile_reads_back_exactly(phone: str, style: int) -> None:
    reading = normalize_phone(RENDERINGS[style](phone))
    assert reading.problem is None
    assert reading.value == phone
    assert MOBILE.match(reading.value)


@given(st.integers(min_value=0, max_value=10**15))
def test_integral_floats_keep_every_digit(n: int) -> None:
    assert float_digits(float(n)) == str(int(Decimal(float(n))))
    assert cell_text(n) == str(n)


def test_float_phone_from_scientific_cell() -> None:
    assert normalize_phone(1.3812345678e10).value == "13812345678"
    assert normalize_phone(13812345678.0).value == "13812345678"
    assert normalize_phone(13812345678).value == "13812345678"


def test_phone_with_a_fraction_is_a_problem() -> None:
    assert normalize_phone(13812345.5).problem is not None


def test_scientific_text_that_lost_digits_is_rejected() -> None:
    reading = normalize_phone("1.38123E+10")
    assert reading.value is None
    assert reading.problem is not None
    assert "科学计数法" in reading.problem.zh


def test_two_phones_in_a_cell_take_the_first_with_a_doubt() -> None:
    reading = normalize_phone("13812345678/13987654321")
    assert reading.value == "13812345678"
    assert reading.doubt is not None and "2 个号码" in reading.doubt.zh


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "缺少手机号"),
        ("", "缺少手机号"),
        ("0106512345", "固定电话"),
        ("01065123456", "固定电话"),
        ("1381234567", "10 位"),
        ("138123456789", "12 位"),
        ("12812345678", "13–19"),
        ("138abc45678", "数字以外"),
    ],
)
def test_phone_problems_are_explained(value: str | None, words: str) -> None:
    cleaned = normalize_phone(value).value
    assert cleaned is None or not MOBILE.match(cleaned)
    assert words in explain_phone(cleaned).zh


def test_landline_with_dashes_and_space_is_still_a_landline() -> None:
    cleaned = normalize_phone("010-6512 3456").value
    assert cleaned == "01065123456"
    assert not MOBILE.match(cleaned)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("  张三 ", "张三"),
        ("张\u3000三", "张三"),
        ("\u3000李\u3000\u3000娜\u3000", "李娜"),
        ("欧阳  小 明", "欧阳小明"),
        ("Ahmat   Tursun", "Ahmat Tursun"),
        ("买买提 • 吐尔逊", "买买提·吐尔逊"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("王\n五", "王五"),
        (None, ""),
    ],
)
def test_names_are_trimmed_and_collapsed(raw: str | None, name: str) -> None:
    assert normalize_name(raw) == name


@pytest.mark.parametrize(
    ("raw", "gender"),
    [("男", "男"), ("女", "女"), ("男性", "男"), ("女士", "女"), ("M", "男"), ("f", "女"),
     ("Male", "男"), ("FEMALE", "女"), (" 男 ", "男"), ("Ｍ", "男"), (None, None), ("", None)],
)
def test_genders(raw: str | None, gender: str | None) -> None:
    reading = normalize_gender(raw)
    assert reading.value == gender
    assert reading.doubt is None


def test_unknown_gender_is_left_empty_with_a_doubt() -> None:
    reading = normalize_gender("未知")
    assert reading.value is None
    assert reading.doubt is not None


@pytest.mark.parametrize(
    ("raw", "platform"),
    [
        ("美团", "美团"), ("美团外卖", "美团"), ("美团配送", "美团"), (" 美团 外卖 ", "美团"),
        ("饿了么", "饿了么"), ("饿了吗", "饿了么"), ("蜂鸟", "饿了么"), ("蜂鸟即配", "饿了么"),
        ("京东", "京东"), ("京东物流", "京东"), ("达达", "京东"), ("京东到家", "京东"),
        ("顺丰", "顺丰同城"), ("顺丰同城", "顺丰同城"), ("闪送", "闪送"), ("UU跑腿", "UU跑腿"),
        ("uu跑腿", "UU跑腿"), ("货拉拉", "货拉拉"), ("菜鸟", "菜鸟"), ("Meituan", "美团"),
        ("美团外卖（朝阳区）", "美团"), ("XX 同城  速递", "XX 同城 速递"), ("", None),
    ],
)
def test_platform_names(raw: str, platform: str | None) -> None:
    assert canonical_platform(raw) == platform


def _valid_id(first17: str) -> str:
    return first17 + id_check_char(first17)


def test_id_checksum() -> None:
    assert id_checksum_ok("11010519491231002X")
    assert not id_checksum_ok("110105194912310021")
    assert id_gender("11010519491231002X") == "女"
    assert id_gender(_valid_id("11010519900101001")) == "男"


@given(st.integers(min_value=0, max_value=10**17 - 1))
def test_every_id_has_exactly_one_check_char(n: int) -> None:
    first17 = f"{n:017d}"
    good = _valid_id(first17)
    assert id_checksum_ok(good)
    assert sum(id_checksum_ok(first17 + c) for c in "0123456789X") == 1


def test_id_numbers_normalized_and_doubted() -> None:
    assert normalize_id_number("11010519491231002x").value == "11010519491231002X"
    assert normalize_id_number(" 110105 19491231 002X ").value == "11010519491231002X"
    assert normalize_id_number("１１０１０５１９４９１２３１００２Ｘ").value == "11010519491231002X"
    bad = normalize_id_number("110105194912310021")
    assert bad.value == "110105194912310021" and bad.doubt is not None and "校验位" in bad.doubt.zh
    old = normalize_id_number("110105491231002")
    assert old.value == "110105491231002" and old.doubt is not None
    assert normalize_id_number(None).value is None
    assert normalize_id_number('="11010519491231002X"').value == "11010519491231002X"
    assert normalize_id_number("'11010519491231002x").value == "11010519491231002X"


def test_id_number_stored_as_a_number_is_dropped_with_a_doubt() -> None:
    lossy = normalize_id_number(1.10105199001011e17)
    assert lossy.value is None and lossy.doubt is not None and "数字" in lossy.doubt.zh
    exact = _valid_id("11010519900101003")
    assert exact == "110105199001010037"
    assert normalize_id_number(int(exact)).value == exact  # a tool wrote the digits exactly
    short = normalize_id_number(7)  # an "ID" column holding a running number
    assert short.value == "7" and short.doubt is not None and "18 位" in short.doubt.zh


@pytest.mark.parametrize(
    ("raw", "bib"),
    [(12, "12"), (12.0, "12"), ("012", "12"), ("１２", "12"), (" 7 ", "7"), ("A12", "A12"),
     (12.5, "12.5"), (None, None), ("", None)],
)
def test_bibs(raw: object, bib: str | None) -> None:
    assert normalize_bib(raw).value == bib


def test_cell_text_of_dates_and_numbers() -> None:
    assert cell_text(dt.datetime(2024, 5, 20)) == "2024-05-20"
    assert cell_text(dt.datetime(2024, 5, 20, 8, 30)) == "2024-05-20 08:30:00"
    assert cell_text(1.5) == "1.5"
    assert cell_text(True) == "TRUE"
    assert cell_text(Decimal("13812345678")) == "13812345678"
