"""Transactions that take the write lock up front."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from db.pg import PgArchive


@contextmanager
def write_transaction(db: Database | PgArchive) -> Iterator[Database | PgArchive]:
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE); every write uses it.

    A transaction begun lazily (sqlite-utils' atomic(), plain BEGIN) that reads before it
    writes fails at once with "database is locked" when another process wrote in between:
    SQLite cannot wait there, its snapshot is stale. Taking the lock first makes it wait
    (busy timeout) instead. sqlite-utils' update() reads the row before writing it, so even
    one call is read-then-write. Nested, it is a savepoint inside the outer transaction.

    On PostgreSQL, a transaction that takes the archive's write lock (an advisory lock, to the
    end of the transaction) first: one writer at a time, as on SQLite, which the callers'
    read-then-write steps rely on (is the digest still pending? is the story stored yet?).
    Only the outbox claim does without (db.pg.outbox: SKIP LOCKED).
    """
    if isinstance(db, PgArchive):
        outermost = not db.in_transaction
        with db.transaction():
            if outermost:
                db.lock_writes()
            yield db
        return
    if db.conn.in_transaction:
        with _savepoint(db):  # the write lock is already held
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:  # an error may have rolled it back already
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def _savepoint(db: Database) -> Iterator[Database]:
    """A SAVEPOINT, as sqlite-utils' atomic() makes one, but always of the same name: its
    random names made SQLite compile both statements anew for every article the writer
    stored (nested ones are released innermost first, so one name serves every level)."""
    db.conn.execute("SAVEPOINT newswatch")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:  # an error may have ended the whole transaction
            db.conn.execute("ROLLBACK TO SAVEPOINT newswatch")
            db.conn.execute("RELEASE SAVEPOINT newswatch")
        raise
    db.conn.execute("RELEASE SAVEPOINT newswatch")


@contextmanager
def story_transaction(db: Database | PgArchive) -> Iterator[Database | PgArchive]:
    """A write transaction in which articles are judged (duplicate? which story?) and stored:
    under the write lock, the lookups and the inserts are one step, when several crawlers
    store copies of one story at once (a write_transaction; named for what it promises)."""
    with write_transaction(db):
        yield db


def in_transaction(db: Database | PgArchive) -> bool:
    """Whether a transaction is open that can still commit."""
    return db.in_transaction if isinstance(db, PgArchive) else db.conn.in_transaction
