"""The competition's words, in Chinese and English: one place for every screen, message and print.

Statuses, run states, rounds, prizes, timing channels, what an impulse did,
journal kinds and table columns each have exactly one word per language here.
The CLI's plain-text views (``results.plain_text``), the printed documents
(``results.printing`` and its templates), the exports and the trackside app
(``competition.tui.i18n``) all look their words up here, so a DSQ is called
the same thing on the referee's screen, in the terminal and on paper.

Pure data and small lookups: no textual, no jinja2, no event file. A code this
module does not know is shown as given (a course may name its own rounds and
prizes; ``round_name``/``prize_name`` prefer the course's names).
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Term(NamedTuple):
    """One word in both languages, and what it means (for help texts and dialogs)."""

    zh: str
    en: str
    meaning_zh: str = ""
    meaning_en: str = ""

    def word(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def meaning(self, lang: str) -> str:
        text = self.meaning_en if lang == "en" else self.meaning_zh
        return text or self.word(lang)


# The four result statuses of a run (DESIGN.md). A DSQ cancels that run's result,
# not the rider's whole event: in a best-of-two the other attempt still counts,
# hence 取消成绩 rather than 取消资格.
STATUSES: dict[str, Term] = {
    "OK": Term("完成", "OK", "有效成绩", "valid result"),
    "DNF": Term("未完成", "DNF", "未完成（DNF）", "did not finish"),
    "DSQ": Term("取消成绩", "DSQ", "取消成绩（DSQ）", "result disqualified"),
    "DNS": Term("未出发", "DNS", "未出发（DNS）", "did not start"),
}

# Where a rider or a run stands, beside the status.
RUN_STATES: dict[str, Term] = {
    "queued": Term("待出发", "queued", "在出发队列中", "in the start queue"),
    "on_course": Term("赛道上", "on course", "正在赛道上", "riding now"),
    "finished": Term("已到达", "finished"),
    "rode": Term("已完成", "rode", "本轮已骑行", "has ridden this round"),
    "void": Term("作废", "void", "已作废（准予重赛）", "void (rerun granted)"),
    "rerun": Term("已准予重赛", "rerun granted"),
    "withdrawn": Term("已退赛", "withdrawn"),
    "manual": Term("手动计时", "manual"),
    "confirmed": Term("已确认", "confirmed"),
    "scratched": Term("已取消出发", "scratched"),
    "qualified": Term("晋级", "Q", "晋级下一轮", "qualified for the next round"),
}

# Round codes of the bundled courses and the usual others; a course's own names win.
ROUNDS: dict[str, Term] = {
    "prelim": Term("预赛", "Preliminary"),
    "semi": Term("半决赛", "Semi-final"),
    "final": Term("决赛", "Final"),
}

PRIZES: dict[str, Term] = {
    "first": Term("一等奖", "First prize"),
    "second": Term("二等奖", "Second prize"),
    "third": Term("三等奖", "Third prize"),
    "best_style": Term("最佳风采奖", "Best style award"),
}

CHANNELS: dict[str, Term] = {
    "start": Term("出发", "start"),
    "finish": Term("到达", "finish"),
    "split": Term("分段", "split"),
}

# What became of an impulse (competition.timing dispositions, and the replay counts).
DISPOSITIONS: dict[str, Term] = {
    "start": Term("出发", "start"),
    "finish": Term("到达", "finish"),
    "double": Term("重复触发", "double trigger"),
    "too_short": Term("过短", "too short"),
    "orphan": Term("无主", "orphan"),
    "unusable": Term("作废/校验失败", "unusable (bad checksum)"),
    "split": Term("分段", "split"),
    "candidate": Term("待选", "candidate"),
    "duplicate": Term("重复（已丢弃）", "duplicate (dropped)"),
    "replaced": Term("已替换", "replaced"),
    "assigned": Term("已指定", "assigned"),
    "discarded": Term("已搁置", "set aside"),
    "rejected": Term("无法识别", "rejected"),
    "cancel": Term("计时器取消", "cancelled by the timer"),
    "disqualify": Term("计时器取消成绩", "disqualified by the timer"),
    "voided": Term("已作废", "voided"),
    "timer_record": Term("计时器成绩/状态行", "timer record"),
    "sequence_gap": Term("序号缺口", "sequence gap"),
    "internal_error": Term("内部错误（已保留）", "internal error (kept)"),
}

JOURNAL_KINDS: dict[str, Term] = {
    "event_created": Term("建立赛事", "event created"),
    "event_renamed": Term("更名", "event renamed"),
    "entrant_registered": Term("报名", "registered"),
    "entrant_updated": Term("修改选手", "rider edited"),
    "entrant_withdrawn": Term("退赛", "withdrawn"),
    "entrant_reinstated": Term("恢复参赛", "reinstated"),
    "checked_in": Term("签到", "checked in"),
    "queue_reordered": Term("调整顺序", "queue reordered"),
    "queue_skipped": Term("顺延", "skipped"),
    "queue_scratched": Term("取消出发", "scratched"),
    "queue_moved": Term("换赛道", "moved track"),
    "impulse_recorded": Term("计时脉冲", "impulse"),
    "impulse_disposed": Term("处理脉冲", "impulse decided"),
    "run_started": Term("出发", "start"),
    "run_finished": Term("到达", "finish"),
    "run_start_undone": Term("撤销出发", "start undone"),
    "run_finish_undone": Term("撤销到达", "finish undone"),
    "run_time_chosen": Term("选定时间", "time chosen"),
    "run_time_corrected": Term("更正时间", "time corrected"),
    "run_status_set": Term("设定状态", "status set"),
    "run_confirmed": Term("确认成绩", "run confirmed"),
    "rerun_granted": Term("准予重赛", "rerun granted"),
    "penalty_called": Term("判罚", "penalty"),
    "penalty_withdrawn": Term("撤销判罚", "penalty withdrawn"),
    "round_opened": Term("晋级/开轮", "round opened"),
    "style_scored": Term("风采评分", "style score"),
    "prize_named": Term("指定奖项", "prize named"),
    "prize_unnamed": Term("取消指定", "prize unnamed"),
    "raw_bytes": Term("串口原始数据", "raw bytes"),
    "frame_rejected": Term("无法识别的数据", "rejected line"),
    "port_status": Term("端口状态", "port status"),
    "note": Term("备注", "note"),
    "judge_token_issued": Term("发放裁判码", "judge token issued"),
    "judge_token_revoked": Term("作废裁判码", "judge token revoked"),
    "satellite_impulse_received": Term("副机脉冲", "satellite impulse"),
    "round_published": Term("成绩公示", "results posted"),
    "round_made_official": Term("正式成绩", "results official"),
    "round_sealed": Term("封存", "results sealed"),
    "appeal_filed": Term("申诉立案", "appeal filed"),
    "appeal_ruled": Term("申诉裁决", "appeal ruled"),
    "paper_sheet_entered": Term("录入纸质记录", "paper sheet entered"),
    "paper_times_entered": Term("录入秒表记录", "stopwatch entered"),
    "paper_settled": Term("核对差异处理", "paper difference settled"),
    "component_scores_imported": Term("导入分项成绩", "scores imported"),
    "run_unconfirmed": Term("撤销确认", "run unconfirmed"),
    "impulse_voided": Term("作废脉冲", "impulse voided"),
    "impulse_unvoided": Term("恢复脉冲", "impulse unvoided"),
    "runs_swapped": Term("交换终点", "finishes swapped"),
    "timer_record": Term("计时器成绩/状态", "timer record"),
    "timer_check_decided": Term("计时器核对决定", "timer check decided"),
    "sequence_gap": Term("序号缺口", "sequence gap"),
    "sequence_gap_acknowledged": Term("确认序号缺口", "sequence gap acknowledged"),
}

# A round's results: running, posted for appeals, official and sealed.
ROUND_STATES: dict[str, Term] = {
    "running": Term("进行中", "running"),
    "provisional": Term("成绩公示", "provisional"),
    "official": Term("正式成绩", "official"),
}

# Table columns. The same concept has the same heading on every screen, in
# every CLI table and on paper; widths matter at 80×24, so the words are short.
COLUMNS: dict[str, Term] = {
    "rank": Term("名次", "Rank"),
    "bib": Term("号码", "Bib"),
    "name": Term("姓名", "Name"),
    "gender": Term("性别", "Gender"),
    "phone": Term("手机", "Phone"),
    "platform": Term("平台", "Platform"),
    "station": Term("站点", "Station"),
    "round": Term("轮次", "Round"),
    "run": Term("成绩编号", "Run"),
    "attempt": Term("次", "Try"),
    "track": Term("赛道", "Track"),
    "raw": Term("用时", "Raw"),
    "penalty": Term("罚时", "Pen."),
    "penalties": Term("判罚", "Penalties"),
    "runs": Term("各轮成绩", "Runs"),
    "adjusted": Term("成绩", "Result"),
    "status": Term("状态", "Status"),
    "note": Term("备注", "Note"),
    "order": Term("顺序", "Order"),
    "seq": Term("序号", "Seq"),
    "time": Term("时间", "Time"),
    "channel": Term("通道", "Channel"),
    "device": Term("设备", "Device"),
    "disposition": Term("处理", "Outcome"),
    "kind": Term("类型", "Kind"),
    "operator": Term("操作人", "Operator"),
    "terminal": Term("终端", "Terminal"),
    "what": Term("内容", "What"),
    "style_score": Term("风采分", "Style"),
    "prize": Term("奖项", "Prize"),
}

_TABLES: dict[str, dict[str, Term]] = {
    "status": STATUSES, "state": RUN_STATES, "round": ROUNDS, "prize": PRIZES, "channel": CHANNELS,
    "disposition": DISPOSITIONS, "kind": JOURNAL_KINDS, "column": COLUMNS, "round_state": ROUND_STATES,
}


def _word(table: dict[str, Term], code: str, lang: str) -> str:
    term = table.get(code)
    return term.word(lang) if term is not None else code


def status_word(code: str, lang: str) -> str:
    """``DSQ`` -> ``取消成绩`` (zh) / ``DSQ`` (en); codes are matched case-insensitively."""
    return _word(STATUSES, code.upper() if code else code, lang)


def state_word(code: str, lang: str) -> str:
    return _word(RUN_STATES, code, lang)


def channel_word(code: str, lang: str) -> str:
    return _word(CHANNELS, code, lang)


def disposition_word(code: str, lang: str) -> str:
    return _word(DISPOSITIONS, code, lang)


def kind_word(code: str, lang: str) -> str:
    return _word(JOURNAL_KINDS, code, lang)


def column(key: str, lang: str) -> str:
    """A table heading; ``KeyError`` for a column nobody defined (a bug, not a user error)."""
    return COLUMNS[key].word(lang)


def round_name(code: str, lang: str, course: Any = None) -> str:
    """The round as people call it: the course's own name, else the usual word, else the code."""
    for rule in getattr(course, "rounds", ()) or ():
        if rule.code == code:
            return rule.name_en if lang == "en" else rule.name_zh
    return _word(ROUNDS, code, lang)


