"""The bundled default course: content from the reference [P] column, and round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from courses import Course, bundled_courses, course_to_toml, load_course, parse_course_text

S = 1_000_000_000


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course()


def test_default_is_bundled_and_loaded_by_name_and_none(course: Course) -> None:
    assert "default" in bundled_courses()
    assert load_course("default") == course
    assert course.id == "default"
    assert course.name_zh == "骑手技能赛道"


def test_six_segments_in_riding_order_with_digit_hotkeys(course: Course) -> None:
    assert [s.name_zh for s in course.segments] == [
        "单边桥",
        "限宽门",
        "S弯",
        "绕杆",
        "信号灯",
        "起伏路",
    ]
    assert [s.hotkey for s in course.segments] == ["1", "2", "3", "4", "5", "6"]
    assert course.general is not None and course.general.hotkey == "0"
    for seg in course.all_segments():
        for inf in seg.infractions:
            assert inf.hotkey.isalpha(), (seg.code, inf.code)


def test_timing_rules(course: Course) -> None:
    assert course.time_limit_ns == 180 * S
    assert course.precision_ns == 10_000_000
    assert course.double_trigger_ns == 300_000_000
    assert course.min_run_ns == 5 * S
    assert course.major_threshold_ns == 5 * S
    assert course.scoring_mode == "time_plus_penalty"
    assert course.tie_break == (
        "fewer_penalty_calls",
        "fewer_major_penalties",
        "faster_raw",
        "better_other_attempt",
    )


def test_rounds_and_prizes(course: Course) -> None:
    assert course.round("prelim").attempts == 1 and course.round("prelim").counting == "best"
    assert course.round("prelim").advance == 70
    assert course.round("final").attempts == 2 and course.round("final").counting == "best"
    assert [(p.name_zh, p.count, p.source) for p in course.prizes] == [
        ("一等奖", 1, "rank"),
        ("二等奖", 2, "rank"),
        ("三等奖", 3, "rank"),
        ("最佳风采奖", 3, "style"),
    ]


@pytest.mark.parametrize(
    ("segment", "code", "seconds", "eliminates"),
    [
        ("danbian", "not_mounted", 10, False),
        ("danbian", "dropped_off", 5, False),
        ("xiankuan", "bar_touched", 3, False),
        ("xiankuan", "bar_down", 5, False),
        ("xiankuan", "gate_bypassed", 0, True),
        ("swan", "on_line", 3, False),
        ("swan", "off_line", 10, False),
        ("swan", "cut_curve", 0, True),
        ("swan", "stop_over_2s", 3, False),
        ("raogan", "pole_touched", 0, False),
        ("raogan", "pole_down", 3, False),
        ("raogan", "pole_missed", 20, False),
        ("xinhaodeng", "red_light", 0, True),
        ("xinhaodeng", "past_stop_line", 3, False),
        ("qifu", "off_line", 5, False),
        ("qifu", "water_spilled", 5, False),
        ("general", "no_helmet", 0, True),
    ],
)
def test_reference_penalties(
    course: Course, segment: str, code: str, seconds: int, eliminates: bool
) -> None:
    inf = course.infraction(segment, code)
    assert inf.penalty_ns == seconds * S
    assert inf.eliminates is eliminates


def test_caps_and_escalation(course: Course) -> None:
    assert course.infraction("danbian", "not_mounted").cap == 2  # two wheels
    assert course.infraction("raogan", "pole_missed").eliminates_after == 2


def test_every_segment_has_the_common_calls(course: Course) -> None:
    for seg in course.segments:
        common = {i.code: i for i in seg.infractions if i.hotkey in "zsfx"}
        assert common["foot_down"].penalty_ns == 3 * S
        assert common["both_feet_down"].penalty_ns == 10 * S
        assert common["fall"].eliminates
        assert common["skipped"].eliminates


def test_major_follows_threshold(course: Course) -> None:
    assert course.infraction("xiankuan", "bar_down").major  # 5 s = threshold
    assert not course.infraction("xiankuan", "bar_touched").major
    assert course.infraction("general", "no_helmet").major  # eliminating


def test_round_trip_through_toml(course: Course) -> None:
    text = course_to_toml(course)
    again = parse_course_text(text, "roundtrip.toml")
    assert again == course
    assert course_to_toml(again) == text
    assert again.infraction("xiankuan", "bar_down").major


def test_edited_copy_changes_one_penalty(course: Course, tmp_path: Path) -> None:
    """The organizer workflow in the file header: copy, change 碰杆 +3 s to +5 s."""
    text = (Path(__file__).parents[2] / "courses" / "default.toml").read_text(encoding="utf-8")
    marker = 'code = "bar_touched"'
    head, tail = text.split(marker)
    tail = tail.replace("seconds = 3", "seconds = 5", 1)
    edited = tmp_path / "我的赛道.toml"
    edited.write_text(head + marker + tail, encoding="utf-8")
    mine = load_course(edited)
    assert mine.infraction("xiankuan", "bar_touched").penalty_ns == 5 * S
    assert mine.infraction("xiankuan", "bar_touched").major
    assert mine.infraction("raogan", "pole_down").penalty_ns == 3 * S  # untouched


def test_load_from_path_with_bom(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + course_to_toml(course).encode("utf-8"))
    assert load_course(path) == course
    assert load_course(str(path)) == course


def test_lookups_raise_key_error(course: Course) -> None:
    with pytest.raises(KeyError):
        course.segment("nope")
    with pytest.raises(KeyError):
        course.infraction("danbian", "nope")
    with pytest.raises(KeyError):
        course.infraction("nope", "fall")
    with pytest.raises(KeyError):
        course.round("semifinal")
    assert course.segment("general") is course.general


def test_example_in_docs_parses() -> None:
    import re

    doc = (Path(__file__).parents[2] / "docs" / "COURSES.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(.*?)```", doc, re.S)
    course = parse_course_text(block, "COURSES.md")
    assert course.infraction("gate", "bar_touched").penalty_ns == 3 * S
    assert course.general is not None and course.infraction("general", "no_helmet").eliminates


def test_courses_imports_nothing_of_ours() -> None:
    import subprocess
    import sys

    code = (
        "import sys, courses; courses.load_course();"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'competition', 'hardware', 'results', 'textual', 'sqlite3', 'jinja2'}))"
    )
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
