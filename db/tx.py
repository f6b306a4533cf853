"""Transactions that take the write lock up front."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes the write lock at once (BEGIN IMMEDIATE); every write uses it.

    A transaction begun lazily (sqlite-utils' atomic(), plain BEGIN) that reads before it
    writes fails at once with "database is locked" when another process wrote in between:
    SQLite cannot wait there, its snapshot is stale. Taking the lock first makes it wait
    (busy timeout) instead. sqlite-utils' update() reads the row before writing it, so even
    one call is read-then-write. Nested, it is a savepoint inside the outer transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():  # a SAVEPOINT: the write lock is already held
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
