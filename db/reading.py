"""Reads for the archive in a browser (`newswatch serve`): a story's articles, oldest first.

The story of an article is every article sharing its story_id: the original, its updates
(same source) and its copies (other sources). newswatch.web.story arranges them.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

# The time an article is listed at: its publication time, else when it was fetched.
_WHEN = "COALESCE(NULLIF(a.published_at, ''), a.fetched_at)"
_COLUMNS = "a.id, a.url, a.source, a.title, a.version, a.published_at, a.fetched_at, a.story_id"


def story_of(db: Database, article_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """Every article of the story `article_id` belongs to, oldest first (index on story_id).

    Empty if there is no such article."""
    sql = (
        f"SELECT {_COLUMNS} FROM articles a"
        " WHERE a.story_id = (SELECT story_id FROM articles WHERE id = ?)"
        f" ORDER BY {_WHEN}, a.id LIMIT ?"
    )
    return db.execute_returning_dicts(sql, [article_id, limit])
