"""From the event file to printable documents and exports.

Fills the view models of ``results.documents`` from the standings and the
projections, renders them with ``results.printing`` and writes them as one
set (``write_documents`` is atomic: partial output never looks complete).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused
from competition.glossary import public_rank
from results.documents import (
    Attempt,
    AwardEntry,
    EventInfo,
    Infraction,
    PenaltyItem,
    ResultRow,
    SegmentSheet,
    StartListEntry,
)
from results.scoring import ScoredRun
from results.standings import StandingsReport, build_standings

if TYPE_CHECKING:
    from competition.event import Event


def event_info(event: Event, lang: str) -> EventInfo:
    course = event.course
    return EventInfo(
        title=event.title, date=event.day, course_name_zh=course.name_zh, course_name_en=course.name_en,
        precision_ns=course.precision_ns, lang="en" if lang == "en" else "zh", organizer=event.organizer,
    )


def _items(run: ScoredRun | None) -> tuple[PenaltyItem, ...]:
    if run is None:
        return ()
    return tuple(
        PenaltyItem(ln.segment_name_zh, ln.segment_name_en, ln.name_zh, ln.name_en, ln.count, ln.seconds_ns,
                    ln.eliminates, ln.segment, ln.code)
        for ln in run.lines
    )


def result_rows(report: StandingsReport, tie_bibs: dict[int, tuple[str, str]] | None = None) -> list[ResultRow]:
    """One ResultRow per rider of the round, in ranking order."""
    rows = []
    tie_bibs = tie_bibs or {}
    for s in report.standings:
        e = report.entrants[s.bib]
        c = s.rider.counting
        prize = report.prize_of(s)
        note = tie_bibs.get(s.bib)
        rows.append(ResultRow(
            # Only an OK result has a place in public; DNF/DSQ are listed after, without one.
            rank=public_rank(s.rank, s.status), shared=s.shared and s.status == "OK", bib=s.bib, name=e["name"], gender=e.get("gender"), phone=e["phone"],
            platform=e.get("platform"), station=e.get("station"), status=s.status,
            raw_ns=c.raw_ns if c else None, penalty_ns=c.penalty_ns if c else 0,
            adjusted_ns=c.adjusted_ns if c else None, penalties=_items(c),
            attempts=tuple(Attempt(r.attempt, r.status, r.raw_ns, r.penalty_ns, r.adjusted_ns, r is c)
                           for r in s.rider.runs if r.counts),
            qualified=report.qualified(s), prize_zh=prize[0] if prize else None, prize_en=prize[1] if prize else None,
            note_zh=note[0] if note else None, note_en=note[1] if note else None,
        ))
    return rows


def _tie_notes(report: StandingsReport) -> dict[int, tuple[str, str]]:
    notes: dict[int, tuple[str, str]] = {}
    for t in report.ties:
        for b in t.bibs:
            notes[b] = ("并列，需加赛或裁定", "tied: run-off or ruling needed")
    return notes


def start_entries(event: Event, round_code: str) -> list[StartListEntry]:
    """Start order: the round's list after a cut; in the preliminary, check-in order then the rest by bib."""
    rows = event.store.query(
        "SELECT e.*, re.start_order AS ord, NULL AS track FROM round_entries re JOIN entrants e ON e.bib = re.bib"
        " WHERE re.round = ? ORDER BY re.start_order",
        (round_code,),
    )
    if not rows:
        queued = event.store.query(
            "SELECT e.*, q.track AS track FROM queue q JOIN entrants e ON e.bib = q.bib"
            " WHERE q.round = ? AND q.state != 'scratched' ORDER BY q.entry_id",
            (round_code,),
        )
        seen = {r["bib"] for r in queued}
        rest = event.store.query(
            "SELECT *, NULL AS track FROM entrants WHERE status = 'active' ORDER BY bib"
        )
        rows = queued + [r for r in rest if r["bib"] not in seen]
    return [
        StartListEntry(i, r["bib"], r["name"], r.get("gender"), r["phone"], r.get("platform"), r.get("station"), r.get("track"))
        for i, r in enumerate(rows, start=1)
    ]


def segment_sheets(event: Event) -> list[SegmentSheet]:
    return [
        SegmentSheet(s.code, s.name_zh, s.name_en, tuple(
            Infraction(i.code, i.name_zh, i.name_en, i.penalty_ns, i.eliminates, i.cap) for i in s.infractions
        ))
        for s in event.course.all_segments()
    ]


@dataclass
class PublishReport:
    out_dir: Path
    files: list[Path]
    warnings_zh: list[str] = field(default_factory=list)
    warnings_en: list[str] = field(default_factory=list)
    awards: list[AwardEntry] = field(default_factory=list)

    def lines(self, lang: str) -> list[str]:
        en = lang == "en"
        out = [f"Wrote {len(self.files)} files to {self.out_dir}:" if en else f"已写入 {len(self.files)} 个文件到 {self.out_dir}："]
        out += [f"  {p.name}" for p in self.files]
        if self.awards:
            out.append(f"{len(self.awards)} prizes" if en else f"共 {len(self.awards)} 个奖项")
        out += [("! " + w) for w in (self.warnings_en if en else self.warnings_zh)]
        return out


