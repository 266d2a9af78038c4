"""Hostile course files (issue 16): huge numbers, deep nesting and windows that swallow runs
are refused with the file, the key and the reason; never a traceback."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from courses.loader import CourseError, parse_course_text
from main import cli

BASE = resources.files("courses").joinpath("default.toml").read_text(encoding="utf-8")
PENALTY = "\n  seconds = 3\n"


def error_of(text: str) -> CourseError:
    with pytest.raises(CourseError) as caught:
        parse_course_text(text, "mine.toml")
    return caught.value


def test_the_bundled_course_is_consistent() -> None:
    course = parse_course_text(BASE, "default.toml")
    assert course.double_trigger_ns < course.min_run_ns < course.time_limit_ns


@pytest.mark.parametrize("value", ["1e300", "100000", "1" + "0" * 40])
def test_seconds_that_no_course_needs_are_refused(value: str) -> None:
    assert PENALTY in BASE
    err = error_of(BASE.replace(PENALTY, f"\n  seconds = {value}\n", 1))
    assert "too large" in err.message_en and "mine.toml" in err.message_en
    assert err.key_path is not None and err.key_path.endswith("seconds")


def test_a_5000_digit_number_is_refused() -> None:
    err = error_of(BASE.replace(PENALTY, "\n  seconds = 1" + "0" * 5000 + "\n", 1))
    assert "digits" in err.message_en or "too large" in err.message_en


def test_a_huge_count_is_refused() -> None:
    assert "attempts = 1" in BASE
    err = error_of(BASE.replace("attempts = 1", "attempts = 9223372036854775808", 1))
    assert "too large" in err.message_en and "attempts" in err.message_en


@pytest.mark.parametrize("opener,closer", [("[", "]"), ("{a=", "}")])
@pytest.mark.parametrize("depth", [50, 10_000])
def test_deep_nesting_is_refused(opener: str, closer: str, depth: int) -> None:
    text = "x = " + opener * depth + ("1" if opener == "{a=" else "") + closer * depth + "\n" + BASE
    err = error_of(text)
    assert "nested too deeply" in err.message_en or "syntax" in err.message_en


@pytest.mark.parametrize("window", ["180", "200", "5", "6"])
def test_a_double_trigger_window_as_long_as_a_run_is_refused(window: str) -> None:
    assert "double_trigger = 0.3" in BASE
    err = error_of(BASE.replace("double_trigger = 0.3", f"double_trigger = {window}", 1))
    assert "double_trigger" in err.message_en and "min_run" in err.message_en
    assert "double_trigger" in err.message_zh and "min_run" in err.message_zh


def test_init_with_an_inconsistent_course_records_nothing(tmp_path: Path) -> None:
    course = tmp_path / "mine.toml"
    course.write_text(BASE.replace("double_trigger = 0.3", "double_trigger = 500", 1), encoding="utf-8")
    db = tmp_path / "e.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "--lang", "en", "init", "--course", str(course)])
    assert result.exit_code == 1 and "double_trigger" in result.output and "Traceback" not in result.output
    assert not db.exists()


@pytest.mark.parametrize("body", ["x = " + "[" * 10_000 + "]" * 10_000, "seconds = 1e300"])
def test_init_with_a_hostile_course_file_is_one_line(tmp_path: Path, body: str) -> None:
    course = tmp_path / "mine.toml"
    course.write_text(BASE.replace(PENALTY, "\n  " + body + "\n", 1) if "seconds" in body else body + "\n" + BASE,
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "e.db"), "init", "--course", str(course)])
    assert result.exit_code == 1 and "mine.toml" in result.output and "Traceback" not in result.output


def test_a_course_that_is_not_a_regular_file(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "e.db"), "--lang", "en", "init", "--course", str(fifo)])
    assert result.exit_code == 1 and "not a regular file" in result.output
