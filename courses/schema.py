"""The course: ordered judged segments, their infractions and the rules of a contest.

These pydantic models are the validated, frozen form of a course file (TOML, see
``courses/loader.py`` and ``docs/COURSES.md``). Every time is an ``int`` of
nanoseconds; the TOML file writes seconds and the loader converts them exactly.

Rule checks that involve more than one field (duplicate codes and hotkeys, an
eliminating infraction that also carries seconds, …) raise
``PydanticCustomError("course_rule", …)`` whose context carries the Chinese and
English reason and the TOML key the problem sits at, so the loader can report it
in plain words instead of pydantic jargon.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from courses.union_rules import CategoryRule, CompositeRule, OrganizingAwardRule, TeamRule

NS_PER_SECOND = 1_000_000_000
DEFAULT_PRECISION_NS = 10_000_000  # 0.01 s
DEFAULT_MAJOR_THRESHOLD_NS = 5 * NS_PER_SECOND

Code = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Hotkey = Annotated[StrictStr, Field(pattern=r"^[a-z0-9]$")]
Name = Annotated[StrictStr, Field(min_length=1, max_length=80)]

ScoringMode = Literal["time_plus_penalty", "faults_then_time"]
TieBreakStep = Literal[
    "fewer_penalty_calls",
    "fewer_major_penalties",
    "faster_raw",
    "better_other_attempt",
    "style_score",
]
Counting = Literal["best", "sum"]
PrizeSource = Literal["rank", "style"]

_FROZEN = ConfigDict(extra="forbid", frozen=True, revalidate_instances="always")


def course_rule(zh: str, en: str, at: str = "") -> PydanticCustomError:
    """A rule violation the loader shows as-is: Chinese and English reason, TOML key suffix."""
    return PydanticCustomError("course_rule", "{en}", {"zh": zh, "en": en, "at": at})


class Infraction(BaseModel):
    """One thing a judge can call in a segment: 碰杆 +3 s, 闯红灯 DSQ, …

    ``penalty_ns`` is added once per call; ``cap`` limits how many calls count in
    one run (未上桥 counts at most once per wheel); ``eliminates`` disqualifies the
    run at the first call and ``eliminates_after`` at the n-th (漏杆: two missed
    poles = DSQ).
    """

    model_config = _FROZEN

    code: Code
    name_zh: Name
    name_en: Name
    hotkey: Hotkey
    penalty_ns: Annotated[StrictInt, Field(ge=0)] = 0
    eliminates: StrictBool = False
    cap: Annotated[StrictInt, Field(ge=1)] | None = None
    eliminates_after: Annotated[StrictInt, Field(ge=1)] | None = None

    # Set by the enclosing Course so that ``major`` follows the course's threshold.
    _major_threshold_ns: int = PrivateAttr(default=DEFAULT_MAJOR_THRESHOLD_NS)

    @model_validator(mode="after")
    def _penalty_or_elimination(self) -> Infraction:
        if self.eliminates and self.penalty_ns:
            raise course_rule(
                "取消成绩（eliminates = true）的违规不应再写罚时秒数，请删去 seconds 或改为 eliminates = false",
                "an eliminating infraction (eliminates = true) must not also carry seconds; "
                "remove `seconds` or set eliminates = false",
                "seconds",
            )
        if self.eliminates and self.eliminates_after is not None:
            raise course_rule(
                "eliminates = true 已在第一次判罚时取消成绩，不能再写 eliminates_after",
                "eliminates = true already disqualifies at the first call; remove eliminates_after",
                "eliminates_after",
            )
        if (
            self.cap is not None
            and self.eliminates_after is not None
            and self.eliminates_after > self.cap
        ):
            raise course_rule(
                f"eliminates_after（{self.eliminates_after}）大于上限 cap（{self.cap}），永远不会生效",
                f"eliminates_after ({self.eliminates_after}) exceeds cap ({self.cap}) and could never apply",
                "eliminates_after",
            )
        return self

    @property
    def major(self) -> bool:
        """A major penalty (tie-break "fewer major penalties"): ≥ the course threshold, or DSQ."""
        return self.eliminates or self.penalty_ns >= self._major_threshold_ns


class Segment(BaseModel):
    """A judged part of the course (单边桥, 限宽门, …) or the run-wide 全程 group."""

    model_config = _FROZEN

    code: Code
    name_zh: Name
    name_en: Name
    hotkey: Hotkey
    infractions: Annotated[tuple[Infraction, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_within_segment(self) -> Segment:
        seen_codes: dict[str, int] = {}
        seen_keys: dict[str, int] = {}
        for i, inf in enumerate(self.infractions):
            if inf.code in seen_codes:
                raise course_rule(
                    f"违规代码 “{inf.code}” 在本赛段重复（与 infractions[{seen_codes[inf.code]}] 相同）",
                    f"infraction code '{inf.code}' is used twice in this segment "
                    f"(also infractions[{seen_codes[inf.code]}])",
                    f"infractions[{i}].code",
                )
            if inf.hotkey in seen_keys:
                raise course_rule(
                    f"快捷键 “{inf.hotkey}” 在本赛段重复（与 infractions[{seen_keys[inf.hotkey]}] 相同）",
                    f"hotkey '{inf.hotkey}' is used twice in this segment "
                    f"(also infractions[{seen_keys[inf.hotkey]}])",
                    f"infractions[{i}].hotkey",
                )
            seen_codes[inf.code] = i
            seen_keys[inf.hotkey] = i
        return self

    def infraction(self, code: str) -> Infraction:
        """The infraction with this code; ``KeyError`` if the segment has none."""
        for inf in self.infractions:
            if inf.code == code:
                return inf
        raise KeyError(f"segment {self.code!r} has no infraction {code!r}")


class RoundRule(BaseModel):
    """How one round is run: attempts per rider and which of them count."""

    model_config = _FROZEN

    code: Code
    name_zh: Name
    name_en: Name
    attempts: Annotated[StrictInt, Field(ge=1, le=20)]
    counting: Counting
    advance: Annotated[StrictInt, Field(ge=1)] | None = None
    """How many go on to the next round (ties at the cut all advance); None = last round."""


class PrizeTier(BaseModel):
    """A prize: how many, and whether by rank or by the judges' style score."""

    model_config = _FROZEN

    code: Code
    name_zh: Name
    name_en: Name
    count: Annotated[StrictInt, Field(ge=0)]
    source: PrizeSource


