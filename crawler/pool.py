"""The extraction workers: processes beside the crawl that cannot be hijacked, are checked
before the crawl starts, and are replaced when one dies; the crawl process extracts when
none can run.

Scrapy's downloads share one thread with everything else in the crawl process, so the CPU
work on each article page runs in these workers (crawler.workers) and the reactor keeps the
network busy. The reactor talks to each worker itself, over two pipes (crawler.channel):
no helper threads, which would need the GIL the reactor holds to pass each page on
(ProcessPoolExecutor's two threads left its worker waiting 2 s of a 6 s crawl, issue 21).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from crawler.channel import Channel
from crawler.growth import LOOK_SECONDS, IdleMeter, should_grow
from crawler.workers import serve

log = logging.getLogger(__name__)
T = TypeVar("T")

START_SECONDS = 60.0  # a spawned worker imports lxml and trafilatura; slow under load
TRIES_PER_PAGE = 2  # a page in flight when two workers died is failed, not tried a third time
MAX_REPLACEMENTS = 3  # after that, workers keep dying: extract in the crawl process


class ExtractionPool:
    """Runs a function in a worker process, or in this process when there are no workers.

    `workers` processes (0: extract in the crawl process, by choice), up to `most` while
    extraction is the bottleneck and a core idles (as `meter` tells); they start with
    `begin`."""

    def __init__(self, workers: int, most: int = 0, meter: IdleMeter | None = None) -> None:
        self.workers = workers
        self.most = max(workers, most)  # it grows up to that many (crawler.growth)
        self.channels: list[Channel] = []
        self.replacements = 0
        self.started = False
        self.probe: asyncio.Future[None] | None = None
        self.meter = meter  # made at the first look when None (its reading starts then)
        self.looked = 0.0

    @classmethod
    def configured(cls, extraction_workers: int) -> ExtractionPool:
        """The pool for `crawl.extraction_workers` on this machine (`workers_for`)."""
        return cls(workers_for(extraction_workers), min(extraction_workers, usable_cores()))

    def begin(self, **_signal: Any) -> None:
        """Spawn the workers; the first page checks them (`_check`). `newswatch crawl` calls
        this before it imports Scrapy (the worker's imports overlap its own); it is also
        connected to spider_opened, for a pool whose caller did not (once either way)."""
        if self.started or self.workers <= 0:
            return
        self.started = True
        try:
            self.channels = [_new_channel() for _ in range(self.workers)]
        except Exception as exc:  # OSError: no processes left, for one
            self.fall_back(exc)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; a page in flight when its worker died is extracted
        again by the replacement. BrokenProcessPool when that happened TRIES_PER_PAGE times."""
        self.begin()
        if self.channels and not (self.probe and self.probe.done()):
            await self._check()
        for attempt in range(1, TRIES_PER_PAGE + 1):
            channel = self._channel()
            if channel is None:
                return function(*args)
            try:
                return await channel.submit(function, args)
            except BrokenProcessPool:
                self.replace(channel)
                if attempt == TRIES_PER_PAGE:
                    raise BrokenProcessPool(
                        f"an extraction worker died {attempt} times while this page was in"
                        " flight (the page may kill it)"
                    ) from None
        raise AssertionError("unreachable")

    def _channel(self) -> Channel | None:
        """The least busy worker, after replacing the dead (here, when a page needs one:
        none is spawned for a crawl that has no page left); None: extract here."""
        if self.workers <= 0:
            return None
        try:
            while len(self.channels) < self.workers:
                self.channels.append(_new_channel())
        except Exception as exc:  # OSError: no processes left, for one
            self.fall_back(exc)
            return None
        self._grow()
        return min(self.channels, key=Channel.load)

    def _grow(self) -> None:
        """One more worker, up to `most`, when pages wait for the workers while a core
        idles (crawler.growth); looked at every LOOK_SECONDS."""
        now = time.monotonic()
        if self.workers >= self.most or now - self.looked < LOOK_SECONDS:
            return
        self.looked, first = now, self.meter is None
        self.meter = self.meter or IdleMeter()
        idle = None if first else self.meter.idle_cores()
        waiting = sum(c.load() for c in self.channels) / len(self.channels)
        if idle is None or not should_grow(waiting, idle):
            return
        try:
            self.channels.append(_new_channel())
        except Exception as exc:  # the workers it has go on; it stops trying
            log.warning("could not add an extraction worker: %s", exc)
            self.most = self.workers
            return
        self.workers += 1
        log.info("extraction is the bottleneck (%.0f pages waiting per worker, %.1f cores"
                 " idle): %d workers now", waiting, idle, self.workers)  # fmt: skip

    async def _check(self) -> None:
        """Every worker has said it started before the first page goes to them (it says so
        unasked, once it has imported the extraction); when one cannot, extraction runs in
        the crawl process, with one warning."""
        if self.probe is None:
            self.probe = asyncio.ensure_future(self._probe())
        await asyncio.shield(self.probe)

    async def _probe(self) -> None:
        checks = [channel.start_answer() for channel in self.channels]
        try:
            await asyncio.wait_for(asyncio.gather(*checks), START_SECONDS)
        except Exception as exc:  # BrokenProcessPool, TimeoutError
            self.fall_back(exc)

    def fall_back(self, error: BaseException) -> None:
        why = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        log.warning("extraction workers could not start (%s); extracting in the crawl process",
                    why)  # fmt: skip
        self.workers = 0
        self.shutdown(wait=False)

    def replace(self, broken: Channel) -> None:
        """A new worker for a dead one (once, whichever page noticed first; spawned for the
        next page, `_channel`); none after MAX_REPLACEMENTS, when extraction moves into the
        crawl process."""
        if broken not in self.channels:
            return  # already replaced
        self.channels.remove(broken)
        broken.close(wait=False)
        self.replacements += 1
        if self.replacements > MAX_REPLACEMENTS:
            self.workers = 0
            self.shutdown(wait=False)
            log.warning("extraction workers died %d times; extracting in the crawl process",
                        self.replacements)  # fmt: skip
            return
        log.warning("an extraction worker died; started a new one, and the pages in flight are"
                    " extracted again")  # fmt: skip

    def shutdown(self, wait: bool = True) -> None:
        """The workers end (their pipe closes); with `wait`, once they have exited."""
        channels, self.channels = self.channels, []
        for channel in channels:
            channel.close(wait=wait)


def workers_for(configured: int) -> int:
    """The pool's size: `configured` (crawl.extraction_workers), but at most one fewer than
    the usable cores, and at least one: the crawl process keeps a core for its reactor and
    its writer thread, so on two cores one worker. 0 stays 0 (extract in the crawl)."""
    if configured <= 0:
        return 0
    return min(configured, max(1, usable_cores() - 1))


def usable_cores() -> int:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return usable or 1


def _new_channel() -> Channel:
    # Spawned workers run `python -c ...`, which would put the current folder first on
    # sys.path: an operator.py or pickle.py there would replace the standard library's.
    # PYTHONSAFEPATH keeps it off; workers are spawned on demand, so it stays set for this
    # (crawl) process, whose only children are workers.
    os.environ["PYTHONSAFEPATH"] = "1"
    # spawn: workers are not forked from a process running a reactor and threads, and they
    # are the crawl's own children (a forkserver would outlive a crawl killed with -9).
    return Channel.spawn(multiprocessing.get_context("spawn"), serve, os.getpid())
