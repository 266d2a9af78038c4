"""Rounds: the preliminary is open from the start; later rounds are opened by the cut.

``open_round`` only records the decision (who rides, in which order);
``results.cut`` decides it from the standings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused

if TYPE_CHECKING:
    from competition.event import Event


def open_round(
    event: Event, round_code: str, *, source_round: str, top: int, bibs: list[int], ties: list[int] | None = None
) -> None:
    """Open ``round_code`` with these riders in this start order."""
    try:
        event.course.round(round_code)
    except KeyError:
        codes = ", ".join(r.code for r in event.course.rounds)
        raise CommandRefused(f"赛道文件里没有轮次 {round_code}（可用：{codes}）。", f"The course has no round {round_code} ({codes}).") from None
    if event.store.query("SELECT 1 FROM rounds WHERE code = ?", (round_code,)):
        raise CommandRefused(f"轮次 {round_code} 已经开始，不能再次晋级。", f"Round {round_code} is already open.")
    if not bibs:
        raise CommandRefused("没有可晋级的选手（没有有效成绩）。", "Nobody can advance (no valid results).")
    event.store.record(
        "round_opened",
        {"round": round_code, "source_round": source_round, "top": top, "bibs": bibs, "ties": ties or []},
    )


def round_entries(event: Event, round_code: str) -> list[dict[str, Any]]:
    return event.store.query(
        "SELECT re.start_order, e.* FROM round_entries re JOIN entrants e ON e.bib = re.bib"
        " WHERE re.round = ? ORDER BY re.start_order",
        (round_code,),
    )


def next_round_code(event: Event, after: str) -> str:
    codes = [r.code for r in event.course.rounds]
    if after not in codes or codes.index(after) + 1 >= len(codes):
        raise CommandRefused(f"{after} 之后没有下一轮。", f"There is no round after {after}.")
    return codes[codes.index(after) + 1]
