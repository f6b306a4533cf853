"""Downloader middlewares: stay on the source's domains; honour a site's Retry-After."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.urls import on_domains

MAX_BACKOFF_SECONDS = 600.0  # a site can slow us down, not stop a crawl for hours


def retry_after_seconds(value: str) -> float:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); 0 if unreadable."""
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_BACKOFF_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_BACKOFF_SECONDS)


@dataclass
class _Hold:
    """A slot whose delay is a server's Retry-After: its delay and jitter before, since when."""

    slot: Any
    delay: float
    jitter: float
    since: float


class RetryAfterMiddleware:
    """On 429/503 with Retry-After, the domain's download slot waits exactly that long before
    its next request, and keeps that delay for the rest of the crawl (AutoThrottle may lower it
    once that next request has gone).

    It works on the response_downloaded signal: after AutoThrottle has adjusted the slot for
    the response, before the slot schedules its next request. DOWNLOAD_DELAY_JITTER varies a
    slot's delay by up to ±50 %; while the delay is the server's, the jitter is off."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.held: dict[str, _Hold] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        middleware = cls(crawler)
        # Connected after the extensions (AutoThrottle), so this runs after it.
        crawler.signals.connect(middleware.downloaded, signal=signals.response_downloaded)
        return middleware

    def downloaded(self, response: Response, request: Request) -> None:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        self._keep(key, slot)
        header = response.headers.get(b"Retry-After")
        if response.status not in (429, 503) or not header:
            return
        delay = retry_after_seconds(header.decode("latin-1"))
        if delay and slot.delay * (1 - min(slot.jitter, 1.0)) < delay:
            hold = self.held.get(key) or _Hold(slot, 0.0, slot.jitter, 0.0)
            slot.delay, slot.jitter = max(slot.delay, delay), 0.0
            hold.delay, hold.since = slot.delay, time.monotonic()
            self.held[key] = hold
            self.crawler.stats.inc_value("newswatch/backoff/retry_after")
            self.crawler.spider.logger.info(
                "%s asked to wait %.0f s (HTTP %s)", request.url, delay, response.status
            )

    def _keep(self, key: str, slot: Any) -> None:
        """Until a request has gone after the wait, the delay stays at least the server's;
        once something else sets the delay after that, the slot gets its jitter back."""
        hold = self.held.get(key)
        if hold is None or hold.slot is not slot:
            self.held.pop(key, None)  # the slot was collected; a new one has its defaults
            return
        if slot.lastseen < hold.since:
            hold.delay = slot.delay = max(slot.delay, hold.delay)
        elif slot.delay != hold.delay:
            slot.jitter = hold.jitter
            del self.held[key]


class DomainGuardMiddleware:
    """Never request a URL off the source's configured domains, redirects included.

    Scrapy's own offsite filter lets `dont_filter` requests through; article requests need
    that flag (a redirect loop must end in an error, not a silent duplicate drop)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DomainGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        if domains and not on_domains(request.url, tuple(domains)):
            self.crawler.stats.inc_value("newswatch/blocked/offsite")
            raise IgnoreRequest(f"offsite: {request.url} is not on {', '.join(domains)}")
