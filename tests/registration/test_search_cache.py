"""The cached, word-by-word pinyin reading gives exactly the keys pypinyin's whole-name reading gave.

The reference below is ``search_key`` as it was before the import was made
fast: ``lazy_pinyin`` on the whole name, the surname table scanned in order.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from competition.registration.sample_sheet import make_clerk_csv
from competition.search import SURNAME_READINGS, _initials, search_key


def _reference_syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for piece in lazy_pinyin(text, style=Style.NORMAL):
        out.extend(re.findall(r"[a-z0-9]+", piece.lower().replace("ü", "v")))
    return out


def reference_search_key(name: str) -> str:
    name_joined = "".join(name.split())
    readings = [tuple(_reference_syllables(name_joined))]
    for surname, sound in SURNAME_READINGS.items():
        if name_joined.startswith(surname):
            surname_reading = (*sound, *_reference_syllables(name_joined[len(surname):]))
            if surname_reading != readings[0]:
                readings.insert(0, surname_reading)
            break
    kept = [r for r in readings if r]
    return " ".join(f"{_initials(r, name)}:{chr(39).join(r)}" for r in kept)


# Names where pypinyin's phrase dictionary decides the reading (长 zhang/chang, 乐, 重, 行 …),
# two-character surnames, Latin letters and punctuation between Chinese runs.
PHRASE_NAMES = [
    "长孙无忌", "单于夜遁", "万俟卨", "尉迟敬德", "重庆", "朝阳", "音乐", "快乐", "银行", "行长",
    "张长弓", "曾国藩", "乐嘉", "解放", "单田芳", "Tom张", "买买提·吐尔逊", "李 小龙", "王A强B",
    "欧阳重阳", "朴树", "区长", "查理", "覃长乐", "种地", "重重", "", "123", "Ann-Marie 李",
]


def test_phrase_names_read_as_before() -> None:
    for name in PHRASE_NAMES:
        assert search_key(name) == reference_search_key(name), name


def test_the_clerk_sheet_names_read_as_before(tmp_path) -> None:
    truth = make_clerk_csv(tmp_path / "s.csv", 800, "utf-8-sig", seed=3)
    names = [rider["name"] for rider in truth["rider_rows"]]
    assert len(names) > 700
    for name in names:
        assert search_key(name) == reference_search_key(name), name


COMMON = "张王李赵刘陈杨黄周吴长乐重行朝阳单曾解区朴查覃种银音快国庆弓放树理地于孙俟迟"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(COMMON) + list("ab ·-1") + ["\u3000"]), max_size=8))
def test_any_name_reads_as_before(name: str) -> None:
    assert search_key(name) == reference_search_key(name)
