"""EventStore.append_many: the rows append() would write one by one, in a few statements."""

from __future__ import annotations

import json
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
