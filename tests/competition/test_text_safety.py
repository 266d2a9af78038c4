"""Control characters: stripped on the way in, escaped on the way out, JSON unchanged in value."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from competition.text_safety import (
    has_controls,
    json_printable,
    printable,
    printable_lines,
    strip_controls,
)


def test_printable_escapes_terminal_codes_and_keeps_text() -> None:
    assert printable("张三") == "张三"
    assert printable("张\x1b[2J三") == "张\\x1b[2J三"
    assert printable("a\u202eb\x9bc\x07") == "a\\u202eb\\x9bc\\x07"
    assert printable("a\nb\tc") == "a\\nb\\tc"
    assert printable(None) == "" and printable(12) == "12"
    assert printable_lines("one\x1b\ntwo") == "one\\x1b\ntwo"


def test_strip_controls_for_free_text_on_the_way_in() -> None:
    assert strip_controls("  裁判\x1b[31m甲\x07 ") == "裁判甲"  # the whole escape sequence goes
    assert strip_controls("第一行\n第二行\t完") == "第一行 第二行 完"
    assert strip_controls("\u202e\u2066x\u2069") == "x"
    assert strip_controls("😀‍👍 ok") == "😀‍👍 ok"  # a zero-width joiner in an emoji stays


@given(st.text())
def test_nothing_unsafe_survives(text: str) -> None:
    assert not has_controls(printable(text))
    assert not has_controls(strip_controls(text))
    assert not has_controls(printable_lines(text).replace("\n", ""))


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=10))
def test_json_printable_decodes_to_the_same_values(value: object) -> None:
    dumped = json.dumps(value, ensure_ascii=False, indent=2)
    safe = json_printable(dumped)
    assert json.loads(safe) == value
    assert not has_controls(safe.replace("\n", ""))
