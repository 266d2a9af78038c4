"""Integer-nanosecond time arithmetic and display.

Every time in Trackside is an ``int`` of nanoseconds. Results are *truncated*
(never rounded) to the course precision for display and ranking; the journal
keeps full precision. Nothing here touches floats.
"""

from __future__ import annotations

from decimal import Decimal

NS_PER_SECOND = 1_000_000_000
NS_PER_MS = 1_000_000
DAY_NS = 86_400 * NS_PER_SECOND
DEFAULT_PRECISION_NS = 10_000_000  # 0.01 s


def truncate_ns(ns: int, precision_ns: int = DEFAULT_PRECISION_NS) -> int:
    """Truncate a non-negative duration to ``precision_ns`` (toward zero)."""
    if precision_ns <= 0:
        raise ValueError("precision must be positive")
    if ns < 0:
        return -((-ns) // precision_ns) * precision_ns
    return (ns // precision_ns) * precision_ns


def decimals_for(precision_ns: int) -> int:
    """Digits after the decimal point that ``precision_ns`` shows (0.01 s -> 2)."""
    digits = 9
    p = precision_ns
    while digits > 0 and p % 10 == 0:
        p //= 10
        digits -= 1
    return digits


def format_duration(ns: int | None, precision_ns: int = DEFAULT_PRECISION_NS) -> str:
    """Show a duration truncated to the precision: ``62.349…`` -> ``1:02.34``.

    Under a minute the minutes are left out (``9.87``); ``None`` shows as ``—``.
    """
    if ns is None:
        return "—"
    sign = "-" if ns < 0 else ""
    t = truncate_ns(abs(ns), precision_ns)
    dec = decimals_for(precision_ns)
    whole, frac = divmod(t, NS_PER_SECOND)
    minutes, seconds = divmod(whole, 60)
    frac_text = ""
    if dec:
        frac_text = "." + str(frac // 10 ** (9 - dec)).rjust(dec, "0")
    if minutes:
        return f"{sign}{minutes}:{seconds:02d}{frac_text}"
    return f"{sign}{seconds}{frac_text}"


def format_penalty(ns: int) -> str:
    """Penalty seconds as the referee says them: ``+3`` or ``+2.5`` (no trailing zeros)."""
    whole, frac = divmod(ns, NS_PER_SECOND)
    if frac == 0:
        return f"+{whole}"
    text = str(frac).rjust(9, "0").rstrip("0")
    return f"+{whole}.{text}"


def format_time_of_day(ns: int, decimals: int = 4) -> str:
    """A device time of day (ns since midnight) as ``HH:MM:SS.ffff``."""
    ns %= DAY_NS
    whole, frac = divmod(ns, NS_PER_SECOND)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    text = f"{h:02d}:{m:02d}:{s:02d}"
    if decimals:
        text += "." + str(frac).rjust(9, "0")[:decimals]
    return text


def seconds_to_ns(value: Decimal | int | str) -> int:
    """Exact seconds (Decimal, int or decimal string) to integer ns; rejects sub-ns parts."""
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    ns = d * NS_PER_SECOND
    if ns != ns.to_integral_value():
        raise ValueError(f"{value} s is finer than a nanosecond")
    return int(ns)


def parse_duration(text: str) -> int:
    """Parse ``62.34``, ``1:02.34`` or ``1:02:03.5`` into ns (exact, no floats)."""
    text = text.strip()
    if not text:
        raise ValueError("empty time")
    parts = text.split(":")
    if len(parts) > 3:
        raise ValueError(f"not a time: {text!r}")
    total = Decimal(0)
    for part in parts[:-1]:
        if not part.isdigit():
            raise ValueError(f"not a time: {text!r}")
        total = total * 60 + int(part)
    last = parts[-1]
    try:
        sec = Decimal(last)
    except Exception as exc:  # decimal.InvalidOperation
        raise ValueError(f"not a time: {text!r}") from exc
    if sec < 0 or (len(parts) > 1 and sec >= 60) or not sec.is_finite():
        raise ValueError(f"not a time: {text!r}")
    return seconds_to_ns(total * 60 + sec)


# The reason on the time limit's own DNF (never a referee's call): how ``timing.called_status``
# tells the two apart. Stored in run rows and journal payloads: never change the text.
TIME_LIMIT_REASON = "超时 time limit"
