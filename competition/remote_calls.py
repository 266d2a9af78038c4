"""Calls from segment judges' phones: checked, recorded once, undone by their judge.

A phone makes a ``call_id`` when the judge taps, keeps the call while the
Wi-Fi is down and sends it again until it is acknowledged, so the same call
may arrive several times: the first is recorded, every later copy answers
with the same journal row. Whether a rider may be called follows the
referee's screen: riders on course, and riders who finished less than
``LATE_CALL_GRACE_S`` ago (a judge taps after the rider has left her
segment). A confirmed run takes no call from a phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused
from competition.judges import JudgeToken

if TYPE_CHECKING:
    from competition.event import Event

LATE_CALL_GRACE_S = 60
MAX_COUNT = 9
_CALL_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True, slots=True)
class CallReceipt:
    """What the phone is told: the journal row of its call (the same for a retried copy)."""

    seq: int
    penalty_id: int
    duplicate: bool
    bib: int
    segment: str
    code: str
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"ok": True, "seq": self.seq, "penalty_id": self.penalty_id, "duplicate": self.duplicate,
                "bib": self.bib, "segment": self.segment, "code": self.code, "count": self.count}


def check_call_id(call_id: object) -> str:
    if not isinstance(call_id, str) or not _CALL_ID.match(call_id):
        raise CommandRefused("判罚编号无效（8–64 位字母数字）。", "Invalid call_id (8–64 letters, digits, - or _).")
    return call_id


def _finished_recently(event: Event, run: dict[str, Any], now: datetime) -> bool:
    if run["state"] != "finished" or run["finished_seq"] is None:
        return False
    row = event.store.query("SELECT utc FROM journal WHERE seq = ?", (run["finished_seq"],))
    if not row:
        return False
    finished = datetime.fromisoformat(row[0]["utc"])
    return 0 <= (now - finished).total_seconds() <= LATE_CALL_GRACE_S


def eligible_runs(event: Event, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Runs a judge may call now: on course, or finished within the grace window; oldest first."""
    now = now or datetime.now(UTC)
    rows = event.store.query(
        "SELECT r.*, e.name FROM runs r JOIN entrants e ON e.bib = r.bib"
        " WHERE r.round = ? AND r.state IN ('on_course', 'finished') ORDER BY r.run_id DESC LIMIT 200",
        (event.current_round,),
    )
    out = [r for r in rows if r["state"] == "on_course" or _finished_recently(event, r, now)]
    return sorted(out, key=lambda r: r["run_id"])


def _eligible_run(event: Event, bib: int, now: datetime) -> dict[str, Any]:
    for run in reversed(eligible_runs(event, now=now)):
        if run["bib"] == bib:
            if run["confirmed"]:
                raise CommandRefused(f"{bib} 号的成绩已由裁判长确认，不能再判罚。",
                                     f"Bib {bib}'s run is confirmed by the head referee: no more calls.")
            return run
    raise CommandRefused(
        f"{bib} 号现在不在赛道上（也不在到达后 {LATE_CALL_GRACE_S} 秒内），不能判罚。",
        f"Bib {bib} is not on course (nor finished within {LATE_CALL_GRACE_S} s): no call.",
    )


def record_call(
    event: Event, token: JudgeToken, *, call_id: str, bib: int, segment: str, code: str, count: int,
    device: str, now: datetime | None = None,
) -> CallReceipt:
    """Record one remote call, or answer a retried copy with the row already recorded."""
    from competition.judging import call_penalty, resolve_infraction

    check_call_id(call_id)
    if not 1 <= count <= MAX_COUNT:
        raise CommandRefused(f"次数必须在 1–{MAX_COUNT} 之间。", f"The count must be 1–{MAX_COUNT}.")
    with event.store.transaction():  # the retry check and the insert under one write lock
        done = event.store.query(
            "SELECT rc.penalty_id, p.bib, p.segment, p.code, p.count FROM remote_calls rc"
            " JOIN penalties p ON p.penalty_id = rc.penalty_id WHERE rc.call_id = ?",
            (call_id,),
        )
        if done:
            d = done[0]
            return CallReceipt(d["penalty_id"], d["penalty_id"], True, d["bib"], d["segment"], d["code"], d["count"])
        seg_code, inf_code = resolve_infraction(event, segment, code)
        if not token.covers(seg_code):
            raise CommandRefused(f"此裁判码只能判罚赛段「{_segment_name(event, token.segment)}」。",
                                 f"This judge token covers segment {token.segment} only.")
        run = _eligible_run(event, bib, now or datetime.now(UTC))
        seq = call_penalty(
            event, bib, seg_code, inf_code, count=count, run_id=run["run_id"], judge=token.token_id,
            origin={"call_id": call_id, "token_id": token.token_id, "device": device[:120]},
        )
    return CallReceipt(seq, seq, False, bib, seg_code, inf_code, count)


def undo_call(event: Event, token: JudgeToken, *, call_id: str) -> dict[str, Any]:
    """Withdraw a call this judge made ("undo my last call"); a repeated undo is a no-op."""
    from competition.judging import withdraw_penalty

    check_call_id(call_id)
    with event.store.transaction():
        rows = event.store.query(
            "SELECT rc.penalty_id, rc.token_id, p.withdrawn, p.run_id FROM remote_calls rc"
            " JOIN penalties p ON p.penalty_id = rc.penalty_id WHERE rc.call_id = ?",
            (call_id,),
        )
        if not rows or rows[0]["token_id"] != token.token_id:
            raise CommandRefused("没有这次判罚，或不是本裁判码所判。", "No such call made with this token.")
        row = rows[0]
        if not row["withdrawn"]:
            run = event.store.query("SELECT confirmed FROM runs WHERE run_id = ?", (row["run_id"],))
            if run and run[0]["confirmed"]:
                raise CommandRefused("成绩已由裁判长确认，不能撤销。", "The run is confirmed: the call stays.")
            withdraw_penalty(event, row["penalty_id"], reason=f"裁判在手机上撤销 undone on the judge's phone ({token.token_id})")
    return {"ok": True, "penalty_id": row["penalty_id"], "withdrawn": True}


def calls_of(event: Event, bib: int) -> list[dict[str, Any]]:
    """A rider's standing calls on his latest run this round, with names, oldest first."""
    course = event.course
    rows = event.store.query(
        "SELECT p.*, rc.call_id, rc.token_id FROM penalties p LEFT JOIN remote_calls rc ON rc.penalty_id = p.penalty_id"
        " WHERE p.withdrawn = 0 AND p.run_id = (SELECT MAX(run_id) FROM runs WHERE bib = ? AND round = ?)"
        " ORDER BY p.penalty_id",
        (bib, event.current_round),
    )
    out = []
    for r in rows:
        seg = course.segment(r["segment"])
        inf = next((i for i in seg.infractions if i.code == r["code"]), None)
        out.append({"penalty_id": r["penalty_id"], "segment": r["segment"], "segment_name_zh": seg.name_zh,
                    "segment_name_en": seg.name_en, "code": r["code"],
                    "name_zh": inf.name_zh if inf else r["code"], "name_en": inf.name_en if inf else r["code"],
                    "count": r["count"], "call_id": r["call_id"], "by_phone": r["token_id"] is not None})
    return out


def _segment_name(event: Event, code: str) -> str:
    try:
        return event.course.segment(code).name_zh
    except KeyError:
        return code
