"""``trackside verify``: the journal is unbroken and the projections are what it says.

It also works on a damaged file, and names what is wrong instead of stopping
at the first problem: a malformed database page, a missing table, a journal row
whose payload is not JSON, an unknown kind, a row naming a run that is not
there. It only reads (a read-only copy can be verified).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from competition.journal import ChainProblem, JournalHead, journal_head, verify_chain
from competition.rebuild import (
    ProjectionDifference,
    RowProblem,
    compare_projections,
    rebuild_projections,
)
from competition.schema import PROJECTION_TABLES

if TYPE_CHECKING:
    from competition.event import Event
    from competition.eventfile import EventStore

MAX_SHOWN = 20  # problems listed one by one; the rest are counted


@dataclass
class FileProblem:
    """The file itself is damaged: a malformed page, a missing table."""

    what_zh: str
    what_en: str


@dataclass
class VerifyReport:
    rows: int
    chain: list[ChainProblem] = field(default_factory=list)
    differences: list[ProjectionDifference] = field(default_factory=list)
    damage: list[FileProblem] = field(default_factory=list)
    unreadable: list[RowProblem] = field(default_factory=list)
    # The newest row: a stale copy shows an older head and fewer rows.
    head: JournalHead | None = None

    @property
    def ok(self) -> bool:
        return not self.chain and not self.differences and not self.damage and not self.unreadable

    def lines(self, lang: str) -> list[str]:
        en = lang == "en"
        out: list[str] = []
        if self.ok:
            out.append(
                f"OK: {self.rows} journal rows, hash chain intact, rebuilt projections equal the live ones."
                if en else f"校验通过：日志 {self.rows} 行，哈希链完整，由日志重建的数据与现有数据一致。"
            )
            if self.head is not None:
                out.append(self.head.line(lang))
            return out
        for d in self.damage:
            out.append(("File damaged: " + d.what_en) if en else ("文件损坏：" + d.what_zh))
        listed = [*self.chain, *self.unreadable]
        listed.sort(key=lambda p: p.seq)
        for p in listed[:MAX_SHOWN]:
            out.append(("Journal: " + p.what_en) if en else ("日志：" + p.what_zh))
        if len(listed) > MAX_SHOWN:
            more = len(listed) - MAX_SHOWN
            out.append(f"Journal: {more} more problem(s) not listed" if en else f"日志：另有 {more} 处问题未列出")
        tables = sorted({d.table for d in self.differences})
        for table in tables:
            diffs = [d for d in self.differences if d.table == table]
            out.append(
                f"Projection {table}: {len(diffs)} row(s) differ from the journal, e.g. live={diffs[0].live} rebuilt={diffs[0].rebuilt}"
                if en else f"数据表 {table}：{len(diffs)} 行与日志不符，例如 现有={diffs[0].live} 重建={diffs[0].rebuilt}"
            )
        if self.head is not None:
            out.append(self.head.line(lang))
        out.append("VERIFY FAILED" if en else "校验失败")
        return out


def verify_event(event: Event) -> VerifyReport:
    """Check the hash chain, then rebuild every projection and compare. Read-only."""
    return verify_store(event.store)


def verify_store(store: EventStore) -> VerifyReport:
    """``verify_event`` on a bare store: works when the event tables themselves are damaged."""
    conn = store.conn
    report = VerifyReport(rows=0)
    # One read snapshot for all checks, so a writer in another process cannot
    # slip a row in between the journal we replay and the tables we compare.
    try:
        conn.execute("BEGIN")
    except sqlite3.DatabaseError as exc:
        report.damage.append(_damage(exc))
        return report
    try:
        _check_pages(conn, report)
        tables = _tables(conn, report)
        if "journal" not in tables:
            report.damage.append(FileProblem("缺少日志表 journal：无法校验，请改用备份",
                                             "the journal table is missing: nothing can be verified; use a backup"))
            return report
        for table, _ in PROJECTION_TABLES:
            if table not in tables:
                report.damage.append(FileProblem(f"缺少数据表 {table}（可由日志重建）",
                                                 f"the table {table} is missing (the journal can rebuild it)"))
        try:
            report.rows, report.chain = verify_chain(conn)
            report.head = journal_head(conn)
        except sqlite3.DatabaseError as exc:
            report.damage.append(_damage(exc, "日志表无法完整读取", "the journal cannot be read to the end"))
            return report
        try:
            scratch = rebuild_projections(conn, report.unreadable)
        except sqlite3.DatabaseError as exc:
            report.damage.append(_damage(exc, "由日志重建失败", "rebuilding from the journal failed"))
            return report
        try:
            report.differences = compare_projections(conn, scratch)
        except sqlite3.DatabaseError as exc:
            report.damage.append(_damage(exc, "数据表无法与日志比较", "the tables cannot be compared with the journal"))
        finally:
            scratch.close()
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
    return report


def _check_pages(conn: sqlite3.Connection, report: VerifyReport) -> None:
    """SQLite's own page check: a malformed page is named before anything else is read."""
    try:
        found = [str(r[0]) for r in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.DatabaseError as exc:
        report.damage.append(_damage(exc))
        return
    if found != ["ok"]:
        shown = "; ".join(found[:5])
        report.damage.append(FileProblem(f"数据库页面损坏（{shown}）", f"malformed database pages ({shown})"))


def _tables(conn: sqlite3.Connection, report: VerifyReport) -> set[str]:
    try:
        return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        report.damage.append(_damage(exc))
        return set()


def _damage(exc: sqlite3.Error, zh: str = "数据库无法读取", en: str = "the database cannot be read") -> FileProblem:
    return FileProblem(f"{zh}（{exc}）", f"{en} ({exc})")
