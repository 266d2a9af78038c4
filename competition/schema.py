"""The event file's tables, as sqlite-utils migrations.

``journal`` is the truth: append-only (triggers refuse UPDATE and DELETE),
each row chained to the previous one by hash. Every other table is a
projection that ``competition.projections`` derives from the journal and
that ``competition.rebuild`` can recreate from the journal alone.

Add a migration at the end to change the schema; never edit an applied one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from competition.lazy_migrations import LazyMigrations
from competition.times import TIME_LIMIT_REASON

if TYPE_CHECKING:
    from sqlite_utils import Database

migrations = LazyMigrations("trackside")
"""Applied by sqlite-utils, which is imported only when one is pending (``lazy_migrations``)."""


@migrations()
def m001_journal(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE journal (
            seq INTEGER PRIMARY KEY,
            utc TEXT NOT NULL,
            mono_ns INTEGER NOT NULL,
            terminal TEXT NOT NULL,
            operator TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX journal_kind ON journal(kind)")
    db.execute(
        """
        CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: corrections are new rows'); END
        """
    )
    db.execute(
        """
        CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: nothing is deleted'); END
        """
    )


@migrations()
def m002_projections(db: Database) -> None:
    for statement in PROJECTION_DDL:
        db.execute(statement)


@migrations()
def m003_venue(db: Database) -> None:
    for statement in VENUE_DDL:
        db.execute(statement)


@migrations()
def m004_round_states(db: Database) -> None:
    for statement in ROUND_STATE_DDL:
        db.execute(statement)


@migrations()
def m005_paper(db: Database) -> None:
    for statement in PAPER_DDL:
        db.execute(statement)


@migrations()
def m006_component_scores(db: Database) -> None:
    for statement in COMPONENT_DDL:
        db.execute(statement)


@migrations()
def m007_timing_indexes(db: Database) -> None:
    for statement in TIMING_INDEX_DDL:
        db.execute(statement)


@migrations()
def m008_impulse_held(db: Database) -> None:
    for statement in HELD_DDL:
        db.execute(statement)
    # Impulses recorded before this column existed: their payload says why they were held.
    db.execute(
        "UPDATE impulses SET held = (SELECT json_extract(j.payload, '$.held') FROM journal j WHERE j.seq = impulses.seq)"
    )


@migrations()
def m009_rerun_keeps_time_limit_reason(db: Database) -> None:
    # A rerun granted on a time-limit DNF used to overwrite its reason, which made the DNF look
    # like a referee's call; the rerun handler no longer does (projections._rerun_granted).
    db.execute(
        "UPDATE runs SET status_reason = ? WHERE status = 'DNF' AND over_time_limit = 1 AND counts = 0"
        " AND status_reason IS (SELECT json_extract(j.payload, '$.reason') FROM journal j"
        " WHERE j.kind = 'rerun_granted' AND json_extract(j.payload, '$.run_id') = runs.run_id"
        " ORDER BY j.seq DESC LIMIT 1)",
        (TIME_LIMIT_REASON,),
    )


# The projections. Kept as plain DDL so ``rebuild`` can create the same tables
# in a scratch database.
PROJECTION_DDL: tuple[str, ...] = (
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE entrants (
        bib INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        phone TEXT NOT NULL UNIQUE,
        gender TEXT,
        platform TEXT,
        station TEXT,
        id_number TEXT,
        note TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        initials TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'active',
        registered_seq INTEGER NOT NULL,
        updated_seq INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE queue (
        entry_id INTEGER PRIMARY KEY,
        round TEXT NOT NULL,
        track INTEGER NOT NULL,
        bib INTEGER NOT NULL REFERENCES entrants(bib),
        position INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'waiting'
    )
    """,
    "CREATE INDEX queue_waiting ON queue(round, track, state, position)",
    """
    CREATE TABLE impulses (
        seq INTEGER PRIMARY KEY,
        track INTEGER NOT NULL,
        protocol TEXT NOT NULL,
        device TEXT NOT NULL,
        channel TEXT NOT NULL,
        channel_raw TEXT NOT NULL,
        device_seq INTEGER,
        device_time_ns INTEGER,
        clock_modulus_ns INTEGER,
        resolution_ns INTEGER NOT NULL,
        host_ns INTEGER NOT NULL,
        bib INTEGER,
        manual INTEGER NOT NULL,
        replayed INTEGER NOT NULL,
        cleared INTEGER NOT NULL,
        bad_checksum INTEGER NOT NULL,
        raw TEXT NOT NULL,
        disposition TEXT NOT NULL,
        run_id INTEGER
    )
    """,
    "CREATE INDEX impulses_dedupe ON impulses(device, device_seq, channel_raw, device_time_ns)",
    "CREATE INDEX impulses_track ON impulses(track, channel, seq)",
    """
    CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY,
        round TEXT NOT NULL,
        bib INTEGER NOT NULL REFERENCES entrants(bib),
        track INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        start_seq INTEGER,
        finish_seq INTEGER,
        start_host_ns INTEGER,
        raw_ns INTEGER,
        manual INTEGER NOT NULL DEFAULT 0,
        over_time_limit INTEGER NOT NULL DEFAULT 0,
        confirmed INTEGER NOT NULL DEFAULT 0,
        counts INTEGER NOT NULL DEFAULT 1,
        finished_seq INTEGER
    )
    """,
    "CREATE INDEX runs_bib ON runs(round, bib)",
    "CREATE INDEX runs_on_course ON runs(track, state)",
    """
    CREATE TABLE penalties (
        penalty_id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(run_id),
        bib INTEGER NOT NULL,
        segment TEXT NOT NULL,
        code TEXT NOT NULL,
        count INTEGER NOT NULL,
        withdrawn INTEGER NOT NULL DEFAULT 0,
        withdrawn_seq INTEGER,
        withdrawn_reason TEXT
    )
    """,
    "CREATE INDEX penalties_run ON penalties(run_id)",
    """
    CREATE TABLE style_scores (
        round TEXT NOT NULL,
        bib INTEGER NOT NULL REFERENCES entrants(bib),
        judge TEXT NOT NULL,
        score INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (round, bib, judge)
    )
    """,
    """
    CREATE TABLE rounds (
        code TEXT PRIMARY KEY,
        opened_seq INTEGER NOT NULL,
        source_round TEXT,
        top INTEGER
    )
    """,
    """
    CREATE TABLE round_entries (
        round TEXT NOT NULL,
        bib INTEGER NOT NULL REFERENCES entrants(bib),
        start_order INTEGER NOT NULL,
        PRIMARY KEY (round, bib)
    )
    """,
    """
    CREATE TABLE named_prizes (
        seq INTEGER PRIMARY KEY,
        round TEXT NOT NULL,
        prize TEXT NOT NULL,
        bib INTEGER NOT NULL REFERENCES entrants(bib),
        reason TEXT NOT NULL,
        withdrawn INTEGER NOT NULL DEFAULT 0
    )
    """,
)