def prize_name(code: str, lang: str, course: Any = None) -> str:
    for tier in getattr(course, "prizes", ()) or ():
        if tier.code == code:
            return tier.name_en if lang == "en" else tier.name_zh
    return _word(PRIZES, code, lang)


def infraction_name(segment: str, code: str, lang: str, course: Any = None) -> str:
    """``xiankuan``/``bar_touched`` -> ``限宽门·碰杆`` (``Width gate: Bar touched``) by the course."""
    joiner = ": " if lang == "en" else "·"
    for seg in course.all_segments() if course is not None else ():
        if seg.code != segment:
            continue
        seg_name = seg.name_en if lang == "en" else seg.name_zh
        for inf in seg.infractions:
            if inf.code == code:
                return f"{seg_name}{joiner}{inf.name_en if lang == 'en' else inf.name_zh}"
        return f"{seg_name}{joiner}{code}"
    return f"{segment}{joiner}{code}"


def place_text(rank: int | None, shared: bool, status: str) -> str:
    """The place as printed: ``3``, ``=3`` for a shared one, nothing for DNF/DSQ/DNS.

    Only an OK result has a place in public: a DNF or DSQ rider is listed
    after the ranked ones without a number (the order still says DNF before DSQ).
    """
    if rank is None or status != "OK":
        return ""
    return f"={rank}" if shared else str(rank)


