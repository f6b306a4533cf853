"""Scrapy settings for one newswatch crawl, built from the typed config."""

from __future__ import annotations

from typing import Any

from scrapy.settings import default_settings

from newswatch.config import Config

# Scrapy's own extensions but RemoteControl (see REMOTE_CONTROL_ENABLED): set to None in
# EXTENSIONS, as Scrapy's docs say, it is still imported (Scrapy loads every key it is given
# there), and with it aiohttp: 0.1 s and 10 MB of every crawl process.
_EXTENSIONS_BASE = {
    name: order
    for name, order in default_settings.EXTENSIONS_BASE.items()
    if name != "scrapy.extensions.remote_control.RemoteControl"
}

# Normalization ran in the extraction worker (crawler.prepare); deduplication and storage
# run on the writer thread (crawler.writer), which ArchivePipeline awaits.
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.ArchivePipeline": 300,
}


def scrapy_settings(config: Config, log_level: str = "WARNING") -> dict[str, Any]:
    crawl = config.crawl
    return {
        "BOT_NAME": "newswatch",
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots_txt,
        "CONCURRENT_REQUESTS": 16,
        # Responses waiting for the extraction worker or the writer's batch: Scrapy stops
        # taking requests past this many bytes of them (5 MB by default: 240 pages of 21 KB
        # held, each also pickled for the worker, for nothing but memory).
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 2_000_000,
        "CONCURRENT_ITEMS": 8,  # one item per article page: 100 idle item tasks cost CPU
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_domain),
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19's RemoteControl: an HTTP server that runs Python code sent to it, with
        # its token in a file under ~/.local/state/scrapy (left there by a crawl killed with
        # -9). An unattended crawler has no use for it. Left out of _EXTENSIONS_BASE, it is
        # not even loaded; this keeps it off should Scrapy load it another way.
        "REMOTE_CONTROL_ENABLED": False,
        "REDIRECT_MAX_TIMES": 5,
        "DNS_TIMEOUT": min(crawl.timeout, 20),
        "ITEM_PIPELINES": ITEM_PIPELINES,
        # RetryAfterMiddleware acts on the response_downloaded signal (see its docstring).
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.DomainGuardMiddleware": 40,  # before robots.txt is fetched
            "crawler.middlewares.RetryAfterMiddleware": 560,
            # After the HTTP cache (900): an answer from the cache takes no request slot.
            "crawler.budget.RequestBudget": 950,
        },
        "EXTENSIONS_BASE": _EXTENSIONS_BASE,
        "EXTENSIONS": {
            "crawler.outcomes.Outcomes": 400,
            "crawler.runs.RunRecorder": 500,
            "crawler.batchreport.SourceDone": 510,  # after the run row is written
            "crawler.progress.Progress": 600,
        },
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": True,
        # List pages, feeds and sitemaps are revalidated (ETag / Last-Modified -> 304) on the
        # next crawl; article pages are never cached (they are never fetched twice).
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "HTTPCACHE_DIR": str(config.database.parent / f".{config.database.name}.httpcache"),
        "NEWSWATCH_DATABASE": str(config.database),
        "NEWSWATCH_MAX_ATTEMPTS": crawl.max_attempts,
    }
