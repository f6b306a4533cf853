"""Datasette metadata for the archive: tables, facets, canned queries, what is hidden."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from db import canned
from newswatch.web.plugin import ARCHIVE

# Tables a reader of the archive may see; every other table is internal (the outbox holds
# recipients and whole emails) and unreadable unless `serve --all-tables`.
SERVED_TABLES = ("articles", "alert_matches", "article_bands")
FTS_TABLE = "articles_fts"  # and its shadow tables, articles_fts_*
# Columns the crawler and matcher need, not a reader: never shown in Datasette's grids.
MACHINE_COLUMNS = ("signature", "shingles", "body_hash", "story_key")
COLUMNS = {
    "id": "Article number in this archive",
    "url": "The original article (opens the news site)",
    "source": "The configured source it was crawled from",
    "title": "Headline",
    "body": "The article text (without navigation, related boxes or captions)",
    "published_at": "Publication time, UTC",
    "updated_at": "Last update time given by the page, UTC",
    "story_id": "Equal for an article, its updated versions and its copies on other sites",
    "version": "The site's version label, e.g. LEAD or 2nd LD",
    "authors": "Bylines",
    "summary": "The page's own summary",
    "dateline": "Wire dateline, e.g. SEOUL, March 5 (Yonhap)",
    "language": "Language code",
    "tags": "The page's tags or keywords",
    "images": "Photos in the article and their captions",
    "word_count": "Words in the body",
    "fetched_at": "When newswatch fetched it, UTC",
}


def internal_tables(table_names: Collection[str]) -> frozenset[str]:
    """The tables of the archive that are not for readers."""
    return frozenset(
        name for name in table_names
        if name not in SERVED_TABLES and not name.startswith((FTS_TABLE, "sqlite_"))
    )  # fmt: skip


def metadata(hidden: Collection[str]) -> dict[str, Any]:
    """Datasette metadata; `hidden` tables are unlisted and refused (403)."""
    articles = {
        "title": "Articles",
        "description": 'Search with words, "exact phrases", AND, OR, NOT, parentheses and '
        "prefix*, as in newswatch search; title and body only.",
        "label_column": "title",  # ?_search= is newswatch.web.searching, not fts_table
        "sort_desc": "published_at",
        "size": 30,
        "facets": ["source", {"day": "published_at"}],
        "columns": COLUMNS,
    }
    tables: dict[str, Any] = {"articles": articles}
    tables |= {name: {"hidden": True} for name in SERVED_TABLES if name != "articles"}
    tables |= {name: {"hidden": True, "allow": False} for name in hidden}
    queries = {
        "stories": {"title": "Newest stories", "sql": canned.STORIES, "hide_sql": True},
        # No title: datasette-atom would use it for every rule's feed, over _feed_title.
        "rule_feed": {"sql": canned.RULE_FEED, "hide_sql": True},
    }
    return {
        "title": "newswatch archive",
        "databases": {ARCHIVE: {"tables": tables, "queries": queries}},
    }
