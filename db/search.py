"""Full-text search of the archive, newest first."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from db import pg

_NEWEST = "COALESCE(NULLIF(a.published_at, ''), a.fetched_at) DESC, a.id DESC"
_COLUMNS = "a.id, a.url, a.source, a.title, a.body, a.published_at, a.story_id"
# Up to this many matches, reading and sorting them all is cheapest; past it, walking the
# archive newest first and stopping at `limit` matches is (the index articles_newest).
SORT_AT_MOST = 500


def search_articles(db: Database, fts_query: str, limit: int = 20,
                    sources: tuple[str, ...] = (),
                    sort_at_most: int = SORT_AT_MOST) -> list[dict[str, Any]]:  # fmt: skip
    """Articles whose title or body match an FTS5 query (see db.text), newest first."""
    if isinstance(db, pg.PgArchive):
        from db.pg import search as pg_search

        return pg_search.search_articles(db, fts_query, limit, sources)
    where, params = "", []
    if sources:
        where = f" AND a.source IN ({','.join('?' * len(sources))})"
        params.extend(sources)
    matches = _matches(db, fts_query)
    if matches <= sort_at_most:
        sql = (
            f"SELECT {_COLUMNS} FROM {_HITS} h JOIN articles a ON a.id = h.id"
            f" WHERE 1{where} ORDER BY {_NEWEST} LIMIT ?"
        )
    else:
        sql = (
            f"SELECT {_COLUMNS} FROM articles a INDEXED BY articles_newest"
            f" WHERE a.id IN (SELECT id FROM {_HITS}){where} ORDER BY {_NEWEST} LIMIT ?"
        )
    return db.execute_returning_dicts(sql, [*params, limit])


_HITS = "temp.search_hits"


def _matches(db: Database, fts_query: str) -> int:
    """Evaluate the query once into a temporary table of ids; returns how many matched.

    Once: a phrase is costly (FTS5 reads positions) and both strategies need the set."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_HITS[5:]} (id INTEGER PRIMARY KEY)")
    db.execute(f"DELETE FROM {_HITS}")
    cursor = db.execute(
        f"INSERT INTO {_HITS} SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
        [fts_query],
    )
    return cursor.rowcount


def match_count(db: Database, fts_query: str) -> int:
    """How many articles match (cheap: FTS5 counts its doclists without reading rows)."""
    if isinstance(db, pg.PgArchive):
        from db.pg import search as pg_search

        return pg_search.match_count(db, fts_query)
    sql = "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?"
    return db.execute(sql, [fts_query]).fetchone()[0]


def first_of_stories(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One hit per story (the first listed), keeping order."""
    seen: set[Any] = set()
    out = []
    for hit in hits:
        if hit["story_id"] not in seen:
            seen.add(hit["story_id"])
            out.append(hit)
    return out
