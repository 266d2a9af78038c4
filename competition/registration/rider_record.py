"""The pydantic model that states what a normalized row must be to become a rider.

The reader checks rows with ``rider_check`` (the same rule without importing
pydantic); values of unusual shapes are handed to this model there, and the
tests hold the two to the same answers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from competition.registration.rider_check import MAX_BIB, MAX_NAME, explain_fields
from competition.registration.values import Note


class RiderRecord(BaseModel):
    """A registration row after normalization: a name, a mainland mobile, the rest optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
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
    return explain_fields({str(e["loc"][0]) for e in error.errors() if e["loc"]}, values)
