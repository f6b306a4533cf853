"""Source health: the stored verdict per source, and the article figures it is judged on."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def get_health(db: Database, source: str) -> dict[str, Any] | None:
    rows = db.execute_returning_dicts("SELECT * FROM source_health WHERE source = ?", [source])
    return rows[0] if rows else None


def set_health(db: Database, row: dict[str, Any]) -> None:
    db["source_health"].upsert(row, pk="source")


def all_health(db: Database) -> dict[str, dict[str, Any]]:
    return {r["source"]: r for r in db.execute_returning_dicts("SELECT * FROM source_health")}


def recent_articles(db: Database, source: str, limit: int = 20) -> list[dict[str, Any]]:
    """The newest articles of a source: when fetched, and whether body and date were found."""
    return db.execute_returning_dicts(
        "SELECT fetched_at, body != '' AS has_body, published_at != '' AS has_date"
        " FROM articles WHERE source = ? ORDER BY id DESC LIMIT ?",
        [source, limit],
    )


def has_completed_run(db: Database, source: str) -> bool:
    """Whether any crawl of `source` has ever ended ok or partial."""
    rows = db.execute(
        "SELECT 1 FROM crawl_runs WHERE source = ? AND status IN ('ok', 'partial') LIMIT 1",
        [source],
    ).fetchall()
    return bool(rows)
