"""Full-text search on PostgreSQL: the tsvector column and its GIN index (db.pg.text)."""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from db.pg.handle import PgArchive
from db.pg.text import tsquery

_NEWEST = "COALESCE(NULLIF(a.published_at, ''), a.fetched_at) DESC, a.id DESC"
_COLUMNS = "a.id, a.url, a.source, a.title, a.body, a.published_at, a.story_id"


def search_articles(db: PgArchive, fts_query: str, limit: int = 20,
                    sources: tuple[str, ...] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """Articles matching an FTS5 query of newswatch.query, newest first. The planner picks
    between the GIN index (few matches) and walking articles_newest (many) by itself."""
    where = " AND a.source = ANY(%s)" if sources else ""
    params: list[Any] = [tsquery(fts_query), *([list(sources)] if sources else []), limit]
    sql = (
        f"SELECT {_COLUMNS} FROM articles a WHERE a.search @@ %s::tsquery{where}"
        f" ORDER BY {_NEWEST} LIMIT %s"
    )
    with db.conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(sql, params).fetchall()


def match_count(db: PgArchive, fts_query: str) -> int:
    sql = "SELECT COUNT(*) FROM articles WHERE search @@ %s::tsquery"
    return int(db.raw(sql, [tsquery(fts_query)]).fetchone()[0])
