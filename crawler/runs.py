"""RunRecorder: a Scrapy extension that writes one crawl_runs row per source per crawl."""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy import signals

import db
from crawler import outcomes
from newswatch.clock import utc_now

log = logging.getLogger(__name__)

_PREFIX = outcomes.PREFIX
_COUNTERS = ("undated", "no_body", "links_found")


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
        self.db = db.open_db(self.crawler.settings["NEWSWATCH_DATABASE"], lean=True)
        due = getattr(self.crawler, "newswatch_due", "")  # set by a service batch
        self.run_id = db.start_run(self.db, spider.source.name, utc_now(), due)
        spider.run_id = self.run_id

    def closed(self, spider: Any, reason: str) -> None:
        values = run_values(self.crawler.stats.get_stats(), reason)
        # for the crawl's own report, should the row not be written
        self.crawler.stats.set_value(_PREFIX + "run", values | {"source": spider.source.name})
        if outcomes.unaccounted(values):
            log.error("%s: %d article pages unaccounted for (a bug): %s", spider.source.name,
                      outcomes.unaccounted(values), values)  # fmt: skip
        try:
            db.finish_run(self.db, self.run_id, values)
        except db.DatabaseError as exc:
            if not db.archive_unwritable(exc):
                raise
            # The crawl reports it (crawler.runner); the next crawl closes this run as failed.
            log.info("could not record the end of run %d: %s", self.run_id, exc)
        finally:
            self.db.close()


def run_values(stats: dict[str, Any], reason: str) -> dict[str, Any]:
    """A finished run's crawl_runs columns, from its crawler's stats."""
    errors = {
        key[len(_PREFIX) + 7 :]: value
        for key, value in stats.items()
        if key.startswith(_PREFIX + "errors/")
    }
    values = outcomes.totals(stats) | {key: stats.get(_PREFIX + key, 0) for key in _COUNTERS}
    values |= {
        "finished_at": utc_now(),
        "pages": stats.get("response_received_count", 0),
        "requests": stats.get("downloader/request_count", 0),
        "blocked": sum(v for k, v in stats.items() if k.startswith(_PREFIX + "blocked/")),
        "errors": errors,
        "last_error": stats.get(_PREFIX + "last_error", ""),
    } | _selector_values(stats)
    status, why = judge(values, reason, stats)
    return values | {"status": status, "last_error": why or values["last_error"]}


def judge(values: dict[str, Any], reason: str, stats: dict[str, Any]) -> tuple[str, str]:
    """(status, the reason to show first, if any). A run that did not do its job is never ok."""
    if reason == "archive_unwritable":
        lost = stats.get(_PREFIX + "not_stored", 0)
        cause = stats.get(_PREFIX + "unwritable", "the archive could not be written")
        return "failed", (f"{cause}: {lost} articles not stored;"
                          " they will be fetched on the next crawl")  # fmt: skip
    if reason == "closespider_timeout":  # crawl.time_limit (crawler.timelimit)
        limit = stats.get(_PREFIX + "time_limit", 0)
        return "timeout", f"time limit of {limit:.0f} s reached"
    if reason != "finished":
        return ("interrupted" if reason == "shutdown" else "failed"), ""
    fetched = values["article_pages"]
    if fetched and not values["new_articles"] + values["duplicates"]:
        return "failed", f"{fetched} article pages fetched, none stored: {why_none(values)}"
    if values["errors"] or values["failed"]:
        return ("partial" if values["pages"] else "failed"), ""
    return "ok", ""


def why_none(values: dict[str, Any]) -> str:
    """What became of the pages of a run that stored nothing, most common first."""
    parts = [(n, f"{n} failed ({kind})") for kind, n in values["failed_kinds"].items()]
    parts += [(n, f"{n} not articles ({why})") for why, n in values["not_article_kinds"].items()]
    described = ", ".join(text for _, text in sorted(parts, key=lambda p: -p[0]))
    last = f"; last: {values['last_error']}" if values["failed"] and values["last_error"] else ""
    return (described or "unaccounted") + last


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
