"""pypinyin's readings of single characters and phrases, as a table that loads in milliseconds.

Importing pypinyin costs about 0.2 s and 50 MB (it parses 3.3 MB of JSON and
builds a prefix set of its 47,000 phrases) before it reads one name, which
was half of importing a 500-row sheet. Rider search keys need only what
``lazy_pinyin(name, style=NORMAL)`` gives; this table holds exactly that for
every character and phrase pypinyin knows (built by pypinyin itself, see
``build_table``), and ``WordTable.words`` cuts a text into words the way
pypinyin does (``simpleseg.seg`` and ``mmseg`` with its phrases).

The table names the pypinyin it was built from (version and data file sizes);
``load_table`` returns ``None`` when the installed pypinyin is another one, and
callers then use pypinyin itself. Rebuild it after upgrading pypinyin::

    python -m competition.pinyin_table
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).with_name("data") / "pinyin_words.json.gz"
DATA_FILES = ("pinyin_dict.json", "phrases_dict.json")
_VERSION = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


def installed_pypinyin() -> dict[str, Any] | None:
    """The installed pypinyin's version and data file sizes, read without importing it."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    try:
        found = _VERSION.search((folder / "__init__.py").read_text(encoding="utf-8"))
        sizes = {name: (folder / name).stat().st_size for name in DATA_FILES}
    except OSError:
        return None
    return {"version": found.group(1) if found else None, "files": sizes}


PAIRS_REMEMBERED = 32768
"""Two-character texts ``WordTable`` remembers the answer for (about 3 MB; 50,000 names hold fewer)."""


@dataclass(frozen=True)
class WordTable:
    """Readings by word, and pypinyin's way of cutting a text into words."""

    hans: re.Pattern[str]
    chars: dict[str, str]
    phrases: list[str]
    """pypinyin's phrases, sorted: bisection answers both "a phrase?" and "a phrase's prefix?"."""
    phrase_readings: list[str]
    pair_starts: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    """``_pair_starts``'s answers so far (up to ``PAIRS_REMEMBERED``): a sheet's names share their pairs."""

    def _find(self, text: str) -> tuple[bool, bool, int]:
        """(some phrase starts with ``text``, ``text`` is a phrase, where it is)."""
        at = bisect_left(self.phrases, text)
        if at == len(self.phrases):
            return False, False, at
        found = self.phrases[at]
        return found.startswith(text), found == text, at

    def words(self, text: str) -> list[str]:
        """pypinyin's ``simpleseg.seg``: Chinese and other runs apart, Chinese runs cut into phrases."""
        out: list[str] = []
        for run in self._runs(text):
            if self.hans.match(run):
                out.extend(self._cut(run))
            else:
                out.append(run)
        return out

    def _runs(self, text: str) -> list[str]:
        # simpleseg._seg: a new run wherever "is a Chinese character" changes
        runs: list[str] = []
        current = ""
        chinese = True
        for n, ch in enumerate(text):
            now = self.hans.match(ch) is not None
            if n and now != chinese:
                runs.append(current)
                current = ""
            chinese = now
            current += ch
        runs.append(current)
        return runs

    def _cut(self, text: str) -> Iterator[str]:
        """mmseg's forward maximum matching, strict (only phrases or single characters).

        Where no phrase starts with the next two characters the word is the
        next character (whether or not it is a phrase itself): that answer is
        taken with one bisection, without the loop below. Most names are cut
        that way at every character.
        """
        phrases, count = self.phrases, len(self.phrases)
        remain = text
        while remain:
            if len(remain) == 1:  # what the loop below yields for one character
                yield remain
                return
            pair = remain[:2]
            at = bisect_left(phrases, pair)
            if at == count or not phrases[at].startswith(pair):
                yield remain[0]
                remain = remain[1:]
                continue
            last_valid_word = ""
            last_valid_index = 0
            for index in range(len(remain)):
                word = remain[:index + 1]
                at = bisect_left(phrases, word)  # ``_find``, inlined: this loop runs for every character
                if at < count and phrases[at].startswith(word):
                    if phrases[at] == word:
                        last_valid_word = word
                        last_valid_index = index + 1
                else:
                    if last_valid_word:
                        yield last_valid_word
                        remain = remain[last_valid_index:]
                    else:
                        yield remain[0]
                        remain = remain[1:]
                    break
            else:
                if last_valid_word:
                    yield last_valid_word
                    remain = remain[last_valid_index:]
                else:
                    yield from remain
                    break

    def chinese_syllables(self, text: str) -> list[str] | None:
        """The syllables of ``text`` read word by word when it is all Chinese characters, else ``None``.

        The same as ``words`` and ``reading`` for such a text (one run, cut
        into phrases and characters), without the run split: most names take
        this way.
        """
        if not self.hans.fullmatch(text):
            return None
        out: list[str] = []
        chars = self.chars
        if len(text) <= 3 and not (self._pair_starts(text[:2]) or self._pair_starts(text[1:3])):
            # No phrase starts with any two neighbours (most names): ``_cut`` gives the characters one by one.
            for ch in text:
                reading = chars.get(ch)
                if reading is not None:
                    out.extend(reading.split())
            return out
        for word in self._cut(text):
            reading = chars.get(word) if len(word) == 1 else self.reading(word)
            if reading is None:  # a character pypinyin has no reading for: nothing, as ``reading`` says
                continue
            out.extend(reading.split())
        return out

    def _pair_starts(self, pair: str) -> bool:
        """Whether some phrase starts with ``pair`` (two characters; a shorter text: ``False``), as ``_cut`` asks."""
        known = self.pair_starts.get(pair)
        if known is not None:
            return known
        if len(pair) < 2:
            return False
        phrases = self.phrases
        at = bisect_left(phrases, pair)
        known = at < len(phrases) and phrases[at].startswith(pair)
        if len(self.pair_starts) < PAIRS_REMEMBERED:
            self.pair_starts[pair] = known
        return known

    def reading(self, word: str) -> str | None:
        """The space-separated syllables of one word of ``words``; ``None`` when pypinyin keeps it as written."""
        if not self.hans.match(word):
            return None
        if len(word) == 1:
            return self.chars.get(word)
        _, phrase, at = self._find(word)
        return self.phrase_readings[at] if phrase else None


