"""EventStore.append_many: the rows append() would write one by one, in a few statements."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from competition.errors import CommandRefused
from competition.event import Event
from competition.journal import verify_chain
from competition.verify import verify_event
from courses.loader import load_course


def _rider(bib: int, extra: dict[str, str] | None = None) -> dict[str, Any]:
    return {"bib": bib, "name": f"选手{bib}", "phone": f"139{bib:08d}", "gender": None, "platform": "美团",
            "station": None, "id_number": None, "note": None, "extra": extra or {}, "initials": f"xs{bib}"}


ITEMS: list[tuple[str, dict[str, Any]]] = [
    ("entrant_registered", _rider(1)),
    ("entrant_registered", _rider(2, {"紧急联系人": "家属"})),
    ("entrant_updated", {"bib": 1, "changes": {"station": "望京站"}, "reason": "重新导入"}),
    ("entrant_registered", _rider(3)),
    ("entrant_withdrawn", {"bib": 2, "reason": "退赛"}),
    ("entrant_registered", _rider(4)),
]


def _event(path: Path) -> Event:
    return Event.create(path, title="批量", course=load_course(None), day="2026-11-28", operator="裁判")


def _contents(event: Event) -> tuple[list[Any], list[Any]]:
    conn = event.store.conn
    journal = [(s, t, o, k, json.loads(p)) for s, t, o, k, p in
               conn.execute("SELECT seq, terminal, operator, kind, payload FROM journal ORDER BY seq")]
    return conn.execute("SELECT * FROM entrants ORDER BY bib").fetchall(), journal


def test_same_rows_as_one_by_one_with_mixed_kinds_and_a_case(tmp_path: Path) -> None:
    batched, single = _event(tmp_path / "a.db"), _event(tmp_path / "b.db")
    for event in (batched, single):
        event.store.case_id = 3
    with batched.store.transaction():
        rows = batched.store.append_many(ITEMS, operator="录入员")
        more = batched.store.append_many([("entrant_registered", _rider(5))])
    with single.store.transaction():
        for kind, payload in ITEMS:
            single.store.append(kind, payload, operator="录入员")
        single.store.append("entrant_registered", _rider(5))
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + len(ITEMS)))
    assert more[0].seq == rows[-1].seq + 1 and more[0].prev_hash == rows[-1].hash
    assert all(r.payload["case_id"] == 3 for r in rows)
    assert _contents(batched) == _contents(single)
    assert verify_chain(batched.store.conn)[1] == []
    assert verify_event(batched).ok
    statuses = dict(batched.store.conn.execute("SELECT bib, status FROM entrants").fetchall())
    assert statuses == {1: "active", 2: "withdrawn", 3: "active", 4: "active", 5: "active"}
    batched.close()
    single.close()


def test_a_refused_row_writes_none_of_the_batch(tmp_path: Path) -> None:
    event = _event(tmp_path / "e.db")
    head = event.store.journal_head()

    def refuse_bib_3(kind: str, payload: dict[str, Any]) -> None:
        if payload.get("bib") == 3:
            raise CommandRefused("不行", "no")

    event.store.guards.append(refuse_bib_3)
    with pytest.raises(CommandRefused), event.store.transaction():
        event.store.append_many(ITEMS)
    assert event.store.journal_head() == head
    event.store.guards.remove(refuse_bib_3)
    with event.store.transaction():
        event.store.append_many(ITEMS[:2])
    assert event.store.journal_head() == head + 2
    assert verify_event(event).ok
    event.close()


def test_outside_a_transaction_it_refuses(tmp_path: Path) -> None:
    event = _event(tmp_path / "e.db")
    with pytest.raises(RuntimeError):
        event.store.append_many(ITEMS[:1])
    with event.store.transaction():
        assert event.store.append_many([]) == []
    event.close()


def test_written_in_chunks_the_rows_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from competition import eventfile

    monkeypatch.setattr(eventfile, "APPEND_CHUNK", 2)  # the mixed kinds cross chunk boundaries
    batched, single = _event(tmp_path / "a.db"), _event(tmp_path / "b.db")
    items = [*ITEMS, ("entrant_registered", _rider(5)), ("entrant_registered", _rider(6, {"备注2": "x"}))]
    with batched.store.transaction():
        rows = batched.store.append_many(items)
    with single.store.transaction():
        for kind, payload in items:
            single.store.append(kind, payload)
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + len(items)))
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(rows))
    assert _contents(batched) == _contents(single)
    assert verify_event(batched).ok
    batched.close()
    single.close()


def test_a_refused_row_in_a_later_chunk_writes_none_of_the_batch(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from competition import eventfile

    monkeypatch.setattr(eventfile, "APPEND_CHUNK", 2)
    event = _event(tmp_path / "e.db")
    head = event.store.journal_head()
    written: list[int] = []

    def refuse_bib_4(kind: str, payload: dict[str, Any]) -> None:
        written.append(event.store.journal_head())
        if payload.get("bib") == 4 and kind == "entrant_registered":
            raise CommandRefused("不行", "no")

    event.store.guards.append(refuse_bib_4)
    with event.store.transaction():
        with pytest.raises(CommandRefused):
            event.store.append_many(ITEMS)
        assert event.store.journal_head() == head  # every guard ran before the first chunk was written
    assert set(written) == {head}
    event.close()


def test_the_rows_utc_is_written_as_datetime_writes_it() -> None:
    from datetime import UTC, datetime, timedelta

    from competition.eventfile import _UtcClock

    clock = _UtcClock()
    before = datetime.now(UTC)
    texts = [clock() for _ in range(2000)]
    after = datetime.now(UTC)
    for text in texts[:: 97] + texts[-1:]:
        parsed = datetime.fromisoformat(text)
        assert parsed.isoformat(timespec="microseconds") == text
        assert before - timedelta(milliseconds=1) <= parsed <= after + timedelta(milliseconds=1)
    assert texts == sorted(texts)


def test_rows_not_kept_are_written_all_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from competition import eventfile

    monkeypatch.setattr(eventfile, "APPEND_CHUNK", 2)
    kept, unkept = _event(tmp_path / "a.db"), _event(tmp_path / "b.db")
    with kept.store.transaction():
        rows = kept.store.append_many(ITEMS)
    with unkept.store.transaction():
        assert unkept.store.append_many(ITEMS, keep_rows=False) == []
        more = unkept.store.append_many([("entrant_registered", _rider(5))])  # chained to the unkept rows
    assert len(rows) == len(ITEMS) and more[0].seq == rows[-1].seq + 1
    assert _contents(unkept)[1][:-1] == _contents(kept)[1]
    assert verify_event(unkept).ok
    kept.close()
    unkept.close()
