"""Normalizing one cell's value for one field, the way clerks type them.

Each function returns a ``Reading``: the normalized value, a ``problem``
that rejects the row (only where the value cannot be trusted at all), and a
``doubt`` that keeps the row but is reported. Final validity (a name is
there, a phone is a mainland mobile) is judged by ``rider_check`` (the rule
of the pydantic model in ``rider_record``); ``explain_phone`` says why a
phone failed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from competition.clean_text import strip_controls
from competition.privacy import scrub_personal_numbers
from competition.registration.cells import FULL_WIDTH, cell_text, float_digits, remember_text_cells
from competition.registration.id_numbers import ID18, id_checksum_ok

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
"""A mainland mobile number: 11 ASCII digits, 13x-19x."""


@dataclass(frozen=True, slots=True)
class Note:
    """A reason in both languages."""

    zh: str
    en: str


class Reading(NamedTuple):
    """A normalized value with what was wrong or doubtful about it.

    A named tuple, not a dataclass: one is made for most cells of a sheet, and
    a frozen dataclass takes several times longer to make.
    """

    value: str | None
    problem: Note | None = None
    doubt: Note | None = None


_WHITESPACE = re.compile(r"\s+")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_DOT_GAP = re.compile(r" ?· ?")
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", "∙": "·", "‧": "·", "●": "·"})
_PLAIN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
"""Chinese characters only: no space, dot, control character or anything else the cleaning touches."""
_PLAIN_PHONE = re.compile(r"[0-9]{11}")
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9Xx]")


def normalize_name(value: object) -> str:
    """A rider's name: trimmed, whitespace runs collapsed, no gaps inside Chinese.

    Clerks pad two-character names to line them up ("张　三"), so a space
    between two Chinese characters is dropped; "Ahmat  Tursun" keeps one.
    Variants of the middle dot in minority names become "·".
    Control characters and terminal escape codes are removed.
    """
    if value.__class__ is str and _PLAIN_NAME.fullmatch(value):  # most names: nothing below changes them
        return value
    text = _WHITESPACE.sub(" ", strip_controls(cell_text(value)).translate(_NAME_DOTS)).strip()
    text = _CJK_GAP.sub("", text)
    return _DOT_GAP.sub("·", text)


def normalize_text(value: object) -> str | None:
    """Short text (a platform, a header): trimmed, whitespace runs collapsed, no control characters."""
    text = " ".join(strip_controls(cell_text(value)).split())
    return text or None


@remember_text_cells
def normalize_free_text(value: object) -> str | None:
    """Free text a person typed (a note, a station): ``normalize_text`` and then
    ID numbers replaced by a marker and mobile numbers masked
    (``competition.privacy.scrub_personal_numbers``), so they never reach the
    journal, ``entrants list --json`` or a printout."""
    text = normalize_text(value)
    return scrub_personal_numbers(text) if text else None


def normalize_extra(value: object) -> str | None:
    """A cell of a column Trackside does not know (kept in ``extra``).

    ID numbers are always replaced by a marker. A cell that is nothing but
    one mobile number is a contact column's value (紧急联系电话) and is kept
    whole like the rider's own phone; a mobile inside longer text is masked.
    """
    text = normalize_text(value)
    if not text:
        return None
    if MOBILE.match(_clean_phone_text(unquote(text.translate(FULL_WIDTH)))):
        return text
    return scrub_personal_numbers(text)


_PHONE_JOINERS = re.compile(r"[\s\-‐‑–—―.()\[\]【】]+")
_PHONE_SPLIT = re.compile(r"[/,;、，；]|或")
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+$")
_DECIMAL_ZERO = re.compile(r"^([0-9]+)\.0+$")


_QUOTED = re.compile(r'^=?"(.*)"$|^\'(.*)$')


def unquote(text: str) -> str:
    """Digits that a clerk or an export protected as text: ="138…", '138…."""
    match = _QUOTED.match(text)
    if match is None:
        return text
    return (match.group(1) if match.group(1) is not None else match.group(2)).strip()


def _strip_country(digits: str) -> str:
    if digits.startswith("+86"):
        return digits[3:]
    if digits.startswith("0086") and len(digits) == 15:
        return digits[4:]
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    return digits


def _clean_phone_text(text: str) -> str:
    return _strip_country(_PHONE_JOINERS.sub("", text))


def normalize_phone(value: object) -> Reading:
    """Phone digits from whatever the cell holds.

    Numbers (int or float, Excel's way of storing a phone typed as a number)
    keep all their digits; text loses spaces, dashes, dots, brackets and a
    "+86"/"86"/"0086" prefix, and full-width digits become ASCII. The result
    is not yet judged a mobile number: that is the model's job.
    """
    if value.__class__ is str and _PLAIN_PHONE.fullmatch(value):  # 11 ASCII digits: nothing below changes them
        return Reading(value)
    if value is None or isinstance(value, bool):
        return Reading(cell_text(value) or None)
    if isinstance(value, int):
        return Reading(_strip_country(str(value)))
    if isinstance(value, float):
        whole = float_digits(value)
        if whole is None:
            return Reading(None, problem=Note("手机号不是整数", "the phone number is not a whole number"))
        return Reading(_strip_country(whole))
    text = unquote(cell_text(value).translate(FULL_WIDTH))
    if not text:
        return Reading(None)
    if _SCIENTIFIC.match(text):
        return _scientific_phone(text)
    match = _DECIMAL_ZERO.match(text)
    if match:
        text = match.group(1)
    parts = [p for p in _PHONE_SPLIT.split(text) if p.strip()]
    if len(parts) > 1:
        first = _clean_phone_text(parts[0])
        if MOBILE.match(first):
            return Reading(first, doubt=Note(
                f"单元格里有 {len(parts)} 个号码，取第一个 {first}",
                f"the cell holds {len(parts)} numbers; the first, {first}, was taken",
            ))
    return Reading(_clean_phone_text(text))


