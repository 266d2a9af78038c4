"""The batched import writes what the row-by-row import wrote: same riders, same journal, verify OK.

The reference is the import as it was before it was made fast: each journal
row appended on its own (``EventStore.append``, two statements per row). Both
import the same sheets (bad rows, duplicates, bibs, extra columns) into two
events, then the corrected sheet, then the same sheet again; the entrants
tables, the journal rows (all but time and hash) and the import summaries
must be equal, and ``verify`` must pass on both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from competition.entrants import import_registration
from competition.event import Event
from competition.eventfile import EventStore
from competition.registration import read_registration
from competition.verify import verify_event
from courses.loader import load_course

from .sheets import CLERK_TOP, HEADER, make_clerk_csv, make_clerk_workbook, write_csv


def _one_by_one(self: EventStore, items: list[tuple[str, dict[str, Any]]], *, operator: str | None = None,
                keep_rows: bool = True) -> list:
    rows = [self.append(kind, payload, operator=operator) for kind, payload in items]
    return rows if keep_rows else []


def _new_event(path: Path) -> Event:
    return Event.create(path, title="等价测试", course=load_course(None), day="2026-11-28", operator="录入员")


def _state(event: Event) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    entrants = event.store.conn.execute("SELECT * FROM entrants ORDER BY bib").fetchall()
    journal = [
        (seq, terminal, operator, kind, json.loads(payload), prev_hash is not None)
        for seq, terminal, operator, kind, payload, prev_hash in event.store.conn.execute(
            "SELECT seq, terminal, operator, kind, payload, prev_hash FROM journal ORDER BY seq")
    ]
    return entrants, journal


def _summary(summary: Any) -> tuple[Any, ...]:
    return (summary.counts(), summary.imported, summary.updated, summary.unchanged, summary.duplicates,
            summary.rejected, summary.warnings)


def _corrections_sheet(path: Path, first: Path) -> Path:
    """The clerk's later sheet: some riders changed, an extra column, a taken bib, a bib clash, new riders."""
    riders = read_registration(first).rows
    rows: list[list[object]] = [*CLERK_TOP, [*HEADER, "参赛号", "紧急联系人"]]
    for i, rider in enumerate(riders[:40]):
        station = f"新站点{i}" if i % 3 == 0 else rider.station
        note = "改过备注" if i % 5 == 0 else rider.note
        bib = 9999 if i == 7 else None  # this phone already has another bib: refused
        contact = f"家属{i}" if i % 4 == 0 else None
        rows.append([i + 1, rider.name, rider.gender, rider.phone, rider.platform, station, rider.id_number,
                     note, bib, contact])
    rows.append([41, "新选手甲", "男", "13912345001", "美团", "望京站", None, None, 5000, None])
    rows.append([42, "新选手乙", "女", "13912345002", "饿了么", None, None, None, None, "家属乙"])
    rows.append([43, "新选手丙", "男", "13912345003", None, None, None, None, riders[0].bib or 1, None])
    return write_csv(path, rows, encoding="gbk")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_batched_import_writes_what_row_by_row_wrote(tmp_path: Path, kind: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = tmp_path / f"clerk.{kind}"
    if kind == "csv":
        make_clerk_csv(sheet, 120, "gbk", seed=5)
        fixed = make_clerk_csv(tmp_path / "fixed.csv", 120, "gbk", seed=5, fixed=True)
    else:
        make_clerk_workbook(sheet, 120, seed=5)
        fixed = make_clerk_workbook(tmp_path / "fixed.xlsx", 120, seed=5, fixed=True)
    assert fixed["fixable_rows"]
    later = _corrections_sheet(tmp_path / "later.csv", sheet)
    steps = [sheet, sheet, tmp_path / f"fixed.{kind}", later, later]

    fast = _new_event(tmp_path / "fast.db")
    fast_summaries = [_summary(import_registration(fast, read_registration(s))) for s in steps]
    with monkeypatch.context() as patch:
        patch.setattr(EventStore, "append_many", _one_by_one)
        slow = _new_event(tmp_path / "slow.db")
        slow_summaries = [_summary(import_registration(slow, read_registration(s))) for s in steps]

    assert fast_summaries == slow_summaries
    counts = [s[0] for s in fast_summaries]
    assert counts[0]["imported"] > 100 and counts[0]["rejected"] > 0 and counts[0]["duplicate"] > 0
    assert counts[1]["imported"] == 0 and counts[1]["updated"] == 0  # re-import: nothing changes
    assert counts[2]["imported"] == 2  # the two corrected rows
    assert counts[3]["updated"] > 10 and counts[3]["imported"] >= 2 and counts[3]["rejected"] >= 2
    assert counts[4]["imported"] == 0 and counts[4]["updated"] == 0
    fast_entrants, fast_journal = _state(fast)
    slow_entrants, slow_journal = _state(slow)
    assert fast_entrants == slow_entrants
    assert fast_journal == slow_journal
    kinds = {row[3] for row in fast_journal}
    assert {"entrant_registered", "entrant_updated"} <= kinds
    assert verify_event(fast).ok and verify_event(slow).ok
    fast.close()
    slow.close()


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    sheet = make_clerk_csv(tmp_path / "c.csv", 40, "gbk", seed=2)
    assert sheet["riders"] > 30
    event = _new_event(tmp_path / "e.db")
    head = event.store.journal_head()
    summary = import_registration(event, read_registration(tmp_path / "c.csv"), dry_run=True)
    assert summary.counts()["imported"] == sheet["riders"]
    assert event.store.journal_head() == head
    assert event.store.query("SELECT COUNT(*) AS n FROM entrants")[0]["n"] == 0
    event.close()
