"""Shared fixtures: fresh event files on disk (WAL matters, so no :memory:)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# A short busy timeout so lock tests fail fast; real use waits 10 s.
os.environ.setdefault("TRACKSIDE_BUSY_TIMEOUT_MS", "1500")
os.environ.setdefault("TRACKSIDE_LANG", "zh")


@pytest.fixture
def event_path(tmp_path: Path) -> Path:
    return tmp_path / "event.db"


@pytest.fixture
def event(event_path: Path) -> Iterator[object]:
    """A new event on the bundled default course."""
    from competition.event import Event
    from courses.loader import load_course

    ev = Event.create(event_path, title="测试赛事", course=load_course(None), day="2026-11-28", operator="测试裁判")
    yield ev
    ev.close()


def register(event: object, n: int, *, start_bib: int = 1) -> list[int]:
    """Register ``n`` riders straight through the journal (bypassing the sheet reader)."""
    store = event.store  # type: ignore[attr-defined]
    bibs = []
    with store.transaction():
        for i in range(n):
            bib = start_bib + i
            store.append(
                "entrant_registered",
                {"bib": bib, "name": f"选手{bib}", "phone": f"139{bib:08d}", "gender": None,
                 "platform": "美团" if bib % 2 else "饿了么", "station": f"站点{bib % 5}",
                 "id_number": None, "note": None, "extra": {}, "initials": f"xs{bib}"},
            )
            bibs.append(bib)
    return bibs
