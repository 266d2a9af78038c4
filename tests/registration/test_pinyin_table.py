"""The shipped pinyin table is pypinyin's reading, word for word, and cuts text the way pypinyin does."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition import pinyin_table, search
from competition.pinyin_table import WordTable, build_table, load_table, read_table, write_table
from competition.search import pypinyin_word_syllables, search_key

from .test_search_cache import PHRASE_NAMES, reference_search_key


def _table() -> WordTable:
    table = load_table()
    assert table is not None, (
        "competition/data/pinyin_words.json.gz is not for the installed pypinyin: "
        "rebuild it with `python -m competition.pinyin_table`")
    return table


def test_the_shipped_table_is_for_the_installed_pypinyin() -> None:
    assert _table().phrases == sorted(_table().phrases)


def test_a_sample_of_entries_reads_as_pypinyin() -> None:
    table = _table()
    rng = random.Random(16)
    for ch in rng.sample(sorted(table.chars), 1500):
        assert table.reading(ch) == " ".join(pypinyin_word_syllables(ch)), ch
    for at in rng.sample(range(len(table.phrases)), 1500):
        word = table.phrases[at]
        assert table.reading(word) == " ".join(pypinyin_word_syllables(word)), word


# Characters that start, end or sit inside phrases, surname characters, CJK extension A and B
# characters (one UTF-16 surrogate pair each), letters, digits, punctuation and spaces.
ALPHABET = [
    *"中国人长行乐重朝阳银音快单曾解区朴查覃种弓放树理地于孙俟迟万尉张王李赵刘陈杨黄周吴", "\u3400", "\u4db5", "\U00020000", "\U0002a6d6", "〇", "·", " ", "\u3000", "A", "b", "Z", "1", "ü", "Ⅻ",
    "－", "(", "\n"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=10))
def test_the_table_cuts_text_as_pypinyin(text: str) -> None:
    from pypinyin.seg.simpleseg import seg

    assert _table().words(text) == list(seg(text))


@pytest.fixture
def another_pypinyins_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    raw = read_table()
    table = {**raw, "pypinyin": {**raw["pypinyin"], "version": "0.0.1"},
             "phrases": dict(zip(raw["phrases"], raw["phrase_readings"], strict=True))}
    path = tmp_path / "old.json.gz"
    write_table(table, path)
    monkeypatch.setattr(pinyin_table, "TABLE_PATH", path)
    load_table.cache_clear()
    search._readings.cache_clear()
    yield path
    monkeypatch.undo()
    load_table.cache_clear()
    search._readings.cache_clear()


def test_a_table_of_another_pypinyin_is_not_used(another_pypinyins_table: Path) -> None:
    assert load_table() is None
    for name in PHRASE_NAMES:  # pypinyin itself answers, as before
        assert search_key(name) == reference_search_key(name), name


def test_a_missing_table_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinyin_table, "TABLE_PATH", tmp_path / "none.json.gz")
    load_table.cache_clear()
    try:
        assert load_table() is None
    finally:
        monkeypatch.undo()
        load_table.cache_clear()
    assert load_table() is not None


@pytest.mark.slow
def test_the_shipped_table_is_what_pypinyin_builds_now() -> None:
    built = build_table(pypinyin_word_syllables)
    shipped = read_table()
    assert shipped["pypinyin"] == built["pypinyin"] and shipped["hans"] == built["hans"]
    assert shipped["chars"] == built["chars"]
    assert dict(zip(shipped["phrases"], shipped["phrase_readings"], strict=True)) == built["phrases"]


def _syllables_by_cut(table: WordTable, text: str) -> list[str] | None:
    """``chinese_syllables`` by ``_cut`` alone: each word's reading, as for any length."""
    if not table.hans.fullmatch(text):
        return None
    out: list[str] = []
    for word in table._cut(text):
        reading = table.chars.get(word) if len(word) == 1 else table.reading(word)
        if reading is not None:
            out.extend(reading.split())
    return out


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"中国人长行乐重朝阳银音快单曾解区朴查覃种弓放树理地于孙张王李", "\u3400",
                                         "\U00020000", "〇", "A", " "]), max_size=4))
def test_short_names_read_character_by_character_only_where_cut_would(text: str) -> None:
    table = _table()
    assert table.chinese_syllables(text) == _syllables_by_cut(table, text)


def test_the_search_key_looks_at_surnames_of_one_and_two_characters() -> None:
    assert {len(surname) for surname in search.SURNAME_READINGS} == {1, 2}
