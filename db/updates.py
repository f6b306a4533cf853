"""Following alerted stories: their versions, what each rule's alert covered, the updates sent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

_VERSION_COLUMNS = "id, url, source, title, body, published_at, fetched_at, version, story_id"


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def story_rows(db: Database, story_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every article of each story (versions and copies), first stored first."""
    ids = sorted(set(story_ids))
    stories: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        chunk = ids[start : start + 500]
        rows = db.execute_returning_dicts(
            f"SELECT {_VERSION_COLUMNS} FROM articles WHERE story_id IN ({_marks(chunk)})"
            " ORDER BY id",
            chunk,
        )
        for row in rows:
            stories[row["story_id"]].append(row)
    return stories


def article(db: Database, article_id: int | None = None, url: str = "") -> dict[str, Any] | None:
    """One article by id or by its stored (canonical) URL."""
    where, value = ("id = ?", article_id) if article_id is not None else ("url = ?", url)
    rows = db.execute_returning_dicts(
        f"SELECT {_VERSION_COLUMNS} FROM articles WHERE {where} LIMIT 1", [value]
    )
    return rows[0] if rows else None


def alerted(db: Database, story_ids: Iterable[int], rules: Iterable[str]) -> list[dict[str, Any]]:
    """The (rule, story) alerts among `story_ids` x `rules`, with the article that matched,
    the newest article the alert covered and the Message-IDs it went out in."""
    ids, names = sorted(set(story_ids)), sorted(set(rules))
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids) if names else 0, 500):  # SQLite's limit on parameters
        chunk = ids[start : start + 500]
        found += db.execute_returning_dicts(
            "SELECT rule, story_id, article_id, covered_upto, alert_thread, digest_pending"
            f" FROM alert_matches WHERE story_id IN ({_marks(chunk)})"
            f" AND rule IN ({_marks(names)})",
            [*chunk, *names],
        )
    return sorted(found, key=lambda row: (row["rule"], row["story_id"]))


def mark_alerted(db: Database, rule: str, story_ids: Iterable[int], thread: str) -> None:
    """The alert (or digest) of `story_ids` went out as `thread` (its Message-IDs, oldest
    first) and covered every article stored until now."""
    ids = list(story_ids)
    if ids:
        db.execute(
            "UPDATE alert_matches SET alert_thread = ?, covered_upto = COALESCE((SELECT MAX(id)"
            f" FROM articles), 0) WHERE rule = ? AND story_id IN ({_marks(ids)})",
            [thread, rule, *ids],
        )


def claim_update(db: Database, rule: str, story_id: int, article_id: int, found_at: str,
                 sentences: list[str], headline_was: str, digest: bool) -> bool:  # fmt: skip
    """Record that version `article_id` updates `rule`; False if it already had."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO story_updates (rule, article_id, story_id, found_at, sentences,"
        " headline_was, digest_pending) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [rule, article_id, story_id, found_at, json.dumps(sentences, ensure_ascii=False),
         headline_was, int(digest)],
    )  # fmt: skip
    return cursor.rowcount == 1


def set_update_message(
    db: Database, rule: str, article_ids: Iterable[int], message_id: str
) -> None:
    ids = list(article_ids)
    if ids:
        db.execute(
            "UPDATE story_updates SET message_id = ? WHERE rule = ?"
            f" AND article_id IN ({_marks(ids)})",
            [message_id, rule, *ids],
        )


def pending_updates(db: Database, rule: str) -> list[dict[str, Any]]:
    """The updates waiting for `rule`'s next digest, by story, oldest version first."""
    rows = db.execute_returning_dicts(
        "SELECT article_id, story_id, sentences, headline_was FROM story_updates"
        " WHERE rule = ? AND digest_pending = 1 ORDER BY story_id, article_id",
        [rule],
    )
    return [row | {"sentences": json.loads(row["sentences"])} for row in rows]


def clear_pending_updates(db: Database, rule: str, article_ids: Iterable[int]) -> None:
    ids = list(article_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        db.execute(
            "UPDATE story_updates SET digest_pending = 0 WHERE rule = ?"
            f" AND article_id IN ({_marks(chunk)})",
            [rule, *chunk],
        )


def updates_of(db: Database, story_id: int) -> list[dict[str, Any]]:
    """Every update sent (or waiting for a digest) about the story: rule, version, when."""
    return db.execute_returning_dicts(
        "SELECT rule, article_id, found_at, digest_pending, message_id FROM story_updates"
        " WHERE story_id = ? ORDER BY article_id, rule",
        [story_id],
    )
