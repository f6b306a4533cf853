"""Telling a write the archive refused (full disk, read-only file) from an article's own fault."""

from __future__ import annotations

import sqlite3

import psycopg
from psycopg import errors as pg_errors

# What either engine raises: callers catch this, never an engine's own class.
DatabaseError = (sqlite3.Error, psycopg.Error)

# SQLite result codes that say "the file cannot take this write", whatever the statement.
_UNWRITABLE = {
    sqlite3.SQLITE_FULL: "disk full",
    sqlite3.SQLITE_READONLY: "the archive is read-only",
    sqlite3.SQLITE_IOERR: "the archive could not be written (I/O error)",
    sqlite3.SQLITE_CANTOPEN: "the archive could not be opened for writing",
}
# PostgreSQL's equivalents, by class; the server gone is one too (nothing more can be stored).
_PG_UNWRITABLE: tuple[tuple[type[psycopg.Error], str], ...] = (
    (pg_errors.DiskFull, "disk full"),
    (pg_errors.ReadOnlySqlTransaction, "the archive is read-only"),
    (pg_errors.InsufficientPrivilege, "the archive is read-only (permission denied)"),
    (psycopg.OperationalError, "the archive could not be reached"),
)


def _pg_reason(error: BaseException) -> str:
    for kind, reason in _PG_UNWRITABLE:
        if isinstance(error, kind):
            return reason
    return ""


def archive_unwritable(error: BaseException) -> bool:
    if isinstance(error, psycopg.Error):
        return bool(_pg_reason(error))
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _UNWRITABLE


def unwritable_reason(error: BaseException) -> str:
    """'disk full', ... : what a user is told, before what it cost."""
    if isinstance(error, psycopg.Error):
        return _pg_reason(error) or str(error)
    code = getattr(error, "sqlite_errorcode", None)
    return _UNWRITABLE.get((code or 0) & 0xFF, str(error))
