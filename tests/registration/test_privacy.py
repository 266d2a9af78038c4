"""Masking phones and ID numbers for screens and printouts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from competition.privacy import mask_id_number, mask_phone


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(None) == ""
    assert mask_phone("") == ""
    assert mask_phone("12345") == "***45"
    assert mask_phone("1") == "*"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_masked_phone_hides_the_middle(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == 11
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:]
    assert masked[3:7] == "****"


def test_mask_id_number() -> None:
    assert mask_id_number("11010519491231002X") == "110*************2X"
    assert mask_id_number(None) == ""
    assert mask_id_number("") == ""
    assert mask_id_number("H123456") == "*******"


@given(st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True))
def test_masked_id_never_shows_the_birth_date(id_number: str) -> None:
    masked = mask_id_number(id_number)
    assert len(masked) == 18
    assert masked[6:14] == "********"
    assert masked[:3] == id_number[:3] and masked[-2:] == id_number[-2:]
