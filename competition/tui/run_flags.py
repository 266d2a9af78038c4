"""Implausible runs, flagged on the timing screen (no Textual here).

The rule is the event core's (``competition.plausibility``: below the minimum
run, over the time limit, or far from the field by the median absolute
deviation); this only renames its codes to the screen's short ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from competition.plausibility import field_spread, run_flags
from courses.schema import Course

_SHORT = {"below_min_run": "below_min", "over_time_limit": "over_limit", "far_from_field": "far_from_field"}


def flags_for_run(raw_ns: int | None, status: str, course: Course, field_ns: Sequence[int]) -> tuple[str, ...]:
    """Codes for what is implausible about one run's raw time: below_min, over_limit, far_from_field."""
    found = run_flags(raw_ns, min_run_ns=course.min_run_ns, time_limit_ns=course.time_limit_ns,
                      spread=field_spread(field_ns))
    return tuple(_SHORT.get(code, code) for code in found)
