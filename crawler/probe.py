"""Fetching a site for `sources check` and `sources add` through the crawl's own Scrapy stack.

A command that touches a site runs one small spider in this process: its requests pass the
same downloader middlewares as a crawl's (the origin guard, robots.txt, redirects, retries,
Retry-After, the per-request DOWNLOAD_TIMEOUT and DOWNLOAD_MAXSIZE on the decompressed body),
and the whole command has a deadline of its own. Nothing is cached or stored.

    outcome = run_probe(config, origins, job)   # job: async (Fetcher) -> outcome
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.discovery import unpacked
from crawler.encoding import page_text
from crawler.errors import classify_failure
from crawler.settings import scrapy_settings
from crawler.urls import origin
from newswatch.config import Config

T = TypeVar("T")
_QUIET = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


class ProbeTimeout(Exception):
    """The command's deadline passed; the message says after how long."""


@dataclass
class Page:
    """What one GET gave: a response, or why there is none (`error`)."""

    url: str
    error: str = ""  # "", "blocked by robots.txt", "HTTP 404", "timeout", "too_large", ...
    response: Response | None = None
    max_size: int = 0

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def final_url(self) -> str:
        return self.response.url if self.response is not None else self.url

    @property
    def content_type(self) -> str:
        value = self.response.headers.get(b"Content-Type") if self.response is not None else b""
        return (value or b"").decode("latin-1").lower()

    def body(self) -> bytes:
        """The body, a gzipped one inflated within max_page_bytes (ValueError beyond)."""
        return unpacked(self.response.body, self.max_size) if self.response is not None else b""

    def text(self) -> str:
        """The page decoded as the crawl decodes it ("" for a body that is not text)."""
        if not isinstance(self.response, TextResponse):
            return ""
        return page_text(self.response)


class Fetcher:
    """GETs through the running crawler; each one within what is left of the deadline."""

    def __init__(self, spider: ProbeSpider) -> None:
        self.spider = spider
        self.pages: dict[tuple[str, bool], Page] = {}  # a command reads each URL once

    @property
    def requests(self) -> int:
        """Requests sent so far, robots.txt and retries included (Scrapy's own count)."""
        return int(self.spider.crawler.stats.get_value("downloader/request_count", 0))

    def left(self) -> float:
        return self.spider.deadline - time.monotonic()

    async def get(self, url: str, obey_robots: bool = True) -> Page:
        if (url, obey_robots) not in self.pages:
            self.pages[url, obey_robots] = await self._get(url, obey_robots)
        return self.pages[url, obey_robots]

    async def _get(self, url: str, obey_robots: bool) -> Page:
        settings = self.spider.crawler.settings
        limit = settings.getint("DOWNLOAD_MAXSIZE")
        meta = {"dont_obey_robotstxt": True} if not obey_robots else {}
        request = scrapy.Request(url, dont_filter=True, meta=meta)
        if self.left() <= 0:
            raise ProbeTimeout(f"{url}: the command's time limit was reached")
        try:
            download = self.spider.crawler.engine.download_async(request)
            response = await asyncio.wait_for(download, self.left())
        except TimeoutError:
            raise ProbeTimeout(f"{url}: the command's time limit was reached") from None
        except Exception as exc:  # the crawl's own names: robots, offsite, timeout, dns...
            return Page(url, _why(exc), max_size=limit)
        if response.status >= 400:
            return Page(url, f"HTTP {response.status}", response, limit)
        return Page(url, "", response, limit)


def _why(exc: Exception) -> str:
    kind = classify_failure(Failure(exc))
    if kind == "robots":
        return "blocked by robots.txt"
    if kind == "offsite":
        return f"not followed: {exc}".replace("offsite: ", "")
    return kind


class ProbeSpider(scrapy.Spider):
    """Runs one job (an async function of a Fetcher) as its start; then the crawl ends."""

    name = "probe"

    def __init__(self, job: Callable[[Fetcher], Awaitable[Any]], origins: tuple[str, ...],
                 deadline: float, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.job = job
        self.allowed_origins = origins  # crawler.middlewares.DomainGuardMiddleware
        self.allowed_domains = sorted({origin(o)[1] for o in origins})
        self.deadline = deadline
        self.outcome: Any = None
        self.error: BaseException | None = None

    async def start(self) -> AsyncIterator[Any]:
        try:
            self.outcome = await self.job(Fetcher(self))
        except Exception as exc:  # re-raised by run_probe, outside the reactor
            self.error = exc
        return
        yield  # an async generator that yields nothing: Scrapy's start()


def probe_settings(config: Config, log_level: str, seconds: float) -> dict[str, Any]:
    """The crawl's settings without its pipelines, run records, progress and cache."""
    settings = scrapy_settings(config, log_level)
    settings.update(
        ITEM_PIPELINES={}, EXTENSIONS={}, HTTPCACHE_ENABLED=False,
        CLOSESPIDER_TIMEOUT=seconds + 5, LOG_INSTALL_ROOT_HANDLER=log_level != "WARNING",
    )  # fmt: skip
    return settings


def run_probe(
    config: Config,
    origins: tuple[str, ...],
    job: Callable[[Fetcher], Awaitable[T]],
    seconds: float,
    log_level: str = "WARNING",
) -> T:
    """Runs `job` with a Fetcher limited to `origins`, for at most `seconds` in all."""
    process = CrawlerProcess(probe_settings(config, log_level, seconds))
    if log_level == "WARNING":
        for name in _QUIET:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    crawler = process.create_crawler(ProbeSpider)
    deadline = time.monotonic() + seconds
    process.crawl(crawler, job=job, origins=origins, deadline=deadline)
    process.start()
    spider = crawler.spider
    if spider is None:
        raise ProbeTimeout("the fetcher did not start")
    if spider.error is not None:
        raise spider.error
    return spider.outcome
