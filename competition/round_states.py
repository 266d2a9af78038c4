"""A round's results: 进行中 (running) → 成绩公示 (provisional) → 正式成绩 (official).

Publishing posts the results provisionally: every output then says 公示 and
when the appeal window (``appeal_window_minutes`` in the course file) closes.
Written appeals are cases (``competition.appeals``); the round cannot become
official while one is open, nor before the window has closed unless the head
referee gives a reason. Making it official writes the seal
(``results.seal``): the hash of that journal row, printed on the notice.
Every step is a journal row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event

from competition.glossary import ROUND_STATES

RUNNING, PROVISIONAL, OFFICIAL = "running", "provisional", "official"
STATE_WORDS = {code: (term.zh, term.en) for code, term in ROUND_STATES.items()}


@dataclass(frozen=True, slots=True)
class RoundState:
    round_code: str
    state: str
    published_utc: str | None
    appeal_closes_utc: str | None
    official_utc: str | None
    seal: str | None
    open_appeals: tuple[int, ...]

    def words(self, lang: str) -> str:
        zh, en = STATE_WORDS[self.state]
        return en if lang == "en" else zh

    def as_json(self) -> dict[str, Any]:
        return {"round": self.round_code, "state": self.state, "state_zh": STATE_WORDS[self.state][0],
                "published_utc": self.published_utc, "appeal_closes_utc": self.appeal_closes_utc,
                "official_utc": self.official_utc, "seal": self.seal, "open_appeals": list(self.open_appeals)}


def _opened_rounds(event: Event) -> list[str]:
    return [r["code"] for r in event.rounds()]


def round_state(event: Event, round_code: str) -> RoundState:
    rows = event.store.query("SELECT * FROM round_states WHERE round = ?", (round_code,))
    open_cases = tuple(int(r["case_id"]) for r in event.store.query(
        "SELECT case_id FROM appeals WHERE round = ? AND state = 'open' ORDER BY case_id", (round_code,)))
    if not rows:
        return RoundState(round_code, RUNNING, None, None, None, None, open_cases)
    r = rows[0]
    return RoundState(round_code, r["state"], r["published_utc"], r["appeal_closes_utc"], r["official_utc"],
                      r["seal"], open_cases)


def all_round_states(event: Event) -> list[RoundState]:
    return [round_state(event, code) for code in _opened_rounds(event)]


def _busy(event: Event, round_code: str) -> tuple[int, int]:
    row = event.store.query(
        "SELECT (SELECT COUNT(*) FROM runs WHERE round = ? AND state = 'on_course') AS on_course,"
        " (SELECT COUNT(*) FROM queue WHERE round = ? AND state = 'waiting') AS waiting",
        (round_code, round_code),
    )[0]
    return int(row["on_course"]), int(row["waiting"])


def publish_round(event: Event, round_code: str | None = None, *, now: datetime | None = None) -> RoundState:
    """Post the round's results as 成绩公示; the appeal window starts now."""
    code = event.require_round(round_code)
    state = round_state(event, code)
    if state.state != RUNNING:
        raise CommandRefused(f"{code} 轮已是「{state.words('zh')}」，不能再次公示。",
                             f"Round {code} is already {state.words('en')}.")
    on_course, waiting = _busy(event, code)
    if on_course or waiting:
        raise CommandRefused(
            f"{code} 轮尚未结束（{on_course} 人在赛道上，{waiting} 人等待出发），不能公示成绩。",
            f"Round {code} is not over ({on_course} on course, {waiting} waiting): results cannot be posted yet.",
        )
    now = now or datetime.now(UTC)
    closes = now + timedelta(minutes=event.course.appeal_window_minutes)
    event.store.record("round_published", {
        "round": code, "published_utc": now.isoformat(timespec="seconds"),
        "appeal_closes_utc": closes.isoformat(timespec="seconds"),
        "window_minutes": event.course.appeal_window_minutes,
    })
    return round_state(event, code)


def seal_code(seq: int, row_hash: str) -> str:
    """The seal as printed: the official row's number and 64 bits of its hash."""
    return f"{seq}-{row_hash[:16].upper()}"


