"""The fast ways through a row read it exactly as the general ways do.

``SheetRows._take_plain`` (a row of the usual shape) against ``take``'s
general path, row sequences with duplicates, bib clashes, footers and bad
cells; the normalizers' fast paths against their general bodies (reached with
a ``str`` subclass, which the fast paths leave alone); the remembered
normalizers against the functions they wrap; ``float_digits`` without
``Decimal`` against ``Decimal``; the base-13 ID checksum against the weights.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.registration import cells, values
from competition.registration.headers import map_columns
from competition.registration.id_numbers import _CHECK_CHARS, _WEIGHTS, id_checksum_ok
from competition.registration.platforms import platform_of_cell
from competition.registration.sample_sheet import make_id_number
from competition.registration.sheet_rows import SheetRows

HEADER = ["序号", "姓名", "性别", "联系电话", "所属平台", "配送站点", "身份证号", "备注", "参赛号", "紧急联系人"]

_RNG = random.Random(7)
_GOOD_IDS = [make_id_number(_RNG, g) for g in "男女男女"]
NAMES = ["张三", "石帆鹏", "单田芳", "曾小贤", "李" * 40, "李" * 41, "张　三", " 王五", "Tom张", "", None, "合计",
         "𠀀", "〇", "王·明", "赵\x1b[1m六", 12, 1.5, "\u3000张三 ", "张 三 丰", "李" * 39 + " 李"]
PHONES = ["13765479012", "19912345678", "12345678901", "1376547901", "137654790123", "+86 13765479012",
          "137-6547-9012", "１３７６５４７９０１２", 13765479012, 13765479012.0, 13765479012.5, 1.3765479012e10,
          -13765479012, True, "", None, "010-12345678", "13765479012.0", "13765479012\x00",
          "137 6547 9012", " 13765479012 ", "+86-137-6547-9012", "13765479012/13765479013", "8613765479012",
          "+86 1376547901", "1.3765479012E10", "=\"13765479012\"", "１３７-６５４７-９０１２"]
IDS = [*_GOOD_IDS, _GOOD_IDS[0][:-1] + ("0" if _GOOD_IDS[0][-1] != "0" else "1"), _GOOD_IDS[1].lower(),
       "11010519491231002x", "11010519491231002X", _GOOD_IDS[2][:15], f" {_GOOD_IDS[3]} ", "", None,
       float(_GOOD_IDS[0][:15]), 12345, "x" * 18]
GENDERS = ["男", "女", "男性", "M", "？", "", None, 1]
PLATFORMS = ["美团", "美团外卖", "蜂鸟即配", "", None, "小公司", 7]
STATIONS = ["望京站", "", None, "站长13812345678", "  大望路  站 "]
NOTES = ["", None, "夜班", "身份证110105199001011237"]
BIBS = [None, None, None, "", 1, 2, "007", 7.0, "abc", 0]
EXTRAS = [None, "", "家属", "13912345678"]
FIRSTS = [1, 2.0, "3", "", None, "合计", "制表人：李明"]


def _row(draw: Any) -> list[object]:
    pick = draw
    row = [pick(st.sampled_from(FIRSTS)), pick(st.sampled_from(NAMES)), pick(st.sampled_from(GENDERS)),
           pick(st.sampled_from(PHONES)), pick(st.sampled_from(PLATFORMS)), pick(st.sampled_from(STATIONS)),
           pick(st.sampled_from(IDS)), pick(st.sampled_from(NOTES)), pick(st.sampled_from(BIBS)),
           pick(st.sampled_from(EXTRAS))]
    cut = pick(st.sampled_from([len(row), len(row), 9, 7, 4]))  # short rows leave columns out
    more = pick(st.sampled_from([[], [], ["多出来的"]]))
    return row[:cut] + more


@st.composite
def _sheets(draw: Any) -> list[list[object]]:
    rows = [_row(draw) for _ in range(draw(st.integers(1, 12)))]
    repeats = draw(st.lists(st.integers(0, len(rows) - 1), max_size=4))
    return rows + [list(rows[i]) for i in repeats]  # repeated phones: merges


def _read(rows: list[list[object]], *, plain: bool, first_column: int | None) -> tuple[Any, ...]:
    cmap = map_columns(HEADER, first_column=first_column)
    state = SheetRows(cmap, first_column, True)
    if not plain:
        state._take_plain = lambda _row, _cells: False  # type: ignore[method-assign]
    for number, cells_ in enumerate(rows, start=4):
        state.take(number, cells_)
    return (state.rows, state.rejected, state.duplicates, state.warnings, state.skipped, state.total,
            list(state.extra_seen), state.by_bib)


@settings(max_examples=200, deadline=None)
@given(_sheets(), st.sampled_from([None, 0]))
def test_plain_rows_are_read_as_the_general_path_reads_them(rows: list[list[object]],
                                                            first_column: int | None) -> None:
    assert _read(rows, plain=True, first_column=first_column) == _read(rows, plain=False,
                                                                      first_column=first_column)


def test_the_usual_rows_take_the_plain_path() -> None:
    cmap = map_columns(HEADER, first_column=None)
    state = SheetRows(cmap, None, False)
    taken: list[bool] = []
    plain = state._take_plain

    def spy(number: int, cells_: Any) -> bool:
        taken.append(plain(number, cells_))
        return taken[-1]

    state._take_plain = spy  # type: ignore[method-assign]
    usual = [[1, "石帆鹏", "男", "13765479012", "美团", "望京站", _GOOD_IDS[0], "", "", ""],
             [2, "朱强", "女", 13765479013.0, "饿了么", None, None, None, None, None],
             [3, "朱强强", "男", 13765479014, "美团", "望京站", _GOOD_IDS[1].lower(), "夜班"],
             [4, "张\u3000三", "男", "137-6547-9015", "美团", "望京站", None],
             [5, "\u3000王五 ", "男性", "+86 137 6547 9016", "美团", "望京站", _GOOD_IDS[2]]]
    for number, cells_ in enumerate(usual, start=4):
        state.take(number, cells_)
    assert taken == [True] * 5
    assert [r.phone for r in state.rows] == ["13765479012", "13765479013", "13765479014", "13765479015",
                                             "13765479016"]
    assert [r.name for r in state.rows][3:] == ["张三", "王五"]
    # not without a doubt: two numbers in the cell (the first is taken, with a warning), the general path's
    state.take(9, [6, "李四", "男", "13765479017/13765479018", "美团", "望京站", None])
    assert taken[-1] is False and state.rows[-1].phone == "13765479017" and state.warnings


class _Text(str):
    """A cell text the normalizers' fast paths do not take: their general body answers."""


