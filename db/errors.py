"""Telling a write the archive refused (full disk, read-only file) from an article's own fault."""

from __future__ import annotations

import sqlite3

# SQLite result codes that say "the file cannot take this write", whatever the statement.
_UNWRITABLE = {
    sqlite3.SQLITE_FULL: "disk full",
    sqlite3.SQLITE_READONLY: "the archive is read-only",
    sqlite3.SQLITE_IOERR: "the archive could not be written (I/O error)",
    sqlite3.SQLITE_CANTOPEN: "the archive could not be opened for writing",
}


def archive_unwritable(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _UNWRITABLE


def unwritable_reason(error: BaseException) -> str:
    """'disk full', ... : what a user is told, before what it cost."""
    code = getattr(error, "sqlite_errorcode", None)
    return _UNWRITABLE.get((code or 0) & 0xFF, str(error))