# The venue network (m003): judges' segment tokens and the calls their phones sent.
VENUE_DDL: tuple[str, ...] = (
    """
    CREATE TABLE judge_tokens (
        token_id TEXT PRIMARY KEY,
        segment TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        issued_seq INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        revoked_seq INTEGER,
        revoked_reason TEXT
    )
    """,
    """
    CREATE TABLE satellite_impulses (
        satellite TEXT NOT NULL,
        local_seq INTEGER NOT NULL,
        impulse_seq INTEGER,
        PRIMARY KEY (satellite, local_seq)
    )
    """,
    """
    CREATE TABLE remote_calls (
        call_id TEXT PRIMARY KEY,
        penalty_id INTEGER NOT NULL REFERENCES penalties(penalty_id),
        token_id TEXT NOT NULL,
        device TEXT NOT NULL
    )
    """,
)


# Results posted, appealed and made official (m004).
ROUND_STATE_DDL: tuple[str, ...] = (
    """
    CREATE TABLE round_states (
        round TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        published_utc TEXT,
        appeal_closes_utc TEXT,
        official_utc TEXT,
        official_seq INTEGER,
        seal TEXT
    )
    """,
    """
    CREATE TABLE appeals (
        case_id INTEGER PRIMARY KEY,
        round TEXT NOT NULL,
        bib INTEGER NOT NULL REFERENCES entrants(bib),
        run_id INTEGER,
        filed_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        evidence TEXT NOT NULL,
        filed_utc TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open',
        ruling TEXT,
        reasoning TEXT,
        jury TEXT,
        ruled_seq INTEGER
    )
    """,
)


