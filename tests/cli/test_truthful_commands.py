"""Commands that tell the truth (issue 16): no "updated" for nothing, no blank reasons,
no ignored bibs, no 1 ns runs, and one line plus a log for a bug, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from main import cli


def invoke(db: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def run_of(db: Path, bib: int) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT run_id FROM runs WHERE bib = ?", (bib,)).fetchone()[0])
    finally:
        conn.close()


def head(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def ridden(tmp_path: Path) -> Path:
    """An event with three riders; bib 3 has a finished run of 45.1239 s."""
    from competition.event import Event
    from tests.conftest import register

    db = tmp_path / "event.db"
    assert invoke(db, "init")[0] == 0
    with Event.open(db) as event:
        register(event, 3)
    assert invoke(db, "checkin", "3")[0] == 0
    capture = tmp_path / "timy.cap"
    capture.write_bytes(b" 0001 C0  10:00:00.0000 00\r 0002 C1  10:00:45.1239 00\r")
    code, out = invoke(db, "timing", "replay", str(capture), "--protocol", "alge")
    assert code == 0, out
    return db


def test_edit_with_no_fields_says_nothing_changed(ridden: Path) -> None:
    before = head(ridden)
    code, out = invoke(ridden, "entrants", "edit", "1", "--reason", "typo")
    assert code == 1 and "Nothing to change" in out and "updated" not in out
    assert head(ridden) == before


def test_edit_to_the_same_value_says_nothing_changed(ridden: Path) -> None:
    before = head(ridden)
    code, out = invoke(ridden, "entrants", "edit", "1", "--name", "选手1", "--reason", "typo")
    assert code == 0 and "nothing changed" in out and "updated" not in out
    assert head(ridden) == before
    code, out = invoke(ridden, "entrants", "edit", "1", "--name", "王小明", "--reason", "typo")
    assert code == 0 and "updated" in out and head(ridden) == before + 1


@pytest.mark.parametrize("command", [
    ["entrants", "withdraw", "1"], ["entrants", "edit", "1", "--name", "x"], ["penalty-withdraw", "1"],
    ["status", "1", "DNF"], ["rerun", "1"], ["timing", "discard", "1"], ["correct-time", "1", "50"],
    ["prize", "1", "first"],
])
@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_every_reason_must_say_something(ridden: Path, command: list[str], reason: str) -> None:
    before = head(ridden)
    code, out = invoke(ridden, *command, "--reason", reason)
    assert code == 2 and "reason cannot be empty" in out
    assert head(ridden) == before


def test_checkin_all_with_a_bib_is_refused(ridden: Path) -> None:
    before = head(ridden)
    code, out = invoke(ridden, "checkin", "--all", "1")
    assert code == 1 and "cannot be combined" in out
    assert head(ridden) == before


@pytest.mark.parametrize("time_text", ["0.000000001", "1", "9:59:59"])
def test_a_corrected_time_outside_the_course_limits_needs_confirming(ridden: Path, time_text: str) -> None:
    before = head(ridden)
    run = run_of(ridden, 3)
    code, out = invoke(ridden, "correct-time", run, time_text, "--reason", "timer fault")
    assert code == 1 and "outside this course's limits" in out and "--outside-limits" in out
    assert head(ridden) == before
    code, out = invoke(ridden, "correct-time", run, time_text, "--reason", "timer fault", "--outside-limits")
    assert code == 0, out
    assert head(ridden) == before + 1


def test_a_normal_correction_is_recorded(ridden: Path) -> None:
    code, out = invoke(ridden, "correct-time", run_of(ridden, 3), "46.5", "--reason", "photo finish")
    assert code == 0 and "46.50" in out


def test_a_bug_prints_one_line_and_logs_the_traceback(ridden: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import results.standings

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom inside standings")

    monkeypatch.setattr(results.standings, "build_standings", broken)
    code, out = invoke(ridden, "standings")
    assert code == 1
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1
    log = ridden.parent / "trackside-errors.log"
    assert str(log) in out and "RuntimeError" in out
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "boom inside standings" in text


def test_a_bug_outside_run_guarded_is_caught_by_the_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hardware.ports

    def broken() -> list[object]:
        raise OSError("udev went away")

    monkeypatch.setattr(hardware.ports, "list_ports", broken)
    code, out = invoke(tmp_path / "e.db", "timing", "ports", lang="zh")
    assert code == 1 and "意外错误" in out and "Traceback" not in out
    assert "udev went away" in (tmp_path / "trackside-errors.log").read_text(encoding="utf-8")


def test_the_log_falls_back_to_the_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commands.common import write_error_log

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "trackside-errors.log").mkdir()  # in the way: cannot append there
    try:
        raise ValueError("x")
    except ValueError as exc:
        log = write_error_log(exc, str(blocked / "event.db"))
    assert log == tmp_path / "tmp" / "trackside-errors.log" and "ValueError" in log.read_text(encoding="utf-8")
