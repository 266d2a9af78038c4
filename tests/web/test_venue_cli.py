"""`trackside serve`, `judges` and the QR paper, as an organizer runs them."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from competition.event import Event
from main import cli
from tests.conftest import register

ROOT = Path(__file__).resolve().parents[2]


def test_judges_json_is_the_contract_and_tokens_are_issued_once(event: Event, event_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", str(event_path), "judges", "--json", "--url", "http://10.0.0.5:8080"])
    again = runner.invoke(cli, ["--db", str(event_path), "judges", "--json", "--url", "http://10.0.0.5:8080"])
    assert first.exit_code == 0, first.output
    rows = json.loads(first.output)
    assert json.loads(again.output) == rows
    assert [r["segment"] for r in rows] == [s.code for s in event.course.all_segments()] + ["head"]
    for r in rows:
        assert set(r) == {"segment", "url", "token"}
        assert r["url"] == f"http://10.0.0.5:8080/judge#t={r['token']}"
    revoked = runner.invoke(cli, ["--db", str(event_path), "judges", "--revoke", "raogan", "--reason", "手机丢失", "--json"])
    after = {r["segment"]: r["token"] for r in json.loads(revoked.output)}
    assert after["raogan"] != next(r["token"] for r in rows if r["segment"] == "raogan")
    no_reason = runner.invoke(cli, ["--db", str(event_path), "judges", "--revoke", "raogan"])
    assert no_reason.exit_code == 1 and "原因" in no_reason.output


def test_sheets_carry_the_qr_poster_and_each_judges_card(event: Event, event_path: Path, tmp_path: Path) -> None:
    register(event, 3)
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(event_path), "judges"])
    out = tmp_path / "sheets"
    done = runner.invoke(cli, ["--db", str(event_path), "sheets", "--out", str(out), "--url", "http://10.0.0.5:8080"])
    assert done.exit_code == 0, done.output
    poster = (out / "现场二维码海报.html").read_text(encoding="utf-8")
    assert "<svg" in poster and "http://10.0.0.5:8080/" in poster
    sheets = (out / "裁判记录表.html").read_text(encoding="utf-8")
    cards = re.findall(r'class="judge-card" data-segment="([a-z]+)"', sheets)
    assert cards == [s.code for s in event.course.all_segments()]
    tokens = {t.segment: t for t in __import__("competition.judges", fromlist=["x"]).active_tokens(event)}
    assert tokens["raogan"].pin in sheets


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_addresses_warns_on_all_interfaces_and_stops_cleanly(event: Event, event_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", str(event_path), "serve", "--host",
                             "0.0.0.0", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert json.loads(httpx.get(f"http://127.0.0.1:{port}/api/live").text)["live"]["title"] == "测试赛事"
        assert (event_path.parent / "event.db.serving.json").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out
    assert "所有网络接口" in out  # the warning for 0.0.0.0
    assert "█" in out or "▀" in out  # the terminal QR code
    assert "Traceback" not in out + err
    assert not (event_path.parent / "event.db.serving.json").exists()


def test_serve_on_a_busy_port_or_a_missing_file_is_one_line(event: Event, event_path: Path, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["--db", str(event_path), "serve", "--host", "127.0.0.1", "--port", str(port)])
    assert result.exit_code == 1 and "端口被占用" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(cli, ["--db", str(tmp_path / "nope.db"), "serve", "--port", "0"])
    assert missing.exit_code == 1 and "找不到赛事文件" in missing.output
