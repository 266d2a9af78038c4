"""Backups: online copies while others write, stale copies visible, checked restores, the schedule."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from competition.backup import (
    BACKUP_SUFFIX,
    LOG_NAME,
    BackupError,
    backup_event,
    check_copy,
    restore_backup,
    source_head,
)
from competition.backup_schedule import BackupOutcome, BackupSchedule, backup_now
from competition.event import Event
from main import cli
from tests.conftest import register

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from competition.event import Event

    ev = Event.open(sys.argv[1], operator="writer")
    stop = Path(sys.argv[2])
    started = Path(sys.argv[3])
    bib = 1000
    while not stop.exists():
        bib += 1
        with ev.store.transaction():
            ev.store.append("entrant_registered", {
                "bib": bib, "name": f"选手{bib}", "phone": f"139{bib:08d}", "gender": None,
                "platform": "美团", "station": "站点", "id_number": None, "note": None, "extra": {},
                "initials": "xs"})
        if bib == 1010:
            started.touch()
    ev.close()
    print(bib - 1000)
    """
)


def journal_rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM journal ORDER BY seq").fetchall()
    finally:
        conn.close()


def cli_run(db: Path, *args: str, lang: str = "zh") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def small_event(event, event_path: Path) -> Path:
    register(event, 12)
    event.close()
    return event_path


