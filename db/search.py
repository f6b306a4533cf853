"""Full-text search of the archive, newest first."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def search_articles(db: Database, fts_query: str, limit: int = 20,
                    sources: tuple[str, ...] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """Articles whose title or body match an FTS5 query (see db.text for building one)."""
    where = ""
    params: list[Any] = [fts_query]
    if sources:
        where = f" AND a.source IN ({','.join('?' * len(sources))})"
        params.extend(sources)
    sql = (
        "SELECT a.id, a.url, a.source, a.title, a.body, a.published_at, a.story_id"
        " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        f" WHERE articles_fts MATCH ?{where}"
        " ORDER BY COALESCE(NULLIF(a.published_at, ''), a.fetched_at) DESC, a.id DESC LIMIT ?"
    )
    return db.execute_returning_dicts(sql, [*params, limit])


def first_of_stories(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One hit per story (the first listed), keeping order."""
    seen: set[Any] = set()
    out = []
    for hit in hits:
        if hit["story_id"] not in seen:
            seen.add(hit["story_id"])
            out.append(hit)
    return out
