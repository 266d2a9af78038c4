"""Click's usage errors speak the user's language (Chinese by default, English with --lang en)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from main import cli


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env or {"TRACKSIDE_LANG": ""}, prog_name="trackside")
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--db", "x.db", "timing", "assign", "3"), "错误：缺少选项 '--reason'。"),
        (("--db", "x.db", "timing", "replay"), "错误：缺少参数 'FILE'。"),
        (("--db", "x.db", "timing", "assign", "3", "--bibb", "4"), "错误：没有选项 '--bibb'。您是否想用 --bib？"),
        (("--db", "x.db", "nosuch"), "错误：没有命令 'nosuch'。"),
        (("--db", "x.db", "timing", "assign", "3", "--reason"), "错误：选项 '--reason' 后面需要一个值。"),
        (("--lang", "xx", "verify"), "错误：'--lang' 的值无效：'xx' 不是可选值之一（可选：'zh', 'en'）。"),
        (("--db", "x.db", "timing", "assign", "3", "4", "--reason", "r"), "错误：多余的参数：4"),
        (("--db", "x.db", "timing", "assign", "x", "--reason", "r"), "'IMPULSE_SEQ' 的值无效：脉冲编号必须是整数"),
    ],
)
def test_usage_errors_are_said_in_chinese_by_default(args: tuple[str, ...], said: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run(*args)
    assert code == 2
    assert said in out
    assert "Error:" not in out and "Usage:" not in out and "Traceback" not in out


def test_usage_line_and_help_hint_in_chinese(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _, out = run("--db", "x.db", "timing", "assign", "3")
    assert out.splitlines()[:2] == ["用法：trackside timing assign [OPTIONS] IMPULSE_SEQ", "查看帮助：trackside timing assign -h"]


def test_english_keeps_clicks_words(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("--lang", "en", "--db", "x.db", "timing", "assign", "3")
    assert code == 2 and "Error: Missing option '--reason'." in out and "Usage: " in out
    code, out = run("--db", "x.db", "timing", "assign", "3", env={"TRACKSIDE_LANG": "en"})
    assert code == 2 and "Error: Missing option '--reason'." in out


def test_an_unknown_click_message_is_kept_rather_than_guessed() -> None:
    from commands.usage_errors import chinese

    assert chinese("Something Click may say one day.") == "Something Click may say one day."