def _round_documents(event: Event, info: EventInfo, lang: str) -> dict[str, str]:
    from results import printing

    docs: dict[str, str] = {}
    for r in event.rounds():
        code = r["code"]
        rule = event.course.round(code)
        report = build_standings(event, code)
        from competition.round_states import provisional_banner, round_state

        docs[printing.results_notice_file(rule.name_zh)] = printing.render_results_notice(
            info, rule.name_zh, rule.name_en, result_rows(report, _tie_notes(report)), report.cut,
            state_line=provisional_banner(event, code, lang), seal=round_state(event, code).seal,
        )
        docs[printing.start_list_file(rule.name_zh)] = printing.render_start_list(
            info, rule.name_zh, rule.name_en, start_entries(event, code)
        )
    return docs


def write_start_documents(
    event: Event, out_dir: Path, *, round_code: str | None, lang: str, venue_url: str | None = None
) -> PublishReport:
    """Before the round: start list and the judges' blank paper sheets.

    With ``venue_url`` (the venue server's address) the set also has the
    spectators' QR poster, and each judge's sheet carries her QR card.
    """
    from results import printing

    code = event.require_round(round_code)
    rule = event.course.round(code)
    info = event_info(event, lang)
    entries = start_entries(event, code)
    cards = None
    if venue_url:
        from results.venue_sheets import POSTER_FILE, judge_cards, render_poster

        cards = judge_cards(event, venue_url)
    docs = {
        printing.start_list_file(rule.name_zh): printing.render_start_list(info, rule.name_zh, rule.name_en, entries),
        "裁判记录表.html": printing.render_referee_sheets(info, segment_sheets(event), entries, rule.name_zh, rule.name_en,
                                                      judge_cards=cards),
    }
    if venue_url:
        docs[POSTER_FILE] = render_poster(info, venue_url)
    files = printing.write_documents(out_dir, docs, event=info)
    return PublishReport(out_dir, files)


def write_award_documents(
    event: Event, out_dir: Path, *, round_code: str | None, lang: str, allow_ties: bool = False
) -> PublishReport:
    """Award list, certificates, results notices, start lists and judges' sheets as one set."""
    from results import printing
    from results.union_awards import union_awards

    union = union_awards(event, round_code)
    result = union.riders
    ties_zh, ties_en = union.ties_zh, union.ties_en
    if ties_zh and not allow_ties:
        raise CommandRefused(
            "奖项分界有并列，未生成获奖名单和奖状：\n" + "\n".join(ties_zh)
            + "\n加赛或裁定后用 `trackside prize 号码 奖项 --reason …` 指定；或加 --allow-ties 先打印带警示的名单。",
            "Ties on a prize boundary; no award list or certificates written:\n" + "\n".join(ties_en)
            + "\nAfter a run-off, name the winner with `trackside prize BIB PRIZE --reason …`, or pass --allow-ties.",
        )
    info = event_info(event, lang)
    docs = _round_documents(event, info, lang)
    code = result.round_code
    rule = event.course.round(code)
    units = union.unit_winners
    docs["获奖名单.html"] = printing.render_award_list(info, result.entries, ties_en if lang == "en" else ties_zh,
                                                   unit_winners=units)
    docs["奖状.html"] = printing.render_certificates(info, result.entries, units)
    if union.teams is not None or union.organizing:
        names = {e["bib"]: e["name"] for e in event.store.query("SELECT bib, name FROM entrants")}
        docs["团体成绩.html"] = printing.render_team_results(info, union.teams, union.organizing,
                                                          union.organizing_name, names)
    docs["裁判记录表.html"] = printing.render_referee_sheets(
        info, segment_sheets(event), start_entries(event, code), rule.name_zh, rule.name_en
    )
    files = printing.write_documents(out_dir, docs, event=info)
    return PublishReport(out_dir, files, list(ties_zh), list(ties_en), result.entries)


def export_results(
    event: Event, fmt: str, path: Path, *, round_code: str | None, full_phone: bool, lang: str
) -> int:
    """CSV/JSON of one round (default: the current one); XLSX has a sheet per round."""
    from results import exports
    from results.export_state import export_state_line, export_state_meta

    precision = event.course.precision_ns
    codes = [event.require_round(round_code)] if round_code else [r["code"] for r in event.rounds()]
    by_round: dict[str, list[ResultRow]] = {}
    states: dict[str, str | None] = {}  # the 公示/正式 line of each round, by its sheet name
    for code in codes:
        rule = event.course.round(code)
        report = build_standings(event, code)
        name = rule.name_en if lang == "en" else rule.name_zh
        by_round[name] = result_rows(report, _tie_notes(report))
        states[name] = export_state_line(event, code, lang)
    if fmt == "xlsx":
        exports.export_xlsx(by_round, path, full_phone=full_phone, lang=lang, precision_ns=precision,
                            state_lines=states)
        return sum(len(v) for v in by_round.values())
    shown = next(reversed(by_round)) if not round_code else next(iter(by_round))
    rows = by_round[shown]
    if fmt == "csv":
        exports.export_csv(rows, path, full_phone=full_phone, lang=lang, precision_ns=precision,
                           state_line=states[shown])
    elif fmt == "json":
        meta: dict[str, Any] = {"title": event.title, "date": event.day, "round": codes[-1] if not round_code else round_code,
                                "precision_ns": precision}
        meta.update(export_state_meta(event, codes[-1] if not round_code else round_code, lang))
        exports.export_json(rows, path, meta=meta, full_phone=full_phone)
    else:
        raise CommandRefused(f"不支持的格式 {fmt}", f"Unsupported format {fmt}")
    return len(rows)
