"""PostgreSQL advisory locks: one scheduler per archive, one crawl of a source at a time.

An advisory lock belongs to a session: each lock here has a connection of its own, held for
as long as the lock is, and PostgreSQL drops the lock the moment that session ends, whether
its process stopped, was killed with -9 or lost its machine. TCP keepalives make the server
notice a vanished client within KEEPALIVE_SECONDS (else a dead machine's lock would last until
the kernel gives up on the connection, hours later).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from db import pg

if TYPE_CHECKING:  # psycopg is imported only when a PostgreSQL archive is used
    import psycopg

log = logging.getLogger("newswatch")
NAMESPACE = 0x6E77  # "nw": the first half of every key, so other applications' locks differ
SCHEDULER = "scheduler"
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
             "keepalives_count": 3}  # fmt: skip
KEEPALIVE_SECONDS = 11  # idle + interval * count


def is_postgres(database: Any) -> bool:
    return pg.is_url(database)


def lock_key(name: str) -> int:
    """A stable 32-bit key for `name` (the second half of the lock's key)."""
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryLock:
    """`name`'s advisory lock on a dedicated connection (opened on the first try)."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.conn: psycopg.Connection[Any] | None = None

    def connect(self) -> psycopg.Connection[Any]:
        import psycopg

        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10,
                                        application_name=f"newswatch {self.name}",
                                        **KEEPALIVE)  # fmt: skip
        return self.conn

    def try_acquire(self, name: str = "") -> bool:
        """Take the lock (of `name`, on this session) if it is free; False when another
        session holds it."""
        key = (NAMESPACE, lock_key(name or self.name))
        row = self.connect().execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()
        return bool(row and row[0])

    def still_held(self) -> bool:
        """Whether the session (and so the lock) is still there: a lost connection lost it."""
        if self.conn is None or self.conn.closed:
            return False
        import psycopg

        try:
            self.conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def release(self) -> None:
        import psycopg

        if self.conn is not None and not self.conn.closed:
            with contextlib.suppress(psycopg.Error):
                self.conn.close()  # ending the session releases the lock
        self.conn = None


class SourceLocks:
    """The advisory locks of some sources, taken at once, on one connection of their own:
    `.locked`, `.busy` (held by another session), `release(name)`, `release_all()`
    (the interface of crawler.locks.SourceLocks)."""

    def __init__(self, url: str, names: list[str]) -> None:
        self.lock = AdvisoryLock(url, "crawl")
        self.held: set[str] = set()
        self.busy: list[str] = []
        for name in names:
            if self.lock.try_acquire("source:" + name):
                self.held.add(name)
            else:
                self.busy.append(name)
        self.locked = [n for n in names if n in self.held]

    def release(self, name: str) -> None:
        import psycopg

        if name in self.held and self.lock.conn is not None:
            self.held.discard(name)
            try:
                self.lock.conn.execute("SELECT pg_advisory_unlock(%s, %s)",
                                       (NAMESPACE, lock_key("source:" + name)))  # fmt: skip
            except psycopg.Error as exc:  # the session is gone, and with it the lock
                log.debug("unlock of %s: %s", name, exc)

    def release_all(self) -> None:
        self.held.clear()
        self.lock.release()