def make_official(
    event: Event, round_code: str | None = None, *, notice_digest: Callable[[Event, str], str],
    early_reason: str | None = None, now: datetime | None = None,
) -> RoundState:
    """正式成绩: refused while a case is open or (without a reason) before the window closed. Writes the seal.

    ``notice_digest`` (``results.seal``) is what the seal covers: the round's results
    as the notice prints them. Callers use ``results.seal.make_official``.
    """
    code = event.require_round(round_code)
    state = round_state(event, code)
    if state.state == RUNNING:
        raise CommandRefused(f"{code} 轮还没有公示成绩（先运行 trackside round publish）。",
                             f"Round {code} has not been posted yet (run `trackside round publish` first).")
    if state.state == OFFICIAL:
        raise CommandRefused(f"{code} 轮已是正式成绩（封存码 {state.seal}）。", f"Round {code} is already official ({state.seal}).")
    if state.open_appeals:
        cases = "、".join(f"#{c}" for c in state.open_appeals)
        raise CommandRefused(f"{code} 轮还有未裁决的申诉 {cases}，不能确定为正式成绩。",
                             f"Round {code} has open appeals ({cases}): it cannot become official.")
    from competition.paper import differences

    unsettled = differences(event, code)
    if unsettled:
        who = "、".join(sorted({f"{d.bib}号" for d in unsettled}))
        raise CommandRefused(
            f"{code} 轮纸质记录与现场记录还有 {len(unsettled)} 处差异未处理（{who}），请先运行 trackside paper diff。",
            f"Round {code} has {len(unsettled)} unsettled paper differences (bibs {who}); see `trackside paper diff`.",
        )
    now = now or datetime.now(UTC)
    closes = datetime.fromisoformat(state.appeal_closes_utc or now.isoformat())
    early = now < closes
    if early and not (early_reason or "").strip():
        raise CommandRefused(
            f"申诉期到 {closes.astimezone().strftime('%H:%M')} 才结束；提前确定须写明原因（--early-reason）。",
            f"The appeal window closes at {closes.astimezone().strftime('%H:%M')}; closing early needs --early-reason.",
        )
    with event.store.transaction():
        digest = notice_digest(event, code)
        row = event.store.append("round_made_official", {
            "round": code, "official_utc": now.isoformat(timespec="seconds"), "notice_digest": digest,
            "early_reason": early_reason if early else None,
        })
        event.store.append("round_sealed", {"round": code, "seal_seq": row.seq, "seal": seal_code(row.seq, row.hash)})
    return round_state(event, code)


def provisional_banner(event: Event, round_code: str, lang: str) -> str | None:
    """The line every output of a provisional round carries: 成绩公示 until HH:MM."""
    state = round_state(event, round_code)
    if state.state == PROVISIONAL and state.appeal_closes_utc:
        closes = datetime.fromisoformat(state.appeal_closes_utc).astimezone().strftime("%Y-%m-%d %H:%M")
        return (f"Provisional results: written appeals until {closes}" if lang == "en"
                else f"成绩公示：书面申诉截止 {closes}")
    if state.state == OFFICIAL:
        return f"Official results · seal {state.seal}" if lang == "en" else f"正式成绩 · 封存码 {state.seal}"
    return None


# Rows that change a run's result; refused once the run's round is official.
RESULT_CHANGES = frozenset({
    "penalty_called", "penalty_withdrawn", "run_status_set", "run_time_corrected", "run_time_chosen",
    "run_start_undone", "run_finish_undone", "rerun_granted", "run_finished",
})


def official_round_guard(store: Any) -> Any:
    """A guard for ``EventStore.append``: official results are sealed, nothing changes them."""

    def guard(kind: str, payload: dict[str, Any]) -> None:
        if kind == "style_scored":  # style scores are on the sealed notice too
            found = store.query("SELECT seal FROM round_states WHERE round = ? AND state = 'official'",
                                (payload.get("round"),))
            if found:
                raise CommandRefused(f"{payload.get('round')} 轮已是正式成绩（封存码 {found[0]['seal']}），不能再评风采分。",
                                     f"Round {payload.get('round')} is official (seal {found[0]['seal']}): no more style scores.")
            return
        if kind not in RESULT_CHANGES:
            return
        run_id = payload.get("run_id")
        if run_id is None and kind == "penalty_withdrawn":
            found = store.query("SELECT run_id FROM penalties WHERE penalty_id = ?", (payload.get("penalty_id"),))
            run_id = found[0]["run_id"] if found else None
        if run_id is None:
            return
        rows = store.query(
            "SELECT rs.round, rs.seal FROM runs r JOIN round_states rs ON rs.round = r.round"
            " WHERE r.run_id = ? AND rs.state = 'official'", (run_id,))
        if rows:
            raise CommandRefused(
                f"{rows[0]['round']} 轮已是正式成绩（封存码 {rows[0]['seal']}），成绩不能再更改。",
                f"Round {rows[0]['round']} is official (seal {rows[0]['seal']}): its results cannot change.",
            )

    return guard
