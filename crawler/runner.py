"""One crawl of some sources, in this process (Scrapy's reactor runs once per process)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import CrawlerProcess

import db
from crawler.settings import scrapy_settings
from crawler.spider import NewsSpider
from crawler.workers import extraction_pool
from newswatch.clock import utc_now
from newswatch.config import Config, Source

# Scrapy logs every failed robots.txt fetch with a traceback, and every given-up retry.
_NETWORK_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")


def crawl_sources(
    config: Config, sources: tuple[Source, ...], log_level: str, progress: bool = False
) -> list[int]:
    """Crawl `sources` concurrently; returns the ids of their crawl_runs rows.

    `progress`: show pages and new articles per source on stderr (crawler.progress).
    """
    if not sources:
        return []
    archive = db.open_db(config.database)  # migrate once, before the crawlers race to
    for source in sources:  # the caller holds the source's lock: a 'running' run is dead
        db.close_stale_runs(archive, utc_now(), source.name, "the crawl process died")
    archive.close()
    settings = scrapy_settings(config, log_level)
    settings["NEWSWATCH_PROGRESS"] = progress
    process = CrawlerProcess(settings)
    if log_level == "WARNING":  # without -v: network failures are in the summary already
        for name in _NETWORK_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    pool = extraction_pool(config.crawl.extraction_workers)
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append(crawler)
        process.crawl(crawler, source=source, pool=pool)
    try:
        process.start()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return [getattr(c.spider, "run_id", 0) for c in crawlers if c.spider is not None]


def run_rows(config: Config, run_ids: list[int]) -> list[dict[str, Any]]:
    archive = db.open_db(config.database)
    try:
        return db.runs_by_id(archive, run_ids)
    finally:
        archive.close()
