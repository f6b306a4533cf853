"""Pages that failed: retried on later crawls until they succeed or fail for good."""

from __future__ import annotations

from sqlite_utils import Database

from db.tx import write_transaction


def record_failure(db: Database, url: str, source: str, kind: str, permanent: bool,
                   now: str) -> None:  # fmt: skip
    with write_transaction(db):
        db.execute(
            "INSERT INTO failed_urls (url, source, kind, permanent, attempts, first_failed_at,"
            " last_failed_at) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(url) DO UPDATE SET"
            " kind = excluded.kind, permanent = excluded.permanent,"
            " attempts = attempts + 1, last_failed_at = excluded.last_failed_at",
            [url, source, kind, int(permanent), now, now],
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
