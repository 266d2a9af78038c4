"""Check-in search: bib, phone tail, Chinese name, pinyin initials and full pinyin."""

from __future__ import annotations

import pytest

from competition.search import matches, pinyin_initials, search_key


@pytest.mark.parametrize(
    ("name", "initials"),
    [("张三", "zs"), ("李小龙", "lxl"), ("欧阳娜娜", "oynn"), ("单田芳", "stf"), ("曾志伟", "zzw"),
     ("解晓东", "xxd"), ("尉迟恭", "ycg"), ("Tom张", "tomz"), ("张\u3000三", "zs"),
     ("买买提·吐尔逊", "mmttex"), ("", "")],
)
def test_pinyin_initials(name: str, initials: str) -> None:
    assert pinyin_initials(name) == initials


def test_search_key_carries_both_surname_readings() -> None:
    assert search_key("张三") == "zs:zhang'san"
    key = search_key("单田芳")
    assert key.split()[0] == "stf:shan'tian'fang"
    assert "dtf:dan'tian'fang" in key.split()


def _find(query: str, people: list[tuple[int, str, str]]) -> list[int]:
    return [bib for bib, name, phone in people
            if matches(query, bib=bib, name=name, phone=phone, initials=search_key(name))]


PEOPLE = [
    (1, "张三", "13812345678"),
    (12, "张珊珊", "13900005678"),
    (5678, "李四", "13700001111"),
    (7, "单田芳", "13600002222"),
    (8, "王五", "13500001212"),
]


@pytest.mark.parametrize(
    ("query", "bibs"),
    [
        ("5678", [1, 12, 5678]),      # phone tail or bib
        ("12", [12, 8]),              # bib 12, phone ending 12
        ("1", [1, 5678]),             # bib 1, phone ending 1
        ("７", [7]),                  # full-width digit
        ("1381234", [1]),             # longer digits: part of the phone
        ("138-1234-5678", [1]),
        ("zs", [1, 12]),              # initials prefix
        ("ZS", [1, 12]),
        ("zss", [12]),
        ("zhangs", [1, 12]),          # full pinyin prefix
        ("shanshan", [12]),           # given name's pinyin
        ("stf", [7]),
        ("dtf", [7]),                 # the everyday reading of 单 works too
        ("张", [1, 12]),
        ("珊", [12]),
        ("田芳", [7]),
        ("赵", []),
        ("xyz", []),
        ("", [1, 12, 5678, 7, 8]),
    ],
)
def test_matches(query: str, bibs: list[int]) -> None:
    assert _find(query, PEOPLE) == bibs


def test_bare_initials_work_as_a_key() -> None:
    assert matches("zs", bib=None, name="张三", phone="13812345678", initials="zs")
    assert not matches("ls", bib=None, name="张三", phone="13812345678", initials="zs")
