"""Every crawl ends itself at `crawl.time_limit`, whoever started it and whether or not its
parent still lives (a service killed with -9 must not leave crawls running for ever).

- Per source: Scrapy's CLOSESPIDER_TIMEOUT closes the spider at the limit (its run is then
  recorded as `timeout`), and TimeLimitMiddleware caps every request's download timeout at the
  time left, so a request in flight (a site sending a byte a second) cannot hold the close up.
- Per process: HardDeadline ends the process (its run rows marked `timeout`) if it is still
  there some time after the limit, and ends an orphaned service child within seconds.
- A service child asks Linux to send it SIGTERM when the service dies (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
HARD_GRACE = 30.0  # seconds after the time limit for pipelines and extraction to finish
ORPHAN_GRACE = 5.0  # seconds an orphaned service child may take to stop cleanly
EXIT_DEADLINE = 124  # as timeout(1)
PR_SET_PDEATHSIG = 1


class TimeLimitMiddleware:
    """Downloader middleware: no request may outlast its source's time limit (by > 1 s)."""

    def __init__(self, limit: float, timeout: float, stats: Any = None) -> None:
        self.limit = limit
        self.timeout = timeout  # DOWNLOAD_TIMEOUT: what a request gets otherwise
        self.stats = stats
        self.ends = time.monotonic() + limit

    @classmethod
    def from_crawler(cls, crawler: Any) -> TimeLimitMiddleware:
        # Imported here: the service imports this module's constants, not Scrapy.
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        limit = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
        if limit <= 0:
            raise NotConfigured
        middleware = cls(limit, crawler.settings.getfloat("DOWNLOAD_TIMEOUT"), crawler.stats)
        crawler.signals.connect(middleware.opened, signal=signals.spider_opened)
        return middleware

    def opened(self, spider: Any) -> None:
        self.ends = time.monotonic() + self.limit
        if self.stats is not None:  # for the run's reason (crawler.runs)
            self.stats.set_value("newswatch/time_limit", self.limit)

    def process_request(self, request: Any) -> None:
        left = self.ends - time.monotonic()
        current = request.meta.get("download_timeout") or self.timeout
        request.meta["download_timeout"] = max(min(current, left + 1.0), 1.0)


class HardDeadline:
    """A thread that ends this process when the crawl overran its limit or lost its parent.

    `on_expiry(reason)` runs first (it records the open runs); then the process exits at
    once, its extraction workers following within a second (crawler.workers).
    """

    def __init__(self, seconds: float, on_expiry: Callable[[str], None],
                 parent: int = 0) -> None:  # fmt: skip
        self.ends = time.monotonic() + seconds
        self.on_expiry = on_expiry
        self.parent = parent
        self.done = threading.Event()

    def start(self) -> HardDeadline:
        threading.Thread(target=self._watch, name="hard-deadline", daemon=True).start()
        return self

    def cancel(self) -> None:
        self.done.set()

    def _watch(self) -> None:
        orphaned_at = 0.0
        while not self.done.wait(0.5):
            now = time.monotonic()
            if self.parent and not orphaned_at and os.getppid() != self.parent:
                orphaned_at = now  # PR_SET_PDEATHSIG's SIGTERM is stopping the crawl
            if orphaned_at and now - orphaned_at > ORPHAN_GRACE:
                self._expire(f"the service (pid {self.parent}) died")
            if now > self.ends:
                self._expire("the hard time limit was reached")

    def _expire(self, reason: str) -> None:
        if self.done.is_set():
            return
        try:
            self.on_expiry(reason)
            # An orphan's stderr is a pipe nobody reads any more: writing to it may fail.
            sys.stderr.write(f"newswatch: crawl stopped: {reason}\n")
            sys.stderr.flush()
        finally:
            os._exit(EXIT_DEADLINE)


def die_with_parent(parent: int) -> None:
    """Linux: SIGTERM this process when `parent` dies; exit now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    if parent and os.getppid() != parent:  # it died before the prctl: nobody waits for us
        sys.exit(EXIT_DEADLINE)