def _scientific_phone(text: str) -> Reading:
    mantissa = text.lower().split("e")[0]
    significant = len(mantissa.replace(".", "").lstrip("0"))
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        return Reading(text)
    if significant < 11 or number != number.to_integral_value():
        return Reading(None, problem=Note(
            f"手机号被存成了科学计数法“{text}”，后几位已丢失，请把该列设为文本后重新填写",
            f"the phone was saved in scientific notation ({text}) and lost digits; "
            "format the column as text and type it again",
        ))
    return Reading(_strip_country(str(int(number))))


def explain_phone(digits: str | None) -> Note:
    """Why a cleaned phone value is not a mainland mobile number."""
    if not digits:
        return Note("缺少手机号", "the phone number is missing")
    if not digits.isascii() or not digits.isdigit():
        return Note("手机号含有数字以外的字符", "the phone number holds characters other than digits")
    if digits.startswith("0") and 9 <= len(digits) <= 12:
        return Note("像是固定电话（以区号开头），需要手机号",
                    "this looks like a landline (it starts with an area code); a mobile number is needed")
    if len(digits) != 11:
        return Note(f"手机号应为 11 位数字，这里是 {len(digits)} 位",
                    f"a mobile number has 11 digits, this one has {len(digits)}")
    return Note("不是有效的手机号（应以 13–19 开头）",
                "not a valid mainland mobile number (it must start with 13-19)")


_GENDERS = {
    "男": "男", "男性": "男", "男士": "男", "先生": "男", "m": "男", "male": "男", "man": "男",
    "女": "女", "女性": "女", "女士": "女", "f": "女", "female": "女", "woman": "女",
}


@remember_text_cells
def normalize_gender(value: object) -> Reading:
    """"男"/"女" from the usual Chinese and English spellings; anything else is a doubt."""
    text = cell_text(value)
    if not text:
        return Reading(None)
    key = _WHITESPACE.sub("", text.translate(FULL_WIDTH)).lower()
    if key in _GENDERS:
        return Reading(_GENDERS[key])
    return Reading(None, doubt=Note(f"看不懂的性别“{text}”，已留空",
                                    f"unknown gender '{text}', left empty"))


def normalize_id_number(value: object) -> Reading:
    """An ID number as upper-case ASCII text; suspect ones are kept with a doubt.

    A cell stored as a number has lost its last digits in Excel (15
    significant digits), so unless the digits still pass the checksum it is
    dropped with a doubt rather than stored wrong.
    """
    if value is None or value == "":
        return Reading(None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = cell_text(value)
        if id_checksum_ok(digits):
            return Reading(digits)
        if len(digits) < 15:  # a short number lost nothing: it is just not an ID
            return Reading(digits, doubt=Note("不是 18 位居民身份证号，请核对",
                                              "not an 18-character resident ID number; please check it"))
        return Reading(None, doubt=Note(
            f"身份证号被存成了数字（{len(digits)} 位），后几位已丢失，未导入；请把该列设为文本后重新填写",
            f"the ID number was stored as a number ({len(digits)} digits) and lost digits; "
            "it was not imported: format the column as text and type it again",
        ))
    if value.__class__ is str and _PLAIN_ID.fullmatch(value):  # what the cleaning below makes of it
        text = value.upper()
    else:
        text = unquote(_WHITESPACE.sub("", cell_text(value).translate(FULL_WIDTH))).upper()
    if not text:
        return Reading(None)
    if ID18.match(text):
        if id_checksum_ok(text):
            return Reading(text)
        return Reading(text, doubt=Note("身份证号校验位不对，请核对",
                                        "the ID number's check digit is wrong; please check it"))
    if re.fullmatch(r"[0-9]{15}", text):
        return Reading(text, doubt=Note("这是 15 位旧身份证号", "this is an old 15-digit ID number"))
    return Reading(text, doubt=Note("不是 18 位居民身份证号，请核对",
                                    "not an 18-character resident ID number; please check it"))


_BIB = re.compile(r"0*([0-9]+)(?:\.0+)?")


def normalize_bib(value: object) -> Reading:
    """Bib digits from an int, a whole float, or digit text (leading zeros dropped).

    Anything else comes back as written, for the model to reject.
    """
    if value is None:
        return Reading(None)
    text = cell_text(value).translate(FULL_WIDTH).strip()
    if not text:
        return Reading(None)
    match = _BIB.fullmatch(text)
    return Reading(match.group(1) if match else text)
