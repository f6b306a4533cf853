"""`newswatch db copy --to postgresql://…`: an SQLite archive into an empty PostgreSQL one.

Every table row for row, ids kept (stories, alerts and the outbox refer to them), in one
transaction: the copy is whole or absent. The FTS5 index's own text (title and body as
indexed) becomes each article's tsvector. Sent messages stay sent and alerted stories stay
alerted, so nothing is sent again from the new archive; pending messages are sent once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlite_utils import Database

from db.pg.handle import PgArchive, value
from db.pg.text import tsvector

# In this order; the ones with a generated id get their sequence moved past the copied ids.
TABLES = ("articles", "article_bands", "crawl_runs", "failed_urls", "alert_matches", "outbox",
          "state", "source_health", "story_updates")  # fmt: skip
_GENERATED = ("articles", "crawl_runs", "outbox")
_BATCH = 2000


class CopyRefused(Exception):
    """The target is not empty: copying would mix two archives."""


def _columns(target: PgArchive, table: str) -> dict[str, str]:
    rows = target.raw(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s",
        [table],
    )
    return dict(rows.fetchall())


def _rows(source: Database, sql: str) -> Iterator[tuple[Any, ...]]:
    cursor = source.execute(sql)
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _check_empty(target: PgArchive) -> None:
    for table in TABLES:
        if target.raw(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
            raise CopyRefused(f"its table {table} has rows already (copy into an empty database)")


Progress = Callable[[str, int], None]


def copy_archive(
    source: Database, target: PgArchive, progress: Progress = lambda table, n: None
) -> dict[str, int]:
    """Copy every table; returns table -> rows copied. Raises CopyRefused."""
    counts: dict[str, int] = {}
    with target.transaction():
        _check_empty(target)
        for table in TABLES:
            counts[table] = _copy_table(source, target, table)
            progress(table, counts[table])
        for table in _GENERATED:
            target.raw(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
    return counts


def _copy_table(source: Database, target: PgArchive, table: str) -> int:
    types = _columns(target, table)
    names = [c for c in source[table].columns_dict if c in types]
    select = ", ".join(f"t.[{c}]" for c in names)
    if table == "articles":  # the FTS5 index's text, as indexed (db.text)
        select += ", f.title, f.body FROM articles t LEFT JOIN articles_fts f ON f.rowid = t.id"
    else:
        select += f" FROM [{table}] t"
    convert = [_CONVERT.get(types[c], value) for c in names]
    columns = ", ".join(f'"{c}"' for c in names) + (", search" if table == "articles" else "")
    count = 0
    with (
        target.conn.cursor() as cursor,
        cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy,
    ):
        for row in _rows(source, f"SELECT {select}"):
            values = [to(v) for to, v in zip(convert, row, strict=False)]
            if table == "articles":
                values[len(names) :] = [tsvector(row[-2] or "", row[-1] or "")]
            copy.write_row(values)
            count += 1
    return count


# SQLite keeps what it is given in any column; PostgreSQL's columns take their own type.
def _bytes(v: Any) -> Any:
    return v.encode() if isinstance(v, str) else v


def _integer(v: Any) -> Any:
    if isinstance(v, str | float):
        try:
            return int(v)
        except ValueError:
            return None  # '' or text where a number belongs: nothing to keep
    return v


def _text(v: Any) -> Any:
    return value(v.decode("utf-8", "replace") if isinstance(v, bytes) else v)


_CONVERT = {"bytea": _bytes, "bigint": _integer, "integer": _integer, "text": _text}