def build_table(word_syllables: Callable[[str], tuple[str, ...]]) -> dict[str, Any]:
    """The table from the installed pypinyin: ``word_syllables`` is the pypinyin reading being tabled."""
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS

    if not PHRASES_DICT:
        raise RuntimeError("pypinyin's phrases are switched off (PYPINYIN_NO_PHRASES): the table needs them")
    chars = {}
    for code in sorted(PINYIN_DICT):
        ch = chr(code)
        if RE_HANS.match(ch):
            chars[ch] = " ".join(word_syllables(ch))
    phrases = {word: " ".join(word_syllables(word)) for word in sorted(PHRASES_DICT)}
    if any("|" in word or "\n" in word for word in phrases):
        raise RuntimeError("a pypinyin phrase holds '|' or a line break: the table cannot store it")
    return {"pypinyin": installed_pypinyin(), "hans": RE_HANS.pattern, "chars": chars, "phrases": phrases}


# The file: gzip'd UTF-8, five lines: a JSON header (the pypinyin, the Chinese
# character pattern), then the characters (one string), their readings,
# the phrases and their readings ("|" between entries; phrases sorted).
# Splitting strings builds the dictionaries in C, several times faster than JSON.


def write_table(table: dict[str, Any], path: Path | None = None) -> None:
    path = TABLE_PATH if path is None else path
    chars: dict[str, str] = table["chars"]
    phrases: dict[str, str] = table["phrases"]
    header = json.dumps({"pypinyin": table["pypinyin"], "hans": table["hans"]}, ensure_ascii=False)
    words = sorted(phrases)
    lines = [header, "".join(chars), "|".join(chars.values()), "|".join(words),
             "|".join(phrases[w] for w in words)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress("\n".join(lines).encode("utf-8"), 9, mtime=0))


def read_table(path: Path | None = None) -> dict[str, Any]:
    path = TABLE_PATH if path is None else path
    header, char_keys, char_values, phrase_keys, phrase_values = (
        gzip.decompress(path.read_bytes()).decode("utf-8").split("\n"))
    table = dict(json.loads(header))
    table["chars"] = dict(zip(char_keys, char_values.split("|"), strict=True))
    table["phrases"] = phrase_keys.split("|")
    table["phrase_readings"] = phrase_values.split("|")
    return table


@lru_cache(maxsize=1)
def load_table() -> WordTable | None:
    """The table, or ``None`` when it is missing, unreadable or was built from another pypinyin."""
    try:
        raw = read_table()
    except (OSError, ValueError, EOFError):
        return None
    installed = installed_pypinyin()
    if installed is None or raw.get("pypinyin") != installed:
        return None
    if len(raw["phrases"]) != len(raw["phrase_readings"]):
        return None
    return WordTable(re.compile(raw["hans"]), raw["chars"], raw["phrases"], raw["phrase_readings"])


if __name__ == "__main__":
    from competition.search import pypinyin_word_syllables

    write_table(build_table(pypinyin_word_syllables))
    print(f"wrote {TABLE_PATH}")