def public_rank(rank: int | None, status: str) -> int | None:
    """The rank a public output may carry: ``None`` unless the result is OK."""
    return rank if status == "OK" else None


def score_text(value: int, scale: int) -> str:
    """A judged score held as an integer over ``scale`` (10 = tenths, 100 = hundredths).

    At least one decimal, and every digit the value has: 87/10 -> ``8.7``,
    875/100 -> ``8.75``, 900/100 -> ``9.0``. Never rounds, never truncates a
    digit that changes the meaning (a median of 8.5 and 9.0 is 8.75, not 8.7).
    """
    if scale <= 0 or 10 ** (len(str(scale)) - 1) != scale:
        raise ValueError("scale must be a power of ten")
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), scale)
    digits = len(str(scale)) - 1
    text = str(frac).rjust(digits, "0").rstrip("0") if digits else ""
    return f"{sign}{whole}.{text or '0'}"


def outcome_line(outcome: Any, lang: str, precision_ns: int) -> str:
    """One line of ``timing listen``: ``[1] 到达 #12 45.12`` — words and seconds, never codes or ns.

    ``outcome`` is a ``competition.timing.ImpulseOutcome`` (track, channel,
    disposition, bib, raw_ns, status).
    """
    from competition.times import format_duration

    channel = channel_word(outcome.channel, lang)
    what = disposition_word(outcome.disposition, lang)
    text = f"[{outcome.track}] {channel}" if what == channel else f"[{outcome.track}] {channel} → {what}"
    if outcome.bib is not None:
        text += f" #{outcome.bib}"
    if outcome.raw_ns is not None:
        text += f" {format_duration(outcome.raw_ns, precision_ns)}"
    if outcome.status and outcome.status != "OK":
        text += f" {status_word(outcome.status, lang)}"
    return text


def counts_text(counts: dict[str, int], lang: str) -> str:
    """``出发 3，到达 3，无主 1`` from a dict of dispositions (the replay and listen summaries)."""
    sep = ", " if lang == "en" else "，"
    return sep.join(f"{disposition_word(k, lang)} {v}" for k, v in sorted(counts.items())) or "0"


def lookup(table: str, code: str, lang: str) -> str:
    """Generic lookup by table name (``status``, ``round``, ``column`` …), for templates."""
    return _word(_TABLES[table], code, lang)
