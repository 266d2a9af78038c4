"""The schema's migrations, registered without importing sqlite-utils.

sqlite-utils costs about 0.15 s to import and to start (it loads its plugins'
entry points) in every command that opens an event file, though an event
file already up to date needs nothing of it. ``LazyMigrations`` takes the
migrations as ``sqlite_utils.Migrations`` does (``@migrations()`` on each
function, in order), answers which are applied with one query of its own
table, and hands the work to a real ``Migrations`` (made once) only when one
is to be applied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

MIGRATIONS_TABLE = "_sqlite_migrations"
"""Where sqlite-utils records the applied migrations (``Migrations.migrations_table``)."""


@dataclass(frozen=True)
class Migration:
    name: str
    fn: Callable[[Database], None]
    transactional: bool = True


class LazyMigrations:
    """A named, ordered set of migrations; sqlite-utils is imported when they are applied."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._migrations: list[Migration] = []
        self._real: Migrations | None = None

    def __call__(self, *, name: str | None = None,
                 transactional: bool = True) -> Callable[[Callable[[Database], None]], Callable[[Database], None]]:
        """``@migrations()`` above a migration function, as with ``sqlite_utils.Migrations``."""

        def inner(fn: Callable[[Database], None]) -> Callable[[Database], None]:
            migration_name = name or fn.__name__
            if any(m.name == migration_name for m in self._migrations):
                raise ValueError(f"Migration '{migration_name}' is already registered in set '{self.name}'")
            self._migrations.append(Migration(migration_name, fn, transactional))
            self._real = None
            return fn

        return inner

    @property
    def names(self) -> list[str]:
        """Every migration's name, in order."""
        return [m.name for m in self._migrations]

    def applied_names(self, conn: sqlite3.Connection) -> set[str]:
        """The names of this set's migrations the file records as applied (also ones this code does not know)."""
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (MIGRATIONS_TABLE,)).fetchone() is None:
            return set()
        return {str(row[0]) for row in conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", (self.name,))}

    def sqlite_utils_migrations(self) -> Migrations:
        """The same set as a ``sqlite_utils.Migrations`` (sqlite-utils imported here, once)."""
        if self._real is None:
            from sqlite_utils import Migrations

            real = Migrations(self.name)
            for m in self._migrations:
                real(name=m.name, transactional=m.transactional)(m.fn)
            self._real = real
        return self._real

    def applied(self, db: Database) -> list[Any]:
        return self.sqlite_utils_migrations().applied(db)

    def pending(self, db: Database) -> list[Any]:
        return self.sqlite_utils_migrations().pending(db)

    def apply(self, db: Database, **options: Any) -> None:
        self.sqlite_utils_migrations().apply(db, **options)
