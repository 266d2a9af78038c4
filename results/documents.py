"""View models for every printed document and export: plain, frozen data.

The lead's code fills these from the event file; ``results.printing`` turns them
into HTML and ``results.exports`` into CSV/XLSX/JSON. They carry no ID numbers
at all, and phones in full (the renderers mask them), so nothing here decides
what is private: the output side does, in one place.

Times are integer nanoseconds. Small formatting methods live here because both
the HTML and the spreadsheet exports say the same things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date
from typing import Literal, NamedTuple

from competition.glossary import STATUSES, place_text, score_text, status_word
from competition.times import format_duration, format_penalty

Lang = Literal["zh", "en"]

# The printed words for each status are the glossary's (competition/glossary.py).
STATUS_LABELS: dict[str, dict[str, str]] = {
    "zh": {code: term.zh for code, term in STATUSES.items()},
    "en": {code: term.en for code, term in STATUSES.items()},
}


def status_label(status: str, lang: Lang) -> str:
    """The status as printed: ``DSQ`` -> ``取消成绩`` in Chinese; unknown codes pass through."""
    return status_word(status, "en" if lang == "en" else "zh")


@dataclass(frozen=True)
class EventInfo:
    """What every page header says: the event, its day, its course and precision."""

    title: str
    date: str  # ISO "2026-11-28"
    course_name_zh: str
    course_name_en: str
    precision_ns: int
    lang: Lang = "zh"
    organizer: str | None = None

    def date_text(self) -> str:
        """The date in the reader's words: ``2026年11月28日`` or ``28 November 2026``.

        A date that is not ISO is shown as given rather than refused: a print
        run minutes before the ceremony must not fail on a typo'd date.
        """
        try:
            day = Date.fromisoformat(self.date)
        except ValueError:
            return self.date
        if self.lang == "en":
            return f"{day.day} {day.strftime('%B')} {day.year}"
        return f"{day.year}年{day.month}月{day.day}日"

    @property
    def course_name(self) -> str:
        return self.course_name_en if self.lang == "en" else self.course_name_zh


@dataclass(frozen=True)
class PenaltyItem:
    """One kind of infraction on a run, counted: ``绕杆·碰杆 ×2 = +6 s``.

    ``seconds_ns`` is the TOTAL for the item (count × each, after the course's
    cap), not the per-infraction value, so a capped item prints what was added.
    """

    segment_zh: str
    segment_en: str
    name_zh: str
    name_en: str
    count: int
    seconds_ns: int
    eliminates: bool
    segment_code: str | None = None
    code: str | None = None

    def describe(self, lang: Lang) -> str:
        """Compact text for a table cell: ``绕杆·碰杆×2 +6`` or ``单边·摔车 取消成绩``
        (English: ``Slalom: Pole down×2 +6``)."""
        segment = self.segment_en if lang == "en" else self.segment_zh
        name = self.name_en if lang == "en" else self.name_zh
        # English gets a breakable separator: a long "junction·Stopped" would be one
        # unbreakable word and widen the printed column.
        joiner = ": " if lang == "en" else "·"
        text = f"{segment}{joiner}{name}" if segment else name
        if self.count != 1:
            text += f"×{self.count}"
        if self.eliminates:
            return f"{text} {status_label('DSQ', lang)}"
        return f"{text} {format_penalty(self.seconds_ns)}"


class Attempt(NamedTuple):
    """One run of a best-of-N round; ``counts`` marks the run the rank is taken from."""

    attempt: int
    status: str
    raw_ns: int | None
    penalty_ns: int
    adjusted_ns: int | None
    counts: bool = False

    def describe(self, precision_ns: int, lang: Lang) -> str:
        """``1: 1:02.34 +3 = 1:05.34`` (or the status when the run has no time)."""
        if self.status != "OK" or self.adjusted_ns is None:
            return f"{self.attempt}: {status_label(self.status, lang)}"
        raw = format_duration(self.raw_ns, precision_ns)
        adjusted = format_duration(self.adjusted_ns, precision_ns)
        if self.penalty_ns:
            return f"{self.attempt}: {raw} {format_penalty(self.penalty_ns)} = {adjusted}"
        return f"{self.attempt}: {adjusted}"


class Infraction(NamedTuple):
    """One column of a judge's paper sheet: what to tally, what it costs, its cap."""

    code: str
    name_zh: str
    name_en: str
    seconds_ns: int
    eliminates: bool
    cap: int | None = None


