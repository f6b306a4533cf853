"""Storing an article on PostgreSQL: the row, its bands and its tsvector in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from db.pg.handle import PgArchive
from db.pg.text import tsvector
from db.text import index_text

# Held until the transaction ends by whoever stores articles: the lookups that choose an
# article's story (and find it a duplicate) and its insert are then one step, as under
# SQLite's write lock, though several crawler processes write at once.
STORY_LOCK = 0x73746F72  # "stor"


def lock_stories(db: PgArchive) -> None:
    db.raw("SELECT pg_advisory_xact_lock(%s)", [STORY_LOCK])


def insert_article(
    db: PgArchive,
    row: dict[str, Any],
    bands: Iterable[int],
    story_id: int | None,
    fts: tuple[str, str] | None = None,
) -> int:
    values = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
              for k, v in row.items()}  # fmt: skip
    values["story_id"] = story_id
    title, body = fts or (index_text(row.get("title", "")), index_text(row.get("body", "")))
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(["%s"] * len(values))
    with db.transaction():
        article_id = db.raw(
            f"INSERT INTO articles ({columns}, search) VALUES ({marks}, %s::tsvector) RETURNING id",
            [*values.values(), tsvector(title, body)],
        ).fetchone()[0]
        if story_id is None:
            db.raw("UPDATE articles SET story_id = id WHERE id = %s", [article_id])
        with db.conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO article_bands (band, article_id) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                [(band, article_id) for band in set(bands)],
            )
        db.raw("DELETE FROM failed_urls WHERE url = %s", [row["url"]])
    return int(article_id)
