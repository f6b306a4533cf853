"""What became of every article page fetched: stored, duplicate, not an article, or failed.

The spider counts each article page it receives (`article_pages`) and ends the ones it cannot
make an item of (not HTML: not an article; extraction raised: failed). Every item ends in the
pipelines, and Scrapy signals how: item_scraped (stored), item_dropped with one of the
exceptions below, item_error (an unexpected exception: failed). The `Outcomes` extension turns
those signals into the run's counters, so that

    article_pages = new_articles + duplicates + not_articles + failed

and records each failed page in failed_urls (with its exception's class and message), so that
the next crawl fetches it again.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from twisted.python.failure import Failure

log = logging.getLogger(__name__)

PREFIX = "newswatch/"


class Duplicate(DropItem):
    """Already in the archive (same URL, or same body and title on another URL)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class NotAnArticle(DropItem):
    """The page holds no article; `why` is a short kind (empty_page, not_html)."""

    def __init__(self, why: str, message: str) -> None:
        super().__init__(message, log_level="INFO")
        self.why = why


class PageFailed(DropItem):
    """The page could not be stored for a reason already reported (disk full): failed, but
    quietly, since the crawl reports the cause once."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}", log_level="DEBUG")
        self.error = error


def count(crawler: Any, key: str, n: int = 1) -> None:
    crawler.stats.inc_value(PREFIX + key, n)


def not_an_article(crawler: Any, why: str) -> None:
    count(crawler, "not_articles")
    count(crawler, f"not_article/{why}")


def failed(crawler: Any, url: str, error: BaseException, *, retry: bool = True) -> None:
    """Count a failed page, name it in the log, and record it to be fetched again."""
    kind, message = type(error).__name__, str(error) or type(error).__name__
    count(crawler, "failed")
    count(crawler, f"failed/{kind}")
    crawler.stats.set_value(PREFIX + "last_error", f"{kind}: {message} ({url})")
    if not retry:  # not stored because the archive cannot be written: nothing to record in it
        return
    spider = crawler.spider
    log.warning("%s failed: %s: %s; it will be fetched again on the next crawl",
                url, kind, message)  # fmt: skip
    spider.record_failure(url, kind, permanent=False, message=message[:500])


class Outcomes:
    """Scrapy extension: the verdict on every item, from the item signals."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Outcomes:
        extension = cls(crawler)
        connect = crawler.signals.connect
        connect(extension.scraped, signal=signals.item_scraped)
        connect(extension.dropped, signal=signals.item_dropped)
        connect(extension.item_error, signal=signals.item_error)
        connect(extension.spider_error, signal=signals.spider_error)
        return extension

    def scraped(self, item: Any) -> None:
        count(self.crawler, "new_articles")

    def dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, Duplicate):
            count(self.crawler, "duplicates")
        elif isinstance(exception, NotAnArticle):
            not_an_article(self.crawler, exception.why)
        elif isinstance(exception, PageFailed):
            count(self.crawler, "not_stored")
            failed(self.crawler, item.url, exception.error, retry=False)
        else:  # a DropItem of no known kind: the page was not stored, for a reason unknown
            failed(self.crawler, item.url, exception)

    def item_error(self, item: Any, failure: Failure) -> None:
        failed(self.crawler, item.url, failure.value)

    def spider_error(self, failure: Failure, response: Any) -> None:
        """parse_article raised outside its own guard (a bug): the page failed."""
        meta = getattr(response, "meta", {})
        if meta.get("kind") == "article":
            failed(self.crawler, meta["article_url"], failure.value)


def totals(stats: dict[str, Any]) -> dict[str, Any]:
    """The run's page accounting from the crawler's stats, as crawl_runs columns."""

    def kinds(prefix: str) -> dict[str, int]:
        start = PREFIX + prefix
        return {k[len(start) :]: v for k, v in stats.items() if k.startswith(start)}

    keys = ("article_pages", "new_articles", "duplicates", "not_articles", "failed")
    return {key: stats.get(PREFIX + key, 0) for key in keys} | {
        "same_body_kept": stats.get(PREFIX + "same_body_kept", 0),
        "not_article_kinds": kinds("not_article/"),
        "failed_kinds": kinds("failed/"),
    }


def unaccounted(values: dict[str, Any]) -> int:
    """Article pages fetched that ended as none of the four outcomes (0 when all is well)."""
    ended = sum(values[k] for k in ("new_articles", "duplicates", "not_articles", "failed"))
    return values["article_pages"] - ended
