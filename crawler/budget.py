"""A budget of requests in flight shared by every crawler of one process (a batch).

Scrapy limits concurrency per crawler (CONCURRENT_REQUESTS) and per domain; a batch runs one
crawler per source, so without this fifty sources could have fifty times as many requests in
flight. `crawl.max_requests` is divided between the batches that may run at once.
"""

from __future__ import annotations

from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import DeferredSemaphore


class RequestBudget:
    """Downloader middleware, last before the download: a request waits for a slot of the
    shared semaphore (`crawler.newswatch_budget`) and gives it back with its response or
    error. Answers from the HTTP cache (earlier in the chain) take no slot."""

    def __init__(self, slots: DeferredSemaphore) -> None:
        self.slots = slots
        self.holding: set[int] = set()  # id() of the requests holding a slot

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequestBudget:
        from scrapy.exceptions import NotConfigured

        slots = getattr(crawler, "newswatch_budget", None)
        if slots is None:
            raise NotConfigured
        return cls(slots)

    async def process_request(self, request: Any) -> None:
        await maybe_deferred_to_future(self.slots.acquire())
        self.holding.add(id(request))

    def process_response(self, request: Any, response: Any) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception) -> None:
        self._release(request)

    def _release(self, request: Any) -> None:
        if id(request) in self.holding:
            self.holding.discard(id(request))
            self.slots.release()


def budget(total: int) -> DeferredSemaphore:
    return DeferredSemaphore(max(total, 1))
