"""Write a ``Course`` back as course TOML text (the form the journal stores).

The output uses the same layout as the bundled ``default.toml`` and parses back to
an equal ``Course`` (``parse_course_text(course_to_toml(c)) == c``): times are
written as exact decimal seconds from integer nanoseconds, never via float.
"""

from __future__ import annotations

from courses.schema import Course, Infraction, PrizeTier, RoundRule, Segment

NS_PER_SECOND = 1_000_000_000


def seconds_literal(ns: int) -> str:
    """Exact TOML number of seconds for ``ns``: ``3``, ``2.5``, ``0.01``, ``0.000000001``."""
    sign = "-" if ns < 0 else ""
    whole, frac = divmod(abs(ns), NS_PER_SECOND)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{str(frac).rjust(9, '0').rstrip('0')}"


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def course_to_toml(course: Course) -> str:
    """The course as TOML text that ``parse_course_text`` reads back to an equal Course."""
    lines = [
        "# Trackside course file — times in seconds; see docs/COURSES.md",
        f"id = {toml_string(course.id)}",
        f"name_zh = {toml_string(course.name_zh)}",
        f"name_en = {toml_string(course.name_en)}",
        "",
        f"time_limit = {seconds_literal(course.time_limit_ns)}",
        f"precision = {seconds_literal(course.precision_ns)}",
        f"double_trigger = {seconds_literal(course.double_trigger_ns)}",
        f"min_run = {seconds_literal(course.min_run_ns)}",
        f"major_threshold = {seconds_literal(course.major_threshold_ns)}",
        f"scoring_mode = {toml_string(course.scoring_mode)}",
        "tie_break = [" + ", ".join(toml_string(s) for s in course.tie_break) + "]",
        f"appeal_window_minutes = {course.appeal_window_minutes}",
        f"one_prize_per_person = {'true' if course.one_prize_per_person else 'false'}",
    ]
    lines += _union_lines(course)
    for rule in course.rounds:
        lines += ["", *_round_lines(rule)]
    for tier in course.prizes:
        lines += ["", *_prize_lines(tier)]
    for seg in course.segments:
        lines += ["", *_segment_lines(seg, "segments", array=True)]
    if course.general is not None:
        lines += ["", *_segment_lines(course.general, "general", array=False)]
    return "\n".join(lines) + "\n"


def _round_lines(rule: RoundRule) -> list[str]:
    lines = [
        "[[rounds]]",
        f"code = {toml_string(rule.code)}",
        f"name_zh = {toml_string(rule.name_zh)}",
        f"name_en = {toml_string(rule.name_en)}",
        f"attempts = {rule.attempts}",
        f"counting = {toml_string(rule.counting)}",
    ]
    if rule.advance is not None:
        lines.append(f"advance = {rule.advance}")
    return lines


def _prize_lines(tier: PrizeTier) -> list[str]:
    return [
        "[[prizes]]",
        f"code = {toml_string(tier.code)}",
        f"name_zh = {toml_string(tier.name_zh)}",
        f"name_en = {toml_string(tier.name_en)}",
        f"count = {tier.count}",
        f"source = {toml_string(tier.source)}",
    ]


def _segment_lines(seg: Segment, table: str, *, array: bool) -> list[str]:
    lines = [
        f"[[{table}]]" if array else f"[{table}]",
        f"code = {toml_string(seg.code)}",
        f"name_zh = {toml_string(seg.name_zh)}",
        f"name_en = {toml_string(seg.name_en)}",
        f"hotkey = {toml_string(seg.hotkey)}",
    ]
    for inf in seg.infractions:
        lines += ["", f"  [[{table}.infractions]]", *("  " + x for x in _infraction_lines(inf))]
    return lines


def _infraction_lines(inf: Infraction) -> list[str]:
    lines = [
        f"code = {toml_string(inf.code)}",
        f"name_zh = {toml_string(inf.name_zh)}",
        f"name_en = {toml_string(inf.name_en)}",
        f"hotkey = {toml_string(inf.hotkey)}",
    ]
    if inf.eliminates:
        lines.append("eliminates = true")
    else:
        lines.append(f"seconds = {seconds_literal(inf.penalty_ns)}")
    if inf.cap is not None:
        lines.append(f"cap = {inf.cap}")
    if inf.eliminates_after is not None:
        lines.append(f"eliminates_after = {inf.eliminates_after}")
    return lines


def _union_lines(course: Course) -> list[str]:
    """[teams], [organizing_award] and [categories], when the course has them."""
    lines: list[str] = []
    if course.teams is not None:
        t = course.teams
        lines += ["", "[teams]", f"unit = {toml_string(t.unit)}", f"best = {t.best}", f"min_finishers = {t.min_finishers}"]
        if t.round is not None:
            lines.append(f"round = {toml_string(t.round)}")
        for prize in t.prizes:
            lines += ["", "[[teams.prizes]]", f"code = {toml_string(prize.code)}", f"name_zh = {toml_string(prize.name_zh)}",
                      f"name_en = {toml_string(prize.name_en)}", f"count = {prize.count}"]
    if course.organizing_award is not None:
        o = course.organizing_award
        lines += ["", "[organizing_award]", f"unit = {toml_string(o.unit)}", f"name_zh = {toml_string(o.name_zh)}",
                  f"name_en = {toml_string(o.name_en)}", f"count = {o.count}", f"min_riders = {o.min_riders}",
                  f"no_safety_eliminations = {'true' if o.no_safety_eliminations else 'false'}"]
    if course.composite is not None:
        m = course.composite
        lines += ["", "[composite]", f"practical_points = {toml_string(m.practical_points)}",
                  f"points_per_second = {m.points_per_second}"]
        for part in m.parts:
            lines += ["", "[[composite.parts]]", f"code = {toml_string(part.code)}", f"name_zh = {toml_string(part.name_zh)}",
                      f"name_en = {toml_string(part.name_en)}", f"weight = {part.weight}", f"source = {toml_string(part.source)}"]
    if course.categories is not None:
        c = course.categories
        lines += ["", "[categories]", f"by = {toml_string(c.by)}"]
        if c.names:
            lines += ["", "[categories.names]", *(f"{toml_string(k)} = {toml_string(v)}" for k, v in c.names.items())]
    return lines
