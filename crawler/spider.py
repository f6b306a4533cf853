"""The news spider: discovers article links on list pages, feeds and sitemaps, fetches new ones.

Links are never followed from article pages. An article already in the archive is
skipped before any request; one that failed transiently is queued again.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

import db
from crawler import outcomes
from crawler.discovery import (
    Entry,
    article_links,
    choose_sitemaps,
    feed_entries,
    page_hrefs,
    sitemap_entries,
    unpacked,
)
from crawler.errors import classify_failure, is_permanent
from crawler.items import Article
from crawler.pagination import next_page
from crawler.pool import ExtractionPool
from crawler.urls import canonical_url, on_origins
from crawler.workers import extract_page
from newswatch.clock import utc_now
from newswatch.config import Source

MAX_SITEMAP_DEPTH = 2
# A cached list page is never trusted as fresh: it is asked for again, conditionally.
REVALIDATE = {"Cache-Control": "max-age=0"}


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, source: Source, pool: ExtractionPool | None = None, **kwargs: Any) -> None:
        super().__init__(name=f"news:{source.name}", **kwargs)
        self.source = source
        self.pool = pool  # extraction workers (crawler.workers); None: extract inline
        self.pattern = re.compile(source.article_url_pattern)
        self.allowed_domains = list(source.domains)  # Scrapy's offsite filter: host names
        self.allowed_origins = source.origins  # crawler.middlewares.DomainGuardMiddleware
        self.scheduled: set[str] = set()
        self.list_pages: set[str] = set(source.start_urls)  # never one list page twice
        self.sitemaps: set[str] = {canonical_url(u) for u in source.sitemaps}
        self.child_sitemaps = 0  # fetched from sitemap indexes, at most source.max_sitemaps

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.db = db.open_db(crawler.settings["NEWSWATCH_DATABASE"], lean=True)
        spider.max_attempts = crawler.settings.getint("NEWSWATCH_MAX_ATTEMPTS")
        # After a crawl that did not finish, its later list pages may hold articles it never
        # reached even though page 1 is all stored: walk every page this time.
        last = db.recent_runs(spider.db, spider.source.name, 1)
        spider.resume = bool(last) and last[0]["status"] not in ("ok", "partial")
        return spider

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newswatch/{key}", n)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.source.start_urls:
            yield self.page_request(url, "list", page=1)
        for url in self.source.feeds:
            yield self.page_request(url, "feed")
        for url in self.source.sitemaps:
            yield self.page_request(url, "sitemap", depth=0)
        # What failed last time is tried again even if no page links it any more.
        retry = db.retryable_failures(self.db, self.source.name, self.max_attempts)
        for request in self.article_requests(Entry(url) for url in retry):
            yield request

    def page_request(self, url: str, kind: str, **meta: Any) -> scrapy.Request:
        callback = {"list": self.parse_list, "feed": self.parse_feed, "sitemap": self.parse_sitemap}
        return scrapy.Request(
            url, callback=callback[kind], errback=self.failed, dont_filter=True,
            meta={"kind": kind, **meta}, priority=10, headers=REVALIDATE,
        )  # fmt: skip

    def article_requests(
        self, entries: Iterable[Entry], known: set[str] | None = None
    ) -> list[scrapy.Request]:
        """Requests for the articles not stored, not failed for good, not already queued."""
        fresh = {}
        for entry in entries:
            url = canonical_url(entry.url)
            if url not in self.scheduled and on_origins(url, self.allowed_origins):
                fresh.setdefault(url, entry.published_at)
        known = db.known_urls(self.db, fresh) if known is None else known
        requests = []
        for url, published in fresh.items():
            if url in known:
                continue
            self.scheduled.add(url)
            requests.append(scrapy.Request(
                url, callback=self.parse_article, errback=self.failed, dont_filter=True,
                meta={"kind": "article", "article_url": url, "listed_published": published,
                      "dont_cache": True},
            ))  # fmt: skip
        return requests

    def parse_list(self, response: Response) -> Iterable[scrapy.Request]:
        # As for articles: an image or a JSON API answer is no list page (Scrapy makes a
        # TextResponse of many such answers; parsel gives JSON a selector without links).
        if not isinstance(response, TextResponse) or b"html" not in _content_type(response):
            self.count("errors/not_html")
            return
        hrefs = page_hrefs(response.selector.root)
        links = article_links(hrefs, response.url, self.pattern, self.allowed_origins)
        self.count("links_found", len(links))
        known = db.known_urls(self.db, links)
        yield from self.article_requests((Entry(url) for url in links), known)
        page = response.meta["page"]
        # Older list pages hold nothing new once one holds only archived articles (queued
        # from a feed this crawl is not archived yet: page 2 is read on a first crawl).
        if not (set(links) - known or self.resume) or page >= self.source.max_list_pages:
            return
        url, how = next_page(
            response.selector, response.url, self.pattern, self.allowed_origins,
            self.source.next_page, self.list_pages,
        )  # fmt: skip
        if url:
            self.list_pages.add(url)
            self.logger.debug("list page %d: %s (%s)", page + 1, url, how)
            yield self.page_request(url, "list", page=page + 1)

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        body = self.unpacked(response)
        entries = feed_entries(body, response.url, self.source.timezone)
        entries = [e for e in entries if self.pattern.search(canonical_url(e.url))]
        self.count("links_found", len(entries))
        yield from self.article_requests(entries)

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        body = self.unpacked(response)
        entries, nested = sitemap_entries(body, response.url, self.source.timezone)
        entries = [e for e in entries if self.pattern.search(canonical_url(e.url))]
        self.count("links_found", len(entries))
        yield from self.article_requests(entries)
        if response.meta.get("depth", 0) < MAX_SITEMAP_DEPTH:
            yield from self.child_sitemap_requests(nested, response.meta.get("depth", 0) + 1)

    def child_sitemap_requests(self, nested: list[Entry], depth: int) -> list[scrapy.Request]:
        """Each sitemap once per crawl, at most max_sitemaps of them: news sitemaps first,
        then the newest (an index that lists itself, or thousands, cannot run away)."""
        if self.child_sitemaps >= self.source.max_sitemaps:  # spent: read no more of them
            self.count("sitemaps_skipped", len(nested))
            return []
        fresh: dict[str, Entry] = {}
        for entry in nested:
            url = canonical_url(entry.url)
            if url not in self.sitemaps and on_origins(url, self.allowed_origins):
                fresh.setdefault(url, entry)
        chosen = choose_sitemaps(fresh.values(), self.source.max_sitemaps - self.child_sitemaps)
        if len(chosen) < len(fresh):
            self.count("sitemaps_skipped", len(fresh) - len(chosen))
        self.child_sitemaps += len(chosen)
        self.sitemaps.update(canonical_url(e.url) for e in chosen)
        return [self.page_request(e.url, "sitemap", depth=depth) for e in chosen]

    def unpacked(self, response: Response) -> bytes:
        """The body, a gzipped one inflated within the page size limit (else: too_large)."""
        limit = response.meta.get("download_maxsize") or self.crawler.settings.getint(
            "DOWNLOAD_MAXSIZE"
        )
        try:
            return unpacked(response.body, limit)
        except (ValueError, OSError, EOFError) as exc:
            kind = "too_large" if isinstance(exc, ValueError) else "unparsable"
            self.count(f"errors/{kind}")
            self.crawler.stats.set_value("newswatch/last_error", f"{kind}: {response.url}")
            return b""

    def note_selectors(self, report: dict[str, str]) -> None:
        """Counts how the configured selectors fared on one article: a step that failed
        (`selector_errors`), a key that matched nothing (scheduler.health judges those)."""
        if not report:
            return
        self.count("selector_articles")
        for key, outcome in report.items():
            if outcome.startswith("error"):
                self.count("selector_errors")
                self.crawler.stats.set_value(
                    "newswatch/selector_last_error", f"selectors.{key}: {outcome[7:]}"
                )
            if outcome != "matched" and not key.startswith("exclude"):  # may well match nothing
                self.count(f"selector_missed/{key}")

    async def parse_article(self, response: Response) -> AsyncIterator[Article]:
        """One item per article page, or the page's end as not an article or failed
        (crawler.outcomes): every page fetched is accounted for."""
        url = response.meta["article_url"]
        self.count("article_pages")
        if not isinstance(response, TextResponse) or b"html" not in _content_type(response):
            outcomes.not_an_article(self.crawler, "not_html")
            kind = _content_type(response).decode("latin-1")
            self.record_failure(url, "not_html", permanent=True, message=kind)
            return
        try:
            item, report = await self.extract(response, url)
        except Exception as exc:  # a page that cannot be parsed must not stop the crawl
            outcomes.failed(self.crawler, url, exc)
            return
        self.note_selectors(report)
        item.published_at = item.published_at or response.meta.get("listed_published", "")
        item.fetched_at = utc_now()
        yield item

    async def extract(
        self, response: TextResponse, article_url: str
    ) -> tuple[Article, dict[str, str]]:
        """Extraction, and the pure work on the article, in a worker process, so that the
        reactor keeps downloading meanwhile. The worker gets the page's bytes, not the
        Response (nor its decoded text: the worker decodes it)."""
        args = (response.body, response.encoding, response.url, self.source, article_url)
        if self.pool is None:
            return extract_page(*args)
        return await self.pool.run(extract_page, *args)

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind = classify_failure(failure)
        if kind in ("robots", "offsite"):  # the crawler's own choice, not a fault of the site
            self.count(f"blocked/{kind}")
            return
        self.count(f"errors/{kind}")
        self.crawler.stats.set_value("newswatch/last_error", f"{kind}: {request.url}")
        self.logger.info("%s failed: %s", request.url, kind)
        if request.meta.get("kind") == "article":
            self.record_failure(request.meta["article_url"], kind, is_permanent(kind))

    def record_failure(self, url: str, kind: str, permanent: bool, message: str = "") -> None:
        """Remember a page that failed, to try it again (or never, when `permanent`)."""
        try:
            db.record_failure(self.db, url, self.source.name, kind, permanent, utc_now(), message)
        except db.DatabaseError as exc:
            if not db.archive_unwritable(exc):
                raise
            # The crawl is stopping and says why; the page, not stored, is fetched again.
            self.logger.info("could not record the failure of %s: %s", url, exc)

    def closed(self, reason: str) -> None:
        self.db.close()


def _content_type(response: Response) -> bytes:
    return (response.headers.get(b"Content-Type") or b"text/html").lower()
