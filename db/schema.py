"""Schema migrations in code, numbered by SQLite's user_version."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from db.tx import write_transaction


def _v1(db: Database) -> None:
    db["articles"].create(
        {
            "id": int, "url": str, "source": str, "title": str, "body": str,
            "published_at": str, "updated_at": str, "story_id": int, "authors": str,
            "summary": str, "dateline": str, "language": str, "tags": str, "images": str,
            "word_count": int, "fetched_at": str, "body_hash": str, "signature": bytes,
            "shingles": int,
        },
        pk="id",
        not_null={"url", "source"},
    )  # fmt: skip
    articles = db["articles"]
    articles.create_index(["url"], unique=True)
    articles.create_index(["source", "body_hash"])
    articles.create_index(["story_id"])
    articles.create_index(["published_at"])
    # Near-duplicate index: MinHash LSH bands (see crawler.similarity).
    db.execute(
        "CREATE TABLE article_bands (band INTEGER NOT NULL, article_id INTEGER NOT NULL,"
        " PRIMARY KEY (band, article_id)) WITHOUT ROWID"
    )
    # Full-text index on title and body, written by db.articles in the article's transaction
    # (Hangul is indexed as bigrams, so it cannot be a plain content table).
    db.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, tokenize='unicode61')")
    db["crawl_runs"].create(
        {
            "id": int, "source": str, "started_at": str, "finished_at": str, "status": str,
            "pages": int, "new_articles": int, "duplicates": int, "undated": int,
            "errors": str, "last_error": str,
        },
        pk="id",
    )  # fmt: skip
    db["crawl_runs"].create_index(["source", "started_at"])
    db["failed_urls"].create(
        {
            "url": str, "source": str, "kind": str, "permanent": int, "attempts": int,
            "first_failed_at": str, "last_failed_at": str,
        },
        pk="url",
    )  # fmt: skip
    db["failed_urls"].create_index(["source"])


def _v2(db: Database) -> None:
    # A rule alerts a story once, ever: the primary key is the promise.
    db.execute(
        "CREATE TABLE alert_matches (rule TEXT NOT NULL, story_id INTEGER NOT NULL,"
        " article_id INTEGER NOT NULL, matched_at TEXT NOT NULL, digest_pending INTEGER NOT NULL"
        " DEFAULT 0, PRIMARY KEY (rule, story_id))"
    )
    db.execute("CREATE INDEX alert_matches_digest ON alert_matches (rule, digest_pending)")
    # One row per message and recipient, so a refusal for one address does not block another.
    db["outbox"].create(
        {
            "id": int, "rule": str, "recipient": str, "message_id": str, "subject": str,
            "message": str, "story_ids": str, "status": str, "attempts": int,
            "next_attempt_at": str, "last_error": str, "created_at": str, "sent_at": str,
            "lease_until": str, "lease_owner": str,
        },
        pk="id",
        not_null={"rule", "recipient", "message_id", "message", "status"},
    )  # fmt: skip
    db["outbox"].create_index(["status", "next_attempt_at"])
    db["outbox"].create_index(["message_id", "recipient"], unique=True)
    db["state"].create({"key": str, "value": str}, pk="key")


def _v3(db: Database) -> None:
    runs = db["crawl_runs"]
    for column in ("requests", "links_found", "no_body", "blocked"):
        runs.add_column(column, int, not_null_default=0)
    db["source_health"].create(
        {"source": str, "state": str, "reason": str, "last_error": str, "changed_at": str},
        pk="source",
    )


def _v4(db: Database) -> None:
    # Site profiles: the version label ("LEAD", "2nd LD") and the identity of all versions of
    # one filing, looked up by index when an update or a flash arrives (crawler.stories).
    articles = db["articles"]
    articles.add_column("version", str, not_null_default="")
    articles.add_column("story_key", str)
    articles.create_index(["story_key"])


def _v5(db: Database) -> None:
    # Search lists the newest first: walking this index stops after `limit` matches instead
    # of sorting every match (db.search).
    db.execute(
        "CREATE INDEX articles_newest ON articles"
        " (COALESCE(NULLIF(published_at, ''), fetched_at) DESC, id DESC)"
    )


def _v6_page_accounting(db: Database) -> None:
    # What became of every article page fetched (crawler.outcomes): the counts add up to
    # article_pages; the kinds say why a page was not an article or failed. A failed page keeps
    # its exception's message beside its kind, for `status` and the crawl summary.
    runs = db["crawl_runs"]
    for column in ("article_pages", "not_articles", "failed", "same_body_kept"):
        runs.add_column(column, int, not_null_default=0)
    for column in ("not_article_kinds", "failed_kinds"):
        runs.add_column(column, str, not_null_default="{}")
    db["failed_urls"].add_column("message", str, not_null_default="")


def _v7_selector_accounting(db: Database) -> None:
    # How the configured selectors fared in a run: articles they ran on, steps that failed,
    # per key the articles it matched nothing on (JSON), the last failure (scheduler.health).
    runs = db["crawl_runs"]
    runs.add_column("selector_articles", int, not_null_default=0)
    runs.add_column("selector_errors", int, not_null_default=0)
    runs.add_column("selector_missed", str, not_null_default="{}")
    runs.add_column("selector_last_error", str, not_null_default="")


def _v8_story_updates(db: Database) -> None:
    # Following a story after its alert (scheduler.updates). Per (rule, story): the newest
    # article the alert covered (later ones may be updates) and the Message-IDs an update
    # replies to. Rows from before take the matcher's position and the outbox's first email of
    # the story. One story_updates row per (rule, version): a version updates a rule once.
    matches = db["alert_matches"]
    matches.add_column("covered_upto", int, not_null_default=0)
    matches.add_column("alert_thread", str, not_null_default="")
    db.execute(
        "UPDATE alert_matches SET covered_upto = COALESCE((SELECT CAST(value AS INTEGER)"
        " FROM state WHERE key = 'matched_upto'), 0)"
    )
    db.execute(
        "UPDATE alert_matches SET alert_thread = COALESCE((SELECT o.message_id FROM outbox o,"
        " json_each(CASE WHEN json_valid(o.story_ids) THEN o.story_ids ELSE '[]' END) j"
        " WHERE o.rule = alert_matches.rule AND j.value = alert_matches.story_id"
        " ORDER BY o.id LIMIT 1), '')"
    )
    db.execute("CREATE INDEX alert_matches_story ON alert_matches (story_id)")
    db.execute(
        "CREATE TABLE story_updates (rule TEXT NOT NULL, article_id INTEGER NOT NULL,"
        " story_id INTEGER NOT NULL, found_at TEXT NOT NULL, sentences TEXT NOT NULL,"
        " headline_was TEXT NOT NULL DEFAULT '', digest_pending INTEGER NOT NULL DEFAULT 0,"
        " message_id TEXT NOT NULL DEFAULT '', PRIMARY KEY (rule, article_id))"
    )
    db.execute("CREATE INDEX story_updates_digest ON story_updates (rule, digest_pending)")


def _v9_due_at(db: Database) -> None:
    # When the service's schedule had the run due ("" for a crawl run by hand): `status`
    # shows how late each source's last crawl started (scheduler.batches).
    db["crawl_runs"].add_column("due_at", str, not_null_default="")


MIGRATIONS: tuple[Callable[[Database], None], ...] = (
    _v1, _v2, _v3, _v4, _v5, _v6_page_accounting, _v7_selector_accounting, _v8_story_updates,
    _v9_due_at,
)  # fmt: skip


def _version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: Database) -> None:
    """Apply every migration newer than the file's user_version, all or nothing."""
    if _version(db) >= len(MIGRATIONS):
        return
    # IMMEDIATE: two processes starting at once must not both run the same migration.
    with write_transaction(db):
        for step in MIGRATIONS[_version(db) :]:
            step(db)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
