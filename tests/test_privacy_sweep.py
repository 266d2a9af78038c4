"""Privacy at every exit: no full phone and no ID number in anything Trackside prints or writes.

One event from a clerk's sheet that has both (phones and 18-digit ID numbers),
plus a rider whose note holds another phone and an ID number typed in by hand
and whose name holds terminal escape codes. Then every read command (plain and
``--json``), every export, the HTML documents of ``awards`` and ``sheets``, the
journal and the backup's messages are swept.

The only places a full phone number may appear (still never an ID number):
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from main import cli

ALLOWED_FULL_PHONES = (
    "export --full-phones (csv, xlsx, json): the organizer's own copy, with a warning",
    "entrants list --full-phones (plain and --json): the organizer looking a rider up",
)

NOTE_PHONE = "13912345678"
NOTE_ID = "110105194912310021"
HOSTILE_NAME = "坏\x1b[2J\x1b]0;pwned\x07人\u202e\x9b31m"
HOSTILE_BIB = 900
MOBILE = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
ID18 = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e")


class Sweep:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "event.db"
        self.texts: list[tuple[str, str]] = []  # (where, text)
        self.allowed: list[tuple[str, str]] = []
        self.phones: set[str] = set()
        self.ids: set[str] = {NOTE_ID}

    def run(self, *args: str, allowed: bool = False, lang: str = "zh") -> str:
        result = CliRunner().invoke(cli, ["--db", str(self.db), "--lang", lang, *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output, result.stderr)
        where = " ".join(args) + f" [{lang}]"
        for label, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            (self.allowed if allowed else self.texts).append((f"{where} {label}", text))
        return result.stdout

    def file(self, path: Path, where: str, *, allowed: bool = False) -> None:
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            text = "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
        else:
            text = path.read_text(encoding="utf-8-sig")
        (self.allowed if allowed else self.texts).append((f"{where}: {path.name}", text))


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Sweep:
    from competition.event import Event
    from competition.registration.sample_sheet import make_clerk_csv

    sweep = Sweep(tmp_path_factory.mktemp("privacy"))
    sheet = sweep.root / "报名表.csv"
    made = make_clerk_csv(sheet, 40, seed=7)
    sweep.ids |= {r["id_number"] for r in made["rider_rows"] if r.get("id_number")}
    assert len(sweep.ids) > 20
    sweep.run("--operator", "裁判\x1b[31m甲", "init", "--title", "隐私测试赛\x1b[2J")
    sweep.run("entrants", "import", str(sheet))
    sweep.run("entrants", "import", str(sheet), "--json", "--dry-run")
    with Event.open(sweep.db, operator="sheet") as ev:
        ev.store.record("entrant_registered", {
            "bib": HOSTILE_BIB, "name": HOSTILE_NAME, "phone": "13600009999", "gender": "男",
            "platform": "美团\x1b[5m", "station": "望京站", "id_number": "11010519491231002X",
            "note": f"备用电话 139-1234-5678，身份证 {NOTE_ID}", "extra": {"紧急联系人": f"王五 {NOTE_PHONE}"},
            "initials": "hr"})
        sweep.phones = {r["phone"] for r in ev.store.query("SELECT phone FROM entrants")}
        sweep.ids |= {r["id_number"] for r in ev.store.query("SELECT id_number FROM entrants") if r["id_number"]}
    sweep.phones.add(NOTE_PHONE)
    sweep.run("--operator", "裁判\x1b]0;x\x07乙", "checkin", "1", "2", "3", str(HOSTILE_BIB))
    capture = sweep.root / "timy.cap"
    capture.write_bytes(b" 0001 C0  10:00:00.0000 00\r 0002 C1  10:00:45.1239 00\r"
                        b" 0003 C0  10:00:50.0000 00\r 0004 C1  10:01:40.5000 00\r"
                        b" 0005 C0  10:02:00.0000 00\r 0006 C1  10:02:52.2500 00\r"
                        b" 0007 C0  10:03:00.0000 00\r 0008 C1  10:03:41.0000 00\r")
    sweep.run("timing", "replay", str(capture), "--protocol", "alge")
    sweep.run("penalty", str(HOSTILE_BIB), "绕杆", "倒杆出框")
    sweep.run("entrants", "edit", "2", "--note", "改号 13712341234 身份证 110105194912310021", "--reason", "电话 13800001111")
    for lang in ("zh", "en"):
        sweep.run("entrants", "list", lang=lang)
        sweep.run("entrants", "list", "--json", lang=lang)
        sweep.run("entrants", "list", "--search", "坏", lang=lang)
        sweep.run("queue", lang=lang)
        sweep.run("queue", "--json", lang=lang)
        sweep.run("runs", lang=lang)
        sweep.run("runs", "--json", lang=lang)
        sweep.run("standings", lang=lang)
        sweep.run("standings", "--json", lang=lang)
        sweep.run("timing", "impulses", lang=lang)
        sweep.run("timing", "impulses", "--json", lang=lang)
        sweep.run("journal", "--limit", "1000", lang=lang)
        sweep.run("course", "show", lang=lang)
        sweep.run("verify", lang=lang)
        sweep.run("entrants", "list", "--full-phones", allowed=True, lang=lang)
        sweep.run("entrants", "list", "--json", "--full-phones", allowed=True, lang=lang)
    for fmt in ("csv", "xlsx", "json"):
        for flags in ((), ("--masked",)):
            out = sweep.root / f"results{''.join(flags)}.{fmt}"
            sweep.run("export", "--format", fmt, "--out", str(out), *flags)
            sweep.file(out, "export " + " ".join(flags))
        full = sweep.root / f"organizer.{fmt}"
        sweep.run("export", "--format", fmt, "--out", str(full), "--full-phones", allowed=True)
        sweep.file(full, "export --full-phones", allowed=True)
    sheets = sweep.root / "sheets"
    sweep.run("sheets", "--out", str(sheets))
    awards = sweep.root / "awards"
    sweep.run("awards", "--out", str(awards), "--allow-ties")
    documents = sorted(p for folder in (sheets, awards) for p in folder.rglob("*") if p.is_file())
    assert any(p.suffix == ".html" for p in documents)
    for path in documents:
        if path.suffix in (".html", ".csv", ".json", ".txt"):
            sweep.file(path, "document")
    sweep.run("advance", "--top", "2")
    sweep.run("standings", "--round", "final")
    sweep.run("backup")
    return sweep


def _findings(texts: list[tuple[str, str]], phones: set[str], ids: set[str], *, phones_allowed: bool) -> list[str]:
    found = []
    for where, text in texts:
        for value in ids:
            if value in text:
                found.append(f"{where}: ID number {value[:3]}…")
        if ID18.search(text):
            found.append(f"{where}: 18-digit ID-like number")
        if phones_allowed:
            continue
        for value in phones:
            if value in text:
                found.append(f"{where}: full phone {value[:3]}…")
        if MOBILE.search(text):
            found.append(f"{where}: mobile number {MOBILE.search(text).group(0)[:3]}…")  # type: ignore[union-attr]
    return found


def test_no_full_phone_or_id_number_leaves_trackside(swept: Sweep) -> None:
    assert len(swept.texts) > 80
    assert _findings(swept.texts, swept.phones, swept.ids, phones_allowed=False) == []


def test_full_phones_only_where_explicitly_asked_and_never_an_id(swept: Sweep) -> None:
    assert _findings(swept.allowed, swept.phones, swept.ids, phones_allowed=True) == []
    # The allowed places really do hold full numbers (so the sweep above is not vacuous).
    holders = [t for w, t in swept.allowed
               if (w.startswith("entrants list") and w.endswith("stdout")) or w.startswith("export --full-phones:")]
    assert len(holders) == 4 + 3
    assert all(any(p in text for p in swept.phones) for text in holders)
    assert len(ALLOWED_FULL_PHONES) == 2


def test_no_terminal_control_character_is_printed(swept: Sweep) -> None:
    printed = [(w, t) for w, t in swept.texts + swept.allowed if w.endswith(("stdout", "stderr"))]
    raw = [w for w, t in printed if any(c in t for c in RAW_CONTROLS)]
    assert raw == []
    # The hostile name is shown, escaped, where riders are listed.
    listing = next(t for w, t in printed if w.startswith("entrants list [zh]"))
    assert "坏\\x1b[2J" in listing and "\\u202e" in listing


def test_control_characters_typed_on_the_command_line_never_reach_the_journal(swept: Sweep) -> None:
    import sqlite3

    conn = sqlite3.connect(swept.db)
    try:
        operators = {r[0] for r in conn.execute("SELECT operator FROM journal")}
        title = conn.execute("SELECT value FROM meta WHERE key = 'title'").fetchone()[0]
        reasons = [r[0] for r in conn.execute("SELECT payload FROM journal WHERE kind = 'entrant_updated'")]
    finally:
        conn.close()
    assert "裁判甲" in operators and "裁判乙" in operators  # whole escape sequences are removed
    assert not [o for o in operators if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in o)]
    assert title == "隐私测试赛"
    assert reasons and "\x1b" not in reasons[0]


def test_the_sweep_catches_a_leak() -> None:
    """The detector itself: a full phone, a dashed phone, a known ID and an unknown 18-digit ID."""
    texts = [("a", "张三 13812345678"), ("b", "139-8765-4321"), ("c", f"x{NOTE_ID}y"), ("d", "44010219900101123X"),
             ("ok", "138****5678 1:02.34 45123900000")]
    found = _findings(texts, {"13812345678"}, {NOTE_ID}, phones_allowed=False)
    assert {f.split(":")[0] for f in found} == {"a", "b", "c", "d"}
