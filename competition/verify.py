"""``trackside verify``: the journal is unbroken and the projections are what it says."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from competition.journal import ChainProblem, JournalHead, journal_head, verify_chain
from competition.rebuild import ProjectionDifference, compare_projections, rebuild_projections

if TYPE_CHECKING:
    from competition.event import Event


@dataclass
class VerifyReport:
    rows: int
    chain: list[ChainProblem] = field(default_factory=list)
    differences: list[ProjectionDifference] = field(default_factory=list)
    # The newest row: a stale copy shows an older head and fewer rows.
    head: JournalHead | None = None

    @property
    def ok(self) -> bool:
        return not self.chain and not self.differences

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
        for p in self.chain:
            out.append(("Journal: " + p.what_en) if en else ("日志：" + p.what_zh))
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
    conn = event.store.conn
    # One read snapshot for both checks, so a writer in another process cannot
    # slip a row in between the journal we replay and the tables we compare.
    conn.execute("BEGIN")
    try:
        rows, chain = verify_chain(conn)
        head = journal_head(conn)
        scratch = rebuild_projections(conn)
        try:
            differences = compare_projections(conn, scratch)
        finally:
            scratch.close()
    finally:
        conn.execute("COMMIT")
    return VerifyReport(rows=rows, chain=chain, differences=differences, head=head)
