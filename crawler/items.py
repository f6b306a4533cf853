"""The article item that flows through the item pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Article:
    url: str
    source: str
    title: str = ""
    body: str = ""  # paragraphs separated by blank lines
    published_at: str = ""  # ISO 8601 UTC ("2023-01-31T17:35:11Z") or "" when unknown
    updated_at: str = ""
    authors: list[str] = field(default_factory=list)
    summary: str = ""
    dateline: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)  # {"url": ..., "caption": ...}
    word_count: int = 0
    fetched_at: str = ""
    origins: dict[str, str] = field(default_factory=dict)  # field -> selector|structured|generic
    version: str = ""  # wire-copy version label from a site profile: "URGENT", "LEAD", "2nd LD"
    # Set by the pipelines.
    story_key: str = ""  # a site profile's identity of all versions of one filing
    body_hash: str = ""
    signature: bytes = b""
    bands: tuple[int, ...] = ()
    shingles: int = 0
    story_id: int | None = None
    prepared: bool = False  # crawler.prepare has run (in the extraction worker, usually)

    def row(self) -> dict[str, Any]:
        """The columns stored in `articles`."""
        return {
            "url": self.url,
            "source": self.source,
            "title": self.title,
            "body": self.body,
            "published_at": self.published_at,
            "updated_at": self.updated_at,
            "authors": self.authors,
            "summary": self.summary,
            "dateline": self.dateline,
            "language": self.language,
            "tags": self.tags,
            "images": self.images,
            "word_count": self.word_count,
            "fetched_at": self.fetched_at,
            "body_hash": self.body_hash,
            "story_id": self.story_id,
            "version": self.version,
            "story_key": self.story_key or None,  # NULL keeps the index to keyed articles
        }
