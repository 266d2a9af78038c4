"""The check every normalized row must pass before it becomes a rider, without pydantic.

``RiderRecord`` (``rider_record``) states the rule as a pydantic model;
importing pydantic and building that model costs about 0.14 s of a 0.5 s
import, so the reader checks rows here with the same rule in plain Python.
A value of a shape the normalizers never produce (a bib written "+12" or
"1_2", a name with lone surrogates) is handed to the model itself, so the
verdict is always the model's; ``tests/registration/test_rider_check.py``
holds the two to the same answers.
"""

from __future__ import annotations

import re

from competition.registration.values import Note, explain_phone

MAX_BIB = 999_999
MAX_NAME = 40
FIELDS = ("name", "phone", "gender", "platform", "station", "id_number", "note", "bib")
"""The model's fields in its order (the order reasons are given in)."""

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_DIGITS = re.compile(r"[0-9]{1,9}")
_GENDERS = ("男", "女", None)
_TEXT_FIELDS = ("platform", "station", "id_number", "note")
_FIELD_SET = frozenset(FIELDS)


class _Undecided(Exception):
    """A value this module does not judge itself: the model does."""


def _failed_fields(values: dict[str, object]) -> set[str]:
    failed: set[str] = set()
    name = values.get("name")
    if not isinstance(name, str):
        raise _Undecided
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise _Undecided from None
    if not (1 <= len(name) <= MAX_NAME and (name.isalpha() or any(ch.isalpha() for ch in name))):
        failed.add("name")
    phone = values.get("phone")
    if phone is not None and not isinstance(phone, str):
        raise _Undecided
    if phone is None or _MOBILE.fullmatch(phone) is None:
        failed.add("phone")
    if values.get("gender") not in _GENDERS:
        raise _Undecided
    for field in _TEXT_FIELDS:
        value = values.get(field)
        if value is not None and not isinstance(value, str):
            raise _Undecided
    bib = values.get("bib")
    if bib is not None:
        if not isinstance(bib, str) or _DIGITS.fullmatch(bib) is None:
            raise _Undecided
        if not 1 <= int(bib) <= MAX_BIB:
            failed.add("bib")
    if not _FIELD_SET.issuperset(values):
        raise _Undecided
    return failed


def _model_failed_fields(values: dict[str, object]) -> set[str]:
    from pydantic import ValidationError

    from competition.registration.rider_record import RiderRecord

    try:
        RiderRecord.model_validate(values)
    except ValidationError as error:
        return {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    return set()


def rider_problems(values: dict[str, object]) -> list[tuple[str, Note]]:
    """(field, reason) for each field the rule refuses, in the model's field order; [] when the row is a rider."""
    try:
        failed = _failed_fields(values)
    except _Undecided:
        failed = _model_failed_fields(values)
    return explain_fields(failed, values) if failed else []


def explain_fields(failed: set[str], values: dict[str, object]) -> list[tuple[str, Note]]:
    """The reasons for the refused fields, in the model's field order."""
    reasons: list[tuple[str, Note]] = []
    for field in FIELDS:
        if field not in failed:
            continue
        value = values.get(field)
        if field == "name":
            if not value:
                reasons.append((field, Note("缺少姓名", "the name is missing")))
            elif len(str(value)) > MAX_NAME:
                reasons.append((field, Note("姓名太长（超过 40 个字）", "the name is longer than 40 characters")))
            else:
                reasons.append((field, Note("姓名里没有文字", "the name holds no letters")))
        elif field == "phone":
            reasons.append((field, explain_phone(value if isinstance(value, str) else None)))
        elif field == "bib":
            reasons.append((field, Note(f"参赛号必须是 1–{MAX_BIB} 的整数",
                                        f"the bib must be a whole number from 1 to {MAX_BIB}")))
        else:  # only reachable if a normalizer lets through a value the model refuses
            reasons.append((field, Note("值无效", "invalid value")))
    return reasons
