"""The journal is append-only, hash-chained, and the projections rebuild from it."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from competition.errors import EventFileError
from competition.event import Event
from competition.eventfile import EventStore
from competition.journal import GENESIS_HASH, iter_rows, verify_chain
from competition.verify import verify_event
from tests.conftest import register


def test_rows_are_chained(event: Event) -> None:
    register(event, 3)
    rows = list(iter_rows(event.store.conn))
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert rows[0].kind == "event_created"
    assert rows[0].operator == "测试裁判"
    assert rows[1].mono_ns > 0 and rows[1].utc.endswith("+00:00")


def test_journal_refuses_update_and_delete(event: Event) -> None:
    register(event, 1)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        event.store.conn.execute("UPDATE journal SET payload = '{}' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        event.store.conn.execute("DELETE FROM journal WHERE seq = 2")
    assert verify_event(event).ok


def test_verify_detects_an_edit_made_with_plain_sqlite(event: Event, event_path: Path) -> None:
    register(event, 5)
    assert verify_event(event).ok
    event.close()
    raw = sqlite3.connect(event_path)
    raw.execute("DROP TRIGGER journal_no_update")
    raw.execute(
        "UPDATE journal SET payload = replace(payload, '选手3', '张三') WHERE seq = 4"
    )
    raw.commit()
    raw.close()
    with Event.open(event_path) as reopened:
        report = verify_event(reopened)
    assert not report.ok
    assert [p.seq for p in report.chain] == [4]
    # The projection no longer matches what the (edited) journal says either.
    assert {d.table for d in report.differences} == {"entrants"}
    assert any("第 4 行" in line for line in report.lines("zh"))


def test_verify_detects_a_projection_edited_beside_the_journal(event: Event, event_path: Path) -> None:
    register(event, 2)
    event.store.conn.execute("UPDATE entrants SET name = '王五' WHERE bib = 1")
    report = verify_event(event)
    assert not report.chain
    assert [d.table for d in report.differences] == ["entrants"]


def test_verify_detects_a_deleted_row(event: Event, event_path: Path) -> None:
    register(event, 3)
    event.close()
    raw = sqlite3.connect(event_path)
    raw.execute("DROP TRIGGER journal_no_delete")
    raw.execute("DELETE FROM journal WHERE seq = 2")
    raw.commit()
    raw.close()
    with Event.open(event_path) as reopened:
        count, problems = verify_chain(reopened.store.conn)
    assert count == 3
    assert problems and problems[0].seq == 3


def test_a_failed_command_leaves_nothing(event: Event) -> None:
    register(event, 1)
    before = event.store.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError):
        with event.store.transaction():
            event.store.append("note", {"text": "first"})
            # Same bib again violates the entrants primary key: the whole transaction goes.
            event.store.append(
                "entrant_registered",
                {"bib": 1, "name": "重复", "phone": "13900000009", "extra": {}, "initials": ""},
            )
    after = event.store.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    assert after == before
    assert verify_event(event).ok


def test_pragmas(event: Event) -> None:
    conn = event.store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_not_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "报名表.db"
    bogus.write_text("序号,姓名\n1,张三\n", encoding="utf-8")
    with pytest.raises(EventFileError) as info:
        Event.open(bogus)
    assert "不是 Trackside 赛事文件" in info.value.message_zh
    assert "not a Trackside event file" in info.value.message_en


def test_missing_file_says_to_init(tmp_path: Path) -> None:
    with pytest.raises(EventFileError, match="trackside init"):
        Event.open(tmp_path / "nope.db")


def test_newer_schema_is_refused(event: Event, event_path: Path) -> None:
    event.store.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('trackside', 'm999_future', 'x')"
    )
    event.close()
    with pytest.raises(EventFileError) as info:
        Event.open(event_path)
    assert "更新版本" in info.value.message_zh and "m999_future" in info.value.message_en


def test_locked_file_is_a_clear_error(event: Event, event_path: Path) -> None:
    blocker = sqlite3.connect(event_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(EventFileError) as info:
            register(event, 1)
        assert "占用" in info.value.message_zh
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    register(event, 1)
    assert verify_event(event).ok


def test_create_never_overwrites(event: Event, event_path: Path) -> None:
    from courses.loader import load_course

    with pytest.raises(EventFileError, match="不会覆盖"):
        Event.create(event_path, title="另一个", course=load_course(None))
    assert event.title == "测试赛事"


def test_store_without_event_is_refused(tmp_path: Path) -> None:
    store = EventStore.open(tmp_path / "empty.db", create=True)
    with pytest.raises(EventFileError, match="init"):
        Event(store)
    store.close()
