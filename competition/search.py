"""Finding an entrant at the check-in desk by bib, phone tail, name or pinyin.

``search_key(name)`` is computed once per entrant and stored with it; each
keystroke then runs ``matches`` on plain strings without calling pypinyin.

A key is one or more space-separated readings, each ``initials:syl'syl``
("zs:zhang'san"). A name whose surname reads differently as a surname
(单 shàn, 曾 zēng, 解 xiè …) gets both readings, so 单田芳 is found by
"stf" and by "dtf": the referee types whichever comes to mind.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

from competition import pinyin_table

# Characters pypinyin reads with their everyday sound where a surname has
# another (the first reading is the surname one).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",), "区": ("ou",),
    "覃": ("qin",), "乐": ("yue",), "查": ("zha",), "缪": ("miao",), "翟": ("zhai",), "盖": ("ge",),
    "召": ("shao",), "员": ("yun",), "秘": ("bi",), "种": ("chong",), "繁": ("po",), "隗": ("wei",),
    "黑": ("he",), "柏": ("bai",), "薄": ("bo",), "重": ("chong",), "宿": ("su",), "句": ("gou",),
    "能": ("nai",), "相": ("xiang",), "贲": ("ben",), "那": ("na",), "阚": ("kan",), "洗": ("xian",),
    "冼": ("xian",), "尉": ("wei",), "殷": ("yin",), "祭": ("zhai",), "折": ("she",), "叶": ("ye",),
    "沈": ("shen",), "任": ("ren",), "华": ("hua",), "纪": ("ji",), "过": ("guo",), "哈": ("ha",),
}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PHONE_NOISE = re.compile(r"[\s\-]+")
_LATIN_RUN = re.compile(r"[a-z0-9]+")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
# The surnames above by length: a two-character one is tried before its first character (单于, 单).
_SURNAMES_BY_LENGTH = tuple(
    (n, {s: sound for s, sound in SURNAME_READINGS.items() if len(s) == n})
    for n in sorted({len(s) for s in SURNAME_READINGS}, reverse=True)
)

_TWO_READINGS = frozenset(SURNAME_READINGS)
"""The surnames above (one or two characters, see the tests): a name starting with one has a surname reading."""


def _syllables(text: str) -> list[str]:
    """Lower-case pinyin syllables of the Chinese characters and letter runs in ``text``.

    The same as reading the whole text with ``lazy_pinyin``: pypinyin cuts the
    text into words (a dictionary phrase or a single character) and reads each
    word on its own. The words' readings come from ``pinyin_table`` (built
    from pypinyin, loads in milliseconds); without a table for the installed
    pypinyin, from pypinyin itself, each word read once and cached.
    """
    table = pinyin_table.load_table()
    out: list[str] = []
    if table is None:
        for word in _pypinyin_words(text):
            out.extend(pypinyin_word_syllables(word))
        return out
    chinese = table.chinese_syllables(text)  # most names: Chinese characters only
    if chinese is not None:
        return chinese
    for word in table.words(text):
        reading = table.reading(word)
        if reading is None:  # not Chinese, or a character pypinyin has no reading for: kept as written
            out.extend(_LATIN_RUN.findall(word.lower().replace("ü", "v")))
        else:
            out.extend(reading.split())
    return out


def _pypinyin_words(text: str) -> list[str]:
    """pypinyin's own cut of ``text`` (non-Chinese runs whole, Chinese into phrases and characters)."""
    all_chinese, cut, seg = _segmenter()
    if all_chinese.fullmatch(text):  # what ``seg`` does with a text of Chinese characters only
        return list(cut(text))
    return list(seg(text))


@lru_cache(maxsize=1)
def _segmenter() -> tuple[re.Pattern[str], Callable[[str], Iterator[str]], Callable[[str], list[str]]]:
    """pypinyin's test for "all Chinese", its phrase cutter and its whole segmenter (loaded once).

    pypinyin loads its dictionaries (~0.2 s) on import: only when a key is made.
    We never add words to its dictionaries, so it need not copy them first.
    """
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    from pypinyin.constants import PHRASES_DICT, RE_HANS
    from pypinyin.seg import mmseg
    from pypinyin.seg.simpleseg import seg

    if not PHRASES_DICT:  # phrases switched off (PYPINYIN_NO_PHRASES): seg does not cut
        return RE_HANS, lambda text: iter([text]), seg
    return RE_HANS, mmseg.seg.cut, seg


