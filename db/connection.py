"""Opening the archive: WAL, a busy timeout, and the schema brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from db.schema import migrate

BUSY_TIMEOUT_MS = 30_000


def open_db(path: Path | str) -> Database:
    """Open (creating if needed) the archive at `path`, migrated to the current schema."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Readers and the writer share the file: wait for a lock instead of failing at once.
    # isolation_level=None: no implicit transaction is ever left open holding a lock;
    # every write goes through db.atomic().
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.journal_mode != "wal":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    # The band and FTS indexes are written at random places: a larger page cache keeps the
    # insert rate flat as they grow (64 MB, and reads through mmap).
    db.execute("PRAGMA cache_size = -65536")
    db.execute("PRAGMA mmap_size = 268435456")
    migrate(db)
    return db