TEXTS = st.text(alphabet=st.sampled_from([*"0123456789Xx", "1", "3", "张", "三", "·", " ", "\u3000", "-", "+",
                                          "８", "\x1b", "\u4dbf", "\u3400", "\u9fff", "A", "'", '"', "="]),
                max_size=20)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_the_normalizers_fast_paths_answer_as_their_general_bodies(text: str) -> None:
    for normalize in (values.normalize_name, values.normalize_phone, values.normalize_id_number,
                      values.normalize_bib, values.normalize_gender, values.normalize_free_text,
                      platform_of_cell):
        assert normalize(text) == normalize(_Text(text)), (normalize.__name__, text)


@pytest.mark.parametrize("text", ["13765479012", "石帆鹏", "510104199710259810", "11010519491231002x", ""])
def test_the_fast_paths_answer_for_the_usual_cells(text: str) -> None:
    for normalize in (values.normalize_name, values.normalize_phone, values.normalize_id_number):
        assert normalize(text) == normalize(_Text(text))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["男", "女", "男性", "M", "？", "", "美团外卖", "望京站 13812345678", "x\x1by"]))
def test_remembered_normalizers_answer_as_the_functions_they_wrap(text: str) -> None:
    for normalize in (values.normalize_gender, values.normalize_free_text, platform_of_cell):
        first, again = normalize(text), normalize(text)
        assert first == again == normalize.__wrapped__(text)  # type: ignore[attr-defined]
    assert values.normalize_gender(1) == values.normalize_gender.__wrapped__(1)  # type: ignore[attr-defined]


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=-(10**16), max_value=10**16) | st.floats(allow_nan=False, allow_infinity=False))
def test_float_digits_without_decimal_gives_decimals_digits(number: float) -> None:
    value = float(number)
    expected = str(int(Decimal(repr(value)))) if value.is_integer() else None
    assert cells.float_digits(value) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_the_id_checksum_is_the_weighted_sum(first17: str, last: str) -> None:
    expected = _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11] == last
    assert id_checksum_ok(first17 + last) is expected


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"))
def test_plain_id_gender_is_the_checksum_then_the_gender_digit(first17: str, last: str) -> None:
    from competition.registration.id_numbers import id_gender, plain_id_gender

    number = first17 + last
    assert plain_id_gender(number) == (id_gender(number) if id_checksum_ok(number) else None)


def test_the_footer_words_start_with_the_listed_characters() -> None:
    from competition.registration.sheet_rows import _FOOTER, _FOOTER_STARTS

    words = _FOOTER.pattern.removeprefix("^(").removesuffix(")").split("|")
    assert {word[0] for word in words} == _FOOTER_STARTS
    for text in ["合 计", "总计", "小计：3", "共计", "制表人：李明", "审核", "填表人", "负责人", "注：", "说明:", "备注："]:
        assert _FOOTER.match(text) and text[0] in _FOOTER_STARTS
