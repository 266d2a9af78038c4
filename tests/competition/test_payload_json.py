"""payload_text is canonical_json, character for character, whatever the payload holds."""

from __future__ import annotations

import enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competition.journal import canonical_json
from competition.payload_json import payload_text


class _Text(str):
    pass


class _Number(enum.IntEnum):
    ONE = 1


# Keys and texts with what JSON escapes (quotes, backslashes, control characters),
# Chinese, astral characters and lone surrogates.
_TEXT = st.text(alphabet=st.sampled_from(['"', "\\", "\n", "\x00", "\x1f", "\x7f", "a", "Z", "张", "·", "😀",
                                          "\ud800", "\u2028", "/", " ", "{", "}", ":", ","]), max_size=6)
_SCALARS = (_TEXT | st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=False) | st.builds(_Text, _TEXT) | st.just(_Number.ONE))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=4),
                       max_leaves=12)


def _outcome(encode: Any, payload: dict[Any, Any]) -> tuple[str, str]:
    try:
        return "text", encode(payload)
    except (TypeError, ValueError) as error:
        return "error", type(error).__name__


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, max_size=8))
def test_any_payload_gives_the_canonical_text(payload: dict[str, Any]) -> None:
    assert payload_text(payload) == canonical_json(payload)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_TEXT, _TEXT | st.none() | st.integers(), min_size=2, max_size=8), st.randoms())
def test_the_same_keys_in_another_order_give_the_same_text(payload: dict[str, Any], rng: Any) -> None:
    keys = list(payload)
    rng.shuffle(keys)
    shuffled = {key: payload[key] for key in keys}
    assert payload_text(payload) == payload_text(shuffled) == canonical_json(payload)


def test_an_entrant_payload_and_its_variants() -> None:
    base: dict[str, Any] = {
        "name": "石帆鹏", "phone": "13765479012", "gender": "男", "platform": "美团", "station": "大望路站",
        "id_number": "510104199710259810", "note": None, "bib": 1, "extra": {}, "initials": "sfp:shi'fan'peng",
        "source": {"file": "clerk.csv", "row": 4}}
    variants = [
        base,
        {**base, "extra": {"紧急联系人": "家属", "A列": 'say "hi"\\'}},
        {**base, "note": "夜班\n第二行", "gender": None},
        {**base, "bib": True},  # a bool is not an int here
        {**base, "bib": 2.0},
        {**base, "case_id": 3},
        {**base, "source": {"file": "x", "row": 4, "deep": {"a": {"b": {"c": {"d": {"e": 1}}}}}}},
        {1: "int key", "b": 2},  # json refuses to sort these keys: so does payload_text
        {1: "int key", 2: "x"},
        {**base, "extra": {1: "x"}},
        {**base, "list": [1, "a", None, {"z": 1, "a": 2}]},
    ]
    for payload in variants:
        assert _outcome(payload_text, payload) == _outcome(canonical_json, payload), payload


def test_what_json_refuses_is_refused_the_same_way() -> None:
    with pytest.raises(TypeError):
        canonical_json({"a": object()})
    with pytest.raises(TypeError):
        payload_text({"a": object()})
    with pytest.raises(TypeError):
        payload_text({"a": {"b": object()}})
    looped: dict[str, Any] = {"a": None}
    looped["a"] = looped
    with pytest.raises(ValueError):
        canonical_json(looped)
    with pytest.raises(ValueError):
        payload_text(looped)
