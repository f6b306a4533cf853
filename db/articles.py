"""Articles: lookups the crawler needs before fetching, and the one-transaction insert."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from db import pg
from db.text import index_text
from db.tx import write_transaction

_CHUNK = 500  # stay under SQLite's limit on bound parameters


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def known_urls(db: Database, urls: Iterable[str]) -> set[str]:
    """The URLs among `urls` that need no request: stored, or failed for good."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        sql = (
            f"SELECT url FROM articles WHERE url IN ({marks}) UNION "
            f"SELECT url FROM failed_urls WHERE permanent = 1 AND url IN ({marks})"
        )
        found.update(row[0] for row in db.execute(sql, chunk + chunk))
    return found


def find_same_body(db: Database, source: str, body_hash: str) -> list[dict[str, Any]]:
    """The articles of the same source whose normalized body is identical, oldest first
    (several when one extracted body was kept under different headlines)."""
    return db.execute_returning_dicts(
        "SELECT id, url, title, story_id FROM articles WHERE source = ? AND body_hash = ?"
        " ORDER BY id",
        [source, body_hash],
    )


def insert_article(
    db: Database,
    row: dict[str, Any],
    bands: Iterable[int],
    story_id: int | None,
) -> int:
    """Store one article with its bands and FTS entry, all in one transaction (a savepoint
    inside a batch's: the article is stored whole or not at all), which also forgets the
    URL's failures (stored means no longer failed).

    A new story takes the article's own id as its story_id.
    """
    if isinstance(db, pg.PgArchive):
        from db.pg.articles import insert_article as pg_insert

        return pg_insert(db, row, bands, story_id)
    values = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
              for k, v in row.items()}  # fmt: skip
    values["story_id"] = story_id
    # Plain statements: this runs once per article, and sqlite-utils' insert() introspects
    # the table every time.
    columns = ", ".join(f"[{name}]" for name in values)
    marks = ", ".join("?" * len(values))
    with write_transaction(db):
        cursor = db.execute(
            f"INSERT INTO articles ({columns}) VALUES ({marks})", list(values.values())
        )
        article_id = cursor.lastrowid
        if story_id is None:
            db.execute("UPDATE articles SET story_id = id WHERE id = ?", [article_id])
        db.conn.executemany(
            "INSERT OR IGNORE INTO article_bands (band, article_id) VALUES (?, ?)",
            [(band, article_id) for band in set(bands)],
        )
        title, body = index_text(row.get("title", "")), index_text(row.get("body", ""))
        db.execute(
            "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
            [article_id, title, body],
        )
        db.execute("DELETE FROM failed_urls WHERE url = ?", [row["url"]])
    return int(article_id)
