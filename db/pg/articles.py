"""Storing an article on PostgreSQL: the row, its bands and its tsvector in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from db.pg.handle import PgArchive, value
from db.pg.text import tsvector
from db.text import index_text


def insert_article(
    db: PgArchive,
    row: dict[str, Any],
    bands: Iterable[int],
    story_id: int | None,
) -> int:
    """As db.articles.insert_article, in two round trips to the server: the new id, then the
    row (a new story takes that id), its bands and the forgetting of its failures, pipelined."""
    values = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else value(v)
              for k, v in row.items()}  # fmt: skip
    title, body = index_text(row.get("title", "")), index_text(row.get("body", ""))
    with db.transaction():
        article_id = db.raw(_NEXT_ID).fetchone()[0]
        values |= {"id": article_id, "story_id": story_id or article_id}
        columns = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join(["%s"] * len(values))
        with db.conn.pipeline(), db.conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO articles ({columns}, search) VALUES ({marks}, %s::tsvector)",
                [*values.values(), tsvector(title, body)],
            )
            cursor.execute(
                "INSERT INTO article_bands (band, article_id) SELECT unnest(%s::bigint[]), %s"
                " ON CONFLICT DO NOTHING",
                [sorted(set(bands)), article_id],
            )
            cursor.execute("DELETE FROM failed_urls WHERE url = %s", [row["url"]])
    return int(article_id)


_NEXT_ID = "SELECT nextval(pg_get_serial_sequence('articles', 'id'))"
