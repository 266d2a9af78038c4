"""Issue #12, "Words": one glossary for statuses, rounds and columns; places only for OK results;
style medians shown with every digit they have; check-in search by any case of the initials.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from competition import glossary
from competition.search import matches, search_key
from results.documents import ResultRow, status_label
from results.printing import render_results_notice
from tests.cli.test_cli_wording import db, prelim, replay, run_ids, sh  # noqa: F401  (db is a fixture)
from tests.results.test_printing import body_rows, make_event, parse, row

S = 1_000_000_000


# -- the glossary itself ---------------------------------------------------------------------


def test_every_status_state_and_round_has_both_languages() -> None:
    from competition.judging import STATUSES
    from courses.loader import bundled_courses, load_course

    for code in STATUSES:
        term = glossary.STATUSES[code]
        assert term.zh and term.en and term.zh != code
        assert re.search(r"[\u4e00-\u9fff]", term.zh), term  # Chinese has Chinese words, not codes
    for table in (glossary.STATUSES, glossary.RUN_STATES, glossary.ROUNDS, glossary.PRIZES, glossary.CHANNELS,
                  glossary.DISPOSITIONS, glossary.JOURNAL_KINDS, glossary.COLUMNS):
        for code, term in table.items():
            assert term.zh.strip() and term.en.strip(), code
            assert re.search(r"[\u4e00-\u9fff]", term.zh), (code, term)
    for name in bundled_courses():
        course = load_course(name)
        for rule in course.rounds:
            assert rule.code in glossary.ROUNDS, rule.code
            assert glossary.round_name(rule.code, "zh", course) == rule.name_zh
            assert glossary.round_name(rule.code, "en", course) == rule.name_en
        for tier in course.prizes:
            assert tier.code in glossary.PRIZES
            assert glossary.prize_name(tier.code, "zh") == tier.name_zh
    # the journal kinds a projection handles are all named
    from competition.projections import HANDLERS

    assert set(HANDLERS) <= set(glossary.JOURNAL_KINDS), set(HANDLERS) - set(glossary.JOURNAL_KINDS)


def test_every_disposition_the_timing_core_writes_is_named() -> None:
    source = Path(__file__).resolve().parents[2].joinpath("competition", "timing.py").read_text(encoding="utf-8")
    written = set(re.findall(r'disposition[^\n]{0,40}?"([a-z_]+)"', source))
    assert written and written <= set(glossary.DISPOSITIONS), written - set(glossary.DISPOSITIONS)


def test_score_text_keeps_every_digit() -> None:
    assert glossary.score_text(87, 10) == "8.7"
    assert glossary.score_text(875, 100) == "8.75"
    assert glossary.score_text(900, 100) == "9.0"
    assert glossary.score_text(100, 10) == "10.0"
    assert glossary.score_text(5, 100) == "0.05"


# -- one word for DSQ on every face -------------------------------------------------------------


def test_dsq_is_one_word_in_cli_prints_and_app(db: Path, tmp_path: Path) -> None:  # noqa: F811
    from competition.tui.i18n import STRINGS, Texts

    word_zh, word_en = glossary.STATUSES["DSQ"].zh, glossary.STATUSES["DSQ"].en
    prelim(db, tmp_path)
    sh(db, "penalty", "3", "单边桥", "摔车")
    cli_zh, cli_en = sh(db, "standings"), sh(db, "standings", lang="en")
    assert word_zh in cli_zh and word_en in cli_en
    notice = render_results_notice(make_event(), "预赛", "Preliminary", [row(None, 7, status="DSQ")])
    assert word_zh in notice and status_label("DSQ", "zh") == word_zh and status_label("DSQ", "en") == word_en
    zh, en = Texts("zh"), Texts("en")
    assert zh("run_status.DSQ") == word_zh and en("run_status.DSQ") == word_en
    assert word_zh in zh("key.dsq") and word_zh in zh("title.dsq")
    for other in ("取消资格",):
        assert all(other not in z for z, _ in STRINGS.values()), other
        assert other not in cli_zh and other not in notice
    for code, term in glossary.STATUSES.items():
        assert zh(f"run_status.{code}") == term.zh and en(f"run_status.{code}") == term.en
        assert status_label(code, "zh") == term.zh


def test_app_columns_are_the_glossary_columns() -> None:
    from competition.tui.i18n import Texts

    zh, en = Texts("zh"), Texts("en")
    for key in ("bib", "name", "platform", "station", "phone", "raw", "penalty", "adjusted", "status", "rank",
                "track", "seq", "time", "channel", "device", "operator", "terminal", "what"):
        assert zh(f"col.{key}") == glossary.column(key, "zh"), key
        assert en(f"col.{key}") == glossary.column(key, "en"), key


# -- places only for OK results ----------------------------------------------------------------------


def test_results_notice_lists_dnf_and_dsq_without_a_place(db: Path, tmp_path: Path) -> None:  # noqa: F811
    from competition.event import Event
    from results.publish import result_rows
    from results.standings import build_standings

    prelim(db, tmp_path)
    ids = run_ids(db)
    sh(db, "status", str(ids[2]), "DNF", "--reason", "摔车后未完成")
    sh(db, "penalty", "3", "单边桥", "摔车")
    with Event.open(db) as event:
        rows = result_rows(build_standings(event, "prelim"))
    by_bib = {r.bib: r for r in rows}
    assert by_bib[1].rank == 1 and by_bib[2].rank is None and by_bib[3].rank is None
    root = parse(render_results_notice(make_event(), "预赛", "Preliminary", rows))
    cells = {tr.attrs["data-bib"]: tr.find("td", "rank").text() for tr in body_rows(root) if "data-bib" in tr.attrs}
    assert cells["1"] == "1" and cells["2"] == "—" and cells["3"] == "—", cells


def test_the_notice_never_prints_a_place_for_a_non_ok_row_it_is_given() -> None:
    rows: list[ResultRow] = [row(1, 11), row(2, 12, status="DNF"), row(3, 13, status="DSQ")]
    root = parse(render_results_notice(make_event(), "预赛", "Preliminary", rows))
    cells = {tr.attrs["data-bib"]: tr.find("td", "rank").text() for tr in body_rows(root) if "data-bib" in tr.attrs}
    assert cells == {"11": "1", "12": "—", "13": "—"}


# -- style medians --------------------------------------------------------------------------------


def test_style_median_of_two_judges_prints_every_digit(db: Path, tmp_path: Path) -> None:  # noqa: F811
    from competition.event import Event
    from results.awards import compute_awards
    from results.printing import render_award_list
    from results.publish import event_info

    prelim(db, tmp_path)
    # riders 1-3 take the rank prizes; the style prize goes among the others
    sh(db, "style", "4", "8.5", "--judge", "甲")
    sh(db, "style", "4", "9.0", "--judge", "乙")
    sh(db, "style", "5", "8.7", "--judge", "甲")
    with Event.open(db) as event:
        result = compute_awards(event)
        style = [e for e in result.entries if e.prize_code == "best_style"]
        html = render_award_list(event_info(event, "zh"), result.entries)
    assert [(e.bib, e.style_text()) for e in style[:2]] == [(4, "8.75"), (5, "8.7")]
    assert not result.ties_zh  # 8.75 and 8.7 are not a tie
    assert "8.75" in html


# -- check-in search -----------------------------------------------------------------------------------


PEOPLE = [(1, "朱自清", "13812345678"), (2, "张三", "13900005678"), (3, "祝融", "13700001111"),
          (4, "Tom朱", "13600002222"), (5, "诸葛亮", "13500001212")]


def _find(query: str) -> list[int]:
    return [bib for bib, name, phone in PEOPLE if matches(query, bib=bib, name=name, phone=phone,
                                                             initials=search_key(name))]


@pytest.mark.parametrize(("query", "bibs"), [
    ("ZZQ", [1]), ("Zzq", [1]), ("ＺＺＱ", [1]), ("ｚｚｑ", [1]), ("ZS", [2]), ("TOMZ", [4]), ("ZHU", [1, 3, 4, 5]),
    ("朱", [1, 4]), ("朱自", [1]), ("Ｚ Ｓ", [2]),
])
def test_search_by_any_case_or_width_of_the_letters(query: str, bibs: list[int]) -> None:
    assert _find(query) == bibs


def test_a_chinese_query_returns_only_names_that_contain_it(db: Path) -> None:  # noqa: F811
    from competition.entrants import edit_entrant, search_entrants
    from competition.event import Event

    with Event.open(db) as event:
        for bib, name in ((1, "朱自清"), (2, "祝融"), (3, "诸葛亮")):
            edit_entrant(event, bib, {"name": name}, reason="测试")
        found = search_entrants(event, "朱")
        assert [e["name"] for e in found] == ["朱自清"]
        assert [e["bib"] for e in search_entrants(event, "ZZQ")] == [1]


def test_export_rank_column_is_empty_for_dnf_and_dsq(db: Path, tmp_path: Path) -> None:  # noqa: F811
    import csv

    prelim(db, tmp_path)
    ids = run_ids(db)
    sh(db, "status", str(ids[2]), "DNF", "--reason", "摔车后未完成")
    sh(db, "penalty", "3", "单边桥", "摔车")
    out = tmp_path / "成绩.csv"
    sh(db, "export", "--format", "csv", "--out", str(out), "--round", "prelim", "--masked")
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert "进行中" in next(f)  # the round's state line (issue 15) stands above the header
        rows = {r["号码"]: r for r in csv.DictReader(f)}
    assert rows["1"]["名次"] == "1"
    assert rows["2"]["名次"] == "" and rows["2"]["状态"] == "未完成"
    assert rows["3"]["名次"] == "" and rows["3"]["状态"] == "取消成绩"
