"""What personal data may leave Trackside on paper or in a shared file.

Printed outputs show phones masked (``138****5678``) and never an ID number.
The view models carry no ID numbers, but a clerk can paste one into a name or
note cell of the registration sheet; ``scrub_text`` is the last line of
defence applied to every string an output writes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

# A mainland ID number is 18 characters (17 digits + digit or X); old ones 15 digits.
# Any run of 15-18 digits is treated as one: nothing legitimate on our outputs
# is that long (times are printed formatted, ns only as integers in exports).
_ID_NUMBER = re.compile(r"(?<!\d)\d{14,17}[\dXx](?!\d)")
# A mobile number, possibly typed with dashes or spaces: 138-1234-5678.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")

ID_REDACTED = "[已隐去]"


def mask_phone_local(phone: str | None) -> str:
    """``13812345678`` -> ``138****5678``; shorter numbers keep at most their last 2 digits.

    Works on the digits only, so dashes, spaces, ``+86`` and full-width digits
    all come out the same way.
    """
    if not phone:
        return ""
    digits = "".join(str(int(ch)) for ch in phone if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def _find_mask_phone() -> Callable[[str | None], str]:
    # competition.privacy is written by another part of the project; use it when
    # present so there is one masking rule, else the identical local one.
    try:
        module = importlib.import_module("competition.privacy")
    except ImportError:
        return mask_phone_local
    found = getattr(module, "mask_phone", None)
    return found if callable(found) else mask_phone_local


_mask_phone: Callable[[str | None], str] | None = None


def mask_phone(phone: str | None) -> str:
    """Mask a phone for print (``138****5678``), via competition.privacy when it exists."""
    global _mask_phone
    if _mask_phone is None:
        _mask_phone = _find_mask_phone()
    return _mask_phone(phone)


def scrub_text(text: str) -> str:
    """Remove ID numbers and mask mobile numbers found anywhere inside free text."""
    if not any(ch.isdigit() for ch in text):
        return text  # the common case (names, stations) costs one scan
    text = _ID_NUMBER.sub(ID_REDACTED, text)
    return _MOBILE.sub(r"\1****\3", text)


def redact_id_numbers(text: str) -> str:
    """Remove ID numbers only (for the organizer's own full-phone exports)."""
    if not any(ch.isdigit() for ch in text):
        return text
    return _ID_NUMBER.sub(ID_REDACTED, text)
