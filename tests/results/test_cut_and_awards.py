"""The cut to the final (ties at the line all advance) and the awards (ties on a prize line stop them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from competition import judging, start_queue, timing
from competition.errors import CommandRefused
from competition.event import Event
from hardware.impulse import DAY_NS, Channel, Impulse
from results.awards import compute_awards
from results.cut import advance
from results.publish import write_award_documents
from results.standings import build_standings
from tests.conftest import register

S = 1_000_000_000
T0 = 9 * 3600 * S


class Timer:
    """Feeds start/finish pairs with exact raw times, one rider on course at a time."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.seq = 0
        self.t = T0

    def ride(self, raw_ns: int) -> None:
        for channel, t in ((Channel.START, self.t), (Channel.FINISH, self.t + raw_ns)):
            self.seq += 1
            timing.record_impulse(
                self.event,
                Impulse("alge", "alge:1", channel, "C0" if channel is Channel.START else "C1", self.seq, t % DAY_NS,
                        DAY_NS, 100_000, 0, None, False, False, False, False, b""),
                track=1,
            )
        self.t += raw_ns + 10 * S


def prelim(event: Event, times: dict[int, int]) -> Timer:
    register(event, len(times))
    start_queue.check_in(event, list(times))
    timer = Timer(event)
    for bib in times:
        timer.ride(times[bib])
    return timer


def test_a_tie_at_the_cut_takes_both_through(event: Event) -> None:
    # 6 riders; the cut is 3; riders 3 and 4 tie on everything at 3rd.
    prelim(event, {1: 40 * S, 2: 41 * S, 3: 42 * S, 4: 42 * S + 4_000_000, 5: 45 * S, 6: 50 * S})
    report = advance(event, top=3)
    assert sorted(report.bibs) == [1, 2, 3, 4]  # 42.004 truncates to 42.00: a real tie
    assert report.bibs == [4, 3, 2, 1] or report.bibs == [3, 4, 2, 1]  # reverse rank: the best starts last
    assert report.ties and set(report.ties[0].bibs) == {3, 4}
    assert "晋级" in report.ties[0].what_zh
    assert event.current_round == "final"
    with pytest.raises(CommandRefused, match="已经开始"):
        advance(event, top=3, source_round="prelim")


def test_advance_refuses_while_riders_are_out(event: Event) -> None:
    register(event, 2)
    start_queue.check_in(event, [1, 2])
    with pytest.raises(CommandRefused, match="尚未结束"):
        advance(event, top=1)


def final_day(event: Event, final_times: dict[int, list[int]]) -> None:
    bibs = list(final_times)
    timer = prelim(event, {b: (40 + b) * S for b in bibs})
    advance(event, top=len(bibs), order="rank")
    for attempt in range(2):
        start_queue.check_in_all(event, track=1)
        for bib in [w["bib"] for w in start_queue.waiting(event, 1)]:
            timer.ride(final_times[bib][attempt])


def test_awards_follow_the_final_and_count_the_best_run(event: Event) -> None:
    final_day(event, {b: [(60 - b) * S, (70 - b) * S] for b in range(1, 9)})
    judging.call_penalty(event, 8, "绕杆", "倒杆出框")  # on 8's second (last) run: best run still counts
    for bib, score in ((1, 90), (2, 95), (3, 80), (7, 99), (8, 85)):
        judging.score_style(event, bib, "甲", score)
    result = compute_awards(event)
    by_prize = [(e.prize_zh, e.bib) for e in result.entries]
    assert by_prize[:6] == [("一等奖", 8), ("二等奖", 7), ("二等奖", 6), ("三等奖", 5), ("三等奖", 4), ("三等奖", 3)]
    # 最佳风采奖 goes to the best style scores among riders without a rank prize.
    assert [(p, b) for p, b in by_prize[6:]] == [("最佳风采奖", 2), ("最佳风采奖", 1)]
    assert not result.ties_zh


def test_a_tie_on_a_prize_line_stops_the_awards_until_named(event: Event, tmp_path: Path) -> None:
    final_day(event, {1: [50 * S, 60 * S], 2: [51 * S, 61 * S], 3: [52 * S, 62 * S], 4: [52 * S, 62 * S]})
    report = build_standings(event, "final")
    assert [s.rank for s in report.standings][:4] == [1, 2, 3, 3]  # 3rd shared: one 二等奖 place for two
    result = compute_awards(event)
    assert result.ties_zh and "3号" in result.ties_zh[0] and "4号" in result.ties_zh[0]
    out = tmp_path / "颁奖"
    with pytest.raises(CommandRefused, match="并列"):
        write_award_documents(event, out, round_code=None, lang="zh")
    assert not out.exists()  # nothing that looks complete is left behind
    judging.name_prize(event, 4, "second", reason="加赛胜出")
    settled = compute_awards(event)
    assert not settled.ties_zh
    assert sorted(e.bib for e in settled.entries if e.prize_code == "second") == [2, 4]
    assert next(e.bib for e in settled.entries if e.prize_code == "third") == 3
    published = write_award_documents(event, out, round_code=None, lang="zh")
    html = (out / "获奖名单.html").read_text(encoding="utf-8")
    assert "一等奖" in html and published.awards


def test_no_awards_before_the_final_has_results(event: Event) -> None:
    register(event, 3)
    with pytest.raises(CommandRefused, match="没有有效成绩"):
        compute_awards(event)
