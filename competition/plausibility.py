"""Which timed runs look implausible, so the referee looks again before they count.

A run is flagged when its raw time is under the course's minimum run time
(only a forced assignment or a hand correction can do that), over the time
limit, or far from the field: outside median ± K scaled MADs of the round's OK
runs, once the round has at least ``MIN_FIELD`` of them. A mis-paired finish
(the next rider's, or one from before the session) lands there. The flags are
advice on the screen and in ``runs --json``; they change no result.

``field_spread`` and ``run_flags`` are pure (integer nanoseconds, no floats);
``round_flags`` reads the runs of an event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from competition.event import Event

BELOW_MIN_RUN = "below_min_run"
OVER_TIME_LIMIT = "over_time_limit"
FAR_FROM_FIELD = "far_from_field"
FLAGS = (BELOW_MIN_RUN, OVER_TIME_LIMIT, FAR_FROM_FIELD)

MIN_FIELD = 5
"""OK runs a round needs before "far from the field" is judged."""
K_SCALED_MADS = 3
"""How many scaled MADs (MAD × 1.4826, the standard deviation of a normal field) count as far."""
MAD_SCALE = (14826, 10000)
MIN_SPREAD_PER_MILLE = 50
"""The band is never narrower than 5 % of the median each side (a field of equal times)."""


@dataclass(frozen=True, slots=True)
class FieldSpread:
    """The middle of a round's OK times and how far from it a run may be."""

    median_ns: int
    mad_ns: int
    low_ns: int
    high_ns: int
    size: int


def _median(values: Sequence[int]) -> int:
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) // 2


def field_spread(raw_times: Iterable[int]) -> FieldSpread | None:
    """Median ± K scaled MADs of the given OK times; ``None`` under ``MIN_FIELD`` times."""
    times = [int(t) for t in raw_times]
    if len(times) < MIN_FIELD:
        return None
    median = _median(times)
    mad = _median([abs(t - median) for t in times])
    half = K_SCALED_MADS * mad * MAD_SCALE[0] // MAD_SCALE[1]
    half = max(half, median * MIN_SPREAD_PER_MILLE // 1000)
    return FieldSpread(median, mad, median - half, median + half, len(times))


def run_flags(raw_ns: int | None, *, min_run_ns: int, time_limit_ns: int, spread: FieldSpread | None) -> list[str]:
    """Why one timed run looks implausible (empty when it does not, or has no time)."""
    if raw_ns is None:
        return []
    flags: list[str] = []
    if raw_ns < min_run_ns:
        flags.append(BELOW_MIN_RUN)
    if raw_ns > time_limit_ns:
        flags.append(OVER_TIME_LIMIT)
    if spread is not None and not spread.low_ns <= raw_ns <= spread.high_ns:
        flags.append(FAR_FROM_FIELD)
    return flags


def _counts_in_field(r: dict[str, Any]) -> bool:
    return (
        r["state"] == "finished" and r["status"] == "OK" and bool(r["counts"]) and r["raw_ns"] is not None
    )


def round_flags(event: Event, runs: Sequence[dict[str, Any]] | None = None) -> dict[int, list[str]]:
    """Flags by run id for the given run rows (default: every run), each judged against its own round."""
    course = event.course
    if runs is None:
        runs = event.store.query("SELECT * FROM runs ORDER BY run_id")
    rounds = {r["round"] for r in runs}
    field: dict[str, list[int]] = defaultdict(list)
    if rounds:
        marks = ",".join("?" * len(rounds))
        for r in event.store.query(f"SELECT * FROM runs WHERE round IN ({marks})", sorted(rounds)):
            if _counts_in_field(r):
                field[r["round"]].append(int(r["raw_ns"]))
    spreads = {code: field_spread(times) for code, times in field.items()}
    out: dict[int, list[str]] = {}
    for r in runs:
        if r["state"] != "finished":
            continue
        flags = run_flags(
            r["raw_ns"], min_run_ns=course.min_run_ns, time_limit_ns=course.time_limit_ns,
            spread=spreads.get(r["round"]),
        )
        if flags:
            out[int(r["run_id"])] = flags
    return out
