"""The pydantic model every normalized row must pass before it becomes a rider."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from competition.registration.values import Note, explain_phone

MAX_BIB = 999_999


class RiderRecord(BaseModel):
    """A registration row after normalization: a name, a mainland mobile, the rest optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=40)]
    phone: Annotated[str, Field(pattern=r"^1[3-9][0-9]{9}$")]
    gender: Literal["男", "女"] | None = None
    platform: str | None = None
    station: str | None = None
    id_number: str | None = None
    note: str | None = None
    bib: Annotated[int, Field(ge=1, le=MAX_BIB)] | None = None

    @field_validator("name")
    @classmethod
    def _name_has_letters(cls, name: str) -> str:
        # A phone or a running number typed into the name column is no name.
        if not any(ch.isalpha() for ch in name):
            raise ValueError("name has no letters")
        return name


def explain(error: ValidationError, values: dict[str, object]) -> list[tuple[str, Note]]:
    """(field, reason) for each field the model refused, in the model's field order."""
    failed = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    reasons: list[tuple[str, Note]] = []
    for field in RiderRecord.model_fields:
        if field not in failed:
            continue
        value = values.get(field)
        if field == "name":
            if not value:
                reasons.append((field, Note("缺少姓名", "the name is missing")))
            elif len(str(value)) > 40:
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
