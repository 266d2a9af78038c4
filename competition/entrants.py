"""Entrants: the registration sheet merged into the event, edits and withdrawals.

Importing is one transaction: either every accepted row is in the journal or
none is. The phone number identifies a rider across imports, so importing the
corrected sheet again adds the new riders and changes nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from competition.clean_text import strip_controls
from competition.errors import CommandRefused
from competition.gc_pause import fewer_collections
from competition.privacy import mask_phone, scrub_personal_numbers

if TYPE_CHECKING:
    from competition.event import Event
    from competition.registration import SheetReading

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
EDITABLE = ("name", "phone", "gender", "platform", "station", "id_number", "note")
COMPARED = ("name", "gender", "platform", "station", "id_number", "note")


@dataclass
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do)."""

    path: str
    dry_run: bool
    total_rows: int = 0
    imported: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.total_rows,
            "imported": len(self.imported),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "duplicate": len(self.duplicates),
            "rejected": len(self.rejected),
        }


def _rejection(sheet_row: int, column: str | None, value: str, zh: str, en: str) -> dict[str, Any]:
    return {"row": sheet_row, "column": column, "value": value, "reason_zh": zh, "reason_en": en}


def import_registration(event: Event, reading: SheetReading, *, dry_run: bool = False) -> ImportSummary:
    """Merge a read registration sheet into the event (one transaction)."""
    with fewer_collections():
        return _import_registration(event, reading, dry_run)


def _import_registration(event: Event, reading: SheetReading, dry_run: bool) -> ImportSummary:
    from competition.search import search_key

    summary = ImportSummary(path=reading.path, dry_run=dry_run, total_rows=reading.total_rows)
    summary.rejected = [
        _rejection(r.sheet_row, r.column, r.value, r.reason_zh, r.reason_en) for r in reading.rejected
    ]
    summary.warnings = [
        _rejection(r.sheet_row, r.column, r.value, r.reason_zh, r.reason_en) for r in reading.warnings
    ]
    summary.duplicates = [  # a report: the phone masked, like everywhere public
        {"row": d.sheet_row, "first_row": d.first_row, "phone": mask_phone(d.phone), "name": d.name}
        for d in reading.duplicates
    ]
    store = event.store
    existing_by_phone = {e["phone"]: e for e in store.query("SELECT * FROM entrants")}
    taken_bibs = {e["bib"]: e["phone"] for e in existing_by_phone.values()}
    sheet_bibs = {r.bib for r in reading.rows if r.bib is not None}
    next_bib = max([0, *taken_bibs, *sheet_bibs]) + 1
    operations: list[tuple[str, dict[str, Any]]] = []
    source = reading.path.rsplit("/", 1)[-1]
    keys: dict[str, str] = {}  # search_key by name: a big sheet repeats many names
    for row in reading.rows:
        old = existing_by_phone.get(row.phone)
        if old is not None:
            record: dict[str, Any] = {
                "name": row.name,
                "phone": row.phone,
                "gender": row.gender,
                "platform": row.platform,
                "station": row.station,
                "id_number": row.id_number,
                "note": row.note,
            }
            if row.bib is not None and row.bib != old["bib"]:
                summary.rejected.append(
                    _rejection(
                        row.sheet_row, "参赛号", str(row.bib),
                        f"该手机号的选手已是 {old['bib']} 号，与表中号码 {row.bib} 不一致",
                        f"this phone already belongs to bib {old['bib']}, not {row.bib}",
                    )
                )
                continue
            changes = {k: record[k] for k in COMPARED if record[k] not in (None, "") and record[k] != old[k]}
            old_extra = old["extra"] if isinstance(old["extra"], dict) else json.loads(old["extra"] or "{}")
            merged_extra = {**old_extra, **row.extra}
            if merged_extra != old_extra:
                changes["extra"] = merged_extra
            if "name" in changes:
                changes["initials"] = search_key(changes["name"])
            item = {"row": row.sheet_row, "bib": old["bib"], "name": row.name}
            if changes:
                summary.updated.append({**item, "changes": sorted(changes)})
                operations.append(
                    ("entrant_updated", {"bib": old["bib"], "changes": changes,
                                         "reason": f"重新导入 {source} 第 {row.sheet_row} 行"})
                )
            else:
                summary.unchanged.append(item)
            continue
        bib = row.bib
        if bib is not None and bib in taken_bibs:
            summary.rejected.append(
                _rejection(
                    row.sheet_row, "参赛号", str(bib),
                    f"号码 {bib} 已分配给另一位选手", f"bib {bib} already belongs to another rider",
                )
            )
            continue
        if bib is None:
            bib = next_bib
            next_bib += 1
        taken_bibs[bib] = row.phone
        name = row.name
        initials = keys.get(name)
        if initials is None:
            initials = keys[name] = search_key(name)
        payload = {"name": name, "phone": row.phone, "gender": row.gender, "platform": row.platform,
                   "station": row.station, "id_number": row.id_number, "note": row.note, "bib": bib,
                   "extra": row.extra, "initials": initials,
                   "source": {"file": source, "row": row.sheet_row}}
        # a later row with this phone compares against it (bib, COMPARED fields, extra): the payload holds them
        existing_by_phone[row.phone] = payload
        summary.imported.append({"row": row.sheet_row, "bib": bib, "name": row.name})
        operations.append(("entrant_registered", payload))
    if not dry_run and operations:
        with store.transaction():
            store.append_many(operations, keep_rows=False)
    return summary


