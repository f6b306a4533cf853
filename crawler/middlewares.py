"""Downloader middlewares: stay on the source's origins; honour a site's Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.urls import on_origins

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


class RetryAfterMiddleware:
    """On 429/503 with Retry-After, the domain's download slot waits that long between
    requests for the rest of the crawl (AutoThrottle may lower it again later)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        header = response.headers.get(b"Retry-After")
        if response.status in (429, 503) and header:
            delay = retry_after_seconds(header.decode("latin-1"))
            downloader = self.crawler.engine.downloader
            slot = downloader.slots.get(downloader.get_slot_key(request))
            if delay and slot is not None and slot.delay < delay:
                slot.delay = delay
                self.crawler.stats.inc_value("newswatch/backoff/retry_after")
                self.crawler.spider.logger.info(
                    "%s asked to wait %.0f s (HTTP %s)", request.url, delay, response.status
                )
        return response


class DomainGuardMiddleware:
    """Never request a URL off the spider's allowed origins (scheme, host and port), redirects
    included: a redirect from port 8001 to port 8002 of the same host is as far off as
    another host.

    Scrapy's own offsite filter compares host names only and lets `dont_filter` requests
    through; article requests need that flag (a redirect loop must end in an error, not a
    silent duplicate drop). Spiders name their origins in `allowed_origins`."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DomainGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        origins = getattr(self.crawler.spider, "allowed_origins", None)
        if origins and not on_origins(request.url, origins):
            self.crawler.stats.inc_value("newswatch/blocked/offsite")
            raise IgnoreRequest(f"offsite: {request.url} is not on {', '.join(origins)}")
