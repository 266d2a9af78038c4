"""The judges' calls and the head referee's decisions on runs.

Penalties are called against a run (the rider on course, or the one just
finished); a wrong key is undone by withdrawing the call, which keeps both
rows. Statuses, time corrections, reruns and confirmations all carry the
operator (from the journal row) and, where they change a result, a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason

if TYPE_CHECKING:
    from competition.event import Event

STATUSES = ("OK", "DNF", "DSQ", "DNS")


def resolve_infraction(event: Event, segment: str, code: str) -> tuple[str, str]:
    """Segment and infraction by code, Chinese name or hotkey -> their codes."""
    course = event.course
    seg = None
    for s in course.all_segments():
        if segment in (s.code, s.name_zh, s.name_en, s.hotkey):
            seg = s
            break
    # Options by name and hotkey, in the reader's language (codes work too, but are not shown).
    if seg is None:
        zh = "、".join(f"{s.name_zh}[{s.hotkey}]" for s in course.all_segments())
        en = ", ".join(f"{s.name_en} [{s.hotkey}]" for s in course.all_segments())
        raise CommandRefused(f"没有赛段「{segment}」。可用赛段：{zh}", f"No segment \"{segment}\". Segments: {en}")
    for inf in seg.infractions:
        if code in (inf.code, inf.name_zh, inf.name_en, inf.hotkey):
            return seg.code, inf.code
    zh = "、".join(f"{i.name_zh}[{i.hotkey}]" for i in seg.infractions)
    en = ", ".join(f"{i.name_en} [{i.hotkey}]" for i in seg.infractions)
    raise CommandRefused(
        f"赛段「{seg.name_zh}」没有违规「{code}」。可用：{zh}", f"{seg.name_en} has no infraction \"{code}\". Options: {en}"
    )


def current_run(event: Event, bib: int) -> dict[str, Any]:
    """The rider's run a call applies to: on course, else the latest finished one this round."""
    rows = event.store.query(
        "SELECT * FROM runs WHERE bib = ? AND round = ? AND state != 'void'"
        " ORDER BY (state = 'on_course') DESC, run_id DESC LIMIT 1",
        (bib, event.current_round),
    )
    if not rows:
        raise CommandRefused(f"{bib} 号本轮还没有出发，不能判罚。", f"Bib {bib} has no run this round to penalise.")
    return rows[0]


def _run(event: Event, run_id: int) -> dict[str, Any]:
    rows = event.store.query("SELECT * FROM runs WHERE run_id = ?", (run_id,))
    if not rows:
        raise CommandRefused(f"没有编号为 {run_id} 的成绩。", f"No run #{run_id}.")
    return rows[0]


def call_penalty(
    event: Event, bib: int, segment: str, code: str, *, count: int = 1, run_id: int | None = None,
    judge: str | None = None, origin: dict[str, Any] | None = None,
) -> int:
    """Record a judge's call. Returns the penalty id (its journal row).

    ``origin`` is what a remote call adds to the row (its ``call_id``, the
    judge's token id and device), so a retried call is recognised.
    """
    if count < 1:
        raise CommandRefused(f"次数必须至少为 1（收到 {count}）。", f"The count must be at least 1 (got {count}).")
    seg_code, inf_code = resolve_infraction(event, segment, code)
    run = _run(event, run_id) if run_id is not None else current_run(event, bib)
    if run["bib"] != bib:
        raise CommandRefused(f"成绩 {run['run_id']} 不属于 {bib} 号。", f"Run {run['run_id']} is not bib {bib}'s.")
    if run["state"] == "void":
        raise CommandRefused("该成绩已作废。", "That run is void.")
    payload: dict[str, Any] = {"run_id": run["run_id"], "bib": bib, "segment": seg_code, "code": inf_code, "count": count}
    if judge:
        payload["judge"] = judge
    if origin:
        payload.update(origin)
    return event.store.record("penalty_called", payload).seq


def withdraw_penalty(event: Event, penalty_id: int, *, reason: str) -> None:
    require_reason(reason)
    rows = event.store.query("SELECT * FROM penalties WHERE penalty_id = ?", (penalty_id,))
    if not rows:
        raise CommandRefused(f"没有编号为 {penalty_id} 的判罚。", f"No penalty #{penalty_id}.")
    if rows[0]["withdrawn"]:
        raise CommandRefused(f"判罚 {penalty_id} 已撤销。", f"Penalty {penalty_id} is already withdrawn.")
    event.store.record("penalty_withdrawn", {"penalty_id": penalty_id, "bib": rows[0]["bib"], "reason": reason})


def undo_last_penalty(event: Event, run_id: int) -> int:
    """Withdraw the newest standing call on a run: the wrong key, undone at once."""
    rows = event.store.query(
        "SELECT penalty_id FROM penalties WHERE run_id = ? AND withdrawn = 0 ORDER BY penalty_id DESC LIMIT 1",
        (run_id,),
    )
    if not rows:
        raise CommandRefused("该成绩没有可撤销的判罚。", "No penalty to undo on that run.")
    withdraw_penalty(event, rows[0]["penalty_id"], reason="撤销误按 undo (wrong key)")
    return int(rows[0]["penalty_id"])


