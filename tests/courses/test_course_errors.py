"""Bad course files give a CourseError naming the file, line, key path and reason (zh + en)."""

from __future__ import annotations

from pathlib import Path

import pytest

from courses import CourseError, load_course, parse_course_text

# A small valid course; each case below breaks exactly one thing in it.
GOOD = """\
id = "mini"
name_zh = "小赛道"
name_en = "Mini"
time_limit = 180
precision = 0.01
double_trigger = 0.3
min_run = 5
scoring_mode = "time_plus_penalty"
tie_break = ["fewer_penalty_calls", "faster_raw"]

[[rounds]]
code = "prelim"
name_zh = "预赛"
name_en = "Preliminary"
attempts = 1
counting = "best"

[[prizes]]
code = "first"
name_zh = "一等奖"
name_en = "First"
count = 1
source = "rank"

[[segments]]
code = "bridge"
name_zh = "单边桥"
name_en = "Bridge"
hotkey = "1"

  [[segments.infractions]]
  code = "drop"
  name_zh = "掉桥"
  name_en = "Drop"
  hotkey = "d"
  seconds = 5

[[segments]]
code = "gate"
name_zh = "限宽门"
name_en = "Gate"
hotkey = "2"

  [[segments.infractions]]
  code = "touch"
  name_zh = "碰杆"
  name_en = "Touch"
  hotkey = "p"
  seconds = 3

  [[segments.infractions]]
  code = "down"
  name_zh = "倒杆"
  name_en = "Down"
  hotkey = "d"
  seconds = 2.5

[general]
code = "general"
name_zh = "全程"
name_en = "Whole run"
hotkey = "0"

  [[general.infractions]]
  code = "helmet"
  name_zh = "未戴头盔"
  name_en = "No helmet"
  hotkey = "k"
  eliminates = true
"""


def _error(text: str, source: str = "mine.toml") -> CourseError:
    with pytest.raises(CourseError) as info:
        parse_course_text(text, source)
    return info.value


