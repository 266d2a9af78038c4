"""Masking personal numbers for screens and printouts.

Printed sheets show phones as 138****5678 and no ID numbers at all; a
check-in screen that must hint at an ID number uses ``mask_id_number``.
"""

from __future__ import annotations


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
