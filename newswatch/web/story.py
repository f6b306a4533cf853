"""A story as a reader sees it: the original, its updates, and its copies on other sites.

The articles of a story share story_id (crawler.stories decides). The original is the first
published; updates are the later articles of the same source (Yonhap's "(LEAD)", "(2nd
LD)"…, labelled in `version`); copies are the articles of other sources. The front page
lists a story once, under its original; an article's page lists the whole story.

Each version is a plain dict (a row of db.reading.story_of), so that more can be said per
version (such as the sentences it added) by adding keys, without changing the templates'
loops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Story:
    original: Row
    updates: tuple[Row, ...]
    copies: tuple[Row, ...]

    @property
    def versions(self) -> tuple[Row, ...]:
        """The original and its updates, oldest first."""
        return (self.original, *self.updates)

    @property
    def carried_by(self) -> list[Row]:
        """The first copy of each other source, in order: "also carried by …"."""
        seen: dict[str, Row] = {}
        for copy in self.copies:
            seen.setdefault(copy["source"], copy)
        return list(seen.values())

    def __len__(self) -> int:
        return 1 + len(self.updates) + len(self.copies)


def arrange(articles: list[Row]) -> Story | None:
    """The story of `articles`, given oldest first (as db.reading.story_of returns them)."""
    if not articles:
        return None
    original, *others = articles
    updates = tuple(a for a in others if a["source"] == original["source"])
    copies = tuple(a for a in others if a["source"] != original["source"])
    return Story(original, updates, copies)


def from_listing(row: Any) -> Story:
    """The story of a front-page row (db.canned.STORIES): its original and `others` JSON."""
    columns = ("id", "title", "source", "url", "version", "published_at", "fetched_at")
    original = {c: row[c] for c in columns} | {"opening": row["opening"]}
    others = json.loads(row["others"] or "[]")
    story = arrange([original, *others])
    assert story is not None
    return story


def label(article: Any) -> str:
    """The version label worth showing beside a title: only if the title lacks it.

    `article` is a dict or a database row (sqlite3.Row)."""
    version = _field(article, "version")
    return version if version and version not in _field(article, "title") else ""


def _field(row: Any, key: str) -> str:
    try:
        return row[key] or ""
    except (KeyError, IndexError):
        return ""