class InfractionRef(NamedTuple):
    """An infraction with its segment, its place in course order and whether it is major."""

    order: int
    segment: Segment
    infraction: Infraction
    major: bool


class Course(BaseModel):
    """A whole course and rule set, as one organizer file describes it."""

    model_config = _FROZEN

    id: Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
    name_zh: Name
    name_en: Name
    segments: Annotated[tuple[Segment, ...], Field(min_length=1)]
    general: Segment | None = None
    time_limit_ns: Annotated[StrictInt, Field(gt=0)]
    precision_ns: Annotated[StrictInt, Field(gt=0)] = DEFAULT_PRECISION_NS
    double_trigger_ns: Annotated[StrictInt, Field(ge=0)]
    min_run_ns: Annotated[StrictInt, Field(ge=0)]
    major_threshold_ns: Annotated[StrictInt, Field(gt=0)] = DEFAULT_MAJOR_THRESHOLD_NS
    scoring_mode: ScoringMode
    tie_break: tuple[TieBreakStep, ...]
    rounds: Annotated[tuple[RoundRule, ...], Field(min_length=1)]
    prizes: tuple[PrizeTier, ...] = ()
    appeal_window_minutes: Annotated[StrictInt, Field(ge=0, le=24 * 60)] = 30
    """How long results stay 成绩公示 (provisional) for written appeals before they can be official."""
    teams: TeamRule | None = None
    organizing_award: OrganizingAwardRule | None = None
    categories: CategoryRule | None = None
    composite: CompositeRule | None = None
    one_prize_per_person: StrictBool = True
    """False lets a rank prize winner also take 最佳风采奖 (and a rider win in two categories' lists)."""

    _index: dict[tuple[str, str], InfractionRef] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_checks(self) -> Course:
        groups = self.all_segments()
        codes: dict[str, str] = {}
        keys: dict[str, str] = {}
        for i, seg in enumerate(groups):
            where = (
                "general" if self.general is not None and i == len(groups) - 1 else f"segments[{i}]"
            )
            if seg.code in codes:
                raise course_rule(
                    f"赛段代码 “{seg.code}” 重复（与 {codes[seg.code]} 相同）",
                    f"segment code '{seg.code}' is used twice (also {codes[seg.code]})",
                    f"{where}.code",
                )
            if seg.hotkey in keys:
                raise course_rule(
                    f"赛段快捷键 “{seg.hotkey}” 重复（与 {keys[seg.hotkey]} 相同）",
                    f"segment hotkey '{seg.hotkey}' is used twice (also {keys[seg.hotkey]})",
                    f"{where}.hotkey",
                )
            codes[seg.code] = where
            keys[seg.hotkey] = where
        if self.min_run_ns >= self.time_limit_ns:
            raise course_rule(
                "最短有效用时 min_run 必须小于限时 time_limit",
                "min_run must be shorter than time_limit",
                "min_run",
            )
        # A second trigger inside double_trigger is ignored: a window as long as a
        # run would swallow real finishes (and starts), so it must end before min_run.
        if self.double_trigger_ns >= self.min_run_ns and self.double_trigger_ns > 0:
            raise course_rule(
                "重复触发窗口 double_trigger 必须小于最短有效用时 min_run（且 min_run 小于限时 time_limit），"
                "否则真实的出发和终点信号会被当作重复触发忽略",
                "double_trigger must be shorter than min_run (and min_run shorter than time_limit); "
                "otherwise real starts and finishes are ignored as double triggers",
                "double_trigger",
            )
        for i, step in enumerate(self.tie_break):
            if step in self.tie_break[:i]:
                raise course_rule(
                    f"决胜规则 “{step}” 重复",
                    f"tie-break step '{step}' is listed twice",
                    f"tie_break[{i}]",
                )
        _unique_codes(self.rounds, "rounds", "轮次")
        _unique_codes(self.prizes, "prizes", "奖项")
        # Private state: the threshold each infraction's ``major`` follows, and a
        # lookup table so scoring 50 000 riders does not scan segments per call.
        index: dict[tuple[str, str], InfractionRef] = {}
        for seg in groups:
            for inf in seg.infractions:
                inf._major_threshold_ns = self.major_threshold_ns
                index[(seg.code, inf.code)] = InfractionRef(len(index), seg, inf, inf.major)
        self._index = index
        return self

    def all_segments(self) -> tuple[Segment, ...]:
        """The riding-order segments, then the run-wide group (全程) if there is one."""
        if self.general is None:
            return self.segments
        return (*self.segments, self.general)

    def segment(self, code: str) -> Segment:
        """The segment (or the general group) with this code; ``KeyError`` if none."""
        for seg in self.all_segments():
            if seg.code == code:
                return seg
        raise KeyError(f"course {self.id!r} has no segment {code!r}")

    def infraction(self, segment_code: str, code: str) -> Infraction:
        """The infraction ``code`` of segment ``segment_code``; ``KeyError`` if none."""
        return self.locate(segment_code, code).infraction

    def locate(self, segment_code: str, code: str) -> InfractionRef:
        """Infraction, segment and course-order position in one dict look-up (for scoring).

        Raises ``KeyError`` if the course has no such infraction.
        """
        # Read the private dict directly: pydantic's private-attribute lookup is slow
        # and scoring 50 000 riders calls this once per penalty line.
        index: dict[tuple[str, str], InfractionRef] = self.__pydantic_private__["_index"]  # type: ignore[index]
        try:
            return index[(segment_code, code)]
        except KeyError:
            raise KeyError(
                f"course {self.id!r} has no infraction {code!r} in segment {segment_code!r}"
            ) from None

    def round(self, code: str) -> RoundRule:
        """The round rule with this code (``prelim``, ``final``…); ``KeyError`` if none."""
        for rule in self.rounds:
            if rule.code == code:
                return rule
        raise KeyError(f"course {self.id!r} has no round {code!r}")


def _unique_codes(items: tuple[Any, ...], key: str, what_zh: str) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.code in seen:
            raise course_rule(
                f"{what_zh}代码 “{item.code}” 重复（与 {key}[{seen[item.code]}] 相同）",
                f"{key} code '{item.code}' is used twice (also {key}[{seen[item.code]}])",
                f"{key}[{i}].code",
            )
        seen[item.code] = i
