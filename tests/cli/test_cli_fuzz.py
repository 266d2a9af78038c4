"""Hypothesis fuzzes every CLI command's arguments (issue 16).

For every leaf of the click tree: no traceback in the output, exit codes only
0/1/2, no "unexpected error" log written (that would be a bug caught by the
last-resort handler), and a rejected command leaves the journal head where it
was. Commands that would run forever (the app, the simulator, ``timing
listen``, the interactive demo) have their arguments parsed, not run.
Bounded in the default suite; ``pytest -m slow`` runs many more examples.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import click
import pytest
from cli_tree import leaf_commands, valid_value
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from main import cli

LONG_RUNNING = {("run",), ("demo",), ("simulate",), ("timing", "listen"), ("serve",)}
LEAVES = list(leaf_commands())
RUNNABLE = [(p, c) for p, c in LEAVES if p not in LONG_RUNNING]
PARSE_ONLY = [(p, c) for p, c in LEAVES if p in LONG_RUNNING]

HOSTILE = [
    "0", "-1", "1", "2", "3", "2147483647", "2147483648", "9223372036854775808", "-9223372036854775809",
    "1e300", "nan", "NaN", "inf", "-inf", "snan", "", " ", "\t\n", "1" * 5000, "١٢", "0x10", "1_000", "1.5",
    "\x1b[31mred\x1b[0m", "\u202etxt", "../../etc/passwd", "碰杆", "绕杆", "raogan", "pole_touch", "1:02.34",
    "99:99", "55-38", "38-55", "0-0", "2026-13-45", "2026-05-01", "x" * 3000, "OK", "dnf", "prelim", "final",
    "first", "--help", "-",
]


def head(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def ridden_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from competition.event import Event
    from tests.conftest import register

    folder = tmp_path_factory.mktemp("fuzz-template")
    db = folder / "event.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    with Event.open(db) as event:
        register(event, 4)
    assert runner.invoke(cli, ["--db", str(db), "checkin", "3", "1"]).exit_code == 0
    capture = folder / "timy.cap"
    capture.write_bytes(b" 0001 C0  10:00:00.0000 00\r 0002 C1  10:00:45.1239 00\r 0003 C0  10:00:50.0000 00\r")
    assert runner.invoke(cli, ["--db", str(db), "timing", "replay", str(capture), "--protocol", "alge"]).exit_code == 0
    return db


@pytest.fixture
def workdir(ridden_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Relative paths (the empty one means ".") land in the test's folder, never the checkout.
    monkeypatch.chdir(tmp_path)
    shutil.copy(ridden_template, tmp_path / "event.db")
    (tmp_path / "sheet.csv").write_text("姓名,手机号\n张三,13800138000\n", encoding="utf-8")
    (tmp_path / "capture.cap").write_bytes(b" 0009 C0  10:05:00.0000 00\r\x00\xff garbage\r")
    (tmp_path / "folder").mkdir()
    return tmp_path


def path_values(workdir: Path, param: click.Parameter) -> st.SearchStrategy[str]:
    pool = [workdir / "sheet.csv", workdir / "capture.cap", workdir / "folder", workdir / "missing" / "x",
            workdir / "new-output", workdir / "new.csv", workdir / "event.db", Path(""),
            workdir / ("1" * 300), workdir / ("1" * 300 + ".toml")]  # too long a name: ENAMETOOLONG
    if (param.name or "").startswith("out"):
        pool.append(Path("/dev/full"))
    return st.sampled_from([str(p) for p in pool])


def value_for(workdir: Path, param: click.Parameter) -> st.SearchStrategy[str]:
    if isinstance(param.type, click.Path):
        return path_values(workdir, param)
    choices = [st.just(valid_value(param)), st.sampled_from(HOSTILE),
               st.text(max_size=20), st.integers(-(2**70), 2**70).map(str)]
    if isinstance(param.type, click.Choice):
        choices.append(st.sampled_from([str(c) for c in param.type.choices]))
    return st.one_of(*choices)


@st.composite
def argv_for(draw: st.DrawFn, path: tuple[str, ...], command: click.Command, workdir: Path) -> list[str]:
    options: list[str] = []
    positional: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option) and param.name == "help":
            continue
        if isinstance(param, click.Option) and param.is_flag:
            if draw(st.booleans()):
                options.append(param.opts[0])
            continue
        if not param.required and not draw(st.booleans()):
            continue
        count = draw(st.integers(1, 3)) if param.nargs == -1 or getattr(param, "multiple", False) else 1
        for _ in range(count):
            value = draw(value_for(workdir, param))
            if isinstance(param, click.Argument):
                positional.append(value)
            else:
                options += [param.opts[0], value]
    lang = draw(st.sampled_from(["zh", "en"]))
    return ["--db", str(workdir / "event.db"), "--lang", lang, *path, *options, "--", *positional]


def check_one(workdir: Path, argv: list[str]) -> None:
    db = workdir / "event.db"
    before = head(db)
    result = CliRunner().invoke(cli, argv)
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (argv, result.exc_info)
    assert result.exit_code in (0, 1, 2), (argv, result.exit_code, out)
    assert "Traceback" not in out, (argv, out)
    log = workdir / "trackside-errors.log"
    assert not log.exists(), (argv, out, log.read_text(encoding="utf-8") if log.exists() else "")
    if result.exit_code != 0:
        assert head(db) == before, (argv, out)


FAST = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LONG = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _fuzz(workdir: Path, path: tuple[str, ...], command: click.Command, profile: settings) -> None:
    @profile
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        check_one(workdir, data.draw(argv_for(path, command, workdir)))

    run()


def _parse_only(workdir: Path, path: tuple[str, ...], command: click.Command, profile: settings) -> None:
    @profile
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        argv = data.draw(argv_for(path, command, workdir))[len(path) + 4:]
        try:
            with command.make_context(" ".join(path), list(argv)) as ctx:
                assert ctx.params is not None
        except click.exceptions.Exit:
            pass
        except click.UsageError:
            pass

    run()


@pytest.mark.parametrize("path,command", RUNNABLE, ids=[" ".join(p) for p, _ in RUNNABLE])
def test_fuzz_command_arguments(workdir: Path, path: tuple[str, ...], command: click.Command) -> None:
    _fuzz(workdir, path, command, FAST)


@pytest.mark.parametrize("path,command", PARSE_ONLY, ids=[" ".join(p) for p, _ in PARSE_ONLY])
def test_fuzz_long_running_commands_parse(workdir: Path, path: tuple[str, ...], command: click.Command) -> None:
    _parse_only(workdir, path, command, FAST)


@pytest.mark.slow
@pytest.mark.parametrize("path,command", RUNNABLE, ids=[" ".join(p) for p, _ in RUNNABLE])
def test_fuzz_command_arguments_long(workdir: Path, path: tuple[str, ...], command: click.Command) -> None:
    _fuzz(workdir, path, command, LONG)


@pytest.mark.slow
@pytest.mark.parametrize("path,command", PARSE_ONLY, ids=[" ".join(p) for p, _ in PARSE_ONLY])
def test_fuzz_long_running_commands_parse_long(workdir: Path, path: tuple[str, ...],
                                               command: click.Command) -> None:
    _parse_only(workdir, path, command, LONG)
