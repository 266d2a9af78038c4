"""Text that is safe to put on a terminal, and free text cleaned on the way in.

A rider's name comes from a clerk's sheet, an operator's name from whoever
typed ``--operator``: either can hold terminal escape codes (``\\x1b[2J``
clears the screen, ``\\x1b]0;…`` retitles the window) or bidirectional
overrides that make a line read differently from what it holds.

* ``strip_controls`` is for the way **in** (operator, terminal, reasons, names
  typed on the command line): control characters are removed, line breaks and
  tabs become a space.
* ``printable`` is for the way **out** (every plain-text table and line the
  CLI prints): each such character is shown as an escape (``\\x1b``,
  ``\\u202e``), so what was recorded stays visible and nothing is executed by
  the terminal.
* ``json_printable`` makes ``json.dumps(..., ensure_ascii=False)`` text safe
  the same way while decoding to the very same values (JSON already escapes
  C0 controls; C1 controls and bidi overrides are written as ``\\uXXXX``).
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (U+0080-U+009F; U+009B is an 8-bit CSI), the
# bidi embedding/override/isolate controls, line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
# What json.dumps leaves raw in a string (it escapes U+0000-U+001F itself).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
_SPACE_LIKE = frozenset("\t\n\r\x0b\x0c\u2028\u2029")

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def has_controls(text: str) -> bool:
    """True when ``text`` holds anything ``printable`` would escape."""
    return _UNSAFE.search(text) is not None


def printable(value: object) -> str:
    """``value`` as text a terminal shows literally: control characters escaped.

    ``None`` is "". ``"张三\\x1b[2J"`` -> ``"张三\\\\x1b[2J"`` (a backslash, not ESC).
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """Like ``printable`` for a multi-line block: keeps the line breaks, escapes the rest."""
    return "\n".join(printable(line) for line in text.split("\n"))


def strip_controls(text: str) -> str:
    """Free text on its way into the event: escape sequences and control characters out,
    line breaks to spaces, leading and trailing spaces trimmed (``competition.clean_text``)."""
    from competition.clean_text import strip_controls as clean

    return clean(text).strip()


def json_printable(dumped: str) -> str:
    """Escape, inside already dumped JSON text, what a terminal would act on.

    The result parses to exactly the same values: ``\\u009b`` in a JSON string
    is U+009B.
    """
    if _JSON_UNSAFE.search(dumped) is None:
        return dumped
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", dumped)
