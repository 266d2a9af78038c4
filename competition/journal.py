"""The journal: append-only, hash-chained rows; every fact of the event.

A row is (seq, utc, mono_ns, terminal, operator, kind, payload, prev_hash,
hash). ``hash`` covers every other field and the previous row's hash, so an
edit made outside Trackside (say with the ``sqlite3`` shell, after dropping the
append-only triggers) breaks the chain and ``verify_chain`` names the row.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from competition.text_safety import strip_controls

GENESIS_HASH = "0" * 64

# Who and where: a handful of strings all day long, cleaned once each (a pure function).
_clean_who = lru_cache(maxsize=64)(strip_controls)


@dataclass(frozen=True, slots=True)
class JournalRow:
    seq: int
    utc: str
    mono_ns: int
    terminal: str
    operator: str
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


def canonical_json(payload: dict[str, Any]) -> str:
    """The one text form of a payload: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(
    prev_hash: str,
    seq: int,
    utc: str,
    mono_ns: int,
    terminal: str,
    operator: str,
    kind: str,
    payload_text: str,
) -> str:
    """SHA-256 over the previous hash and every field, separated by a unit separator."""
    parts = (prev_hash, str(seq), utc, str(mono_ns), terminal, operator, kind, payload_text)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def last_link(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last (seq, hash), or (0, genesis) for an empty journal."""
    row = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return 0, GENESIS_HASH
    return int(row[0]), str(row[1])


def insert_row(
    conn: sqlite3.Connection,
    *,
    utc: str,
    mono_ns: int,
    terminal: str,
    operator: str,
    kind: str,
    payload: dict[str, Any],
    link: tuple[int, str] | None = None,
    encode: Callable[[dict[str, Any]], str] = canonical_json,
) -> JournalRow:
    """Append one row; the caller holds the write transaction.

    ``link`` is the (seq, hash) of the last row when the caller already knows
    it inside this transaction (a bulk import), saving a query per row.
    ``encode`` must return ``canonical_json(payload)`` (``payload_json.payload_text`` does, faster).
    """
    # Who and where are free text from a command line or a dialog: no control
    # characters reach the journal (they would replay on every terminal).
    operator, terminal = _clean_who(operator), _clean_who(terminal)
    last_seq, prev = link if link is not None else last_link(conn)
    seq = last_seq + 1
    text = encode(payload)
    digest = row_hash(prev, seq, utc, mono_ns, terminal, operator, kind, text)
    conn.execute(
        "INSERT INTO journal (seq, utc, mono_ns, terminal, operator, kind, payload, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, utc, mono_ns, terminal, operator, kind, text, prev, digest),
    )
    return JournalRow(seq, utc, mono_ns, terminal, operator, kind, payload, prev, digest)


def insert_rows(
    conn: sqlite3.Connection,
    entries: list[tuple[str, int, str, dict[str, Any]]],
    *,
    terminal: str,
    operator: str,
    link: tuple[int, str] | None = None,
    encode: Callable[[dict[str, Any]], str] = canonical_json,
) -> list[JournalRow]:
    """Append many rows (utc, mono_ns, kind, payload) with one statement; the caller holds the write transaction.

    Each row is chained and hashed exactly as ``insert_row`` would, in order.
    ``encode`` must return ``canonical_json(payload)`` (``payload_json.payload_text`` does, faster).
    """
    operator, terminal = _clean_who(operator), _clean_who(terminal)
    seq, prev = link if link is not None else last_link(conn)
    rows: list[JournalRow] = []
    values: list[tuple[Any, ...]] = []
    for utc, mono_ns, kind, payload in entries:
        seq += 1
        text = encode(payload)
        digest = row_hash(prev, seq, utc, mono_ns, terminal, operator, kind, text)
        values.append((seq, utc, mono_ns, terminal, operator, kind, text, prev, digest))
        rows.append(JournalRow(seq, utc, mono_ns, terminal, operator, kind, payload, prev, digest))
        prev = digest
    conn.executemany(
        "INSERT INTO journal (seq, utc, mono_ns, terminal, operator, kind, payload, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        values,
    )
    return rows


@dataclass(frozen=True, slots=True)
class JournalHead:
    """The newest row of a journal: what a copy is up to date with."""

    seq: int
    hash: str
    rows: int
    utc: str | None

    @property
    def short(self) -> str:
        return self.hash[:8]

    def line(self, lang: str) -> str:
        """One line for ``verify``, ``backup`` and ``restore``."""
        when = (self.utc or "")[:19].replace("T", " ")
        if lang == "en":
            if not self.rows:
                return "Journal head: empty journal (0 rows)."
            return f"Journal head: row {self.seq}, hash {self.short}, written {when} UTC ({self.rows} rows)."
        if not self.rows:
            return "日志末行：日志为空（0 行）。"
        return f"日志末行：第 {self.seq} 行，哈希 {self.short}，写于 {when} UTC（共 {self.rows} 行）。"


def journal_head(conn: sqlite3.Connection) -> JournalHead:
    """The last row's seq, hash and time, and how many rows there are."""
    rows = int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])
    last = conn.execute("SELECT seq, hash, utc FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    if last is None:
        return JournalHead(0, GENESIS_HASH, rows, None)
    return JournalHead(int(last[0]), str(last[1]), rows, str(last[2]))


def _from_sql(row: tuple[Any, ...]) -> JournalRow:
    seq, utc, mono_ns, terminal, operator, kind, payload, prev_hash, digest = row
    return JournalRow(
        int(seq), utc, int(mono_ns), terminal, operator, kind, json.loads(payload), prev_hash, digest
    )


_COLUMNS = "seq, utc, mono_ns, terminal, operator, kind, payload, prev_hash, hash"


def iter_rows(
    conn: sqlite3.Connection, *, after_seq: int = 0, kinds: tuple[str, ...] | None = None
) -> Iterator[JournalRow]:
    """Rows in order, optionally only some kinds."""
    sql = f"SELECT {_COLUMNS} FROM journal WHERE seq > ?"
    args: list[Any] = [after_seq]
    if kinds:
        sql += f" AND kind IN ({','.join('?' * len(kinds))})"
        args.extend(kinds)
    sql += " ORDER BY seq"
    for row in conn.execute(sql, args):
        yield _from_sql(row)


def recent_rows(
    conn: sqlite3.Connection, *, limit: int = 200, kinds: tuple[str, ...] | None = None,
    bib: int | None = None,
) -> list[JournalRow]:
    """The newest rows first, for the journal screen."""
    sql = f"SELECT {_COLUMNS} FROM journal"
    where: list[str] = []
    args: list[Any] = []
    if kinds:
        where.append(f"kind IN ({','.join('?' * len(kinds))})")
        args.extend(kinds)
    if bib is not None:
        where.append("json_extract(payload, '$.bib') = ?")
        args.append(bib)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq DESC LIMIT ?"
    args.append(limit)
    return [_from_sql(r) for r in conn.execute(sql, args)]


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    what_zh: str
    what_en: str


def verify_chain(conn: sqlite3.Connection) -> tuple[int, list[ChainProblem]]:
    """Recompute every hash; return (rows checked, problems found)."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for seq, utc, mono_ns, terminal, operator, kind, payload, prev, digest in conn.execute(
        f"SELECT {_COLUMNS} FROM journal ORDER BY seq"
    ):
        count += 1
        if seq != expected_seq:
            problems.append(
                ChainProblem(
                    seq,
                    f"第 {expected_seq} 行缺失（序号跳到 {seq}）",
                    f"row {expected_seq} is missing (sequence jumps to {seq})",
                )
            )
        if prev != expected_prev:
            problems.append(
                ChainProblem(seq, f"第 {seq} 行与上一行的链接被改动", f"row {seq}: link to previous row altered")
            )
        actual = row_hash(prev, seq, utc, mono_ns, terminal, operator, kind, payload)
        if actual != digest:
            problems.append(
                ChainProblem(seq, f"第 {seq} 行（{kind}）的内容在应用外被改动", f"row {seq} ({kind}) was altered outside Trackside")
            )
        expected_prev = digest
        expected_seq = seq + 1
    return count, problems