@lru_cache(maxsize=65536)
def pypinyin_word_syllables(word: str) -> tuple[str, ...]:
    """pypinyin's reading of one word of its cut, as lower-case syllables (what ``pinyin_table`` holds)."""
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for piece in lazy_pinyin(word, style=Style.NORMAL):
        out.extend(_LATIN_RUN.findall(piece.lower().replace("ü", "v")))
    return tuple(out)


@lru_cache(maxsize=4096)
def _readings(name: str) -> tuple[tuple[str, ...], ...]:
    name = "".join(name.split())
    readings = [tuple(_syllables(name))]
    for length, surnames in _SURNAMES_BY_LENGTH:
        sound = surnames.get(name[:length])
        if sound is not None:
            surname_reading = (*sound, *_syllables(name[length:]))
            if surname_reading != readings[0]:
                readings.insert(0, surname_reading)
            break
    return tuple([r for r in readings if r])


def pinyin_initials(name: str) -> str:
    """First letters of the name's pinyin, lower-case: 张三 -> "zs", 单田芳 -> "stf".

    Surnames with a special reading use it; letters in non-Chinese names
    are kept whole and lower-cased (Tom张 -> "tomz").
    """
    readings = _readings(name)
    if not readings:
        return ""
    return _initials(readings[0], name)


def _initials(syllables: tuple[str, ...], name: str) -> str:
    # A Latin word stays whole (as pypinyin's FIRST_LETTER keeps it); a
    # Chinese syllable gives its first letter.
    latin = {w.lower() for w in _LATIN_WORD.findall(name)}
    return "".join(s if s in latin else s[0] for s in syllables)


def search_key(name: str) -> str:
    """The precomputed key ``matches`` needs for one entrant (store it once).

    Space-separated readings, each ``initials:syllable'syllable``; the
    surname reading comes first ("stf:shan'tian'fang dtf:dan'tian'fang").
    """
    table = pinyin_table.load_table()
    chinese = table.chinese_syllables(name) if table is not None else None
    if chinese is not None and name[:2] not in _TWO_READINGS and name[:1] not in _TWO_READINGS:
        # Chinese characters only and no surname of two readings (most names): one reading,
        # each syllable giving its first letter -- what the general way below makes of it
        return "".join([s[0] for s in chinese]) + ":" + "'".join(chinese) if chinese else ""
    readings = _readings(name)
    if _LATIN_WORD.search(name) is None:  # no Latin word (most names): each syllable gives its first letter
        return " ".join(["".join([s[0] for s in r]) + ":" + "'".join(r) for r in readings])
    return " ".join(f"{_initials(r, name)}:{chr(39).join(r)}" for r in readings)


def _matches_pinyin(query: str, key: str) -> bool:
    for reading in key.split():
        initials, _, joined = reading.partition(":")
        if initials.startswith(query):
            return True
        if not joined:
            continue
        syllables = joined.split("'")
        # full pinyin from any syllable on: "zhangs", "san" (the given name)
        for start in range(len(syllables)):
            if "".join(syllables[start:]).startswith(query):
                return True
    return False


def matches(query: str, *, bib: int | None, name: str, phone: str, initials: str) -> bool:
    """Whether an entrant answers the check-in desk's query.

    - digits, up to four: the bib exactly, or the phone's last digits
      (four digits is the usual phone tail);
    - more digits: part of the phone (dashes and spaces ignored);
    - Latin letters: the start of the pinyin initials ("zs") or of the
      full pinyin from any syllable ("zhangsan", "san");
    - Chinese: part of the name (only names that contain it).

    Letters match in any case and in either width: a Chinese input method
    in full-width mode types ``ＺＳ``, which is ``zs`` here (NFKC). ``initials``
    is the stored ``search_key(name)`` (a bare ``pinyin_initials`` string
    works too). An empty query matches everyone.
    """
    text = "".join(unicodedata.normalize("NFKC", query).split())
    if not text:
        return True
    if _HAN.search(text):
        return text in "".join(unicodedata.normalize("NFKC", name).split())
    digits = _PHONE_NOISE.sub("", text)
    if digits.isascii() and digits.isdigit():
        if len(digits) <= 4:
            return (bib is not None and bib == int(digits)) or phone.endswith(digits)
        return digits in phone
    letters = text.casefold()
    return _matches_pinyin(letters, initials.casefold())
