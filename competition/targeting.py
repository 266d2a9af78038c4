"""The rider a referee's key acts on: one rule for every key of the timing screen (no UI here).

The timing screen keeps at most one *pick* (the run the referee chose with
↑/↓) and asks :func:`choose_target` for the target on every redraw and clock
tick. The rule:

1. A picked rider on course stays the target while he is on course; his
   finish ends the pick (the rule below then decides, so a call never follows
   a finisher while someone else rides).
2. A picked finisher stays the target for :data:`GRACE_NS` after his finish
   (late calls), or after the pick if the referee chose him later than that.
3. Otherwise the target is chosen automatically: with a segment armed, the
   rider on course whose progress is nearest that segment; else the oldest
   rider on course; with nobody on course, the rider who finished within the
   grace window; else nobody.

A pick that no longer holds is dropped and reported (``dropped``), so the
screen can say that the target moved; the target never silently stays on a
rider who is no longer eligible.

:func:`refusal` says why an action does not fit the target's state (a DNF for
a rider with a time, a call on a confirmed run…); the screen turns the code
into words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NS_PER_SECOND = 1_000_000_000
GRACE_NS = 15 * NS_PER_SECOND  # late calls on a rider who just finished
HOST_CLOCK_PLAUSIBLE_NS = 6 * 3600 * NS_PER_SECOND  # farther apart: not the same boot


@dataclass(frozen=True)
class Candidate:
    """A run a key may act on: on course, or one of the last finishers of the track."""

    run_id: int
    bib: int
    name: str
    on_course: bool
    start_host_ns: int | None
    finish_host_ns: int | None  # host time of the finish impulse (None: no impulse, e.g. DNF by hand)
    status: str  # OK / DNF / DSQ / DNS
    raw_ns: int | None
    confirmed: bool
    counts: bool


@dataclass(frozen=True)
class Pick:
    """The referee's explicit choice and when it was made (the app's host clock)."""

    run_id: int
    at_ns: int
    on_course: bool = True  # picked while riding: the pick ends at his finish


@dataclass(frozen=True)
class TargetChoice:
    """Who the keys act on now, why, and how long a finisher stays eligible."""

    target: Candidate | None
    why: str  # "picked", "nearest", "oldest", "grace", "nobody"
    grace_left_ns: int | None = None  # for a finisher target
    dropped: Candidate | None = None  # a pick that no longer holds


def since(now_ns: int, then_ns: int | None) -> int | None:
    """``now - then`` on the host clock, or None when the two are not from the same boot."""
    if then_ns is None:
        return None
    elapsed = now_ns - then_ns
    if elapsed < 0 or elapsed > HOST_CLOCK_PLAUSIBLE_NS:
        return None
    return elapsed


def grace_left(candidate: Candidate, now_ns: int, pick: Pick | None = None, grace_ns: int = GRACE_NS) -> int:
    """How long a finisher still takes late calls (0: the window is over)."""
    anchors = [since(now_ns, candidate.finish_host_ns)]
    if pick is not None and pick.run_id == candidate.run_id:
        anchors.append(since(now_ns, pick.at_ns))
    known = [a for a in anchors if a is not None]
    if not known:
        return 0
    return max(0, grace_ns - min(known))


def segment_position(index: int, count: int) -> float:
    """Where along the course segment ``index`` (0-based, of ``count``) lies, 0..1: its middle."""
    return (index + 0.5) / max(1, count)


def reference_run_ns(finished_raw_ns: Sequence[int], time_limit_ns: int) -> int:
    """A typical run time to estimate progress: the median of the field, else a quarter of the limit."""
    times = sorted(t for t in finished_raw_ns if t > 0)
    if not times:
        return max(1, time_limit_ns // 4)
    return times[len(times) // 2]


def nearest_to_segment(
    riders: Sequence[Candidate], position: float, now_ns: int, reference_ns: int
) -> Candidate | None:
    """The rider on course whose estimated progress is nearest ``position`` (ties: the older run)."""
    best: tuple[float, int] | None = None
    chosen = None
    for rider in riders:
        elapsed = since(now_ns, rider.start_host_ns)
        progress = (elapsed or 0) / reference_ns
        key = (abs(progress - position), rider.run_id)
        if best is None or key < best:
            best, chosen = key, rider
    return chosen


def choose_target(
    candidates: Sequence[Candidate],
    *,
    now_ns: int,
    pick: Pick | None,
    position: float | None = None,
    reference_ns: int = 1,
    grace_ns: int = GRACE_NS,
) -> TargetChoice:
    """Apply the rule of the module docstring; ``candidates`` on course oldest first, then finishers newest first."""
    riding = [c for c in candidates if c.on_course]
    dropped = None
    if pick is not None:
        picked = next((c for c in candidates if c.run_id == pick.run_id), None)
        if picked is not None and picked.on_course:
            return TargetChoice(picked, "picked")
        if picked is not None and not pick.on_course and not picked.confirmed:
            left = grace_left(picked, now_ns, pick, grace_ns)
            if left > 0:
                return TargetChoice(picked, "picked", left)
        dropped = picked
    if riding:
        if position is not None:
            nearest = nearest_to_segment(riding, position, now_ns, reference_ns)
            return TargetChoice(nearest, "nearest", dropped=dropped)
        return TargetChoice(riding[0], "oldest", dropped=dropped)
    for c in candidates:
        if not c.on_course and not c.confirmed:
            left = grace_left(c, now_ns, None, grace_ns)
            if left > 0:
                return TargetChoice(c, "grace", left, dropped=dropped)
            break  # only the newest finisher is taken automatically
    return TargetChoice(None, "nobody", dropped=dropped)


# -- which action fits the target's state -------------------------------------------------

ACTIONS_ON_COURSE = ("manual_finish", "undo_start", "dnf")
ACTIONS_ON_FINISHER = ("rerun", "confirm_run", "undo_finish")


def refusal(action: str, target: Candidate | None) -> str | None:
    """Why ``action`` does not fit ``target`` (a code for the screen to word), or None when it does.

    ``action`` is one of ``penalty``, ``dnf``, ``dsq``, ``manual_finish``,
    ``undo_start``, ``rerun``, ``confirm_run``, ``undo_finish``.
    """
    if target is None:
        return "no_target"
    if action in ACTIONS_ON_COURSE and not target.on_course:
        if action == "dnf":
            return "dnf_has_time" if target.raw_ns is not None and target.status == "OK" else "dnf_finished"
        return "not_on_course"
    if action in ACTIONS_ON_FINISHER and target.on_course:
        return "still_on_course"
    if target.confirmed and action in ("penalty", "dsq", "rerun", "undo_finish", "dnf"):
        return "confirmed"
    if action == "confirm_run" and target.confirmed:
        return "already_confirmed"
    if action == "dsq" and target.status == "DSQ":
        return "already_dsq"
    if action == "rerun" and not target.counts:
        return "rerun_granted"
    if action == "undo_finish" and target.finish_host_ns is None and target.raw_ns is None:
        return "no_finish"
    return None
