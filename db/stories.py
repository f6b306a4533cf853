"""Story lookups for the deduplicating pipeline: every one an index lookup, never a scan.

Candidates come with the columns crawler.stories needs to decide (title, body, times,
version, key, MinHash signature), so one query per kind of evidence is enough; every kind is
bounded by its LIMIT, whatever the size of the archive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from db import pg

_COLUMNS = (
    "a.id, a.story_id, a.source, a.url, a.title, a.body, a.published_at, a.dateline, a.version,"
    " a.story_key, a.signature, a.shingles"
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


def sharing_bands(
    db: Database, bands: Iterable[int], limit: int = 50, per_band: int = 100
) -> list[dict[str, Any]]:
    """Articles sharing MinHash LSH bands, most shared first. Each band's posting list is read
    newest first and at most `per_band` deep: a background paragraph repeated for years makes
    some bands hot, and a true copy shares many bands, so it is still found by the others."""
    if isinstance(db, pg.PgArchive):  # one round trip to the server for all the bands
        from db.pg.stories import band_counts

        counts = band_counts(db, bands, per_band)
    else:
        counts = _band_counts(db, bands, per_band)
    ids = [i for i, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = db.execute_returning_dicts(
        f"SELECT {_COLUMNS} FROM articles a WHERE a.id IN ({marks})", ids
    )
    return sorted(rows, key=lambda row: (-counts[row["id"]], row["id"]))


def _band_counts(db: Database, bands: Iterable[int], per_band: int) -> Counter[int]:
    counts: Counter[int] = Counter()
    sql = "SELECT article_id FROM article_bands WHERE band = ? ORDER BY article_id DESC LIMIT ?"
    for band in set(bands):
        counts.update(row[0] for row in db.execute(sql, [band, per_band]))
    return counts
