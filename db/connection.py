"""Opening the archive: WAL, a busy timeout, private files, the schema brought up to date."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from db import pg
from db.schema import migrate

BUSY_TIMEOUT_MS = 30_000


class ArchiveError(Exception):
    """The archive (or a file beside it) cannot be opened for writing: one line, exit 2."""


def private_folder(path: Path) -> None:
    """Create `path` (and its parents) 0700: the archive holds recipients and whole emails."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot create the folder: {exc.strerror}") from None


def open_db(path: Path | str, *, lean: bool = False) -> Database | pg.PgArchive:
    """Open (creating if needed) the archive at `path`, migrated to the current schema: an
    SQLite file, or a PostgreSQL database given by its postgresql:// URL. The engine is
    chosen here, once; db's functions take either handle.

    `lean`: for a crawl's connections, a small page cache and no memory-mapped reads (see
    _memory). Raises ArchiveError, naming the file, when it cannot be opened for writing.
    """
    if pg.is_url(path):
        return _open_pg(str(path))
    path = Path(path)
    private_folder(path.parent)
    try:
        return _connect(path, new=not path.exists(), lean=lean)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ArchiveError(f"{path}: cannot open the archive for writing: {reason}") from None


def _connect(path: Path, new: bool, lean: bool) -> Database:
    # Readers and the writer share the file: wait for a lock instead of failing at once.
    # isolation_level=None: no implicit transaction is ever left open holding a lock;
    # every write goes through db.write_transaction() (BEGIN IMMEDIATE).
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    if new:  # 0600 (the CLI's umask does it too) before the -wal and -shm files copy it.
        # Not by creating the file first: another process opening an empty file while this
        # one initialises it can lose this one's first writes.
        os.chmod(path, 0o600)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.journal_mode != "wal":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    _memory(db, lean)
    migrate(db)
    # A read-only file opens read-only without a word: fail here, not at the first write
    # (a write rolled back: nothing reaches the file).
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(f"PRAGMA user_version = {version}")
    finally:
        db.execute("ROLLBACK")
    return db


def _memory(db: Database, lean: bool) -> None:
    """The band and FTS indexes are written at random places: a large page cache (64 MB, and
    reads through mmap) keeps a long-lived writer's insert rate flat as they grow. A crawl is a
    fresh process that stores a few thousand articles at most: there the cache only grew with
    every page it touched (35 MB over 2,000 articles, and the mapped file on top), the crawl's
    memory peak (issue 21); 4 MB and plain reads keep it near bare Scrapy's. A crawl keeps its
    temporary storage in memory: the savepoint journal of each article its writer stores (one
    article's pages) and its small sorts; in temp files they cost the writer 15 % of its CPU."""
    db.execute(f"PRAGMA cache_size = {-4096 if lean else -65536}")
    db.execute(f"PRAGMA mmap_size = {0 if lean else 268435456}")
    if lean:
        db.execute("PRAGMA temp_store = MEMORY")


def _open_pg(url: str) -> pg.PgArchive:
    import psycopg

    try:
        return pg.open_pg(url)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ArchiveError(f"{pg.shown(url)}: cannot open the archive: {reason}") from None


def wait_for_locks(db: Database | pg.PgArchive, ms: int) -> None:
    """Wait at most `ms` for another writer's lock before failing (shorter than the default
    when a process is about to end)."""
    if isinstance(db, pg.PgArchive):
        db.raw(f"SET lock_timeout = {int(ms)}")
    else:
        db.execute(f"PRAGMA busy_timeout = {int(ms)}")
