"""The extraction workers: processes beside the crawl that cannot be hijacked, are checked
before the crawl starts, and are replaced when one dies; the crawl process extracts when
none can run.

Scrapy's downloads share one thread with everything else in the crawl process, so the CPU
work on each article page runs in these workers (crawler.workers) and the reactor keeps the
network busy.
"""

from __future__ import annotations

import asyncio
import concurrent.futures.process as pool_module
import fcntl
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from crawler.workers import exit_with_crawl, ready

log = logging.getLogger(__name__)
T = TypeVar("T")

START_SECONDS = 60.0  # a spawned worker imports lxml and trafilatura; slow under load
TRIES_PER_PAGE = 2  # a page in flight when two workers died is failed, not tried a third time
MAX_REPLACEMENTS = 3  # after that, workers keep dying: extract in the crawl process
QUEUED_PAGES = 16  # pages queued for the workers, in a pipe that holds them (about 0.4 MB)
PIPE_BYTES = 1 << 20  # Linux's limit for a pipe's buffer without privileges (pipe-max-size)


class ExtractionPool:
    """Runs a function in a worker process, or in this process when there are no workers."""

    def __init__(self, executor: ProcessPoolExecutor | None, workers: int) -> None:
        self.executor = executor
        self.workers = workers
        self.replacements = 0
        self.probe: Future[bool] | None = None
        self.started = False

    @classmethod
    def start(cls, workers: int) -> ExtractionPool:
        """A pool of `workers` processes (0: extract in the crawl process, by choice). Its
        processes start when the crawl does (`begin`)."""
        pool = cls(None, workers)
        if workers > 0:
            try:
                pool.executor = _new_executor(workers)
            except Exception as exc:  # OSError: no working semaphores here, for one
                pool.fall_back(exc)
        return pool

    def begin(self, **_signal: Any) -> None:
        """Start the workers with a trivial task that checks them while the crawl starts
        (the first article page waits for its answer); when they cannot start, extraction
        runs in the crawl process, with one warning. `newswatch crawl` calls it before it
        imports Scrapy (the worker's imports overlap its own); it is also connected to
        spider_opened, for a pool whose caller did not (once either way)."""
        if self.executor is None or self.probe is not None or self.started:
            return
        self.started = True
        try:
            self.probe = self.executor.submit(ready)
        except Exception as exc:
            self.fall_back(exc)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; a page in flight when its worker died is extracted
        again by the replacement. BrokenProcessPool when that happened TRIES_PER_PAGE times."""
        self.begin()
        if self.probe is not None:
            await self._check(self.probe)
        for attempt in range(1, TRIES_PER_PAGE + 1):
            executor = self.executor
            if executor is None:
                return function(*args)
            try:
                return await asyncio.wrap_future(executor.submit(function, *args))
            except BrokenProcessPool:
                self.replace(executor)
                if attempt == TRIES_PER_PAGE:
                    raise BrokenProcessPool(
                        f"an extraction worker died {attempt} times while this page was in"
                        " flight (the page may kill it)"
                    ) from None
        raise AssertionError("unreachable")

    async def _check(self, probe: Future[bool]) -> None:
        try:
            await asyncio.wait_for(asyncio.wrap_future(probe), START_SECONDS)
        except Exception as exc:  # BrokenProcessPool, TimeoutError
            if self.probe is probe:  # the first page to find out says so, once
                self.fall_back(exc)
        self.probe = None

    def fall_back(self, error: BaseException) -> None:
        why = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        log.warning("extraction workers could not start (%s); extracting in the crawl process",
                    why)  # fmt: skip
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor, self.probe = None, None

    def replace(self, broken: ProcessPoolExecutor) -> None:
        """A new pool for a broken one (once, whichever page noticed first); none after
        MAX_REPLACEMENTS, when extraction moves into the crawl process."""
        if self.executor is not broken:
            return  # already replaced
        broken.shutdown(wait=False, cancel_futures=True)
        self.replacements += 1
        if self.replacements > MAX_REPLACEMENTS:
            self.executor = None
            log.warning("extraction workers died %d times; extracting in the crawl process",
                        self.replacements)  # fmt: skip
            return
        log.warning("an extraction worker died; started a new one, and the pages in flight are"
                    " extracted again")  # fmt: skip
        self.executor = _new_executor(self.workers)

    def shutdown(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


def workers_for(configured: int) -> int:
    """The pool's size: `configured` (crawl.extraction_workers), but at most one fewer than
    the usable cores, and at least one: the crawl process keeps a core for its reactor and
    its writer thread, so on two cores one worker. 0 stays 0 (extract in the crawl)."""
    if configured <= 0:
        return 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(configured, max(1, (usable or 1) - 1))


def _new_executor(workers: int) -> ProcessPoolExecutor:
    # Spawned workers run `python -c ...`, which would put the current folder first on
    # sys.path: an operator.py or pickle.py there would replace the standard library's.
    # PYTHONSAFEPATH keeps it off; workers are spawned on demand, so it stays set for this
    # (crawl) process, whose only children are workers.
    os.environ["PYTHONSAFEPATH"] = "1"
    # spawn: workers are not forked from a process running a reactor and threads, and they
    # are the crawl's own children (a forkserver would outlive a crawl killed with -9).
    context = multiprocessing.get_context("spawn")
    deep = _pipe_can_hold(PIPE_BYTES)
    # ProcessPoolExecutor queues its workers + EXTRA_QUEUED_CALLS (1) tasks, refilled by two
    # threads of this process that need the GIL the reactor holds: a worker then waited for
    # pages (2 s of a 6 s crawl, py-spy --idle). A deeper queue needs a pipe that holds it
    # (a 64 KB pipe holds 3 pages); the constant is read once, by the constructor.
    extra = pool_module.EXTRA_QUEUED_CALLS
    pool_module.EXTRA_QUEUED_CALLS = QUEUED_PAGES if deep else extra
    try:
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=exit_with_crawl,
            initargs=(os.getpid(),),
        )
    finally:
        pool_module.EXTRA_QUEUED_CALLS = extra
    if deep:
        _enlarge_pipes(executor)
    return executor


def _pipe_can_hold(size: int) -> bool:
    """Whether this system lets a pipe's buffer grow to `size` (Linux; not beyond the
    limit /proc/sys/fs/pipe-max-size, nor the user's quota)."""
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        return False
    read, write = os.pipe()
    try:
        return fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, size) >= size
    except OSError:
        return False
    finally:
        os.close(read)
        os.close(write)


def _enlarge_pipes(executor: ProcessPoolExecutor) -> None:
    """The pipes to and from the workers, grown to hold QUEUED_PAGES pages: the threads that
    fill them write without waiting for the reactor to let go of the GIL."""
    for queue in (executor._call_queue, executor._result_queue):  # type: ignore[attr-defined]
        try:
            fcntl.fcntl(queue._writer.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (AttributeError, OSError) as exc:  # another Python's internals: slower only
            log.debug("could not enlarge the extraction pipes: %s", exc)
