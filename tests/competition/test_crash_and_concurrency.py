"""SIGKILL mid-burst and two writer processes on one event file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from competition.event import Event
from competition.verify import verify_event

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys
    from competition.event import Event
    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ev = Event.open(path, operator=tag, terminal=tag)
    for i in range(count):
        with ev.store.transaction():
            ev.store.append("note", {"tag": tag, "i": i})
            ev.store.append("entrant_registered", {"bib": int(sys.argv[4]) + i, "name": tag + str(i),
                            "phone": "13" + str(int(sys.argv[4]) + i).rjust(9, "0"), "extra": {}, "initials": ""})
        # Printed only after COMMIT returned: the action counts as done.
        print(i, flush=True)
    """
)


def _spawn(path: Path, tag: str, count: int, first_bib: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKSIDE_BUSY_TIMEOUT_MS": "20000"}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), tag, str(count), str(first_bib)],
        stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )


def test_sigkill_mid_burst_keeps_every_returned_action(event: Event, event_path: Path) -> None:
    event.close()
    proc = _spawn(event_path, "burst", 100_000, 1)
    assert proc.stdout is not None
    confirmed = -1
    for line in proc.stdout:
        confirmed = int(line)
        if confirmed >= 150:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Event.open(event_path) as reopened:
        report = verify_event(reopened)
        assert report.ok, report.lines("en")
        notes = reopened.store.query("SELECT payload FROM journal WHERE kind = 'note'")
        done = {int(__import__("json").loads(n["payload"])["i"]) for n in notes}
        # Every action whose command returned is there, in order, with no gap.
        assert set(range(confirmed + 1)) <= done
        assert done == set(range(len(done)))
        entrants = reopened.store.query("SELECT COUNT(*) AS n FROM entrants")[0]["n"]
        assert entrants == len(done)


def test_two_processes_write_one_file(event: Event, event_path: Path) -> None:
    event.close()
    a = _spawn(event_path, "A", 150, 1)
    b = _spawn(event_path, "B", 150, 10_001)
    out_a, _ = a.communicate(timeout=120)
    out_b, _ = b.communicate(timeout=120)
    assert a.returncode == 0 and b.returncode == 0
    assert len(out_a.split()) == 150 and len(out_b.split()) == 150
    with Event.open(event_path) as reopened:
        assert verify_event(reopened).ok
        terminals = reopened.store.query(
            "SELECT terminal, COUNT(*) AS n FROM journal WHERE kind = 'note' GROUP BY terminal ORDER BY terminal"
        )
        assert terminals == [{"terminal": "A", "n": 150}, {"terminal": "B", "n": 150}]


def test_reader_notices_another_writer(event: Event, event_path: Path) -> None:
    other = Event.open(event_path)
    before = other.store.data_version()
    event.store.record("note", {"text": "hello"})
    assert other.store.data_version() != before
    other.close()
