"""Appeals (申诉): written cases the supervision-and-arbitration group (监督仲裁组) rules on.

A case names who appealed, the rider and run, the reason and the evidence
(a note: "video from the 绕杆 judge's phone", "paper sheet 4"); it can only be
filed while the round is 成绩公示 and its window is open. The jury's ruling
(upheld or dismissed, with the reasoning and who ruled) is final. An upheld
ruling is applied as ordinary corrections (status, time, penalty…) made with
``--case N``: each such journal row carries ``case_id``, so the case lists
exactly what changed because of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused, require_reason

if TYPE_CHECKING:
    from competition.event import Event

RULINGS = ("upheld", "dismissed")
RULING_WORDS = {"upheld": ("申诉成立", "upheld"), "dismissed": ("申诉驳回", "dismissed")}


@dataclass(frozen=True, slots=True)
class Case:
    case_id: int
    round_code: str
    bib: int
    run_id: int | None
    filed_by: str
    reason: str
    evidence: str
    state: str
    ruling: str | None
    reasoning: str | None
    jury: str | None
    filed_utc: str
    corrections: tuple[int, ...]

    def as_json(self) -> dict[str, Any]:
        return {"case": self.case_id, "round": self.round_code, "bib": self.bib, "run_id": self.run_id,
                "filed_by": self.filed_by, "reason": self.reason, "evidence": self.evidence, "state": self.state,
                "ruling": self.ruling, "reasoning": self.reasoning, "jury": self.jury, "filed_utc": self.filed_utc,
                "corrections": list(self.corrections)}


def _case(event: Event, r: dict[str, Any]) -> Case:
    linked = tuple(int(x["seq"]) for x in event.store.query(
        "SELECT seq FROM journal WHERE json_extract(payload, '$.case_id') = ? AND kind != 'appeal_ruled' ORDER BY seq", (r["case_id"],)))
    return Case(r["case_id"], r["round"], r["bib"], r["run_id"], r["filed_by"], r["reason"], r["evidence"],
                r["state"], r["ruling"], r["reasoning"], r["jury"], r["filed_utc"], linked)


def cases(event: Event, round_code: str | None = None) -> list[Case]:
    sql, args = "SELECT * FROM appeals", []
    if round_code:
        sql += " WHERE round = ?"
        args.append(round_code)
    return [_case(event, r) for r in event.store.query(sql + " ORDER BY case_id", args)]


def get_case(event: Event, case_id: int) -> Case:
    rows = event.store.query("SELECT * FROM appeals WHERE case_id = ?", (case_id,))
    if not rows:
        raise CommandRefused(f"没有编号为 {case_id} 的申诉。", f"No appeal #{case_id}.")
    return _case(event, rows[0])


def file_appeal(
    event: Event, bib: int, *, reason: str, filed_by: str, evidence: str = "", run_id: int | None = None,
    round_code: str | None = None, now: datetime | None = None,
) -> int:
    """Open a case; returns its number (its journal row)."""
    from competition.round_states import PROVISIONAL, round_state

    require_reason(reason)
    if not filed_by.strip():
        raise CommandRefused("请写明申诉人（--by）。", "Name who appeals (--by).")
    code = event.require_round(round_code)
    state = round_state(event, code)
    if state.state != PROVISIONAL:
        raise CommandRefused(f"{code} 轮现在是「{state.words('zh')}」，只有成绩公示期间可以申诉。",
                             f"Round {code} is {state.words('en')}: appeals are taken only while results are provisional.")
    now = now or datetime.now(UTC)
    if state.appeal_closes_utc and now > datetime.fromisoformat(state.appeal_closes_utc):
        raise CommandRefused("申诉期已过。", "The appeal window has closed.")
    if not event.store.query("SELECT 1 FROM entrants WHERE bib = ?", (bib,)):
        raise CommandRefused(f"没有 {bib} 号选手。", f"No rider with bib {bib}.")
    if run_id is not None and not event.store.query(
            "SELECT 1 FROM runs WHERE run_id = ? AND bib = ? AND round = ?", (run_id, bib, code)):
        raise CommandRefused(f"成绩 {run_id} 不是 {bib} 号本轮的成绩。", f"Run {run_id} is not bib {bib}'s in round {code}.")
    return event.store.record("appeal_filed", {
        "round": code, "bib": bib, "run_id": run_id, "filed_by": filed_by.strip(), "reason": reason.strip(),
        "evidence": evidence.strip(), "filed_utc": now.isoformat(timespec="seconds"),
    }).seq


def rule_appeal(event: Event, case_id: int, *, ruling: str, reasoning: str, jury: str) -> Case:
    """The jury's final ruling on a case."""
    if ruling not in RULINGS:
        raise CommandRefused("裁决只能是 upheld（成立）或 dismissed（驳回）。", "The ruling is upheld or dismissed.")
    require_reason(reasoning)
    if not jury.strip():
        raise CommandRefused("请写明裁决人（--jury）。", "Name who ruled (--jury).")
    case = get_case(event, case_id)
    if case.state != "open":
        raise CommandRefused(f"申诉 #{case_id} 已裁决（{case.ruling}），裁决为最终结果。",
                             f"Appeal #{case_id} is already ruled ({case.ruling}); the ruling is final.")
    event.store.record("appeal_ruled", {"case_id": case_id, "ruling": ruling, "reasoning": reasoning.strip(),
                                        "jury": jury.strip()})
    return get_case(event, case_id)


def require_case_for_corrections(event: Event, case_id: int) -> Case:
    """A correction may cite a case only once the jury upheld it."""
    case = get_case(event, case_id)
    if case.ruling != "upheld":
        raise CommandRefused(f"申诉 #{case_id} 尚未裁决为成立，不能据此更正成绩。",
                             f"Appeal #{case_id} has not been upheld: no correction can cite it.")
    return case
