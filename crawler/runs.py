"""RunRecorder: a Scrapy extension that writes one crawl_runs row per source per crawl."""

from __future__ import annotations

import json
from typing import Any

from scrapy import signals

import db
from newswatch.clock import utc_now

_PREFIX = "newswatch/"


class RunRecorder:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.run_id = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunRecorder:
        recorder = cls(crawler)
        crawler.signals.connect(recorder.opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.closed, signal=signals.spider_closed)
        return recorder

    def opened(self, spider: Any) -> None:
        self.db = db.open_db(self.crawler.settings["NEWSWATCH_DATABASE"])
        self.run_id = db.start_run(self.db, spider.source.name, utc_now())
        spider.run_id = self.run_id

    def closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        errors = {
            key[len(_PREFIX) + 7 :]: value
            for key, value in stats.items()
            if key.startswith(_PREFIX + "errors/")
        }
        pages = stats.get("response_received_count", 0)
        status = "ok" if not errors else ("partial" if pages else "failed")
        if reason != "finished":
            status = "interrupted" if reason == "shutdown" else "failed"
        counters = ("new_articles", "duplicates", "undated", "no_body", "links_found")
        values = (
            {key: stats.get(_PREFIX + key, 0) for key in counters}
            | {
                "finished_at": utc_now(),
                "status": status,
                "pages": pages,
                "requests": stats.get("downloader/request_count", 0),
                "blocked": sum(v for k, v in stats.items() if k.startswith(_PREFIX + "blocked/")),
                "errors": errors,
                "last_error": stats.get(_PREFIX + "last_error", ""),
            }
            | _selector_values(stats)
        )
        db.finish_run(self.db, self.run_id, values)
        self.db.close()


def _selector_values(stats: dict[str, Any]) -> dict[str, Any]:
    """How the configured selectors fared (crawler.spider.NewsSpider.note_selectors)."""
    missed = _PREFIX + "selector_missed/"
    return {
        "selector_articles": stats.get(_PREFIX + "selector_articles", 0),
        "selector_errors": stats.get(_PREFIX + "selector_errors", 0),
        "selector_missed": json.dumps(
            {k[len(missed) :]: v for k, v in stats.items() if k.startswith(missed)},
            sort_keys=True,
        ),
        "selector_last_error": stats.get(_PREFIX + "selector_last_error", ""),
    }
