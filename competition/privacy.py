"""Masking personal numbers for screens and printouts.

Printed sheets show phones as 138****5678 and no ID numbers at all; a
check-in screen that must hint at an ID number uses ``mask_id_number``.
"""

from __future__ import annotations

import re


def mask_phone(phone: str | None) -> str:
    """"13812345678" -> "138****5678"; ``None``/"" -> "".

    Keeps the first three and last four characters (what riders recognise
    and what the check-in search uses); anything shorter than eight
    characters keeps only its last two so a fragment never prints whole.
    """
    if not phone:
        return ""
    text = phone.strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) > 2:
        return "*" * (len(text) - 2) + text[-2:]
    return "*" * len(text)


def mask_id_number(id_number: str | None) -> str:
    """"11010519491231002X" -> "110*************2X"; ``None``/"" -> "".

    Keeps the first three characters (province and city, not the person)
    and the last two, and hides the birth date and sequence number; a value
    shorter than eight characters is hidden entirely.
    """
    if not id_number:
        return ""
    text = id_number.strip()
    if len(text) < 8:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


# ---------------------------------------------------------------- free text

ID_MARKER = "〔身份证号已隐去〕"
"""What replaces an ID number found in free text (notes, reasons, report values)."""

_ID_IN_TEXT = re.compile(
    r"(?<![0-9０-９])"
    r"[0-9０-９]{6}[ \-]?[0-9０-９]{8}[ \-]?[0-9０-９]{3}[0-9０-９XxＸｘ]"
    r"(?![0-9０-９])"
    r"|(?<![0-9０-９])[0-9０-９]{15}(?![0-9０-９])"
)
"""An 18-character resident ID (17 digits and a digit or X; grouped 6-8-4 with
spaces or dashes too) or an old 15-digit one, not part of a longer number."""

_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9０-９])"
    r"(?:(?:\+|＋)?(?:86|８６)[ \-]?)?"
    r"([1１][3-9３-９][0-9０-９])[ \-]?([0-9０-９]{4})[ \-]?([0-9０-９]{4})"
    r"(?![0-9０-９])"
)
"""A mainland mobile (11 digits, 1[3-9]x, grouped 3-4-4 or not, +86 allowed)."""


def scrub_personal_numbers(text: str) -> str:
    """Free text with ID numbers replaced by ``ID_MARKER`` and mobiles masked.

    "联系 13812345678，身份证 11010519491231002X" ->
    "联系 138****5678，身份证 〔身份证号已隐去〕". Meant for text a person typed
    (a note, a reason) and for values echoed in reports; not for the phone
    field itself, which is stored whole and masked on output.
    """
    if not text:
        return text
    text = _ID_IN_TEXT.sub(ID_MARKER, text)
    return _PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def has_personal_number(text: str) -> bool:
    """True when ``text`` holds something that looks like an ID number or a mobile."""
    return bool(_ID_IN_TEXT.search(text) or _PHONE_IN_TEXT.search(text))