def _line_number(text: str, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(needle)


def test_good_course_parses_with_exact_seconds() -> None:
    course = parse_course_text(GOOD, "mine.toml")
    assert course.infraction("gate", "down").penalty_ns == 2_500_000_000
    assert course.double_trigger_ns == 300_000_000
    assert course.precision_ns == 10_000_000


@pytest.mark.parametrize(
    ("old", "new", "key_path", "zh_word"),
    [
        # negative penalty, in the second infraction of the second segment
        ("seconds = 2.5", "seconds = -2.5", "segments[1].infractions[1].seconds", "负数"),
        # unknown key (misspelt)
        ("seconds = 3", "secnds = 3", "segments[1].infractions[0].secnds", "不认识的键"),
        ('source = "rank"', 'source = "rank"\ncolour = "red"', "prizes[0].colour", "不认识的键"),
        # internal ns field names are not accepted in a file
        ("time_limit = 180", "time_limit_ns = 180", "time_limit_ns", "秒"),
        # duplicate infraction code and hotkey within a segment
        ('code = "down"', 'code = "touch"', "segments[1].infractions[1].code", "重复"),
        ('hotkey = "p"', 'hotkey = "d"', "segments[1].infractions[1].hotkey", "重复"),
        # duplicate segment code / hotkey, including the general group
        ('code = "gate"', 'code = "bridge"', "segments[1].code", "重复"),
        ('hotkey = "2"', 'hotkey = "1"', "segments[1].hotkey", "重复"),
        ('hotkey = "0"', 'hotkey = "1"', "general.hotkey", "重复"),
        # hotkey shape
        ('hotkey = "k"', 'hotkey = "K"', "general.infractions[0].hotkey", "快捷键"),
        ('hotkey = "2"', 'hotkey = "22"', "segments[1].hotkey", "快捷键"),
        # precision not a positive whole number of ns
        ("precision = 0.01", "precision = 0.0000000001", "precision", "整纳秒"),
        ("precision = 0.01", "precision = 0", "precision", "大于"),
        ("precision = 0.01", "precision = -0.01", "precision", "大于"),
        ("precision = 0.01", 'precision = "0.01"', "precision", "秒数"),
        ("precision = 0.01", "precision = nan", "precision", "整纳秒"),
        # enumerations and types
        ('scoring_mode = "time_plus_penalty"', 'scoring_mode = "time"', "scoring_mode", "只能是"),
        ('"faster_raw"]', '"fastest"]', "tie_break[1]", "只能是"),
        ('"faster_raw"]', '"fewer_penalty_calls"]', "tie_break[1]", "重复"),
        ('counting = "best"', 'counting = "avg"', "rounds[0].counting", "只能是"),
        ("attempts = 1", "attempts = 0", "rounds[0].attempts", "不能小于"),
        ("attempts = 1", "attempts = 1.5", "rounds[0].attempts", "整数"),
        ("count = 1", "count = -1", "prizes[0].count", "不能小于"),
        ('name_zh = "掉桥"', "name_zh = 7", "segments[0].infractions[0].name_zh", "文字"),
        ('name_zh = "掉桥"', 'name_zh = ""', "segments[0].infractions[0].name_zh", "不能为空"),
        ("eliminates = true", 'eliminates = "yes"', "general.infractions[0].eliminates", "true"),
        ('code = "drop"', 'code = "Drop!"', "segments[0].infractions[0].code", "代码"),
        # an eliminating call with seconds is ambiguous
        (
            "eliminates = true",
            "eliminates = true\n  seconds = 3",
            "general.infractions[0].seconds",
            "取消成绩",
        ),
        # cap must be at least 1
        ("seconds = 5", "seconds = 5\n  cap = 0", "segments[0].infractions[0].cap", "不能小于"),
        # min_run must be below the time limit
        ("min_run = 5", "min_run = 200", "min_run", "min_run"),
    ],
)
def test_bad_value_reports_key_path_and_line(
    old: str, new: str, key_path: str, zh_word: str
) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    err = _error(text)
    assert err.key_path == key_path, err.message_en
    assert zh_word in err.message_zh
    assert err.path == "mine.toml"
    assert "mine.toml" in err.message_zh and "mine.toml" in err.message_en
    assert key_path in err.message_zh and key_path in err.message_en
    assert str(err) == err.message_zh
    # The reported line holds the offending key (or the header of its table).
    first_key = new.split("=")[0].strip()
    if "\n" in new:
        first_key = new.split("\n")[1].split("=")[0].strip()
    assert err.line is not None
    assert first_key in text.splitlines()[err.line - 1]
    # No pydantic jargon leaks into the Chinese message.
    for jargon in ("pydantic", "Input should", "validation error", "literal_error"):
        assert jargon not in err.message_zh


def test_missing_key_points_at_its_table() -> None:
    text = GOOD.replace('  name_en = "Touch"\n', "", 1)
    err = _error(text)
    assert err.key_path == "segments[1].infractions[0].name_en"
    assert "缺少" in err.message_zh
    assert err.line == _line_number(text, "[[segments.infractions]]", 2)


def test_no_segments() -> None:
    head = GOOD.split("[[segments]]")[0]
    err = _error(head)
    assert err.key_path == "segments"
    assert "赛段" in err.message_zh or "缺少" in err.message_zh


def test_empty_segments_list() -> None:
    head = GOOD.split("[[segments]]")[0].replace(
        'tie_break = ["fewer_penalty_calls", "faster_raw"]',
        'tie_break = ["fewer_penalty_calls", "faster_raw"]\nsegments = []',
    )
    err = _error(head)
    assert err.key_path == "segments"
    assert "至少要有一个赛段" in err.message_zh


def test_segment_without_infractions() -> None:
    text = GOOD.replace(
        """  [[segments.infractions]]
  code = "drop"
  name_zh = "掉桥"
  name_en = "Drop"
  hotkey = "d"
  seconds = 5
""",
        "",
    )
    err = _error(text)
    assert err.key_path == "segments[0].infractions"
    assert "至少要有一项违规" in err.message_zh


def test_toml_syntax_error_has_line_and_column() -> None:
    text = GOOD.replace('name_zh = "预赛"', "name_zh = 预赛")
    err = _error(text)
    assert err.key_path is None
    assert err.line == _line_number(text, "name_zh = 预赛")
    assert err.column is not None
    assert "TOML 语法错误" in err.message_zh
    assert f"第 {err.line} 行" in err.message_zh


def test_duplicate_table_key_is_a_syntax_error() -> None:
    text = GOOD.replace("time_limit = 180", "time_limit = 180\ntime_limit = 90")
    err = _error(text)
    assert err.line == _line_number(text, "time_limit = 90")
    assert "两次" in err.message_zh


def test_several_problems_are_all_reported() -> None:
    text = GOOD.replace("seconds = 3", "seconds = -3").replace('hotkey = "k"', 'hotkey = "KK"')
    err = _error(text)
    paths = {p.key_path for p in err.problems}
    assert paths == {"segments[1].infractions[0].seconds", "general.infractions[0].hotkey"}
    assert len(err.message_zh.splitlines()) == 2


def test_missing_file_and_unknown_bundled_name(tmp_path: Path) -> None:
    with pytest.raises(CourseError) as info:
        load_course(tmp_path / "none.toml")
    assert info.value.path == str(tmp_path / "none.toml")
    assert "不存在" in info.value.message_zh
    with pytest.raises(CourseError) as named:
        load_course("olympic")
    assert "default" in named.value.message_zh
    assert "olympic" in named.value.message_en


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(GOOD.encode("gbk"))
    with pytest.raises(CourseError) as info:
        load_course(path)
    assert "UTF-8" in info.value.message_zh
