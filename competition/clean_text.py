"""Text typed by people, made safe to keep: no control characters, no escape codes.

A name or a note pasted from a chat app or a hostile sheet can carry
terminal escape sequences (ESC [ 31m, OSC titles), NUL and other C0/C1
control characters, or bidirectional overrides that make "张三" print as
something else. They are removed on the way in, before anything is
journaled; ordinary whitespace (tab, line breaks) becomes a space.
"""

from __future__ import annotations

import re

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST (window titles, hyperlinks)
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS/PM/APC/SOS strings
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor moves)
    r"|\x1b[ -/]*[0-~]"  # other two-byte escapes
)
_WHITESPACE_CONTROLS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]")
"""C0, DEL, C1, and the bidirectional marks, embeddings, overrides and isolates."""
_ANYTHING_TO_STRIP = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\u2028\u2029]")
"""Every character that starts an escape sequence (ESC, CSI) or is replaced or removed below."""


def strip_controls(text: str) -> str:
    """``text`` without escape sequences and control characters (whitespace ones become a space)."""
    if not text or _ANYTHING_TO_STRIP.search(text) is None:  # most cells: nothing to do
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _WHITESPACE_CONTROLS.sub(" ", text)
    return _CONTROLS.sub("", text)


def has_controls(text: str) -> bool:
    """True when ``text`` holds anything ``strip_controls`` would change (besides whitespace)."""
    return bool(_CONTROLS.search(_WHITESPACE_CONTROLS.sub(" ", text)))
