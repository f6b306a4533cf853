"""Claiming due outbox rows on PostgreSQL: rows another worker is claiming are skipped."""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from db.pg.handle import PgArchive


def claim_due_outbox(db: PgArchive, now: str, lease_until: str, owner: str,
                     force: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """As db.alerts.claim_due_outbox. FOR UPDATE SKIP LOCKED: two workers claiming at once
    each take rows the other did not, so no message is sent twice; the rows come back as
    they were before the claim (status 'pending'), as on SQLite."""
    due = "(status = 'pending'" + ("" if force else " AND next_attempt_at <= %(now)s")
    due += ") OR (status = 'sending' AND lease_until <= %(now)s)"
    sql = (
        f"WITH due AS (SELECT * FROM outbox WHERE {due} ORDER BY id FOR UPDATE SKIP LOCKED)"
        " UPDATE outbox o SET status = 'sending', lease_until = %(lease)s,"
        " lease_owner = %(owner)s FROM due WHERE o.id = due.id RETURNING due.*"
    )
    with db.transaction(), db.conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(sql, {"now": now, "lease": lease_until, "owner": owner}).fetchall()
    return sorted(rows, key=lambda row: row["id"])
