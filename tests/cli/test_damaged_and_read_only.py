"""Damaged and read-only event files (issue 16): verify and every read command name what is
wrong; a read-only copy can be verified and exported; nothing is written to it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_tree import leaf_commands
from click.testing import CliRunner

from competition import journal
from main import cli

READ_COMMANDS = [
    ["verify"], ["runs"], ["standings"], ["journal"], ["queue"], ["entrants", "list"], ["course", "show"],
    ["timing", "impulses"], ["export", "--format", "csv", "--out", "{out}/r.csv"],
]


def invoke(db: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), "--lang", lang, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def ridden_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from competition.event import Event
    from tests.conftest import register

    folder = tmp_path_factory.mktemp("ridden")
    db = folder / "event.db"
    assert invoke(db, "init")[0] == 0
    with Event.open(db) as event:
        register(event, 3)
    assert invoke(db, "checkin", "3", "1")[0] == 0
    capture = folder / "timy.cap"
    capture.write_bytes(b" 0001 C0  10:00:00.0000 00\r 0002 C1  10:00:45.1239 00\r"
                        b" 0003 C0  10:00:50.0000 00\r 0004 C1  10:01:40.5000 00\r")
    assert invoke(db, "timing", "replay", str(capture), "--protocol", "alge")[0] == 0
    assert invoke(db, "penalty", "3", "绕杆", "倒杆出框")[0] == 0
    return db


@pytest.fixture
def ridden(ridden_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "event.db"
    shutil.copy(ridden_template, db)
    return db


def tamper(db: Path, *statements: str) -> None:
    """Edit the file the way someone with the sqlite3 shell would (triggers dropped first)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS journal_no_update")
    conn.execute("DROP TRIGGER IF EXISTS journal_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def append_raw(db: Path, kind: str, payload: dict) -> None:
    """A well-chained row that Trackside would never write (forged with the right hashes)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    journal.insert_row(conn, utc="2026-11-28T10:00:00+00:00", mono_ns=1, terminal="x", operator="", kind=kind,
                       payload=payload)
    conn.execute("COMMIT")
    conn.close()


def assert_named(code: int, out: str, *words: str) -> None:
    assert code == 1, out
    assert "Traceback" not in out
    for word in words:
        assert word in out, out


def test_a_payload_that_is_not_json(ridden: Path) -> None:
    tamper(ridden, "UPDATE journal SET payload = '{not json' WHERE seq = 3")
    code, out = invoke(ridden, "verify")
    assert_named(code, out, "row 3", "not JSON", "VERIFY FAILED")


def test_an_unknown_kind(ridden: Path) -> None:
    append_raw(ridden, "martian_landed", {"bib": 1})
    code, out = invoke(ridden, "verify")
    assert_named(code, out, "unknown kind 'martian_landed'", "VERIFY FAILED")


@pytest.mark.parametrize("kind,payload", [
    ("run_status_set", {"run_id": 99999, "status": "DNF", "reason": "x"}),
    ("run_finish_undone", {"run_id": 99999, "reason": "x"}),
    ("penalty_withdrawn", {"penalty_id": 99999}),
])
def test_a_row_naming_a_missing_run(ridden: Path, kind: str, payload: dict) -> None:
    append_raw(ridden, kind, payload)
    code, out = invoke(ridden, "verify")
    assert code == 1 and "Traceback" not in out, out
    assert kind in out and ("does not exist" in out or "cannot be applied" in out), out


def test_a_deleted_run_row(ridden: Path) -> None:
    tamper(ridden, "DELETE FROM runs WHERE bib = 3")
    code, out = invoke(ridden, "verify")
    assert_named(code, out, "Projection runs", "VERIFY FAILED")


@pytest.mark.parametrize("table", ["runs", "penalties", "entrants", "meta"])
def test_a_dropped_table(ridden: Path, table: str, tmp_path: Path) -> None:
    tamper(ridden, f"DROP TABLE {table}")
    code, out = invoke(ridden, "verify")
    assert_named(code, out, f"the table {table} is missing", "VERIFY FAILED")
    for command in READ_COMMANDS:
        args = [a.replace("{out}", str(tmp_path)) for a in command]
        code, out = invoke(ridden, *args)
        assert code in (0, 1) and "Traceback" not in out, (command, out)
        if code == 1 and command != ["verify"]:
            assert "damaged" in out or "missing" in out, (command, out)


def test_a_dropped_journal(ridden: Path) -> None:
    tamper(ridden, "DROP TABLE journal")
    code, out = invoke(ridden, "verify")
    assert_named(code, out, "journal table is missing")


def _corrupt_a_page(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    with open(db, "r+b") as handle:
        for n in range(2, pages):  # every page but the header page: b-tree pages turn to garbage
            handle.seek(n * page + 8)
            handle.write(b"\xff\x13\x37" * 40)


def test_a_malformed_page(ridden: Path, tmp_path: Path) -> None:
    _corrupt_a_page(ridden)
    code, out = invoke(ridden, "verify")
    assert_named(code, out, "damaged")
    for command in READ_COMMANDS[1:]:
        args = [a.replace("{out}", str(tmp_path)) for a in command]
        code, out = invoke(ridden, *args)
        assert code in (0, 1) and "Traceback" not in out, (command, out)


def test_not_an_event_file_at_all(tmp_path: Path) -> None:
    junk = tmp_path / "photo.db"
    junk.write_bytes(os.urandom(8192))
    code, out = invoke(junk, "verify")
    assert_named(code, out, "not a Trackside event file")


def test_every_read_command_on_a_damaged_file_never_tracebacks(ridden: Path, tmp_path: Path) -> None:
    tamper(ridden, "UPDATE journal SET payload = 'null' WHERE seq = 1", "DROP TABLE queue")
    for path, command in leaf_commands():
        if path[0] in {"run", "demo", "simulate", "init"} or path[-1] in {"listen", "ports", "template"}:
            continue
        required = [p for p in command.params if getattr(p, "required", False)]
        if required:
            continue
        code, out = invoke(ridden, *path)
        assert code in (0, 1) and "Traceback" not in out, (path, out)


# -- read-only copies ---------------------------------------------------------


def _sha(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


@pytest.fixture
def read_only_copy(ridden_template: Path, tmp_path: Path):
    """The event file on a read-only filesystem (root ignores file modes, so a real ro mount)."""
    mount = tmp_path / "cdrom"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a read-only filesystem")
    try:
        shutil.copy(ridden_template, mount / "event.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "event.db"
    finally:
        import gc

        gc.collect()
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_read_only_copy_can_be_verified_read_and_exported(read_only_copy: Path, tmp_path: Path) -> None:
    before = _sha(read_only_copy)
    code, out = invoke(read_only_copy, "verify")
    assert code == 0 and "OK:" in out, out
    code, out = invoke(read_only_copy, "standings")
    assert code == 0 and "Traceback" not in out, out
    code, out = invoke(read_only_copy, "export", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))
    assert code == 0 and (tmp_path / "r.xlsx").stat().st_size > 0, out
    assert sorted(p.name for p in read_only_copy.parent.iterdir()) == ["event.db"]  # no -wal, no -shm
    assert _sha(read_only_copy) == before


def test_a_write_to_a_read_only_copy_says_read_only(read_only_copy: Path) -> None:
    code, out = invoke(read_only_copy, "penalty", "1", "绕杆", "碰杆")
    assert code == 1 and "read-only" in out and "Traceback" not in out, out


def test_a_read_only_file_in_a_writable_folder(ridden: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import competition.eventfile as eventfile

    monkeypatch.setattr(eventfile, "_writable", lambda p: False)
    code, out = invoke(ridden, "verify")
    assert code == 0 and "OK:" in out, out
    code, out = invoke(ridden, "checkin", "2")
    assert code == 1 and "read-only" in out, out
