"""Issue #13: the work per impulse. The hold check is one probe of an index (the ``held``
column, m008), not a join of the journal with LIKE over every orphan of the track; the
meta (course, round) is read once per write transaction, never stale."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from competition import start_queue, timing, timing_holds
from competition.event import Event
from competition.verify import verify_event
from hardware.impulse import Channel
from tests.conftest import register
from tests.web_free_helpers import pad_impulse

S = 10**9


def test_an_impulse_held_before_the_session_is_one_index_probe_and_rebuilds(event: Event) -> None:
    register(event, 3)
    start_queue.check_in(event, [1, 2, 3], track=1)
    for k in range(40):  # orphans not held: finishes with nobody on course
        timing.record_impulse(event, pad_impulse(Channel.FINISH, (k + 1) * S, k + 1), track=1)
    assert not timing_holds.any_waiting_before_session(event, 1)
    held = timing.record_impulse(event, pad_impulse(Channel.START, 100 * S, 100), track=1,
                                 hold_pairing=timing_holds.BEFORE_SESSION)
    assert held.disposition == "orphan"
    statements: list[str] = []
    event.store.conn.set_trace_callback(statements.append)
    assert timing_holds.hold_reason(event, 1) == timing_holds.BEFORE_SESSION
    event.store.conn.set_trace_callback(None)
    held_probe = [s for s in statements if "held" in s]
    assert len(held_probe) == 1 and "journal" not in held_probe[0] and "LIKE" not in held_probe[0]
    plan = " ".join(r[3] for r in event.store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT 1 FROM impulses WHERE track = 1 AND held = 'before_session'"
        " AND disposition = 'orphan' LIMIT 1"))
    assert "impulses_held" in plan
    assert timing_holds.waiting_before_session(event, 1) == [held.seq]
    assert verify_event(event).ok
    timing.discard_impulse(event, held.seq, reason="测试拍打 a test slap")
    assert timing_holds.hold_reason(event, 1) is None
    assert event.store.query("SELECT held FROM impulses WHERE seq = ?", (held.seq,))[0]["held"] == "before_session"
    assert verify_event(event).ok


def test_m008_fills_held_from_the_journal_in_a_file_written_before_it(event: Event, event_path: Path) -> None:
    register(event, 1)
    held = timing.record_impulse(event, pad_impulse(Channel.START, 5 * S, 1), track=1,
                                 hold_pairing=timing_holds.BEFORE_SESSION)
    plain = timing.record_impulse(event, pad_impulse(Channel.FINISH, 9 * S, 2), track=1)
    event.close()
    # The file as the version before m008 left it: no held column, no index, m008 not applied.
    conn = sqlite3.connect(event_path)
    conn.execute("DROP INDEX impulses_held")
    conn.execute("DROP INDEX impulses_paired")
    conn.execute("ALTER TABLE impulses DROP COLUMN held")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_impulse_held'")
    conn.commit()
    conn.close()
    with Event.open(event_path) as ev:
        rows = {r["seq"]: r["held"] for r in ev.store.query("SELECT seq, held FROM impulses")}
        assert rows == {held.seq: "before_session", plain.seq: None}
        assert timing_holds.waiting_before_session(ev, 1) == [held.seq]
        assert {"impulses_held", "impulses_paired"} <= {
            r["name"] for r in ev.store.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert verify_event(ev).ok


def test_meta_read_in_a_transaction_follows_a_change_made_in_it(event: Event) -> None:
    with event.store.transaction():
        assert event.title == "测试赛事"
        statements: list[str] = []
        event.store.conn.set_trace_callback(statements.append)
        for _ in range(5):
            assert event.title == "测试赛事"
            _ = event.course
        event.store.conn.set_trace_callback(None)
        assert [s for s in statements if "meta" in s] == [
            "SELECT value FROM meta WHERE key = 'course_toml'"]
        event.store.append("event_renamed", {"title": "新名字"})
        assert event.title == "新名字"
    try:
        with event.store.transaction():
            event.store.append("event_renamed", {"title": "回滚的名字"})
            assert event.title == "回滚的名字"
            raise RuntimeError("undone")
    except RuntimeError:
        pass
    assert event.title == "新名字"
    with event.store.transaction():
        assert event.title == "新名字"
        try:
            with event.store.savepoint("t"):
                event.store.append("event_renamed", {"title": "撤回"})
                assert event.title == "撤回"
                raise RuntimeError("undone")
        except RuntimeError:
            pass
        assert event.title == "新名字"


def test_meta_changed_by_another_connection_is_seen_by_the_next_transaction(event: Event, event_path: Path) -> None:
    with event.store.transaction():
        assert event.title == "测试赛事"
    with Event.open(event_path) as other:
        other.store.record("event_renamed", {"title": "别处改名"})
    with event.store.transaction():
        assert event.title == "别处改名"
    assert event.title == "别处改名"


def test_an_orphan_burst_finds_the_last_paired_impulse_through_its_index(event: Event) -> None:
    plan = " ".join(r[3] for r in event.store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT device_time_ns, clock_modulus_ns FROM impulses WHERE track = 1 AND device = 'd'"
        " AND cleared = 0 AND bad_checksum = 0 AND device_time_ns IS NOT NULL"
        " AND disposition IN ('start', 'finish') ORDER BY seq DESC LIMIT 1"))
    assert "impulses_paired" in plan
