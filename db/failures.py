"""Pages that failed: retried on later crawls until they succeed or fail for good."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from db.tx import write_transaction


def record_failure(
    db: Database, url: str, source: str, kind: str, permanent: bool, now: str, message: str = ""
) -> None:
    """`kind`: a download error (http_503, timeout), a reason the page is not an article
    (not_html), or the class of the exception that failed it (with its `message`)."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO failed_urls (url, source, kind, permanent, attempts, first_failed_at,"
            " last_failed_at, message) VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT(url) DO"
            " UPDATE SET kind = excluded.kind, permanent = excluded.permanent,"
            " attempts = failed_urls.attempts + 1, last_failed_at = excluded.last_failed_at,"
            " message = excluded.message",
            [url, source, kind, int(permanent), now, now, message],
        )


def clear_failure(db: Database, url: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM failed_urls WHERE url = ?", [url])


def retryable_failures(db: Database, source: str, max_attempts: int) -> list[str]:
    """URLs of `source` that failed transiently fewer than `max_attempts` times."""
    rows = db.execute(
        "SELECT url FROM failed_urls WHERE source = ? AND permanent = 0 AND attempts < ?"
        " ORDER BY last_failed_at",
        [source, max_attempts],
    )
    return [row[0] for row in rows]


def failures_since(db: Database, source: str, since: str, limit: int = 5) -> list[dict[str, Any]]:
    """The pages of `source` that failed at or after `since` (a crawl's start), newest first."""
    return db.execute_returning_dicts(
        "SELECT url, kind, message, permanent, attempts FROM failed_urls"
        " WHERE source = ? AND last_failed_at >= ? ORDER BY last_failed_at DESC LIMIT ?",
        [source, since, limit],
    )
