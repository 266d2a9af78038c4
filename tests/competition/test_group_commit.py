"""Group commit (issue #13): a burst in few transactions, the same journal as one by one, poison alone."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from competition import start_queue
from competition import track_pipeline as tp
from competition.event import Event
from competition.recorder import TrackPipeline
from competition.verify import verify_event
from hardware.protocols import get_protocol
from hardware.protocols.pad import encode_line
from tests.conftest import register

RIDERS = 300


def pad_burst(riders: int, first_seq: int = 1) -> bytes:
    """Every rider starts, then every rider finishes 40 s later (a memory replay's worth)."""
    out = b""
    seq = first_seq
    for k in range(riders):
        out += encode_line(boot=0x2B, seq=seq, channel_raw="S", millis=100_000 + 1_000 * k)
        seq += 1
    for k in range(riders):
        out += encode_line(boot=0x2B, seq=seq, channel_raw="F", millis=140_000 + 1_000 * k)
        seq += 1
    return out


def make_event(path: Path, riders: int = RIDERS) -> Path:
    from courses.loader import load_course

    ev = Event.create(path, title="t", course=load_course(None), day="2026-12-02")
    register(ev, riders)
    start_queue.check_in(ev, list(range(1, riders + 1)), track=1)
    ev.close()
    return path


def count_commits(pipe: TrackPipeline) -> list[int]:
    """Counts COMMIT statements on the pipeline's own connection (a trace, not its counter)."""
    seen = [0]

    def trace(sql: str) -> None:
        if sql.strip().upper() == "COMMIT":
            seen[0] += 1

    pipe.event().store.conn.set_trace_callback(trace)
    return seen


def journal_after(path: Path, after: int) -> list[tuple[str, str]]:
    with Event.open(path) as ev:
        rows = ev.store.query("SELECT kind, payload FROM journal WHERE seq > ? ORDER BY seq", (after,))
    return [(r["kind"], r["payload"]) for r in rows]


def head(path: Path) -> int:
    with Event.open(path) as ev:
        return ev.store.journal_head()


def feed(pipe: TrackPipeline, data: bytes, *, grouped: bool, host_ns: int = 5_000) -> None:
    """The stream as one chunk read: grouped (as the recorder does now) or one commit per item."""
    decoder = pipe.protocol.new_decoder()
    pipe.bytes_received(data, host_ns, commit=not grouped)
    for frame in decoder.feed(data, host_ns):
        pipe.frame_decoded(frame, commit=not grouped)
    pipe.commit_pending()


@pytest.fixture
def no_work_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches cut by item count only, so the number of transactions does not depend on the load.
    monkeypatch.setattr(tp, "MAX_BATCH_WORK_NS", 10**15)


def test_a_burst_is_written_in_few_transactions_with_the_journal_of_one_by_one(
    tmp_path: Path, no_work_limit: None
) -> None:
    grouped_db = make_event(tmp_path / "grouped.db")
    single_db = make_event(tmp_path / "single.db")
    base = head(grouped_db)
    assert head(single_db) == base
    data = pad_burst(RIDERS)
    outcomes: dict[str, list[tuple[str, int | None]]] = {"grouped": [], "single": []}
    for name, db, grouped in (("grouped", grouped_db, True), ("single", single_db, False)):
        pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test",
                             on_outcome=lambda o, n=name: outcomes[n].append((o.disposition, o.bib)))
        commits = count_commits(pipe)
        feed(pipe, data, grouped=grouped)
        items = 1 + 2 * RIDERS  # the raw chunk and every frame
        assert pipe.pending == 0 and pipe.items_committed == items
        if grouped:
            assert commits[0] == pipe.commits == math.ceil(items / tp.MAX_BATCH_ITEMS) == 3
        else:
            assert commits[0] == pipe.commits == items
        pipe.close()
    # Same rows, same order, same payloads (host stamps were given): only the transactions differ.
    assert journal_after(grouped_db, base) == journal_after(single_db, base)
    assert outcomes["grouped"] == outcomes["single"]
    assert [d for d, _ in outcomes["grouped"]].count("finish") == RIDERS
    for db in (grouped_db, single_db):
        with Event.open(db) as ev:
            assert verify_event(ev).ok