def penalties_of(event: Event, run_id: int, *, include_withdrawn: bool = False) -> list[dict[str, Any]]:
    sql = "SELECT * FROM penalties WHERE run_id = ?"
    if not include_withdrawn:
        sql += " AND withdrawn = 0"
    return event.store.query(sql + " ORDER BY penalty_id", (run_id,))


def set_status(event: Event, run_id: int, status: str, *, reason: str) -> None:
    """DNF, DSQ, DNS or back to OK, with the reason."""
    status = status.upper()
    if status not in STATUSES:
        raise CommandRefused(f"状态必须是 {'/'.join(STATUSES)}（收到 {status}）。", f"Status must be one of {STATUSES} (got {status}).")
    require_reason(reason)
    run = _run(event, run_id)
    if run["state"] == "void":
        raise CommandRefused("该成绩已作废。", "That run is void.")
    if status == "OK" and run["state"] == "on_course":
        raise CommandRefused("选手仍在赛道上。", "The rider is still on course.")
    if status == "OK" and run["raw_ns"] is None:
        raise CommandRefused("没有终点时间，不能设为完成。", "No finish time: cannot set OK.")
    if run["status"] == status:
        return
    event.store.record("run_status_set", {"run_id": run_id, "bib": run["bib"], "status": status, "reason": reason})


def correct_time(event: Event, run_id: int, raw_ns: int, *, reason: str) -> None:
    """Set a run's raw time by hand (e.g. from the paper backup), with the reason."""
    require_reason(reason)
    if raw_ns <= 0:
        raise CommandRefused("时间必须大于零。", "The time must be positive.")
    run = _run(event, run_id)
    if run["state"] != "finished":
        raise CommandRefused("只能修改已完成的成绩。", "Only a finished run's time can be corrected.")
    over = raw_ns > event.course.time_limit_ns
    status = run["status"]
    if over and status == "OK":
        status = "DNF"
    elif not over and run["over_time_limit"] and status == "DNF":
        status = "OK"
    event.store.record(
        "run_time_corrected",
        {"run_id": run_id, "bib": run["bib"], "raw_ns": raw_ns, "old_raw_ns": run["raw_ns"], "status": status,
         "status_reason": "超时 time limit" if over else None, "over_time_limit": over, "reason": reason},
    )


def confirm_run(event: Event, run_id: int) -> None:
    """The head referee confirms a finished run."""
    run = _run(event, run_id)
    if run["state"] != "finished":
        raise CommandRefused("只能确认已完成的成绩。", "Only a finished run can be confirmed.")
    if run["confirmed"]:
        return
    event.store.record("run_confirmed", {"run_id": run_id, "bib": run["bib"]})


def grant_rerun(event: Event, run_id: int, *, reason: str) -> None:
    """A rerun for a fault not the rider's: this run stops counting, the rider goes to the front."""
    require_reason(reason)
    run = _run(event, run_id)
    if run["state"] == "on_course":
        raise CommandRefused("选手仍在赛道上：请先记录终点或 DNF。", "The rider is still on course: finish or DNF first.")
    if not run["counts"]:
        raise CommandRefused("该成绩已不计入。", "That run no longer counts.")
    with event.store.transaction():
        event.store.append("rerun_granted", {"run_id": run_id, "bib": run["bib"], "reason": reason})
        if not event.store.query(
            "SELECT 1 FROM queue WHERE round = ? AND bib = ? AND state = 'waiting'", (run["round"], run["bib"])
        ):
            event.store.append(
                "checked_in", {"bib": run["bib"], "round": run["round"], "track": run["track"], "front": True}
            )


def score_style(event: Event, bib: int, judge: str, score_tenths: int, *, round_code: str | None = None) -> None:
    """A judge's 最佳风采 style score, 0–100 tenths of a point (0.0–10.0)."""
    code = event.require_round(round_code)
    if not 0 <= score_tenths <= 100:
        raise CommandRefused("风采分必须在 0 到 10 之间。", "The style score must be between 0 and 10.")
    if not judge.strip():
        raise CommandRefused("请写明评分裁判。", "Name the judge.")
    if not event.store.query("SELECT 1 FROM entrants WHERE bib = ?", (bib,)):
        raise CommandRefused(f"没有 {bib} 号选手。", f"No rider with bib {bib}.")
    event.store.record("style_scored", {"round": code, "bib": bib, "judge": judge, "score": score_tenths})


def name_prize(event: Event, bib: int, prize: str, *, reason: str, round_code: str | None = None) -> None:
    """The head referee names a prize winner by hand (e.g. 最佳风采奖)."""
    require_reason(reason)
    code = event.require_round(round_code)
    codes = {p.code for p in event.course.prizes}
    if prize not in codes:
        raise CommandRefused(f"没有奖项 {prize}（可用：{', '.join(sorted(codes))}）。", f"No prize {prize} (options: {', '.join(sorted(codes))}).")
    if not event.store.query("SELECT 1 FROM entrants WHERE bib = ?", (bib,)):
        raise CommandRefused(f"没有 {bib} 号选手。", f"No rider with bib {bib}.")
    event.store.record("prize_named", {"round": code, "prize": prize, "bib": bib, "reason": reason})


def seconds_text_to_ns(text: str) -> int:
    from competition.times import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise CommandRefused(f"无法识别的时间：{text}（例如 62.34 或 1:02.34）", f"Not a time: {text} (e.g. 62.34 or 1:02.34)") from exc

