"""Story lookups for the deduplicating pipeline: every one an index lookup, never a scan.

Candidates come with the columns crawler.stories needs to decide (title, the body's start,
times, version, key, MinHash signature), so one query per kind of evidence is enough.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

LEAD_CHARS = 1500  # the title and first paragraphs are what a flash is compared with
_COLUMNS = (
    "a.id, a.story_id, a.source, a.url, a.title, a.published_at, a.dateline, a.version,"
    f" a.story_key, a.signature, a.shingles, substr(a.body, 1, {LEAD_CHARS}) AS lead"
)


def with_story_key(db: Database, key: str, limit: int = 20) -> list[dict[str, Any]]:
    """Stored versions of one filing (index on story_key), oldest first."""
    sql = f"SELECT {_COLUMNS} FROM articles a WHERE a.story_key = ? ORDER BY a.id LIMIT ?"
    return db.execute_returning_dicts(sql, [key, limit])


def in_key_ranges(
    db: Database, prefixes: Iterable[str], *, flashes_below: int | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Articles whose story_key starts with one of `prefixes` (index range scans). With
    `flashes_below`, only URGENT flashes and texts of fewer shingles than that."""
    rows: list[dict[str, Any]] = []
    flash = " AND (a.version = 'URGENT' OR coalesce(a.shingles, 0) < ?)" if flashes_below else ""
    for prefix in prefixes:
        sql = (
            f"SELECT {_COLUMNS} FROM articles a WHERE a.story_key >= ? AND a.story_key < ?"
            f"{flash} ORDER BY a.story_key LIMIT ?"
        )
        params: list[Any] = [prefix, prefix + "\uffff"]
        params += [flashes_below] if flashes_below else []
        rows.extend(db.execute_returning_dicts(sql, [*params, limit]))
    return rows


def sharing_bands(db: Database, bands: Iterable[int], limit: int = 50) -> list[dict[str, Any]]:
    """Articles sharing at least one MinHash LSH band, most shared first (band index)."""
    bands = list(bands)
    if not bands:
        return []
    marks = ",".join("?" * len(bands))
    sql = (
        f"SELECT {_COLUMNS}, COUNT(*) AS shared FROM article_bands b"
        f" JOIN articles a ON a.id = b.article_id WHERE b.band IN ({marks})"
        " GROUP BY a.id ORDER BY shared DESC, a.id LIMIT ?"
    )
    return db.execute_returning_dicts(sql, [*bands, limit])