def test_a_poison_frame_in_the_middle_of_a_burst_is_rejected_alone(
    tmp_path: Path, no_work_limit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tp.record_impulse

    def poisoned(event: Event, impulse: object, **kw: object) -> object:
        outcome = real(event, impulse, **kw)  # type: ignore[arg-type]
        if getattr(impulse, "device_seq", None) == 4:
            raise ZeroDivisionError("a bug in pairing, after its rows were written")
        return outcome

    monkeypatch.setattr(tp, "record_impulse", poisoned)
    journals = {}
    outcomes: dict[bool, list[str]] = {True: [], False: []}
    for grouped in (True, False):
        db = make_event(tmp_path / f"e{grouped}.db", riders=6)
        base = head(db)
        rejected: list[object] = []
        pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test",
                             on_rejected=rejected.append,
                             on_outcome=lambda o, g=grouped: outcomes[g].append(o.disposition))
        commits = count_commits(pipe)
        feed(pipe, pad_burst(6), grouped=grouped)
        assert commits[0] == (1 if grouped else 13)  # grouped: one batch; the poison did not roll it back
        assert pipe.counts["internal_error"] == 1 and len(rejected) == 1
        pipe.close()
        journals[grouped] = journal_after(db, base)
        with Event.open(db) as ev:
            seqs = [r["device_seq"] for r in ev.store.query("SELECT device_seq FROM impulses ORDER BY seq")]
            assert seqs == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]  # the poison's own rows were undone
            kinds = [r["kind"] for r in ev.store.query("SELECT kind FROM journal WHERE kind IN "
                                                        "('impulse_recorded', 'frame_rejected') ORDER BY seq")]
            assert kinds[3] == "frame_rejected"  # in its place in the stream
            assert verify_event(ev).ok
    assert outcomes[True][:3] == ["start"] * 3 and len(outcomes[True]) == 11
    assert outcomes[True] == outcomes[False] and journals[True] == journals[False]


def test_a_single_impulse_is_committed_when_handed_over(tmp_path: Path) -> None:
    db = make_event(tmp_path / "e.db", riders=2)
    pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test")
    other = sqlite3.connect(db)
    feed(pipe, encode_line(boot=0x2B, seq=1, channel_raw="S", millis=1_000), grouped=True)
    # Nothing waits for more: readable from another connection as soon as the call returned.
    assert other.execute("SELECT COUNT(*) FROM impulses").fetchone()[0] == 1
    assert pipe.commits == 1 and pipe.pending == 0
    other.close()
    pipe.close()


def test_a_batch_that_cannot_be_written_stays_pending_and_nothing_fires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKSIDE_BUSY_TIMEOUT_MS", "100")
    db = make_event(tmp_path / "e.db", riders=3)
    acks: list[bytes] = []
    outcomes: list[str] = []
    pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test",
                         on_outcome=lambda o: outcomes.append(o.disposition))
    pipe.send_ack = acks.append
    pipe.event()
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    data = pad_burst(3)
    decoder = pipe.protocol.new_decoder()
    pipe.bytes_received(data, 1, commit=False)
    for frame in decoder.feed(data, 1):
        pipe.frame_decoded(frame, ack=b"\x06", commit=False)
    pipe.commit_pending()
    assert pipe.write_errors == 1 and pipe.pending == 7
    assert acks == [] and outcomes == [] and sum(pipe.counts.values()) == 0
    blocker.execute("ROLLBACK")
    blocker.close()
    pipe.commit_pending()
    assert pipe.pending == 0 and acks == [b"\x06"] * 6
    assert outcomes == ["start"] * 3 + ["finish"] * 3 and pipe.counts["finish"] == 3
    pipe.close()
    with Event.open(db) as ev:
        assert ev.store.query("SELECT COUNT(*) AS n FROM impulses")[0]["n"] == 6
        assert verify_event(ev).ok


def test_savepoint_outside_a_transaction_is_refused(event: Event) -> None:
    with pytest.raises(RuntimeError), event.store.savepoint():
        pass


def test_a_clean_batch_is_written_without_savepoints_and_a_poisoned_one_again_with_them(
    tmp_path: Path, no_work_limit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four statements less per impulse on the way to its COMMIT (issue #13): the SAVEPOINT
    # per item is only paid when an item raised and the batch is written once more.
    db = make_event(tmp_path / "e.db", riders=6)
    pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test")
    statements: list[str] = []
    pipe.event().store.conn.set_trace_callback(statements.append)
    feed(pipe, pad_burst(3), grouped=True)
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]
    assert [s for s in statements if s == "COMMIT"] == ["COMMIT"] and pipe.counts["finish"] == 3

    real = tp.record_impulse

    def poisoned(event: Event, impulse: object, **kw: object) -> object:
        if getattr(impulse, "device_seq", None) == 8:
            raise ZeroDivisionError("a bug in pairing")
        return real(event, impulse, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(tp, "record_impulse", poisoned)
    statements.clear()
    decoder = pipe.protocol.new_decoder()
    data = b"".join(encode_line(boot=0x2B, seq=s, channel_raw="S", millis=500_000 + s * 60_000) for s in (7, 8, 9))
    pipe.bytes_received(data, 9_000, commit=False)
    for frame in decoder.feed(data, 9_000):
        pipe.frame_decoded(frame, commit=False)
    pipe.commit_pending()
    assert statements.count("ROLLBACK") == 1  # the unguarded attempt, undone whole
    assert statements.count("COMMIT") == 1 and any(s.startswith("SAVEPOINT") for s in statements)
    # 7 starts the fourth rider; 9 comes after a number never recorded (8): held, for the referee.
    assert pipe.counts["internal_error"] == 1 and pipe.counts["start"] == 4
    assert pipe.counts["sequence_gap"] == 1 and pipe.counts["orphan"] == 1
    pipe.close()
    with Event.open(db) as ev:
        assert [r["device_seq"] for r in ev.store.query("SELECT device_seq FROM impulses WHERE device_seq >= 7"
                                                         " ORDER BY seq")] == [7, 9]
        assert verify_event(ev).ok
