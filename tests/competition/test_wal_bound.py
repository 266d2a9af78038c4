"""The WAL stays under its stated bound through a burst, with a reader polling meanwhile (issue #13)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from competition import wal_bound
from competition.event import Event
from competition.recorder import TimingRecorder, TrackPipeline
from competition.verify import verify_event
from competition.wal_bound import WalKeeper
from hardware.protocols import get_protocol
from tests.competition.test_group_commit import make_event, pad_burst
from tests.competition.test_recorder import wait_for

RIDERS = 1000  # 2 000 impulses


def wal_size(db: Path) -> int:
    try:
        return os.stat(f"{db}-wal").st_size
    except FileNotFoundError:
        return 0


def test_the_wal_stays_under_its_bound_through_a_burst_with_a_reader_polling(tmp_path: Path) -> None:
    db = make_event(tmp_path / "e.db", riders=RIDERS)
    pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test")
    pipe.defer_checkpoints = True  # as in TimingRecorder: no checkpoint inside a commit
    keeper = WalKeeper(str(db))
    pipe.after_commit = keeper.after_commit
    seen = {"max": 0, "reads": 0}
    stop = threading.Event()

    def reader() -> None:
        # What the app does: notice news (data_version) and read the standings' tables.
        conn = sqlite3.connect(db)
        while not stop.is_set():
            conn.execute("PRAGMA data_version").fetchone()
            conn.execute("SELECT bib, state, raw_ns FROM runs ORDER BY run_id").fetchall()
            seen["max"] = max(seen["max"], wal_size(db))
            seen["reads"] += 1
            time.sleep(0.002)
        conn.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        lines = pad_burst(RIDERS).splitlines(keepends=True)
        decoder = pipe.protocol.new_decoder()
        for start in range(0, len(lines), 64):  # chunks as a reader thread gets them in a burst
            chunk = b"".join(lines[start:start + 64])
            pipe.bytes_received(chunk, 1, commit=False)
            for frame in decoder.feed(chunk, 1):
                pipe.frame_decoded(frame, commit=False)
            pipe.commit_pending()
            seen["max"] = max(seen["max"], wal_size(db))
    finally:
        stop.set()
        thread.join()
    pipe.close()
    assert pipe.counts["finish"] == RIDERS and pipe.pending == 0 and seen["reads"] > 0
    # Without the keeper this burst leaves a WAL of tens of MiB (wal_autocheckpoint is off).
    assert keeper.writer_checkpoints >= 1
    assert seen["max"] < wal_bound.WAL_BOUND_BYTES and keeper.max_seen < wal_bound.WAL_BOUND_BYTES
    with Event.open(db) as ev:
        assert verify_event(ev).ok


def test_the_recorder_empties_the_wal_on_a_quiet_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wal_bound, "WATCH_S", 0.1)
    monkeypatch.setattr(wal_bound, "QUIET_S", 0.1)
    db = make_event(tmp_path / "e.db", riders=5)
    # A port that is not there: the recorder journals "offline" (its connection stays open), then
    # nothing more is written; the watcher's TRUNCATE then leaves an empty WAL file.
    rec = TimingRecorder(str(db), url=str(tmp_path / "ttyNONE"), protocol="pad", track=1, claim_port=False)
    rec.start()
    try:
        assert wait_for(lambda: rec.wal.watch_checkpoints >= 1 and wal_size(db) == 0 and os.path.exists(f"{db}-wal"))
        with Event.open(db) as ev:
            assert ev.store.query("SELECT COUNT(*) AS n FROM journal WHERE kind = 'port_status'")[0]["n"] >= 1
    finally:
        rec.stop()




def test_the_watcher_checkpoints_a_grown_wal_at_once_and_the_writer_leaves_it_to_him(tmp_path: Path) -> None:
    # A checkpoint's fsync of the event file can take long on a busy disk; done by the writer it
    # delayed the next impulse's COMMIT (and, with one lock, the reader): the watcher does it now.
    db = make_event(tmp_path / "e.db", riders=RIDERS)
    pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test")
    pipe.defer_checkpoints = True
    keeper = WalKeeper(str(db))
    pipe.after_commit = keeper.after_commit
    lines = pad_burst(RIDERS).splitlines(keepends=True)
    decoder = pipe.protocol.new_decoder()
    start = 0
    while wal_size(db) < wal_bound.CHECKPOINT_AT_BYTES:
        chunk = b"".join(lines[start:start + 64])
        start += 64
        pipe.bytes_received(chunk, 1, commit=False)
        for frame in decoder.feed(chunk, 1):
            pipe.frame_decoded(frame, commit=False)
        pipe.commit_pending()
    assert keeper.writer_checkpoints == 0  # under the writer's backstop: not his to do
    keeper.watch()  # long before WATCH_S: the size alone calls for it
    assert keeper.watch_checkpoints == 1
    keeper.watch()
    assert keeper.watch_checkpoints == 1  # copied whole, nothing new: not again every 50 ms
    with Event.open(db) as ev:  # everything is in the event file itself now
        frames = ev.store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert frames[1] == frames[2]
    keeper.close()
    pipe.close()


def test_the_reader_hands_over_while_the_writer_waits_for_the_disk(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # One lock for both made the reader wait for a slow COMMIT (or checkpoint) before it could go
    # back to its port, so the next impulse was stamped late (bench_timing_pipeline saw 86 ms).
    db = make_event(tmp_path / "e.db", riders=4)
    pipe = TrackPipeline(str(db), track=1, protocol=get_protocol("pad"), port="test")
    inside, release = threading.Event(), threading.Event()
    real = pipe._write_batch

    def slow_disk(*args: object) -> int:
        inside.set()
        assert release.wait(10)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipe, "_write_batch", slow_disk)
    lines = pad_burst(2).splitlines(keepends=True)
    decoder = pipe.protocol.new_decoder()
    pipe.bytes_received(lines[0], 1, commit=False)
    for frame in decoder.feed(lines[0], 1):
        pipe.frame_decoded(frame, commit=False)
    writer = threading.Thread(target=pipe.commit_pending)
    writer.start()
    assert inside.wait(10)
    handed = threading.Thread(target=lambda: pipe.bytes_received(lines[1], 2, commit=False))
    handed.start()
    handed.join(2)
    if handed.is_alive():
        release.set()
    assert not handed.is_alive()  # the reader was not kept waiting by the writer
    try:
        assert pipe.pending == 3  # the batch being written (a chunk and its frame), and the chunk behind it
    finally:
        release.set()
    writer.join(10)
    pipe.commit_pending()
    assert pipe.pending == 0
    pipe.close()
    with Event.open(db) as ev:
        assert ev.store.query("SELECT COUNT(*) AS n FROM journal WHERE kind = 'raw_bytes'")[0]["n"] == 2
        assert verify_event(ev).ok
