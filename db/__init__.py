"""The archive: a thin layer of named functions; no SQL outside this package.

Two engines behind the same functions: SQLite via sqlite-utils (a file path) and PostgreSQL
(a postgresql:// URL, db.pg), chosen once by open_db."""

from db.articles import (
    find_same_body,
    insert_article,
    known_urls,
)
from db.connection import ArchiveError, open_db, private_folder, wait_for_locks
from db.errors import archive_unwritable, database_errors, unwritable_reason
from db.failures import clear_failure, failures_since, record_failure, retryable_failures
from db.runs import (
    close_stale_runs,
    end_open_runs,
    fail_unfinished_runs,
    finish_run,
    last_run_id,
    last_runs,
    recent_runs,
    record_unstarted_runs,
    runs_by_id,
    start_run,
)
from db.search import first_of_stories, search_articles
from db.status import status_snapshot
from db.tx import in_transaction, story_transaction, write_transaction

__all__ = [
    "ArchiveError",
    "DatabaseError",
    "archive_unwritable",
    "clear_failure",
    "close_stale_runs",
    "end_open_runs",
    "fail_unfinished_runs",
    "failures_since",
    "find_same_body",
    "first_of_stories",
    "in_transaction",
    "finish_run",
    "insert_article",
    "known_urls",
    "last_run_id",
    "last_runs",
    "open_db",
    "private_folder",
    "recent_runs",
    "record_unstarted_runs",
    "record_failure",
    "retryable_failures",
    "runs_by_id",
    "search_articles",
    "start_run",
    "status_snapshot",
    "story_transaction",
    "unwritable_reason",
    "wait_for_locks",
    "write_transaction",
]


def __getattr__(name: str) -> object:
    # `except db.DatabaseError`: sqlite3's and (once a PostgreSQL archive has opened) psycopg's
    # errors, looked up when the clause runs, so that psycopg is not imported before then.
    if name == "DatabaseError":
        return database_errors()
    raise AttributeError(f"module 'db' has no attribute {name!r}")