def list_entrants(event: Event, *, include_withdrawn: bool = True) -> list[dict[str, Any]]:
    sql = "SELECT * FROM entrants"
    if not include_withdrawn:
        sql += " WHERE status = 'active'"
    rows = event.store.query(sql + " ORDER BY bib")
    for r in rows:
        r["extra"] = json.loads(r["extra"] or "{}")
    return rows


def get_entrant(event: Event, bib: int) -> dict[str, Any]:
    rows = event.store.query("SELECT * FROM entrants WHERE bib = ?", (bib,))
    if not rows:
        raise CommandRefused(f"没有 {bib} 号选手。", f"No rider with bib {bib}.")
    row = rows[0]
    row["extra"] = json.loads(row["extra"] or "{}")
    return row


def search_entrants(event: Event, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Riders matching a bib, a phone tail, a name or pinyin initials."""
    from competition.search import matches

    query = query.strip()
    if not query:
        return list_entrants(event)[:limit]
    found = [
        e for e in list_entrants(event)
        if matches(query, bib=e["bib"], name=e["name"], phone=e["phone"], initials=e["initials"])
    ]
    return found[:limit]


def edit_entrant(event: Event, bib: int, changes: dict[str, Any], *, reason: str) -> None:
    """A journaled correction of an entrant's details."""
    from competition.search import search_key

    reason = clean_free_text(reason)
    if not reason.strip():
        raise CommandRefused("修改选手信息必须写明原因。", "A reason is required to edit a rider.")
    old = get_entrant(event, bib)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CommandRefused(f"不能修改字段：{', '.join(sorted(unknown))}", f"Cannot edit: {', '.join(sorted(unknown))}")
    changes = clean_changes(changes)
    diff = {k: v for k, v in changes.items() if v != old[k]}
    if not diff:
        return
    if "name" in diff:
        if not str(diff["name"]).strip():
            raise CommandRefused("姓名不能为空。", "The name cannot be empty.")
        diff["initials"] = search_key(diff["name"])
    if "phone" in diff:
        phone = str(diff["phone"])
        if not PHONE_RE.match(phone):
            raise CommandRefused(f"手机号 {phone} 不是有效的大陆手机号。", f"{phone} is not a valid mainland mobile number.")
        clash = event.store.query("SELECT bib FROM entrants WHERE phone = ? AND bib != ?", (phone, bib))
        if clash:
            raise CommandRefused(f"手机号已属于 {clash[0]['bib']} 号选手。", f"That phone belongs to bib {clash[0]['bib']}.")
    event.store.record("entrant_updated", {"bib": bib, "changes": diff, "reason": reason})


def clean_free_text(text: str) -> str:
    """Typed free text (a note, a station, a reason) as it may be journaled:
    no control characters or escape codes, ID numbers replaced by a marker,
    mobile numbers masked."""
    return scrub_personal_numbers(" ".join(strip_controls(text).split()))


def clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """An edit's typed values cleaned the way the sheet reader cleans a row.

    Names and every text field lose control characters; free text (note,
    station, platform) also loses ID numbers and whole mobiles; the phone
    and ID fields are left for their own checks.
    """
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        if not isinstance(value, str) or key in ("phone", "id_number"):
            cleaned[key] = value
        elif key == "name":
            cleaned[key] = " ".join(strip_controls(value).split())
        elif key in ("note", "station", "platform"):
            cleaned[key] = clean_free_text(value)
        else:
            cleaned[key] = " ".join(strip_controls(value).split())
    return cleaned


def withdraw_entrant(event: Event, bib: int, *, reason: str) -> None:
    """Withdraw a rider (kept in the file, off every queue)."""
    entrant = get_entrant(event, bib)
    if entrant["status"] == "withdrawn":
        raise CommandRefused(f"{bib} 号已退赛。", f"Bib {bib} is already withdrawn.")
    event.store.record("entrant_withdrawn", {"bib": bib, "reason": reason})


def reinstate_entrant(event: Event, bib: int, *, reason: str) -> None:
    entrant = get_entrant(event, bib)
    if entrant["status"] != "withdrawn":
        raise CommandRefused(f"{bib} 号没有退赛。", f"Bib {bib} is not withdrawn.")
    event.store.record("entrant_reinstated", {"bib": bib, "reason": reason})
