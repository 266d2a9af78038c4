"""What personal data may leave Trackside on paper or in a shared file.

Printed outputs show phones masked (``138****5678``) and never an ID number.
Masking a phone field is ``competition.privacy.mask_phone`` (one rule for the
whole project, re-exported here). The view models carry no ID numbers, but a
clerk can paste one into a name or note cell of the registration sheet;
``scrub_text`` is the last line of defence applied to every string an output
writes.
"""

from __future__ import annotations

import re

from competition.privacy import mask_phone

__all__ = ["ID_REDACTED", "mask_phone", "redact_id_numbers", "scrub_text"]

# A mainland ID number is 18 characters (17 digits + digit or X); old ones 15 digits.
# Any run of 15-18 digits is treated as one: nothing legitimate on our outputs
# is that long (times are printed formatted, ns only as integers in exports).
_ID_NUMBER = re.compile(r"(?<!\d)\d{14,17}[\dXx](?!\d)")
# A mobile number, possibly typed with dashes or spaces: 138-1234-5678.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")

ID_REDACTED = "[已隐去]"


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
