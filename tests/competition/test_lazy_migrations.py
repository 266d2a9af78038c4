"""The schema's migrations without sqlite-utils: the same set, applied by sqlite-utils only when pending."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from competition.eventfile import EventStore
from competition.lazy_migrations import LazyMigrations
from competition.schema import migrations

ROOT = Path(__file__).resolve().parents[2]


def test_the_real_set_holds_the_same_migrations_in_order() -> None:
    real = migrations.sqlite_utils_migrations()
    assert real.name == migrations.name == "trackside"
    assert [m.name for m in real._migrations] == migrations.names
    assert migrations.names[0] == "m001_journal" and len(set(migrations.names)) == len(migrations.names)


def test_applied_names_are_what_sqlite_utils_reads(tmp_path: Path) -> None:
    store = EventStore.open(tmp_path / "e.db", create=True)
    assert migrations.applied_names(store.conn) == {m.name for m in migrations.applied(store.db)}
    assert migrations.applied_names(store.conn) == set(migrations.names)
    assert migrations.pending(store.db) == []
    store.close()


def test_a_file_without_the_table_has_none_applied(tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(tmp_path / "empty.db")
    assert migrations.applied_names(conn) == set()
    conn.close()


def test_a_name_registered_twice_is_refused() -> None:
    twice = LazyMigrations("t")

    @twice()
    def m001(db: object) -> None: ...

    with pytest.raises(ValueError, match="already registered"):
        twice(name="m001")(lambda db: None)


def test_opening_an_up_to_date_file_imports_no_sqlite_utils(tmp_path: Path) -> None:
    EventStore.open(tmp_path / "e.db", create=True).close()
    code = ("import sys\nfrom competition.eventfile import EventStore\n"
            f"EventStore.open({str(tmp_path / 'e.db')!r}).close()\n"
            "print('sqlite_utils' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
