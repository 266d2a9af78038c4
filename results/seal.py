"""The seal on an official results notice: a journal hash on paper, checked later.

A hash chain alone proves nothing to someone who can rewrite the whole file
and recompute every hash. The seal is the outside anchor: when a round
becomes official the journal row ``round_made_official`` is written with a
digest of the round's results, and its own hash (which covers every row
before it) is printed on the 成绩公告 as ``SEQ-XXXXXXXXXXXXXXXX`` (the row
number and 64 bits of the hash) with a QR code. ``trackside verify --seal
CODE`` then proves that this event file still holds that row with that hash,
that the chain up to it is intact, and that the results rebuilt from the
journal up to it, and today, are exactly the sealed ones.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from competition.errors import CommandRefused
from competition.round_states import RoundState

if TYPE_CHECKING:
    from competition.event import Event

_CODE = re.compile(r"^\s*(\d{1,12})-([0-9A-Fa-f]{16})\s*$")


def make_official(event: Event, round_code: str | None = None, *, early_reason: str | None = None,
                  now: Any = None) -> RoundState:
    """Make a round's results official (``competition.round_states.make_official``), sealed on its notice."""
    from competition.round_states import make_official as official

    return official(event, round_code, notice_digest=notice_digest, early_reason=early_reason, now=now)


def parse_seal(code: str) -> tuple[int, str]:
    m = _CODE.match(code)
    if not m:
        raise CommandRefused(f"封存码格式不对：{code!r}（应如 1234-3F2A91C077DE0B15）。",
                             f"Not a seal code: {code!r} (like 1234-3F2A91C077DE0B15).")
    return int(m.group(1)), m.group(2).lower()


def notice_digest(event: Event, round_code: str) -> str:
    """SHA-256 of the round's standings as the notice prints them (canonical JSON)."""
    from results.standings import build_standings, standings_json

    data = standings_json(build_standings(event, round_code))
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class SealReport:
    code: str
    ok: bool = False
    round_code: str | None = None
    problems_zh: list[str] = field(default_factory=list)
    problems_en: list[str] = field(default_factory=list)

    def fail(self, zh: str, en: str) -> SealReport:
        self.problems_zh.append(zh)
        self.problems_en.append(en)
        self.ok = False
        return self

    def lines(self, lang: str) -> list[str]:
        if self.ok:
            return [f"Seal {self.code} verified: round {self.round_code}'s official results are exactly as sealed."
                    if lang == "en" else f"封存码 {self.code} 校验通过：{self.round_code} 轮正式成绩与封存时完全一致。"]
        head = f"Seal {self.code} does NOT match this event file:" if lang == "en" else f"封存码 {self.code} 与本赛事文件不符："
        return [head, *(("  " + p) for p in (self.problems_en if lang == "en" else self.problems_zh))]


def _event_on(conn: sqlite3.Connection, path: str) -> Event:
    from competition.event import Event
    from competition.eventfile import EventStore

    return Event(EventStore(path, conn, terminal="seal-check", operator=""))


def _rebuilt_until(source: sqlite3.Connection, last_seq: int) -> sqlite3.Connection:
    """Projections as they stood after row ``last_seq``, rebuilt from the journal alone."""
    from competition import journal
    from competition.projections import apply_row
    from competition.schema import all_projection_ddl

    scratch = sqlite3.connect(":memory:", isolation_level=None)
    for statement in all_projection_ddl():
        scratch.execute(statement)
    scratch.execute("BEGIN")
    for row in journal.iter_rows(source):
        if row.seq > last_seq:
            break
        apply_row(scratch, row)
    scratch.execute("COMMIT")
    return scratch


def verify_seal(event: Event, code: str) -> SealReport:
    """Prove the event file still produces the sealed results (read-only)."""
    from competition.journal import verify_chain

    report = SealReport(code.strip().upper())
    seq, prefix = parse_seal(code)
    conn = event.store.conn
    row = conn.execute("SELECT kind, payload, hash FROM journal WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        last = conn.execute("SELECT MAX(seq) FROM journal").fetchone()[0] or 0
        return report.fail(f"日志只有 {last} 行，封存的第 {seq} 行不存在：日志被截断或不是同一赛事。",
                           f"The journal has {last} rows; sealed row {seq} is missing: cut off, or another event.")
    kind, payload_text, row_hash = row
    if not row_hash.lower().startswith(prefix):
        return report.fail(f"第 {seq} 行的哈希与封存码不同：封存之前的记录被改写过。",
                           f"Row {seq}'s hash differs from the seal: history before the seal was rewritten.")
    if kind != "round_made_official":
        return report.fail(f"第 {seq} 行不是确定正式成绩的记录。", f"Row {seq} is not a results-made-official row.")
    payload = json.loads(payload_text)
    report.round_code = payload["round"]
    _, problems = verify_chain(conn)
    before = [p for p in problems if p.seq <= seq]
    if before:
        return report.fail(f"哈希链在第 {before[0].seq} 行断开（封存之前）。",
                           f"The hash chain breaks at row {before[0].seq} (before the seal).")
    scratch = _rebuilt_until(conn, seq - 1)
    try:
        sealed_then = notice_digest(_event_on(scratch, event.path), payload["round"])
    finally:
        scratch.close()
    if sealed_then != payload["notice_digest"]:
        report.fail("由日志重建的封存时成绩与封存记录不一致。", "The results rebuilt up to the seal differ from the sealed digest.")
    if notice_digest(event, payload["round"]) != payload["notice_digest"]:
        report.fail(f"{payload['round']} 轮现在的成绩与封存时不同：封存后有更改。",
                    f"Round {payload['round']}'s results today differ from the sealed ones: changed after the seal.")
    if not report.problems_zh:
        report.ok = True
    return report


def seal_of(event: Event, round_code: str) -> dict[str, Any] | None:
    rows = event.store.query("SELECT seal, official_utc FROM round_states WHERE round = ? AND state = 'official'",
                             (round_code,))
    return rows[0] if rows else None
