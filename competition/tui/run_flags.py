"""Implausible runs, flagged on the timing screen (no Textual here).

``flags_for_run`` is the display's contract: h5's ``competition/plausibility.py``
(the event core's rule) can replace this body with the same signature. A run is
flagged when its raw time is below the course's minimum run, above the time
limit, or far from the field (under half or over twice the median of at least
``FIELD_MIN`` valid runs of the round) — the signature of a finish paired with
the wrong start.
"""

from __future__ import annotations

from collections.abc import Sequence

from courses.schema import Course

FIELD_MIN = 5  # fewer valid runs than this: no "far from the field" judgement


def flags_for_run(raw_ns: int | None, status: str, course: Course, field_ns: Sequence[int]) -> tuple[str, ...]:
    """Codes for what is implausible about one run's raw time: below_min, over_limit, far_from_field."""
    if raw_ns is None:
        return ()
    flags = []
    if raw_ns < course.min_run_ns:
        flags.append("below_min")
    if raw_ns > course.time_limit_ns:
        flags.append("over_limit")
    times = sorted(field_ns)
    if len(times) >= FIELD_MIN:
        median = times[len(times) // 2]
        if raw_ns * 2 < median or raw_ns > median * 2:
            flags.append("far_from_field")
    return tuple(flags)