@dataclass(frozen=True)
class ResultRow:
    """One rider's line in a round: rank, time, penalties, what they won or where they stand."""

    rank: int | None
    shared: bool
    bib: int
    name: str
    gender: str | None
    phone: str  # full 11 digits; every printed output masks it
    platform: str | None
    station: str | None
    status: str  # "OK" | "DNF" | "DSQ" | "DNS"
    raw_ns: int | None
    penalty_ns: int
    adjusted_ns: int | None
    penalties: tuple[PenaltyItem, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    qualified: bool = False
    prize_zh: str | None = None
    prize_en: str | None = None
    note_zh: str | None = None
    note_en: str | None = None

    def __post_init__(self) -> None:
        # Accept plain tuples for attempts (the shape the brief names) and mark the
        # counting run when the caller did not: the OK run whose adjusted time is
        # the row's. Frozen, so the normalised tuple goes in through object.__setattr__.
        attempts = tuple(a if isinstance(a, Attempt) else Attempt(*a) for a in self.attempts)
        if attempts and not any(a.counts for a in attempts) and self.adjusted_ns is not None:
            for i, a in enumerate(attempts):
                if a.status == "OK" and a.adjusted_ns == self.adjusted_ns:
                    attempts = (*attempts[:i], a._replace(counts=True), *attempts[i + 1 :])
                    break
        object.__setattr__(self, "attempts", attempts)
        object.__setattr__(self, "penalties", tuple(self.penalties))

    def prize(self, lang: Lang) -> str | None:
        return self.prize_en if lang == "en" else self.prize_zh

    def place(self) -> str:
        """The place as printed: ``2``, ``=3``; nothing for DNF/DSQ/DNS (they are listed, not placed)."""
        return place_text(self.rank, self.shared, self.status)

    def note(self, lang: Lang) -> str | None:
        return (self.note_en or self.note_zh) if lang == "en" else self.note_zh

    def penalties_text(self, lang: Lang, separator: str | None = None) -> str:
        """All penalty items on one line, in segment order as given."""
        sep = separator if separator is not None else ("; " if lang == "en" else "；")
        return sep.join(p.describe(lang) for p in self.penalties)

    def attempts_text(self, precision_ns: int, lang: Lang, separator: str | None = None) -> str:
        """Every run of the round, the counting one marked with ``*``."""
        sep = separator if separator is not None else ("; " if lang == "en" else "；")
        return sep.join(
            a.describe(precision_ns, lang) + (" *" if a.counts else "") for a in self.attempts
        )


@dataclass(frozen=True)
class AwardEntry:
    """One prize to one rider. ``place`` is the tier's position in the course's prize
    list (一等奖 1, 二等奖 2, 三等奖 3, 最佳风采奖 4): the award list sorts groups by it."""

    prize_code: str
    prize_zh: str
    prize_en: str
    place: int
    bib: int
    name: str
    platform: str | None
    station: str | None
    phone: str  # full; masked on print
    result_ns: int | None = None
    style_score: int | None = None  # in 1/style_scale points: 92 (scale 10) -> 9.2
    tie_flag_zh: str | None = None
    tie_flag_en: str | None = None
    style_scale: int = 10  # 100 when the score is a median of two judges: 875 -> 8.75

    def prize(self, lang: Lang) -> str:
        return self.prize_en if lang == "en" else self.prize_zh

    def tie_flag(self, lang: Lang) -> str | None:
        return (self.tie_flag_en or self.tie_flag_zh) if lang == "en" else self.tie_flag_zh

    def style_text(self) -> str | None:
        """Style score as a decimal without floats and without losing a digit: 92 -> ``9.2``, 875/100 -> ``8.75``."""
        if self.style_score is None:
            return None
        return score_text(self.style_score, self.style_scale)


@dataclass(frozen=True)
class StartListEntry:
    """One rider in start order (and the row order of the judges' paper sheets)."""

    order: int
    bib: int
    name: str
    gender: str | None
    phone: str  # full; masked on print
    platform: str | None
    station: str | None
    track: int | None = None


@dataclass(frozen=True)
class SegmentSheet:
    """One judged segment and the infractions its judge tallies on paper."""

    code: str
    name_zh: str
    name_en: str
    infractions: tuple[Infraction, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "infractions",
            tuple(i if isinstance(i, Infraction) else Infraction(*i) for i in self.infractions),
        )

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_zh
