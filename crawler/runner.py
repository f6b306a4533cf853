"""One crawl of some sources, in this process (Scrapy's reactor runs once per process)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess

import db
from crawler.budget import budget
from crawler.pool import ExtractionPool
from crawler.settings import scrapy_settings
from crawler.spider import NewsSpider
from crawler.timelimit import HARD_GRACE, HardDeadline
from newswatch.clock import utc_now
from newswatch.config import Config, Source

# Scrapy logs every failed robots.txt fetch with a traceback, and every given-up retry.
_NETWORK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


@dataclass(frozen=True)
class Batch:
    """What a service batch adds to a crawl: per source when it was due (for its run row),
    `on_done(name, run)` called as each source's spider closes (crawler.batchreport), and a
    limit on the requests in flight over all the batch's crawlers (crawler.budget)."""

    due: dict[str, str]
    on_done: Callable[[str, dict[str, Any]], None]
    max_requests: int


def crawl_sources(
    config: Config,
    sources: tuple[Source, ...],
    log_level: str,
    progress: bool = False,
    parent: int = 0,
    batch: Batch | None = None,
    pool: ExtractionPool | None = None,
) -> list[int]:
    """Crawl `sources` concurrently; returns the ids of their crawl_runs rows.

    Each source stops at crawl.time_limit (its own spider closes; the others go on); the
    process ends itself some time after that, or within seconds of losing `parent` (the
    service, for its children): crawler.timelimit. `progress`: show pages and new articles
    per source on stderr (crawler.progress). `pool`: extraction workers started by the
    caller (shut down here when the crawl ends), else started here.
    """
    if not sources:
        return []
    _close_stale_runs(config, sources)
    settings = with_time_limit(scrapy_settings(config, log_level), config.crawl.time_limit)
    settings["NEWSWATCH_PROGRESS"] = progress
    process = CrawlerProcess(settings)
    if log_level == "WARNING":  # without -v: network failures are in the summary already
        for name in _NETWORK_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    pool = pool or ExtractionPool.configured(config.crawl.extraction_workers)
    slots = budget(batch.max_requests) if batch else None
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append(crawler)
        crawler.signals.connect(pool.begin, signal=signals.spider_opened)
        if batch is not None:
            crawler.newswatch_due = batch.due.get(source.name, "")
            crawler.newswatch_done = batch.on_done
            crawler.newswatch_budget = slots
        process.crawl(crawler, source=source, pool=pool)

    def expire(reason: str) -> None:
        _end_open_runs(config, crawlers, sources, reason, batch.due if batch else {})

    deadline = HardDeadline(config.crawl.time_limit + HARD_GRACE, expire, parent).start()
    try:
        process.start()
    finally:
        pool.shutdown(wait=False)  # the workers exit on their own; the matching goes on
        deadline.cancel()
    # A forced stop (a second SIGTERM or Ctrl-C; a service killed with -9 may send its
    # orphans several) ends the reactor before the spiders close: no run is left 'running'.
    _end_open_runs(config, crawlers, (), "stopped before its crawl could close", {},
                   "interrupted")  # fmt: skip
    _raise_if_stopped(crawlers)
    return _run_ids(crawlers)


def with_time_limit(settings: dict[str, Any], limit: float) -> dict[str, Any]:
    """Scrapy closes each spider at `limit` (reason closespider_timeout: run `timeout`)."""
    middlewares = settings["DOWNLOADER_MIDDLEWARES"]
    # Before DownloadTimeoutMiddleware (350), which only sets a timeout where none is.
    middlewares = {**middlewares, "crawler.timelimit.TimeLimitMiddleware": 345}
    return settings | {"CLOSESPIDER_TIMEOUT": limit, "DOWNLOADER_MIDDLEWARES": middlewares}


def _run_ids(crawlers: list[Any]) -> list[int]:
    return [c.spider.run_id for c in crawlers if getattr(c.spider, "run_id", 0)]


def _end_open_runs(config: Config, crawlers: list[Any], sources: tuple[Source, ...],
                   reason: str, due: dict[str, str], status: str = "timeout") -> None:  # fmt: skip
    """The process is about to end: its runs still open end as `status`, and a source of
    `sources` whose run had not begun gets such a row saying why (best effort, quick)."""
    opened = {c.spider.source.name for c in crawlers if getattr(c.spider, "run_id", 0)}
    unopened = [s.name for s in sources if s.name not in opened]
    # A closed spider's run is recorded (RunRecorder keeps its values in the stats).
    still_open = [c.spider.run_id for c in crawlers if getattr(c.spider, "run_id", 0)
                  and not c.stats.get_value("newswatch/run")]  # fmt: skip
    if not still_open and not unopened:
        return
    try:
        archive = db.open_db(config.database, lean=True)
        db.wait_for_locks(archive, 5000)
        now = utc_now()
        db.end_open_runs(archive, still_open, status, reason, now)
        db.record_unstarted_runs(archive, unopened, status, reason, now, due)
        archive.close()
    except Exception as exc:  # the next crawl of each source closes them instead
        logging.getLogger(__name__).warning("could not record the %s: %s", status, exc)


class ArchiveUnwritable(Exception):
    """The archive refused a write (disk full, read-only): the crawl stopped. `runs`: the
    stopped runs' crawl_runs values (their rows may not have been written)."""

    def __init__(self, runs: list[dict[str, Any]], message: str) -> None:
        super().__init__(message)
        self.runs = runs


def _raise_if_stopped(crawlers: list[Any]) -> None:
    """ArchiveUnwritable, saying what it cost, when the archive stopped a crawler."""
    stopped = [c for c in crawlers if c.stats.get_value("newswatch/unwritable")]
    if not stopped:
        return
    cause = stopped[0].stats.get_value("newswatch/unwritable")
    lost = sum(c.stats.get_value("newswatch/not_stored", 0) for c in stopped)
    runs = [c.stats.get_value("newswatch/run") for c in crawlers]
    raise ArchiveUnwritable(
        [run for run in runs if run],
        f"{cause}: {lost} articles not stored; they will be fetched on the next crawl",
    )


def _close_stale_runs(config: Config, sources: tuple[Source, ...]) -> None:
    """The caller holds the sources' locks: a 'running' run of theirs is a dead crawl's."""
    archive = db.open_db(config.database, lean=True)  # migrate once, before the crawlers race to
    try:
        for source in sources:
            db.close_stale_runs(archive, utc_now(), source.name, "the crawl process died")
    except db.DatabaseError as exc:
        if not db.archive_unwritable(exc):
            raise
        raise ArchiveUnwritable([], f"{db.unwritable_reason(exc)}: nothing was crawled") from None
    finally:
        archive.close()


def run_rows(config: Config, run_ids: list[int]) -> list[dict[str, Any]]:
    archive = db.open_db(config.database, lean=True)
    try:
        return db.runs_by_id(archive, run_ids)
    finally:
        archive.close()
