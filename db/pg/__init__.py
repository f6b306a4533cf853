"""The PostgreSQL engine of the archive (`database: postgresql://…`), behind db's functions."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from db.pg.handle import PgArchive
from db.pg.schema import migrate

SCHEMES = ("postgresql://", "postgres://")


def is_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(SCHEMES)


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


_READ_ONLY = "SELECT current_setting('default_transaction_read_only') = 'on' OR pg_is_in_recovery()"


def open_pg(url: str) -> PgArchive:
    """Connect (autocommit: every transaction is explicit) and migrate."""
    import psycopg  # here: 0.1 s that a command on an SQLite archive does not pay

    conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    # As SQLite's busy timeout: wait for another writer's lock, but not for ever.
    conn.execute("SET lock_timeout = 30000")
    archive = PgArchive(conn, url)
    try:
        migrate(archive)
        # As an SQLite file is checked: fail here, not at the first write.
        if archive.raw(_READ_ONLY).fetchone()[0]:
            raise psycopg.errors.ReadOnlySqlTransaction("the database is read-only")
    except BaseException:
        conn.close()
        raise
    return archive


__all__ = ["PgArchive", "is_url", "open_pg", "shown"]
