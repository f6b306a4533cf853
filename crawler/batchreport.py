"""SourceDone: a Scrapy extension that calls `crawler.newswatch_done(name, run)` when a
source's spider has closed, after RunRecorder (an earlier extension) has written its run row
(`run`: that row's values, from the crawler's stats; {} if it has none).

A service batch (newswatch.crawling) sets that callback: it tells the service that the source
is done and releases the source's lock, while the rest of the batch goes on.
"""

from __future__ import annotations

from typing import Any


class SourceDone:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceDone:
        from scrapy import signals

        extension = cls(crawler)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def closed(self, spider: Any, reason: str) -> None:
        done = getattr(self.crawler, "newswatch_done", None)
        if done is not None:
            done(spider.source.name, self.crawler.stats.get_value("newswatch/run") or {})
