"""Giving an orphan (or candidate) impulse to a rider by hand, seen before it is recorded.

``preview_assignment`` says what an assignment would do: when the impulse
happened (the timer's time of day, how long ago), which rider and run it goes
to and the run time that results. ``assign`` records it, and refuses a result
outside the course's limits (under the minimum run time, over the time limit:
say a six-minute-old start that would time a run at 6:06.87) unless the
referee confirms it with ``force`` and a reason; the payload then says so.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason
from competition.judging import require_unlocked
from competition.times import DAY_NS, decimals_for, format_duration, format_time_of_day
from competition.timing import _device_offset, _finish_outcome, _impulse_row, _start_run, run
from hardware.impulse import Channel

if TYPE_CHECKING:
    from competition.event import Event


def _age_ns(event: Event, imp: dict[str, Any], now_host_ns: int) -> tuple[int | None, bool]:
    """How long ago the impulse happened, on its own clock, and whether that is only a lower bound."""
    if imp["device_time_ns"] is None:
        if imp["replayed"]:
            return None, False  # its host time is the replay's, not its own
        age = now_host_ns - int(imp["host_ns"])
        return (age if age >= 0 else None), False
    device_ns = int(imp["device_time_ns"])
    offset = _device_offset(event, imp["device"])
    lower_bound = False
    if offset is not None:
        now_device, modulus = now_host_ns + offset[0], offset[1]
    else:
        # Only replayed impulses from this device: its newest one is "now" at the earliest.
        row = event.store.conn.execute(
            "SELECT device_time_ns, clock_modulus_ns FROM impulses WHERE device = ? AND device_time_ns IS NOT NULL"
            " ORDER BY seq DESC LIMIT 1",
            (imp["device"],),
        ).fetchone()
        now_device, modulus, lower_bound = int(row[0]), int(row[1] or 0), True
    age = now_device - device_ns
    if modulus:
        age %= modulus
    return (age if age >= 0 else None), lower_bound


def _recorded_utc(event: Event, seq: int) -> str | None:
    row = event.store.conn.execute("SELECT utc FROM journal WHERE seq = ?", (seq,)).fetchone()
    return str(row[0]) if row else None


def impulse_when(event: Event, impulse_seq: int, *, now_host_ns: int | None = None) -> dict[str, Any]:
    """When an impulse happened: the first keys of :func:`preview_assignment`, for any impulse.

    ``now_host_ns`` is the host's monotonic clock now (default ``time.monotonic_ns()``;
    the app passes its own clock, which its tests pin).
    """
    imp = _impulse_row(event, impulse_seq)
    precision = event.course.precision_ns
    age, lower_bound = _age_ns(event, imp, time.monotonic_ns() if now_host_ns is None else now_host_ns)
    day_clock = imp["device_time_ns"] is not None and imp["clock_modulus_ns"] == DAY_NS
    return {
        "impulse_seq": impulse_seq, "track": imp["track"], "channel": imp["channel"], "device": imp["device"],
        "replayed": bool(imp["replayed"]), "manual": bool(imp["manual"]),
        "time_of_day_ns": int(imp["device_time_ns"]) if day_clock else None,
        "time_of_day": format_time_of_day(int(imp["device_time_ns"]), decimals_for(precision)) if day_clock else None,
        "recorded_utc": _recorded_utc(event, impulse_seq),
        "age_ns": age, "age": format_duration(age, precision) if age is not None else None,
        "age_is_lower_bound": lower_bound,
        "raw_ns": None, "raw": None, "running_ns": None, "running": None,
    }


def preview_assignment(
    event: Event, impulse_seq: int, *, bib: int | None = None, run_id: int | None = None,
    now_host_ns: int | None = None,
) -> dict[str, Any]:
    """What assigning ``impulse_seq`` to ``bib`` (a start) or ``run_id`` (a finish) would record.

    Raises ``CommandRefused`` (with the reason) when the assignment is not possible
    at all. Keys: impulse_seq, track, channel, device, replayed, manual,
    time_of_day_ns / time_of_day (the timer's time of day, None without a day
    clock), recorded_utc (when the journal got it), age_ns / age (how long ago by
    ``now_host_ns``, default the host's monotonic clock now,
    None when unknown), age_is_lower_bound, action (start | finish | choose_finish),
    bib, run_id (None for a start: the run is new), raw_ns / raw (the resulting
    run time; for a start None), running_ns / running (for a start: the time
    the rider's clock would show right now), status (the resulting status;
    'on_course' for a start), outside_limits (subset of below_min_run,
    over_time_limit), needs_force.
    """
    imp = _impulse_row(event, impulse_seq)
    if imp["cleared"] or imp["bad_checksum"]:
        raise CommandRefused("该脉冲已被计时器作废或校验失败，不能使用。", "That impulse was cleared or failed its checksum.")
    if imp["disposition"] in ("start", "finish"):
        raise CommandRefused(f"脉冲 {impulse_seq} 已被使用。", f"Impulse {impulse_seq} is already in use.")
    course = event.course
    precision = course.precision_ns
    out = impulse_when(event, impulse_seq, now_host_ns=now_host_ns)
    age = out["age_ns"]
    outside: list[str] = []
    if imp["channel"] == Channel.START.value:
        if bib is None:
            raise CommandRefused("请指定选手号码。", "Name the rider's bib.")
        from competition.start_queue import _why_not

        queued = event.store.query(
            "SELECT 1 FROM queue WHERE round = ? AND bib = ? AND state = 'waiting'", (event.current_round, bib)
        )
        why = None if queued else _why_not(event, bib, event.current_round)
        if why:
            raise CommandRefused(why[0], why[1])
        if age is not None and age > course.time_limit_ns:
            outside.append("over_time_limit")
        out.update(action="start", bib=bib, run_id=None, status="on_course", running_ns=age,
                   running=out["age"])
    elif imp["channel"] == Channel.FINISH.value:
        if run_id is None:
            raise CommandRefused("请指定要给哪一次成绩。", "Name the run.")
        r = run(event, run_id)
        if r["state"] == "void":
            raise CommandRefused("该成绩已作废。", "That run is void.")
        require_unlocked(r)
        result = _finish_outcome(event, _impulse_row(event, r["start_seq"]), imp, r)
        if result["raw_ns"] < course.min_run_ns:
            outside.append("below_min_run")
        if result["over_time_limit"]:
            outside.append("over_time_limit")
        out.update(action="finish" if r["state"] == "on_course" else "choose_finish", bib=r["bib"], run_id=run_id,
                   raw_ns=result["raw_ns"], raw=format_duration(result["raw_ns"], precision),
                   status=result["status"], result=result)
    else:
        raise CommandRefused("只能把出发或终点脉冲分配给选手。", "Only start or finish impulses can be assigned.")
    out["outside_limits"] = outside
    out["needs_force"] = bool(outside)
    return out


def _limits_message(event: Event, pv: dict[str, Any]) -> tuple[str, str]:
    course = event.course
    p = course.precision_ns
    when_zh = f"（计时器时间 {pv['time_of_day']}）" if pv["time_of_day"] else ""
    when_en = f" (timer clock {pv['time_of_day']})" if pv["time_of_day"] else ""
    ago_zh = f"，{pv['age']} 之前" if pv["age"] else ""
    ago_en = f", {pv['age']} ago" if pv["age"] else ""
    head_zh = f"脉冲 {pv['impulse_seq']}{when_zh}{ago_zh}"
    head_en = f"Impulse {pv['impulse_seq']}{when_en}{ago_en}"
    if "below_min_run" in pv["outside_limits"]:
        zh = f"{head_zh}：{pv['bib']} 号的用时将是 {pv['raw']}，短于最短用时 {format_duration(course.min_run_ns, p)}。"
        en = f"{head_en}: bib {pv['bib']}'s run would be {pv['raw']}, under the minimum {format_duration(course.min_run_ns, p)}."
    elif pv["action"] == "start":
        zh = (f"{head_zh}：{pv['bib']} 号的计时此刻已是 {pv['running']}，超过限时"
              f" {format_duration(course.time_limit_ns, p)}。")
        en = (f"{head_en}: bib {pv['bib']}'s clock would already show {pv['running']}, over the time limit"
              f" {format_duration(course.time_limit_ns, p)}.")
    else:
        zh = f"{head_zh}：{pv['bib']} 号的用时将是 {pv['raw']}，超过限时 {format_duration(course.time_limit_ns, p)}。"
        en = f"{head_en}: bib {pv['bib']}'s run would be {pv['raw']}, over the time limit {format_duration(course.time_limit_ns, p)}."
    return (zh + "确认无误请加 --force 并写明理由。", en + " If that is right, confirm with --force and a reason.")


def assign(
    event: Event, impulse_seq: int, *, reason: str, bib: int | None = None, run_id: int | None = None,
    force: bool = False,
) -> int:
    """Record the assignment ``preview_assignment`` describes. Returns the run id."""
    require_reason(reason)
    store = event.store
    with store.transaction():
        pv = preview_assignment(event, impulse_seq, bib=bib, run_id=run_id)
        if pv["outside_limits"] and not force:
            raise CommandRefused(*_limits_message(event, pv))
        extra: dict[str, Any] = {"forced": True, "outside_limits": pv["outside_limits"]} if pv["outside_limits"] else {}
        imp = _impulse_row(event, impulse_seq)
        disposed = {"impulse_seq": impulse_seq, "disposition": "assigned", "reason": reason, "bib": pv["bib"], **extra}
        if pv["action"] == "start":
            store.append("impulse_disposed", disposed)
            return _start_run(event, pv["bib"], imp["track"], impulse_seq, imp["host_ns"], bool(imp["manual"]))
        result = pv["result"]
        if pv["action"] == "finish":
            store.append("impulse_disposed", disposed)
            store.append("run_finished", {"run_id": run_id, "bib": pv["bib"], "finish_seq": impulse_seq, **result})
        else:
            store.append(
                "run_time_chosen",
                {"run_id": run_id, "bib": pv["bib"], "which": "finish", "impulse_seq": impulse_seq, "reason": reason,
                 **result, **extra},
            )
    return int(pv["run_id"] if pv["run_id"] is not None else 0)
