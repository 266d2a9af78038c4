"""Turning one spreadsheet cell into text without losing a digit.

Excel stores every number as a float; a phone typed as a number comes back
as ``13812345678`` (int, openpyxl) or ``13812345678.0`` / ``1.3812345678E10``
(float, calamine). Going through ``repr`` and ``Decimal`` keeps every digit
the float holds; ``str(float)`` or ``int(float)`` on a rounded value would not.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import TypeVar

FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(ord("A") + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(ord("a") + i) for i in range(26)},
        "＋": "+",
        "－": "-",
        "（": "(",
        "）": ")",
        "　": " ",
        "．": ".",
        "／": "/",
    }
)
"""Full-width digits, Latin letters and signs to their ASCII forms."""


_EXACT_BELOW = 1e15
"""Integral floats under this are exact integers whose ``repr`` is their digits and ".0"."""


def float_digits(value: float) -> str | None:
    """The exact decimal text of an integral float (``1.3812345678E10`` -> ``"13812345678"``).

    ``None`` when the float is not a whole number (or is inf/nan).
    """
    if not math.isfinite(value) or not value.is_integer():
        return None
    if -_EXACT_BELOW < value < _EXACT_BELOW:  # repr shows these floats' exact digits: int() is the same
        return str(int(value))
    return str(int(Decimal(repr(value))))


def number_text(value: int | float | Decimal) -> str:
    """A number cell as the organizer would read it, digits intact."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        whole = float_digits(value)
        if whole is not None:
            return whole
        if not math.isfinite(value):
            return repr(value)
        return format(Decimal(repr(value)).normalize(), "f")
    try:
        if value == value.to_integral_value():
            return str(int(value))
    except InvalidOperation:  # NaN or infinity Decimals
        return str(value)
    return format(value.normalize(), "f")


def cell_text(value: object) -> str:
    """Any cell value as trimmed text; ``""`` for an empty cell.

    Dates at midnight print as a date; other values keep full precision.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float | Decimal):
        return number_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


_T = TypeVar("_T")
_MISSING = object()
REMEMBERED_TEXTS = 4096
"""How many distinct texts one remembering normalizer keeps (a sheet repeats few: genders, platforms, stations)."""


def remember_text_cells(normalize: Callable[[object], _T]) -> Callable[[object], _T]:
    """``normalize`` (a pure function of one cell) remembering its answers for text cells.

    Only ``str`` cells are remembered (``1``, ``1.0`` and ``True`` are equal
    keys but different cells), and only the first ``REMEMBERED_TEXTS``
    distinct texts; the answers must be immutable.
    """
    answers: dict[str, _T] = {}

    @wraps(normalize)
    def remembered(value: object) -> _T:
        if value.__class__ is not str:
            return normalize(value)
        answer = answers.get(value, _MISSING)  # type: ignore[call-overload]
        if answer is _MISSING:
            answer = normalize(value)
            if len(answers) < REMEMBERED_TEXTS:
                answers[value] = answer  # type: ignore[index]
        return answer  # type: ignore[return-value]

    return remembered


def is_blank(cells: Sequence[object]) -> bool:
    """True when no cell of the row holds anything but whitespace."""
    for value in cells:
        if value is None:
            continue
        if isinstance(value, str):
            if value.strip():
                return False
            continue
        return False
    return True
