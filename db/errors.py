"""Telling a write the archive refused (full disk, read-only file) from an article's own fault.

psycopg is imported only when a PostgreSQL archive opens (db.pg.open_pg): before that, none
of its errors can exist, so the checks here look it up in sys.modules instead of importing it.
"""

from __future__ import annotations

import sqlite3
import sys

# SQLite result codes that say "the file cannot take this write", whatever the statement.
_UNWRITABLE = {
    sqlite3.SQLITE_FULL: "disk full",
    sqlite3.SQLITE_READONLY: "the archive is read-only",
    sqlite3.SQLITE_IOERR: "the archive could not be written (I/O error)",
    sqlite3.SQLITE_CANTOPEN: "the archive could not be opened for writing",
}


def database_errors() -> tuple[type[Exception], ...]:
    """What either engine raises (db.DatabaseError): callers catch this, never an engine's."""
    psycopg = sys.modules.get("psycopg")
    return (sqlite3.Error, psycopg.Error) if psycopg else (sqlite3.Error,)


def _pg_reason(error: BaseException) -> str | None:
    """None: not a psycopg error; "": one that is not the archive refusing writes."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(error, psycopg.Error):
        return None
    errors = psycopg.errors
    if isinstance(error, errors.LockNotAvailable):  # waited too long: busy, as SQLITE_BUSY
        return ""
    for kind, reason in (
        (errors.DiskFull, "disk full"),
        (errors.ReadOnlySqlTransaction, "the archive is read-only"),
        (errors.InsufficientPrivilege, "the archive is read-only (permission denied)"),
        (psycopg.OperationalError, "the archive could not be reached"),  # nothing more is stored
    ):
        if isinstance(error, kind):
            return reason
    return ""


def archive_unwritable(error: BaseException) -> bool:
    reason = _pg_reason(error)
    if reason is not None:
        return bool(reason)
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _UNWRITABLE


def unwritable_reason(error: BaseException) -> str:
    """'disk full', ... : what a user is told, before what it cost."""
    reason = _pg_reason(error)
    if reason is not None:
        return reason or str(error)
    code = getattr(error, "sqlite_errorcode", None)
    return _UNWRITABLE.get((code or 0) & 0xFF, str(error))
