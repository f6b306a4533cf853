"""One crawl of some sources, in this process (Scrapy's reactor runs once per process)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess

import db
from crawler.pool import ExtractionPool, workers_for
from crawler.settings import scrapy_settings
from crawler.spider import NewsSpider
from crawler.timelimit import HARD_GRACE, HardDeadline
from newswatch.clock import utc_now
from newswatch.config import Config, Source

# Scrapy logs every failed robots.txt fetch with a traceback, and every given-up retry.
_NETWORK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


def crawl_sources(
    config: Config,
    sources: tuple[Source, ...],
    log_level: str,
    progress: bool = False,
    parent: int = 0,
) -> list[int]:
    """Crawl `sources` concurrently; returns the ids of their crawl_runs rows.

    Each source stops at crawl.time_limit; the process ends itself some time after that,
    or within seconds of losing `parent` (the service, for its children): crawler.timelimit.
    `progress`: show pages and new articles per source on stderr (crawler.progress).
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
    pool = ExtractionPool.start(workers_for(config.crawl.extraction_workers))
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append(crawler)
        crawler.signals.connect(pool.begin, signal=signals.spider_opened)
        process.crawl(crawler, source=source, pool=pool)

    def expire(reason: str) -> None:
        _end_open_runs(config, _run_ids(crawlers), reason)

    deadline = HardDeadline(config.crawl.time_limit + HARD_GRACE, expire, parent).start()
    try:
        process.start()
    finally:
        pool.shutdown()
        deadline.cancel()
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


def _end_open_runs(config: Config, run_ids: list[int], reason: str) -> None:
    """The process is about to end: its runs still open timed out (best effort, quick)."""
    try:
        archive = db.open_db(config.database)
        archive.execute("PRAGMA busy_timeout = 5000")
        db.end_open_runs(archive, run_ids, "timeout", reason, utc_now())
        archive.close()
    except Exception as exc:  # the next crawl of each source closes them instead
        logging.getLogger(__name__).warning("could not record the timeout: %s", exc)


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
    archive = db.open_db(config.database)  # migrate once, before the crawlers race to
    try:
        for source in sources:
            db.close_stale_runs(archive, utc_now(), source.name, "the crawl process died")
    except sqlite3.Error as exc:
        if not db.archive_unwritable(exc):
            raise
        raise ArchiveUnwritable([], f"{db.unwritable_reason(exc)}: nothing was crawled") from None
    finally:
        archive.close()


def run_rows(config: Config, run_ids: list[int]) -> list[dict[str, Any]]:
    archive = db.open_db(config.database)
    try:
        return db.runs_by_id(archive, run_ids)
    finally:
        archive.close()
