"""A check-in race (issue 16): several writer processes checking in the same riders at once
never queue one rider twice — the check is made under the write lock."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.conftest import register

ROOT = Path(__file__).resolve().parents[2]
RIDERS = 40
WRITERS = 4

DESK = textwrap.dedent(
    """
    import sys, time
    from competition.errors import CommandRefused
    from competition.event import Event
    from competition.start_queue import check_in
    path, start_at, riders = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    ev = Event.open(path, terminal=sys.argv[4])
    while time.time() < start_at:
        pass
    queued = 0
    for bib in range(1, riders + 1):
        try:
            check_in(ev, [bib], track=1)
            queued += 1
        except CommandRefused:
            pass
    print(queued)
    """
)


def test_concurrent_check_in_desks_queue_each_rider_once(event, event_path: Path) -> None:
    register(event, RIDERS)
    event.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKSIDE_BUSY_TIMEOUT_MS": "30000"}
    start_at = time.time() + 1.5  # every desk starts at once
    desks = [
        subprocess.Popen([sys.executable, "-c", DESK, str(event_path), str(start_at), str(RIDERS), f"desk{i}"],
                         stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        for i in range(WRITERS)
    ]
    counts = []
    for desk in desks:
        out, _ = desk.communicate(timeout=120)
        assert desk.returncode == 0
        counts.append(int(out.strip()))
    from competition.event import Event
    from competition.verify import verify_event

    with Event.open(event_path) as reopened:
        rows = reopened.store.query(
            "SELECT bib, COUNT(*) AS n FROM queue WHERE state = 'waiting' GROUP BY bib HAVING n > 1")
        assert rows == [], f"queued twice: {rows}"
        journaled = reopened.store.query("SELECT COUNT(*) AS n FROM journal WHERE kind = 'checked_in'")[0]["n"]
        assert journaled == RIDERS
        assert verify_event(reopened).ok
    assert sum(counts) == RIDERS
