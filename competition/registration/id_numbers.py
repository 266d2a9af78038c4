"""Mainland resident ID numbers (GB 11643-1999): shape, checksum, and the gender digit."""

from __future__ import annotations

import re
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
ID18 = re.compile(r"^[0-9]{17}[0-9X]$")


def id_check_char(first17: str) -> str:
    """The checksum character for the first 17 digits of an ID number."""
    if len(first17) != len(_WEIGHTS):
        raise ValueError(f"an ID number's checksum needs 17 digits, not {len(first17)}")
    return _CHECK_CHARS[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def id_checksum_ok(id_number: str) -> bool:
    """True when an 18-character ID number's last character matches its checksum."""
    if not ID18.match(id_number):
        return False
    # The weights are 2**(17-i) mod 11 and 13 = 2 (mod 11), so the weighted sum is
    # 2 * (the 17 ASCII digits read in base 13) mod 11: id_check_char without the loop.
    return _CHECK_CHARS[2 * int(id_number[:17], 13) % 11] == id_number[17]


def id_gender(id_number: str) -> str | None:
    """The gender an 18-character ID encodes (17th digit odd = 男), else ``None``."""
    if not ID18.match(id_number):
        return None
    return "男" if int(id_number[16]) % 2 else "女"


def plain_id_gender(id_number: str) -> str | None:
    """``id_gender`` of an ID number already known to be 17 ASCII digits and a digit or "X",
    when its check character is right (``id_checksum_ok``); ``None`` when it is wrong."""
    if _CHECK_CHARS[2 * int(id_number[:17], 13) % 11] != id_number[17]:
        return None
    return "男" if int(id_number[16]) % 2 else "女"
