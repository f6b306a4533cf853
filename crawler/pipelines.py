"""Item pipelines, one concern each: validate -> archive (deduplicate and store).

The pure work on each article (normalization, body hash, index text, fingerprint) was done
in the extraction worker (crawler.prepare); ArchivePipeline hands the article to the crawl's
writer thread (crawler.writer), which deduplicates and stores it in a batch, and awaits the
verdict: the reactor thread keeps downloading meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.utils.defer import deferred_from_coro

import db
from crawler.items import Article
from crawler.outcomes import Duplicate, NotAnArticle, PageFailed
from crawler.writer import ArchiveWriter, Verdict, profile_of

__all__ = ["ArchivePipeline", "ValidatePipeline"]


class _StatsPipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> _StatsPipeline:
        return cls(crawler)

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"newswatch/{key}")

    def stop(self, error: Exception) -> None:
        """The archive cannot be written (disk full, read-only): the crawl stops. What it
        fetched and could not store is not in the archive: the next crawl fetches it."""
        self.crawler.stats.set_value("newswatch/unwritable", db.unwritable_reason(error))
        engine = self.crawler.engine
        self.closing = deferred_from_coro(engine.close_spider_async(reason="archive_unwritable"))


class ValidatePipeline(_StatsPipeline):
    def process_item(self, item: Article) -> Article:
        if not item.title and not item.body:
            raise NotAnArticle("empty_page", f"no title and no body extracted from {item.url}")
        if not item.body:
            self.count("no_body")  # stored (the URL is not fetched again), but counted
        if not item.published_at:
            self.count("undated")
        return item


class ArchivePipeline(_StatsPipeline):
    """Deduplicates and stores on the writer thread (crawler.writer), in batches; the item
    is scraped (stored) once its batch is committed."""

    def open_spider(self) -> None:
        self.writer = ArchiveWriter(self.crawler.settings["NEWSWATCH_DATABASE"],
                                    profile_of(self.crawler))  # fmt: skip
        self.stopping = False

    async def close_spider(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.writer.close)

    async def process_item(self, item: Article) -> Article:
        verdict = await asyncio.wrap_future(self.writer.submit(item))
        return self.outcome(item, verdict)

    def outcome(self, item: Article, verdict: Verdict) -> Article:
        if verdict.unwritable:
            if not self.stopping:
                self.stopping = True
                self.stop(verdict.error)  # type: ignore[arg-type]
            raise PageFailed(verdict.error)  # type: ignore[arg-type]
        if verdict.error is not None:
            raise verdict.error  # this page's own fault: Scrapy's item_error, the page failed
        if verdict.duplicate:
            raise Duplicate(verdict.duplicate)
        if verdict.same_body_kept:  # two headlines, one extracted body: suspect the extraction
            self.count("same_body_kept")
        item.story_id = verdict.story_id
        return item
