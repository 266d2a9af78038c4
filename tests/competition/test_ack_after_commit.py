"""The timer's ACK goes out only once the impulse is durable (issue #13), on a real pty."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from competition import start_queue
from competition.event import Event
from competition.recorder import TimingRecorder
from competition.verify import verify_event
from hardware.protocols import get_protocol
from hardware.protocols.tagheuer import encode_line
from tests.conftest import register

S = 1_000_000_000
GUARD_S = 20.0  # liveness guard only, never a speed check


def wait_for(condition: Callable[[], bool], guard_s: float = GUARD_S) -> bool:
    deadline = time.monotonic() + guard_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def tag_line(seq: int, channel: str) -> bytes:
    return encode_line(prefix="TN", bib=None, seq=seq, channel_raw=channel, tod_ns=10 * 3600 * S + seq * S)


class Pty:
    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self.slave)
        self.heard = b""

    def read(self) -> bytes:
        try:
            self.heard += os.read(self.master, 4096)
        except BlockingIOError:
            pass
        return self.heard

    def acks(self) -> int:
        return self.read().count(b"\x06")

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def recorder(event: Event, event_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TimingRecorder, Pty]]:
    monkeypatch.setenv("TRACKSIDE_BUSY_TIMEOUT_MS", "200")  # a locked file fails fast (and is retried)
    register(event, 4)
    start_queue.check_in(event, [1, 2, 3, 4], track=1)
    event.close()
    pty = Pty()
    rec = TimingRecorder(str(event_path), url=pty.path, protocol=get_protocol("tagheuer").configured(rtscts=True),
                         track=1, claim_port=False)
    rec.start()
    try:
        assert wait_for(lambda: rec.status.online)
        assert wait_for(lambda: b"#RT" in pty.read())  # the first connect's memory request
        assert wait_for(lambda: not rec.window.is_open)  # nothing came back: the replay is over
        yield rec, pty
    finally:
        rec.stop()
        pty.close()


def impulses(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM impulses").fetchone()[0])


def test_the_ack_arrives_only_after_the_row_is_readable_elsewhere(
    recorder: tuple[TimingRecorder, Pty], event_path: Path
) -> None:
    _, pty = recorder
    other = sqlite3.connect(event_path)
    for n in range(1, 5):
        os.write(pty.master, tag_line(n, "1" if n % 2 else "2"))
        assert wait_for(lambda n=n: pty.acks() >= n)
        # The moment the ACK is on the wire, another connection already reads the impulse.
        assert impulses(other) == n
    assert pty.acks() == 4
    other.close()


def test_no_ack_while_the_file_is_locked_and_one_once_it_is_written(
    recorder: tuple[TimingRecorder, Pty], event_path: Path
) -> None:
    rec, pty = recorder
    blocker = sqlite3.connect(event_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock past the busy timeout
    os.write(pty.master, tag_line(1, "1"))
    # The reader's commit failed, and the watcher's retries too: still pending, nothing acknowledged.
    assert wait_for(lambda: rec.pipeline.write_errors >= 3)
    assert rec.pipeline.pending > 0
    assert pty.acks() == 0 and impulses(blocker) == 0
    blocker.execute("ROLLBACK")
    # The watcher writes the pending batch by itself; only then the ACK.
    assert wait_for(lambda: pty.acks() == 1)
    assert impulses(blocker) == 1 and rec.pipeline.pending == 0
    blocker.close()
    rec.stop()
    with Event.open(event_path) as ev:
        assert verify_event(ev).ok
