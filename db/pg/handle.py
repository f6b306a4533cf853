"""The PostgreSQL archive handle: what db/ functions use of sqlite-utils' Database.

db/ functions whose SQL both engines understand run unchanged on this handle: their
placeholders (`?`, `:name`) become psycopg's, and `INSERT OR IGNORE` becomes
`ON CONFLICT DO NOTHING`. What the engines do differently (schema, full-text search, the
outbox claim, the article insert) has its own module in db/pg/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # psycopg is imported when an archive on PostgreSQL opens (db.pg.open_pg)
    import psycopg

# A string literal, an identifier in quotes, or one placeholder / percent sign to rewrite.
_PARTS = re.compile(r"('(?:[^']|'')*')|(\"[^\"]*\")|(\?)|(?<!:):([A-Za-z_]\w*)|(%)")
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite's dialect of a portable statement as PostgreSQL reads it through psycopg."""

    def part(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2):
            return m.group(0).replace("%", "%%")
        if m.group(3):
            return "%s"
        if m.group(4):
            return f"%({m.group(4)})s"
        return "%%"

    text = _PARTS.sub(part, sql)
    if _OR_IGNORE.match(text):
        text = _OR_IGNORE.sub("INSERT INTO", text) + " ON CONFLICT DO NOTHING"
    return text


class Table:
    """db["name"]: the few sqlite-utils table calls db/ makes (insert, update, upsert)."""

    def __init__(self, archive: PgArchive, name: str) -> None:
        self.archive, self.name = archive, name
        self.last_pk: Any = None

    def insert(self, row: dict[str, Any], ignore: bool = False) -> Table:
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join(["%s"] * len(row))
        tail = " ON CONFLICT DO NOTHING" if ignore else ""
        returning = " RETURNING id" if self.name in _SERIAL else ""
        sql = f'INSERT INTO "{self.name}" ({columns}) VALUES ({marks}){tail}{returning}'
        cursor = self.archive.raw(sql, _plain(list(row.values())))
        found = cursor.fetchone() if returning else None
        self.last_pk = found[0] if found else None
        return self

    def update(self, pk: Any, values: dict[str, Any]) -> Table:
        sets = ", ".join(f'"{c}" = %s' for c in values)
        params = _plain([*values.values(), pk])
        self.archive.raw(f'UPDATE "{self.name}" SET {sets} WHERE id = %s', params)
        return self

    def upsert(self, row: dict[str, Any], pk: str) -> Table:
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join(["%s"] * len(row))
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in row if c != pk) or f'"{pk}" = "{pk}"'
        self.archive.raw(
            f'INSERT INTO "{self.name}" ({columns}) VALUES ({marks})'
            f' ON CONFLICT ("{pk}") DO UPDATE SET {sets}',
            _plain(list(row.values())),
        )
        return self


def value(v: Any) -> Any:
    """A value as PostgreSQL takes it: booleans as 0 and 1, as SQLite stores them (the columns
    are integers); text without NUL characters, which SQLite keeps and PostgreSQL refuses."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, str) and "\x00" in v:
        return v.replace("\x00", "")
    return v


def _plain(params: Sequence[Any] | dict[str, Any] | None) -> Sequence[Any] | dict[str, Any]:
    if params is None:
        return ()
    if isinstance(params, dict):
        return {k: value(v) for k, v in params.items()}
    return [value(v) for v in params]


WRITE_LOCK = 0x6E777772  # "nwwr": the advisory lock key of the archive's one writer
_SERIAL = {"articles", "crawl_runs", "outbox"}  # tables whose key is a generated id


class PgArchive:
    """An open PostgreSQL archive: one connection in autocommit mode; transactions are
    explicit (db.write_transaction), nested ones savepoints."""

    def __init__(self, conn: psycopg.Connection[Any], url: str) -> None:
        self.conn, self.url = conn, url

    def raw(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """A statement in PostgreSQL's own dialect (psycopg placeholders)."""
        return self.conn.execute(sql, params)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        return self.conn.execute(translate(sql), _plain(params))

    def execute_returning_dicts(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        with self.conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(translate(sql), _plain(params))
            return cursor.fetchall()

    def __getitem__(self, name: str) -> Table:
        return Table(self, name)

    @property
    def in_transaction(self) -> bool:
        """In a transaction that can still commit (not one an error has ended)."""
        from psycopg import pq

        return self.conn.info.transaction_status == pq.TransactionStatus.INTRANS

    def lock_writes(self) -> None:
        """Take the archive's write lock until the transaction ends (db.write_transaction)."""
        self.raw("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])

    @contextmanager
    def transaction(self) -> Iterator[PgArchive]:
        with self.conn.transaction():
            yield self

    def table_names(self) -> list[str]:
        rows = self.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return sorted(row[0] for row in rows)

    def close(self) -> None:
        self.conn.close()
