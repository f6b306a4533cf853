"""Alert bookkeeping: which rule has alerted which story, and the outbox of messages."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from db import pg
from db.tx import write_transaction


def get_state(db: Database, key: str, default: str = "") -> str:
    rows = db.execute("SELECT value FROM state WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else default


def set_state(db: Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO state (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def install_id(db: Database) -> str:
    """This archive's random id, made on first use: Message-IDs carry it, so two installs
    (or a fresh database) never reuse one another's ids."""
    db.execute(
        "INSERT OR IGNORE INTO state (key, value) VALUES ('install_id', ?)", [secrets.token_hex(6)]
    )
    return get_state(db, "install_id")


def articles_after(db: Database, after_id: int, limit: int = 5000) -> list[dict[str, Any]]:
    """Articles stored after `after_id`, oldest first: what a matching pass looks at."""
    return db.execute_returning_dicts(
        "SELECT id, url, source, title, body, published_at, story_id FROM articles"
        " WHERE id > ? ORDER BY id LIMIT ?",
        [after_id, limit],
    )


def newest_article(db: Database) -> dict[str, Any] | None:
    """The last article stored, if any (the sample of `newswatch alerts test`)."""
    rows = db.execute_returning_dicts(
        "SELECT id, url, source, title, body, published_at, story_id FROM articles"
        " ORDER BY id DESC LIMIT 1"
    )
    return rows[0] if rows else None


def claim_story(db: Database, rule: str, story_id: int, article_id: int, now: str,
                digest: bool) -> bool:  # fmt: skip
    """Record that `rule` matched `story_id`; False if it had already (then: no alert).
    The alert covers every article stored so far: only later ones can be its updates."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO alert_matches (rule, story_id, article_id, matched_at,"
        " digest_pending, covered_upto) VALUES (?, ?, ?, ?, ?, (SELECT MAX(id) FROM articles))",
        [rule, story_id, article_id, now, int(digest)],
    )
    return cursor.rowcount == 1


def story_articles(db: Database, story_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every stored version and copy of each story, first stored first."""
    ids = list(story_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute_returning_dicts(
        "SELECT id, url, source, title, body, published_at, story_id FROM articles"
        f" WHERE story_id IN ({marks}) ORDER BY id",
        ids,
    )
    stories: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in rows:
        stories[row["story_id"]].append(row)
    return stories


def matched_article(db: Database, rule: str, story_ids: Iterable[int]) -> dict[int, int]:
    """story_id -> the article that made `rule` match it."""
    ids = list(story_ids)
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT story_id, article_id FROM alert_matches WHERE rule = ? AND story_id IN ({marks})",
        [rule, *ids],
    )
    return dict(rows.fetchall())


def pending_digest(db: Database, rule: str) -> list[int]:
    rows = db.execute(
        "SELECT story_id FROM alert_matches WHERE rule = ? AND digest_pending = 1"
        " ORDER BY matched_at, story_id",
        [rule],
    )
    return [row[0] for row in rows]


def clear_digest(db: Database, rule: str, story_ids: Iterable[int]) -> None:
    ids = list(story_ids)
    marks = ",".join("?" * len(ids))
    db.execute(
        f"UPDATE alert_matches SET digest_pending = 0 WHERE rule = ? AND story_id IN ({marks})",
        [rule, *ids],
    )


def add_outbox(db: Database, rows: list[dict[str, Any]]) -> None:
    """Queue messages; `message` is the exact bytes to send (stored as a BLOB)."""
    for row in rows:
        row = row | {"story_ids": json.dumps(row["story_ids"])}
        db["outbox"].insert(row, ignore=True)  # same message to the same address: once


def sending_owners(db: Database) -> set[str]:
    """Who holds the rows being sent right now (host:pid)."""
    rows = db.execute("SELECT DISTINCT lease_owner FROM outbox WHERE status = 'sending'")
    return {row[0] or "" for row in rows}


def release_owner(db: Database, owner: str) -> None:
    """Put back the rows a dead process was sending: they are due again at once."""
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET status = 'pending', lease_until = '' WHERE status = 'sending'"
            " AND lease_owner = ?",
            [owner],
        )


def claim_due_outbox(db: Database, now: str, lease_until: str, owner: str,
                     force: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """Take the messages due now (every pending one when `force`) for sending.

    Claimed rows are 'sending' until `lease_until`, so two processes never send the same
    row; a row left 'sending' by a process that died is due again once its lease ends.
    """
    if isinstance(db, pg.PgArchive):
        from db.pg.outbox import claim_due_outbox as pg_claim

        return pg_claim(db, now, lease_until, owner, force)
    due = "(status = 'pending'" + ("" if force else " AND next_attempt_at <= :now")
    due += ") OR (status = 'sending' AND lease_until <= :now)"
    with write_transaction(db):
        rows = db.execute_returning_dicts(f"SELECT * FROM outbox WHERE {due} ORDER BY id",
                                          {"now": now})  # fmt: skip
        db.execute(
            f"UPDATE outbox SET status = 'sending', lease_until = :lease, lease_owner = :owner"
            f" WHERE {due}",
            {"now": now, "lease": lease_until, "owner": owner},
        )
    return rows


def renew_lease(db: Database, outbox_id: int, owner: str, lease_until: str) -> bool:
    """Extend `owner`'s lease on a row it is about to send; False if the row is no longer its
    own (its lease ran out and another process took it), so it is never sent twice."""
    with write_transaction(db):
        cursor = db.execute(
            "UPDATE outbox SET lease_until = ? WHERE id = ? AND status = 'sending'"
            " AND lease_owner = ?",
            [lease_until, outbox_id, owner],
        )
    return cursor.rowcount == 1


def mark_outbox(db: Database, outbox_id: int, **values: Any) -> None:
    with write_transaction(db):
        db["outbox"].update(outbox_id, values)


def outbox_summary(db: Database) -> dict[str, Any]:
    counts = dict(db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())
    columns = "id, rule, recipient, subject, last_error, attempts, next_attempt_at"
    failed = db.execute_returning_dicts(
        f"SELECT {columns} FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT 20"
    )
    retrying = db.execute_returning_dicts(
        f"SELECT {columns} FROM outbox WHERE status IN ('pending', 'sending') AND attempts > 0"
        " ORDER BY id LIMIT 20"
    )
    return {"counts": counts, "failed": failed, "retrying": retrying}
