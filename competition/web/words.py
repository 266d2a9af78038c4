"""The venue pages' words, Chinese first, English beside (``?lang=en``)."""

from __future__ import annotations

from competition.glossary import ROUNDS, STATUSES

WORDS: dict[str, tuple[str, str]] = {
    "live": ("实时成绩", "Live results"),
    "on_course": ("赛道上", "On course"),
    "nobody_on_course": ("暂无选手在赛道上", "Nobody on course"),
    "last_finishes": ("最近到达", "Latest finishes"),
    "next_up": ("下一位", "Next up"),
    "standings": ("排名", "Standings"),
    "search": ("查找：号码、姓名或手机尾号", "Find: bib, name or phone tail"),
    "search_button": ("查找", "Find"),
    "no_match": ("没有找到", "No match"),
    "bib": ("号码", "Bib"),
    "name": ("姓名", "Name"),
    "unit": ("单位", "Unit"),
    "track": ("赛道", "Track"),
    "track_n": ("{n} 道", "Track {n}"),
    "raw": ("用时", "Time"),
    "penalty": ("罚时", "Penalty"),
    "adjusted": ("成绩", "Result"),
    "status": ("状态", "Status"),
    "rank": ("名次", "Rank"),
    "provisional_rank": ("暂列第 {rank} 名", "Provisional rank {rank}"),
    "cut_line": ("晋级线：前 {cut} 名", "The cut: best {cut}"),
    "qualified": ("晋级", "Qualified"),
    "round": ("轮次", "Round"),
    "attempt": ("第 {n} 次", "Attempt {n}"),
    "queued": ("排队中：{track} 道第 {position} 位", "Queued: track {track}, position {position}"),
    "rider": ("选手", "Rider"),
    "no_rider": ("没有这个号码的选手", "No rider with that bib"),
    "no_runs": ("还没有成绩", "No results yet"),
    "calls": ("判罚", "Calls"),
    "no_calls": ("无判罚", "No calls"),
    "confirmed": ("已确认", "Confirmed"),
    "board": ("大屏", "Board"),
    "top10": ("前十名", "Top 10"),
    "ceremony": ("颁奖", "Award ceremony"),
    "not_ready": ("还不能颁奖", "Not ready for the awards"),
    "offline": ("与服务器的连接已断开，正在重连…", "Connection lost, reconnecting…"),
    "updated": ("更新于", "Updated"),
    "judge": ("裁判", "Judge"),
    "judge_title": ("赛段裁判", "Segment judge"),
    "enter_pin": ("输入裁判码（印在裁判记录表上）", "Enter the judge PIN (printed on your sheet)"),
    "pin_button": ("进入", "Enter"),
    "bad_pin": ("裁判码无效或已作废", "That PIN is not valid (or was revoked)"),
    "your_segment": ("您的赛段", "Your segment"),
    "all_segments": ("全部赛段（裁判长）", "Every segment (head referee)"),
    "riders_now": ("可判罚的选手", "Riders you can call"),
    "finished_grace": ("已到达，{s} 秒内可补判", "Finished: late calls for {s} s"),
    "nobody_to_call": ("现在没有可判罚的选手", "Nobody to call right now"),
    "undo_last": ("撤销我上一次判罚", "Undo my last call"),
    "pending": ("待发送", "Waiting to send"),
    "sent": ("已记录", "Recorded"),
    "refused": ("被拒绝", "Refused"),
    "log_out": ("退出", "Log out"),
    "language": ("English", "中文"),
}
# Statuses and rounds come from the one glossary the app, the CLI and the prints use.
WORDS.update({code: (term.zh, term.en) for code, term in STATUSES.items()})
WORDS.update({code: (term.zh, term.en) for code, term in ROUNDS.items()})


def word(key: str, lang: str, **values: object) -> str:
    """The page text for ``key`` in ``lang`` (zh unless "en"), filled with ``values``."""
    zh, en = WORDS.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**values) if values else text
