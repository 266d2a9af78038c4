"""Issue #12, "Words": what the CLI prints to a person never carries an internal code or a raw value.

Each test is a reproduction from the issue, driven through click's CliRunner
on a real event file: the journal's infraction codes and raw payloads, round
codes in `advance` and `standings`, two 成绩 columns in `runs`, places for
DNF/DSQ riders, the `penalty --help` example, the result printed after a
penalty in a best-of-two final, and nanoseconds from `timing listen`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from main import cli
from tests.conftest import register


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "event.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "init", "--date", "2026-11-28"])
    assert result.exit_code == 0, result.output
    from competition.event import Event

    with Event.open(path) as event:
        register(event, 6)
    return path


def sh(db: Path, *args: str, lang: str = "zh") -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def alge(lines: list[tuple[int, str, str]]) -> bytes:
    """An ALGE Timy capture: (seq, channel C0/C1, time of day)."""
    return b"".join(f" {seq:04d} {ch}  {tod} 00\r".encode() for seq, ch, tod in lines)


def replay(db: Path, tmp_path: Path, name: str, lines: list[tuple[int, str, str]]) -> None:
    capture = tmp_path / name
    capture.write_bytes(alge(lines))
    sh(db, "timing", "replay", str(capture), "--protocol", "alge")


def prelim(db: Path, tmp_path: Path) -> None:
    """Riders 1, 2, 3 ride the preliminary: 45.12, 50.50, 41.00."""
    sh(db, "checkin", "1", "2", "3")
    replay(db, tmp_path, "day1.cap", [
        (1, "C0", "10:00:00.0000"), (2, "C1", "10:00:45.1239"), (3, "C0", "10:00:50.0000"),
        (4, "C1", "10:01:40.5000"), (5, "C0", "10:02:00.0000"), (6, "C1", "10:02:41.0000"),
    ])


def run_ids(db: Path) -> dict[int, int]:
    import json

    return {r["bib"]: r["run_id"] for r in json.loads(sh(db, "runs", "--json"))}


CODE_WORDS = ("xiankuan", "bar_touched", "danbian", "penalty_called", "impulse_recorded", "seq=None",
              "disposition", "prelim", "{'", "→ finish", "→ start")


def test_journal_names_infractions_and_kinds_in_the_readers_words(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    sh(db, "penalty", "1", "xiankuan", "bar_touched")
    out = sh(db, "journal", "--limit", "20")
    assert "限宽门·碰杆" in out
    assert "判罚" in out and "计时脉冲" in out
    for code in CODE_WORDS:
        assert code not in out, (code, out)
    en = sh(db, "journal", "--limit", "20", lang="en")
    assert "Width" in en or "Bar" in en or "bar touched" in en.lower()
    assert "xiankuan/bar_touched" not in en and "seq=None" not in en and "{'" not in en


def test_journal_of_a_manual_impulse_and_a_set_aside_one_shows_no_raw_values(db: Path, tmp_path: Path) -> None:
    from competition import timing
    from competition.event import Event
    from hardware.impulse import Channel

    sh(db, "checkin", "1")
    with Event.open(db) as event:
        timing.manual_impulse(event, track=1, channel=Channel.START)  # keyed by hand: no device sequence
    replay(db, tmp_path, "slap.cap", [(1, "C0", "10:00:00.0000")])  # a slap nobody's start can use
    with Event.open(db) as event:
        slap = event.store.query("SELECT seq FROM impulses ORDER BY seq DESC LIMIT 1")[0]["seq"]
    sh(db, "timing", "discard", str(slap), "--reason", "试踩计时垫")
    out = sh(db, "journal", "--limit", "30")
    assert "seq=None" not in out and "{'" not in out and "disposition" not in out, out
    assert "已搁置" in out and "试踩计时垫" in out and "手动" in out
    en = sh(db, "journal", "--limit", "30", lang="en")
    assert "seq=None" not in en and "{'" not in en and "set aside" in en


def test_advance_and_standings_name_the_round(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    out = sh(db, "standings")
    assert out.startswith("轮次：预赛"), out
    assert "prelim" not in out
    out = sh(db, "advance", "--top", "2")
    assert "晋级决赛" in out.replace(" ", "") and "final" not in out, out
    out = sh(db, "standings", lang="en")  # the current round is now the final
    assert out.startswith("Round: Final"), out
    assert "Round: Preliminary" in sh(db, "standings", "--round", "prelim", lang="en")


def test_runs_has_one_column_per_heading(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    for lang in ("zh", "en"):
        header = sh(db, "runs", lang=lang).splitlines()[0].split()
        assert len(header) == len(set(header)), header
    out = sh(db, "runs")
    assert "预赛" in out and "prelim" not in out


def _rank_cells(out: str) -> dict[int, str]:
    """Bib -> the text of the rank column, from a plain-text table (rank is the first column)."""
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(("名次", "Rank")))
    cells: dict[int, str] = {}
    for line in lines[head + 2:]:
        m = re.match(r"^(\S*)\s+(\d+)\s", line)
        if m and not line.startswith(("！", "!")):
            cells[int(m.group(2))] = m.group(1) if line[0] != " " else ""
    return cells


def test_dnf_and_dsq_riders_have_no_place(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    ids = run_ids(db)
    sh(db, "status", str(ids[2]), "DNF", "--reason", "摔车后未完成")
    out = sh(db, "penalty", "3", "单边桥", "摔车")  # eliminates: DSQ
    assert "名" not in out, out  # no "第 N 名" for a disqualified run
    assert "取消成绩" in out and "DSQ" not in out
    for lang in ("zh", "en"):
        cells = _rank_cells(sh(db, "standings", lang=lang))
        assert cells[1] == "1"
        assert cells[2] == "" and cells[3] == "", cells


def test_penalty_help_example_uses_codes_of_the_default_course() -> None:
    from competition.judging import resolve_infraction
    from courses.loader import load_course

    class CourseOnly:
        course = load_course(None)

    text = CliRunner().invoke(cli, ["penalty", "--help"]).output
    examples = [line.split()[2:5] for line in text.splitlines() if line.strip().startswith("trackside penalty ")]
    assert len(examples) >= 2, text
    for bib, segment, code in examples:
        assert bib.isdigit()
        resolve_infraction(CourseOnly(), segment, code)  # type: ignore[arg-type]  # raises on an unknown code


def test_penalty_in_a_best_of_two_final_prints_the_penalised_run(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    sh(db, "advance", "--top", "3")
    sh(db, "checkin", "1")
    replay(db, tmp_path, "final1.cap", [(7, "C0", "11:00:00.0000"), (8, "C1", "11:00:40.0000")])
    sh(db, "checkin", "1")
    replay(db, tmp_path, "final2.cap", [(9, "C0", "11:05:00.0000"), (10, "C1", "11:05:45.0000")])
    out = sh(db, "penalty", "1", "绕杆", "倒杆出框")  # +3 on the rider's latest run: attempt 2, 45.00
    assert "45.00 +3 = 48.00" in out, out
    assert "第 2 次" in out
    en = sh(db, "penalty", "1", "绕杆", "倒杆出框", lang="en")
    assert "45.00 +6 = 51.00" in en and "attempt 2" in en, en


def test_timing_listen_prints_seconds_and_words_not_nanoseconds(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import competition.recorder as recorder
    from competition.timing import ImpulseOutcome

    class FakeRecorder:
        def __init__(self, *args: object, on_outcome, on_status, **kw: object) -> None:  # type: ignore[no-untyped-def]
            self.on_outcome = on_outcome
            self.pipeline = type("P", (), {"pending": 0, "counts": {"finish": 1, "start": 1, "orphan": 1}})()

        def start(self) -> None:
            self.on_outcome(ImpulseOutcome(5, "start", 1, "start", 3, 1))
            self.on_outcome(ImpulseOutcome(6, "finish", 1, "finish", 3, 1, 45_123_900_000, "OK"))
            self.on_outcome(ImpulseOutcome(7, "orphan", 1, "finish"))

        def stop(self) -> None:
            pass

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(recorder, "TimingRecorder", FakeRecorder)
    monkeypatch.setattr(recorder.time, "sleep", interrupt)
    for lang, words in (("zh", ("出发", "到达", "无主", "45.12")), ("en", ("start", "finish", "orphan", "45.12"))):
        lines: list[str] = []
        recorder.listen_forever(str(db), url="loop://", protocol="alge", track=1, lang=lang, operator="",
                                terminal=None, echo=lines.append)
        text = "\n".join(lines)
        assert "45123900000" not in text and " ns" not in text, text
        for word in words:
            assert word in text, (word, text)
        if lang == "zh":
            assert "finish" not in text and "orphan" not in text and "=" not in text, text


def test_status_message_uses_the_glossary_word(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    ids = run_ids(db)
    out = sh(db, "status", str(ids[3]), "dsq", "--reason", "漏项")
    assert "取消成绩" in out and "DSQ" not in out
    out = sh(db, "status", str(ids[3]), "ok", "--reason", "复核", lang="en")
    assert "OK" in out


def test_standings_say_qualified_in_words(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    out = sh(db, "standings")
    assert not re.search(r"\sQ(\s|$)", out), out
    line_of_1 = next(line for line in out.splitlines() if re.match(r"^\S+\s+1\s", line))
    assert line_of_1.rstrip().endswith("晋级"), line_of_1
    assert re.search(r"\sQ$", next(line for line in sh(db, "standings", lang="en").splitlines()
                                   if re.match(r"^\S+\s+1\s", line)).rstrip())


def test_import_summary_shows_values_not_python_reprs(tmp_path: Path) -> None:
    from competition.registration.sample_sheet import make_clerk_csv

    db = tmp_path / "e.db"
    sh(db, "init")
    sheet = tmp_path / "报名表.csv"
    make_clerk_csv(sheet, 30)
    out = sh(db, "entrants", "import", str(sheet))
    assert "被拒绝的行" in out
    assert "''" not in out and ": '" not in out, out
    assert "「」" in out  # an empty cell is shown as an empty quote, in Chinese quotes
    en = sh(db, "entrants", "import", str(sheet), "--dry-run", lang="en")
    assert "''" not in en and '""' in en, en


def test_journal_kind_by_the_name_it_shows(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    sh(db, "penalty", "1", "xiankuan", "bar_touched")
    by_name = sh(db, "journal", "--kind", "判罚")
    assert by_name == sh(db, "journal", "--kind", "penalty_called")
    assert "限宽门·碰杆" in by_name and "计时脉冲" not in by_name


def test_a_rider_on_course_is_not_shown_as_finished(db: Path, tmp_path: Path) -> None:
    sh(db, "checkin", "1")
    replay(db, tmp_path, "start.cap", [(1, "C0", "10:00:00.0000")])
    line = next(line for line in sh(db, "runs").splitlines() if "选手1" in line)
    assert "赛道上" in line and "完成" not in line, line
    line = next(line for line in sh(db, "runs", lang="en").splitlines() if "选手1" in line)
    assert "on course" in line and " OK" not in line, line


def test_an_unknown_segment_or_infraction_is_explained_in_the_readers_language(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    for lang in ("zh", "en"):
        result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, "penalty", "1", "绕杆x", "碰杆"])
        assert result.exit_code == 1 and "Traceback" not in result.output
        if lang == "en":
            assert not re.search(r"[\u4e00-\u9fff]", result.output.replace("绕杆x", "")), result.output
            assert "Pole slalom [4]" in result.output
        else:
            assert "绕杆[4]" in result.output and "raogan" not in result.output, result.output
        result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, "penalty", "1", "4", "xyz"])
        assert result.exit_code == 1
        if lang == "en":
            assert "Pole down" in result.output or "pole" in result.output.lower()
            assert not re.search(r"[\u4e00-\u9fff]", result.output), result.output
        else:
            assert "倒杆出框[d]" in result.output and "pole_down" not in result.output, result.output


def test_awards_refused_mid_round_names_the_round(db: Path, tmp_path: Path) -> None:
    prelim(db, tmp_path)
    sh(db, "checkin", "4")
    result = CliRunner().invoke(cli, ["--db", str(db), "awards", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "预赛尚未结束" in result.output and "prelim" not in result.output, result.output