def test_backup_while_another_process_writes_is_complete_up_to_its_head(event, event_path: Path, tmp_path: Path) -> None:
    register(event, 5)
    event.close()
    stop, started = tmp_path / "stop", tmp_path / "started"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(event_path), str(stop), str(started)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    backups = tmp_path / "usb"
    backups.mkdir()
    results = []
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.01)
        for _ in range(6):
            before = source_head(event_path)
            assert before is not None
            result = backup_event(event_path, backups, reason="test")
            # The copy is at least as new as the file was when the backup was asked for.
            assert result.head.seq >= before[0]
            results.append(result)
            time.sleep(0.03)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.strip())
    live = journal_rows(event_path)
    assert len(live) == 1 + 5 + written
    heads = [r.head.seq for r in results]
    assert heads == sorted(heads) and heads[-1] > heads[0]  # the writer really wrote in between
    for r in results:
        assert r.path.name.endswith(f"-seq{r.head.seq}-{r.head.hash[:8]}{BACKUP_SUFFIX}")
        assert "测试赛事" in r.path.name
        copy = journal_rows(r.path)
        assert copy == live[: r.head.seq]  # every row up to its stated head, nothing else
        assert r.head.hash == live[r.head.seq - 1][-1]
        assert check_copy(r.path).ok
        code, text = cli_run(r.path, "verify")
        assert code == 0 and f"第 {r.head.seq} 行，哈希 {r.head.short}" in text
        assert not Path(f"{r.path}-wal").exists()  # one self-contained file
    log = (backups / LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1] for line in log] == [f"seq={s}" for s in heads]
    assert not [p for p in backups.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_a_stale_plain_copy_shows_an_older_head_in_verify(event, event_path: Path, tmp_path: Path) -> None:
    """The issue: `cp` while timing writes was rows behind, and verify said OK with nothing to tell."""
    register(event, 3)
    event.close()
    # A writer that never checkpoints and is killed: its last rows live only in the WAL,
    # so copying the main file alone (what `cp event.db` does) gives a stale copy.
    script = textwrap.dedent(
        """
        import os, sys, signal
        from competition.event import Event
        from tests.conftest import register
        ev = Event.open(sys.argv[1])
        ev.store.defer_checkpoints()
        ev.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        register(ev, 7, start_bib=100)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script, str(event_path)], cwd=ROOT, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    stale = tmp_path / "stale.db"
    stale.write_bytes(event_path.read_bytes())  # no SQLite connection to it in this process
    code, stale_text = cli_run(stale, "verify")
    assert code == 0  # the stale copy is consistent in itself ...
    code, live_text = cli_run(event_path, "verify")
    assert code == 0
    # ... but its head and row count say how far it got.
    assert "共 4 行" in stale_text and "第 4 行" in stale_text
    assert "共 11 行" in live_text and "第 11 行" in live_text
    code, en = cli_run(stale, "verify", lang="en")
    assert "Journal head: row 4" in en and "(4 rows)" in en


def test_cli_backup_default_folder_and_restore(small_event: Path, tmp_path: Path) -> None:
    code, out = cli_run(small_event, "backup")
    assert code == 0, out
    folder = small_event.parent / "backups"
    made = sorted(folder.glob(f"*{BACKUP_SUFFIX}"))
    assert len(made) == 1 and "seq13-" in made[0].name and "第 13 行" in out
    # Restoring next to an existing event file never touches it: a new name is chosen.
    before = small_event.read_bytes()
    code, out = cli_run(small_event, "restore", str(made[0]))
    assert code == 0, out
    assert small_event.read_bytes() == before and "已存在" in out
    restored = [p for p in small_event.parent.glob("event-restored-*.db")]
    assert len(restored) == 1
    code, out = cli_run(restored[0], "verify")
    assert code == 0 and "第 13 行" in out
    # --to an existing file is refused.
    code, out = cli_run(small_event, "restore", str(made[0]), "--to", str(restored[0]))
    assert code == 1 and "不会覆盖" in out
    # --to a new path on the second laptop works and the restored event opens.
    target = tmp_path / "laptop2" / "event.db"
    target.parent.mkdir()
    code, out = cli_run(target, "restore", str(made[0]), lang="en")
    assert code == 0 and "Journal head: row 13" in out and str(target) in out
    with Event.open(target) as ev:
        assert len(ev.store.query("SELECT bib FROM entrants")) == 12
    code, out = cli_run(small_event, "backup", "--to", str(tmp_path / "not-mounted"))
    assert code == 1 and "不存在" in out and "Traceback" not in out


def _damage_payload(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET payload = replace(payload, '选手3', '选手X') WHERE seq = 4")
    conn.execute("UPDATE entrants SET name = '选手X' WHERE bib = 3")
    conn.commit()
    conn.close()


def _damage_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 2, len(data), page):
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def _newer_schema(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('trackside', 'm999_future', 'x')")
    conn.commit()
    conn.close()


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 100)


def _journal_row_missing(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER journal_no_delete")
    conn.execute("DELETE FROM journal WHERE seq = 5")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage", [_damage_payload, _damage_pages, _newer_schema, _not_sqlite, _journal_row_missing])
def test_restore_refuses_a_damaged_backup(small_event: Path, tmp_path: Path, damage) -> None:
    good = backup_event(small_event, tmp_path, reason="test")
    damage(good.path)
    assert not check_copy(good.path).ok
    target = tmp_path / "restored.db"
    with pytest.raises(BackupError) as info:
        restore_backup(good.path, to=target, default_target=tmp_path / "x.db")
    assert "不能用于恢复" in info.value.message_zh and "cannot be restored" in info.value.message_en
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".restoring")]
    code, out = cli_run(tmp_path / "y.db", "restore", str(good.path))
    assert code == 1 and "Traceback" not in out and not (tmp_path / "y.db").exists()


def test_the_schedule_writes_backups_and_survives_a_pulled_stick(small_event: Path, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    outcomes: list[BackupOutcome] = []
    seen = threading.Condition()

    def listen(outcome: BackupOutcome) -> None:
        with seen:
            outcomes.append(outcome)
            seen.notify_all()

    def wait_for(test, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        with seen:
            while not test():
                left = deadline - time.monotonic()
                assert left > 0, outcomes
                seen.wait(left)

    schedule = BackupSchedule(small_event, stick, every_s=0.05, on_outcome=listen)
    schedule.start()
    try:
        wait_for(lambda: any(o.result for o in outcomes))  # the first one at start
        with Event.open(small_event) as ev:
            register(ev, 2, start_bib=50)
        wait_for(lambda: sum(1 for o in outcomes if o.result) >= 2)
        files = sorted(stick.glob(f"*{BACKUP_SUFFIX}"))
        assert len(files) == 2 and {check_copy(f).head.seq for f in files} == {13, 15}
        # The stick is pulled: every tick is a failure for the listener; the thread lives on.
        for f in stick.iterdir():
            f.unlink()
        stick.rmdir()
        with Event.open(small_event) as ev:
            register(ev, 1, start_bib=60)
        wait_for(lambda: sum(1 for o in outcomes if o.failed) >= 2)
        assert schedule._thread.is_alive()
        failed = next(o for o in outcomes if o.failed)
        assert "备份失败" in failed.line("zh") and "BACKUP FAILED" in failed.line("en")
        # Plugged in again: the next tick writes the newest state.
        stick.mkdir()
        wait_for(lambda: any(o.result and o.result.head.seq == 16 for o in outcomes))
        # "a round became official": an immediate backup into the running schedule's folder.
        made = backup_now(small_event, "round_official")
        assert made.path.parent == stick and made.reason == "round_official"
        schedule.request("round_official")
        wait_for(lambda: any(o.reason == "round_official" and o.result for o in outcomes))
    finally:
        schedule.stop()
    assert not schedule._thread.is_alive()
    assert schedule.failures >= 2 and schedule.written >= 3
    # Without a schedule, backup_now goes to backups/ beside the event file.
    assert backup_now(small_event, "round_official").path.parent == small_event.parent / "backups"


def test_a_listener_that_raises_does_not_stop_the_schedule(small_event: Path, tmp_path: Path) -> None:
    calls = []

    def broken(outcome: BackupOutcome) -> None:
        calls.append(outcome)
        raise RuntimeError("listener bug")

    schedule = BackupSchedule(small_event, tmp_path, every_s=0.02, on_outcome=broken)
    schedule.start()
    try:
        deadline = time.monotonic() + 10
        while len(calls) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        schedule.stop()
    assert calls[0].result is not None and all(c.unchanged for c in calls[1:3])


def test_timing_listen_backs_up_and_keeps_timing_when_the_target_fails(small_event: Path, tmp_path: Path) -> None:
    def online_rows() -> int:
        with Event.open(small_event) as ev:
            return len(ev.store.query("SELECT seq FROM journal WHERE kind = 'port_status'"))

    def listen(*extra: str) -> tuple[str, str]:
        before = online_rows()
        proc = subprocess.Popen(
            [sys.executable, "-m", "main", "--db", str(small_event), "timing", "listen", "--port", "loop://",
             "--protocol", "pad", *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TRACKSIDE_LANG": "zh"},
        )
        try:
            deadline = time.monotonic() + 30
            while online_rows() == before:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:  # never leave a recorder behind holding the port
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, err
        return out, err

    stick = tmp_path / "usb"
    stick.mkdir()
    out, _ = listen("--backup-dir", str(stick), "--backup-every", "5")
    assert "备份完成" in out and len(list(stick.glob(f"*{BACKUP_SUFFIX}"))) == 1
    out, err = listen("--backup-dir", str(tmp_path / "gone"))
    assert "备份失败" in err and "不存在" in err
    assert "已连接" in out and "Traceback" not in err  # timing went on


def test_backup_notice_in_the_app_is_an_error_notification() -> None:
    from competition.tui.launch import backup_notice

    class FakeApp:
        def __init__(self) -> None:
            self.notes: list[tuple[str, str]] = []

        def notify(self, text: str, *, severity: str = "information", timeout: float = 5, markup: bool = True) -> None:
            self.notes.append((text, severity))

    app = FakeApp()
    backup_notice(app, BackupOutcome("auto", error_zh="备份位置 /media/usb 不可写", error_en="x"), "zh")
    backup_notice(app, BackupOutcome("auto", unchanged=True), "zh")
    assert app.notes == [("备份失败：备份位置 /media/usb 不可写", "error")]


def test_laptop_dies_restore_from_the_stick_and_the_timer_fills_the_gap(event, event_path: Path, tmp_path: Path) -> None:
    """docs/OPERATIONS.md, "The laptop dies mid-event", with a simulated ALGE timer on a pty."""
    from competition import start_queue, timing
    from competition.recorder import TimingRecorder
    from competition.verify import verify_event
    from hardware.pty_port import open_pty_simulator

    s = 10**9
    register(event, 12)
    start_queue.check_in(event, list(range(1, 13)), track=1)
    event.close()

    def finished(path: Path) -> list[int]:
        with Event.open(path) as ev:
            return [r["bib"] for r in ev.store.query("SELECT bib FROM runs WHERE state = 'finished' ORDER BY run_id")]

    def wait_until(condition, guard_s: float = 40.0) -> None:
        deadline = time.monotonic() + guard_s
        while not condition():
            assert time.monotonic() < deadline
            time.sleep(0.02)

    stick = tmp_path / "usb"
    stick.mkdir()
    laptop2 = tmp_path / "laptop2" / "event.db"
    laptop2.parent.mkdir()
    # 80x: a start every 0.25 s; the backup is a snapshot of one head, taken between 3 and 6 finished.
    port = open_pty_simulator("alge", speed=80.0, riders=12, gap_ns=20 * s, course_ns=(38 * s, 55 * s), seed=9,
                              autostart=False)
    try:
        first = TimingRecorder(str(event_path), url=port.path, protocol="alge", track=1)
        first.start()
        port.start()
        wait_until(lambda: len(finished(event_path)) >= 3)
        made = backup_event(event_path, stick, reason="auto")  # while the recorder writes
        wait_until(lambda: len(finished(event_path)) >= 6)  # the first laptop records more, then dies
        first.stop()
        restored = restore_backup(made.path, to=laptop2, default_target=laptop2)
        assert restored.head == made.head
        assert 3 <= len(finished(laptop2)) < 6
        second = TimingRecorder(str(laptop2), url=port.path, protocol="alge", track=1)
        second.start()  # first connect asks the timer for its memory after the backup's last impulse
        try:
            assert port.wait_done(60)
            wait_until(lambda: len(finished(laptop2)) == 12)
        finally:
            second.stop()
    finally:
        port.close()
    with Event.open(laptop2) as ev:
        keys = [(r["device_seq"], r["channel_raw"]) for r in
                ev.store.query("SELECT device_seq, channel_raw FROM impulses WHERE bad_checksum = 0")]
        assert verify_event(ev).ok
        assert timing.orphans(ev) == []
    assert len(keys) == len(set(keys))
    assert sorted(keys) == sorted((i.seq, i.channel_raw) for i in port.sent_impulses())
    assert finished(laptop2) == list(range(1, 13))


def test_a_full_target_says_so_and_leaves_nothing(small_event: Path, tmp_path: Path, monkeypatch) -> None:
    import competition.backup as backup

    def full(source: sqlite3.Connection, temp: Path) -> None:
        temp.write_bytes(b"partial")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "copy_database", full)
    stick = tmp_path / "usb"
    stick.mkdir()
    with pytest.raises(BackupError) as info:
        backup_event(small_event, stick, reason="test")
    assert "已满" in info.value.message_zh and "full" in info.value.message_en
    assert list(stick.iterdir()) == []
