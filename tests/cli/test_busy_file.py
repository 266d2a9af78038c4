"""A busy event file is said after about a second (issue 16), and the writer keeps waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from main import cli

ROOT = Path(__file__).resolve().parents[2]

HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
    """
)


def _hold(db: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def _event(tmp_path: Path) -> Path:
    from competition.event import Event
    from tests.conftest import register

    db = tmp_path / "event.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    with Event.open(db) as event:
        register(event, 2)
    return db


def test_a_writer_says_it_is_waiting_then_succeeds(tmp_path: Path) -> None:
    db = _event(tmp_path)
    holder = _hold(db, 2.5)
    try:
        env = {**os.environ, "TRACKSIDE_BUSY_TIMEOUT_MS": "20000", "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "checkin", "1"],
                              capture_output=True, text=True, env=env, timeout=60)
    finally:
        holder.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    assert "赛事文件正被其他程序写入，等待中…" in done.stderr
    assert done.stderr.count("等待中") == 1
    assert "Traceback" not in done.stderr + done.stdout


def test_a_writer_that_gets_the_lock_at_once_says_nothing(tmp_path: Path) -> None:
    db = _event(tmp_path)
    result = CliRunner().invoke(cli, ["--db", str(db), "checkin", "1"])
    assert result.exit_code == 0 and "等待中" not in result.output


def test_a_writer_that_times_out_says_how_long_it_waited(tmp_path: Path) -> None:
    db = _event(tmp_path)
    holder = _hold(db, 6)
    try:
        env = {**os.environ, "TRACKSIDE_BUSY_TIMEOUT_MS": "1800", "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "--lang", "en",
                               "checkin", "1"], capture_output=True, text=True, env=env, timeout=60)
        still_holding = holder.poll() is None  # it gave up at its own timeout, not at the release
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert "waiting" in done.stderr and "locked by another program (waited 1.8 s)" in done.stderr
    assert still_holding