# The judges' paper sheets and the backup stopwatch, entered back (m005).
PAPER_DDL: tuple[str, ...] = (
    """
    CREATE TABLE paper_lines (
        round TEXT NOT NULL, segment TEXT NOT NULL, bib INTEGER NOT NULL, attempt INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (round, segment, bib, attempt)
    )
    """,
    """
    CREATE TABLE paper_calls (
        round TEXT NOT NULL, segment TEXT NOT NULL, bib INTEGER NOT NULL, attempt INTEGER NOT NULL,
        code TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (round, segment, bib, attempt, code)
    )
    """,
    """
    CREATE TABLE paper_times (
        round TEXT NOT NULL, bib INTEGER NOT NULL, attempt INTEGER NOT NULL, raw_ns INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (round, bib, attempt)
    )
    """,
    """
    CREATE TABLE paper_settlements (
        seq INTEGER PRIMARY KEY, round TEXT NOT NULL, segment TEXT NOT NULL, bib INTEGER NOT NULL,
        attempt INTEGER NOT NULL, code TEXT, live INTEGER, paper INTEGER, use TEXT NOT NULL, reason TEXT NOT NULL
    )
    """,
)


# Composite components from outside the track, e.g. a theory exam (m006).
COMPONENT_DDL: tuple[str, ...] = (
    """
    CREATE TABLE component_scores (
        component TEXT NOT NULL, bib INTEGER NOT NULL REFERENCES entrants(bib), points INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (component, bib)
    )
    """,
)


# Issue #13: what pairing asks for every impulse ("the last impulse of this device on this
# track", "the orphans of this track") found through an index, not a scan of the day's impulses.
TIMING_INDEX_DDL: tuple[str, ...] = (
    "CREATE INDEX impulses_device ON impulses(track, device, seq)",
    "CREATE INDEX impulses_disposition ON impulses(track, disposition, seq)",
    "CREATE INDEX queue_bib ON queue(round, bib)",
)


# Why an orphan waits for the referee (the payload's ``held``: sequence_gap / before_session),
# so "is anything from before the session still waiting on this track" is one index probe (m008);
# and the paired impulses of a device, so an orphan burst costs the same per impulse as the first.
HELD_DDL: tuple[str, ...] = (
    "ALTER TABLE impulses ADD COLUMN held TEXT",
    "CREATE INDEX impulses_held ON impulses(track, held, seq) WHERE held IS NOT NULL AND disposition = 'orphan'",
    # "The last paired impulse of this device on this track" without walking back over a burst of orphans.
    "CREATE INDEX impulses_paired ON impulses(track, device, seq) WHERE disposition IN ('start', 'finish')",
)


def all_projection_ddl() -> tuple[str, ...]:
    """Every projection statement, in the order the migrations create them (rebuild uses it)."""
    return (PROJECTION_DDL + VENUE_DDL + ROUND_STATE_DDL + PAPER_DDL + COMPONENT_DDL + TIMING_INDEX_DDL
            + HELD_DDL)


# Projection tables in the order rebuild compares them, with their sort key.
PROJECTION_TABLES: tuple[tuple[str, str], ...] = (
    ("meta", "key"),
    ("entrants", "bib"),
    ("queue", "entry_id"),
    ("impulses", "seq"),
    ("runs", "run_id"),
    ("penalties", "penalty_id"),
    ("style_scores", "round, bib, judge"),
    ("rounds", "code"),
    ("round_entries", "round, bib"),
    ("named_prizes", "seq"),
    ("judge_tokens", "token_id"),
    ("remote_calls", "call_id"),
    ("satellite_impulses", "satellite, local_seq"),
    ("round_states", "round"),
    ("appeals", "case_id"),
    ("paper_lines", "round, segment, bib, attempt"),
    ("paper_calls", "round, segment, bib, attempt, code"),
    ("paper_times", "round, bib, attempt"),
    ("paper_settlements", "seq"),
    ("component_scores", "component, bib"),
)
