"""strip_controls' quick exit for clean text changes no answer: the same as the three substitutions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from competition import clean_text
from competition.clean_text import strip_controls


def reference(text: str) -> str:
    if not text:
        return text
    text = clean_text._ESCAPE_SEQUENCE.sub("", text)
    text = clean_text._WHITESPACE_CONTROLS.sub(" ", text)
    return clean_text._CONTROLS.sub("", text)


SPECIAL = ["\x1b", "\x9b", "[", "]", "31m", "\x07", "\\", "\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\u2028",
           "\u2029", "\x00", "\x7f", "\u200e", "\u202e", "\u2066", "\ufffb", "张", "a", " ", "P", "^"]


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=20), st.lists(st.sampled_from(SPECIAL), max_size=12).map("".join)))
def test_same_as_the_substitutions(text: str) -> None:
    assert strip_controls(text) == reference(text)
