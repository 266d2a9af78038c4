"""The recorder before the screen (issue #13): priorities asked for and given, checked in child processes
(a test must not change the test runner's own priority)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from competition import process_priority
from competition.process_priority import (
    RECORDER_NICE,
    SCREEN_NICE,
    describe,
    raise_recorder_priority,
)

ROOT = Path(__file__).resolve().parents[2]


def may_raise_priority(target: int = RECORDER_NICE) -> bool:
    """What the kernel allows this user: root (or CAP_SYS_NICE), or an RLIMIT_NICE down to ``target``."""
    if os.geteuid() == 0:
        return True
    soft, _ = resource.getrlimit(resource.RLIMIT_NICE)
    if soft == resource.RLIM_INFINITY:
        return True
    return 20 - soft <= target  # RLIMIT_NICE n allows down to nice 20 - n


def in_child(code: str) -> object:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_recorder_gets_the_higher_priority_where_the_machine_allows_it() -> None:
    raised, nice = in_child("import json; from competition.process_priority import raise_recorder_priority as r;"
                            " print(json.dumps(r()))")  # type: ignore[misc]
    before = os.getpriority(os.PRIO_PROCESS, 0)
    if may_raise_priority():
        assert (raised, nice) == (True, RECORDER_NICE)
    else:
        assert (raised, nice) == (False, before)


def test_the_screen_lowers_itself_once_and_not_further() -> None:
    got = in_child("import json, os; from competition.process_priority import yield_to_recorder as y;"
                   " a = y(); b = y(); print(json.dumps([a, b, os.getpriority(os.PRIO_PROCESS, 0)]))")
    base = os.getpriority(os.PRIO_PROCESS, 0)
    expected = max(base, SCREEN_NICE)
    assert got == [expected, expected, expected]


def test_not_permitted_keeps_the_normal_priority_and_says_what_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(process_priority.os, "setpriority", refused)
    monkeypatch.setattr(process_priority, "current_nice", lambda: 0)
    assert raise_recorder_priority() == (False, 0)
    assert describe(False, 0) == "未能提高记录进程优先级（nice 0；需要 root、CAP_SYS_NICE 或允许的 RLIMIT_NICE）"
    assert "needs root, CAP_SYS_NICE" in describe(False, 0, "en")
    assert describe(True, -10) == "记录进程优先级已提高（nice -10）"


def test_a_recorder_run_inside_another_program_gives_its_priority_back() -> None:
    got = in_child("import json, os; from competition import process_priority as p;"
                   " before = p.current_nice(); p.raise_recorder_priority(); p.restore_priority(before);"
                   " print(json.dumps([before, p.current_nice()]))")
    assert got[0] == got[1]  # type: ignore[index]
