"""Rules a union skills contest adds to a course: teams, the organizing award, categories.

All optional; a course file without them behaves as before. Written in the
course TOML as ``[teams]``, ``[organizing_award]`` and ``[categories]``
(see ``docs/COURSES.md``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

Unit = Literal["platform", "station", "district"]
_FROZEN = ConfigDict(extra="forbid", frozen=True, revalidate_instances="always")
_Code = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
_Name = Annotated[StrictStr, Field(min_length=1, max_length=80)]


class UnitPrize(BaseModel):
    """A prize for units: 团体一等奖 ×1 …"""

    model_config = _FROZEN

    code: _Code
    name_zh: _Name
    name_en: _Name
    count: Annotated[StrictInt, Field(ge=1, le=50)]


class TeamRule(BaseModel):
    """团体成绩: a unit's best ``best`` riders' adjusted times summed; at least ``min_finishers`` OK.

    Ties are broken by the unit's best rider (the faster best time ranks first);
    equal after that is a shared rank, reported at a prize boundary.
    """

    model_config = _FROZEN

    unit: Unit = "station"
    round: _Code | None = None  # default: the first round (everyone rides it)
    best: Annotated[StrictInt, Field(ge=1, le=50)] = 3
    min_finishers: Annotated[StrictInt, Field(ge=1, le=50)] = 3
    prizes: tuple[UnitPrize, ...] = ()


class OrganizingAwardRule(BaseModel):
    """优秀组织奖 for the units that sent riders: ranked by finish rate, then riders sent.

    A unit needs at least ``min_riders`` registered; with ``no_safety_eliminations``
    a unit any of whose riders was eliminated by an infraction (摔车, 闯红灯…) is not eligible.
    """

    model_config = _FROZEN

    unit: Unit = "platform"
    name_zh: _Name = "优秀组织奖"
    name_en: _Name = "Organizing award"
    count: Annotated[StrictInt, Field(ge=1, le=50)] = 1
    min_riders: Annotated[StrictInt, Field(ge=1)] = 1
    no_safety_eliminations: StrictBool = True


class CategoryRule(BaseModel):
    """组别: each category ranked and awarded on its own.

    ``by``: ``gender`` (男子组/女子组 from the sheet's 性别), ``platform``, or the
    name of a sheet column (for example ``组别``).
    """

    model_config = _FROZEN

    by: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    names: dict[str, _Name] = Field(default_factory=dict)  # sheet value -> shown name (男 -> 男子组)


class CompositePart(BaseModel):
    """One component of a composite score: 实操 from time and penalties, 理论 from a sheet, 风采."""

    model_config = _FROZEN

    code: _Code
    name_zh: _Name
    name_en: _Name
    weight: Annotated[StrictInt, Field(ge=1, le=100)]
    source: Literal["practical", "sheet", "style"]


class CompositeRule(BaseModel):
    """综合成绩 = Σ weight × points / Σ weight, every component in points out of 100.

    The practical's points: ``ratio`` = 100 × the fastest adjusted time / the rider's
    (DNF/DSQ 0); ``linear`` = 100 − ``points_per_second`` × seconds behind the
    fastest (never below 0). Style: the judges' median out of 10, × 10. Points
    are kept in hundredths and truncated, never rounded.
    """

    model_config = _FROZEN

    parts: Annotated[tuple[CompositePart, ...], Field(min_length=1, max_length=8)]
    practical_points: Literal["ratio", "linear"] = "ratio"
    points_per_second: Annotated[StrictInt, Field(ge=1, le=100)] = 1
