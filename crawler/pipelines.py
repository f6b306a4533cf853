"""Item pipelines, one concern each: normalize -> validate -> deduplicate -> store."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from typing import Any

from scrapy.utils.defer import deferred_from_coro

import db
from crawler import stories
from crawler.items import Article
from crawler.outcomes import Duplicate, NotAnArticle, PageFailed
from crawler.profiles import get_profile
from crawler.profiles.base import Profile
from crawler.similarity import Fingerprint, fingerprint
from newswatch.hygiene import clean_text

_SPACES = re.compile(r"[ \t\u00a0\u200b\u3000]+")


def normalize_text(text: str) -> str:
    """NFC, no control or bidi override characters (newswatch.hygiene), single spaces,
    paragraphs separated by one blank line."""
    text = clean_text(unicodedata.normalize("NFC", text or ""))
    paragraphs = (_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def same_title(a: str, b: str) -> bool:
    """Equal headlines, blind to case, spacing and punctuation."""
    return re.findall(r"\w+", a.lower()) == re.findall(r"\w+", b.lower())


def body_hash(body: str) -> str:
    """Identity of a body, blind to case, spacing and punctuation (mobile/print copies)."""
    words = re.findall(r"\w+", body.lower())
    return hashlib.sha1(" ".join(words).encode()).hexdigest() if words else ""


class _StatsPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> _StatsPipeline:
        return cls(crawler)

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"newswatch/{key}")


class NormalizePipeline(_StatsPipeline):
    def process_item(self, item: Article) -> Article:
        item.title = " ".join(normalize_text(item.title).split())
        item.body = normalize_text(item.body)
        item.summary = " ".join(normalize_text(item.summary).split())
        item.authors = [a for a in (" ".join(clean_text(x).split()) for x in item.authors) if a]
        item.tags = list(
            dict.fromkeys(t for t in (" ".join(clean_text(x).split()) for x in item.tags) if t)
        )
        item.word_count = len(re.findall(r"\w+", item.body))
        item.body_hash = body_hash(item.body)
        return item


class ValidatePipeline(_StatsPipeline):
    def process_item(self, item: Article) -> Article:
        if not item.title and not item.body:
            raise NotAnArticle("empty_page", f"no title and no body extracted from {item.url}")
        if not item.body:
            self.count("no_body")  # stored (the URL is not fetched again), but counted
        if not item.published_at:
            self.count("undated")
        return item


class DeduplicatePipeline(_StatsPipeline):
    """Same URL: dropped. Same body on the same site: dropped. Same story (by the site
    profile's story key, an URGENT flash's headline, or near-identical text): same story_id."""

    def open_spider(self) -> None:
        self.db = db.open_db(self.crawler.settings["NEWSWATCH_DATABASE"])
        self.profile = _profile_of(self.crawler)

    def close_spider(self) -> None:
        self.db.close()

    def process_item(self, item: Article) -> Article:
        if db.known_urls(self.db, [item.url]):
            raise Duplicate(f"already stored: {item.url}")
        twins = db.find_same_body(self.db, item.source, item.body_hash) if item.body_hash else []
        copy = next((t for t in twins if same_title(t["title"], item.title)), None)
        if copy:  # a print or mobile copy of any of them
            raise Duplicate(f"same body and title as {copy['url']}: {item.url}")
        if twins:  # two pages, two headlines, one extracted body: suspect the extraction
            self.count("same_body_kept")
        if item.signature:  # computed beside the extraction, in a worker
            found = Fingerprint(item.signature, item.shingles, item.bands)
        else:
            found = fingerprint(f"{item.title}\n\n{item.body}")
            item.signature, item.shingles, item.bands = found.signature, found.shingles, found.bands
        if self.profile and not item.story_key:
            item.story_key = self.profile.story_key(item.url)
        item.story_id = self.story_of(item, found, kept_twin=bool(twins))
        return item

    def story_of(self, item: Article, found: Fingerprint, kept_twin: bool = False) -> int | None:
        new = stories.evidence_of(item, found, self.profile)
        rows = stories.candidates(self.db, new, found.bands)
        if kept_twin:  # its text is another page's too: only a story key can say "same story"
            rows = [r for r in rows if body_hash(r["body"] or "") != item.body_hash
                    or (item.story_key and r["story_key"] == item.story_key)]  # fmt: skip
        return stories.best_story(new, rows, self.profile)


def _profile_of(crawler: Any) -> Profile | None:
    """The site profile of the crawler's source, if its config names one."""
    source = getattr(getattr(crawler, "spider", None), "source", None)
    name = getattr(source, "profile", "")
    return get_profile(name) if name else None


class StorePipeline(_StatsPipeline):
    """Stores each article whole (with its bands and search entry) or not at all. When the
    archive cannot be written (disk full, read-only), the crawl stops: what it fetched and
    could not store is not in the archive, so the next crawl fetches it again."""

    def open_spider(self) -> None:
        self.db = db.open_db(self.crawler.settings["NEWSWATCH_DATABASE"])
        self.unwritable: sqlite3.Error | None = None

    def close_spider(self) -> None:
        self.db.close()

    def process_item(self, item: Article) -> Article:
        if self.unwritable is not None:
            raise PageFailed(self.unwritable)
        row = item.row() | {"signature": item.signature, "shingles": item.shingles}
        try:
            article_id = db.insert_article(self.db, row, item.bands, item.story_id)
        except sqlite3.Error as exc:
            if not db.archive_unwritable(exc):
                raise  # this article's own fault: Scrapy's item_error, the page failed
            self.stop(exc)
            raise PageFailed(exc) from None
        item.story_id = item.story_id or article_id
        return item

    def stop(self, error: sqlite3.Error) -> None:
        self.unwritable = error
        self.crawler.stats.set_value("newswatch/unwritable", db.unwritable_reason(error))
        engine = self.crawler.engine
        self.closing = deferred_from_coro(engine.close_spider_async(reason="archive_unwritable"))
