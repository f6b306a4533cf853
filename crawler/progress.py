"""How `newswatch crawl` shows itself: live progress per source, then the summary table.

`Progress` is a Scrapy extension, enabled by the NEWSWATCH_PROGRESS setting (the interactive
`crawl` sets it; the service's crawls do not). Every crawler of the process reports to one
board, which writes to stderr: on a terminal one line rewritten with `\\r` every second, else
a plain line at most every 5 seconds (so a crawl of a few seconds prints none).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from newswatch.config import Config

TICK_SECONDS = 1.0
PLAIN_EVERY_SECONDS = 5.0


class Board:
    """The progress of every source crawled by this process, rendered as one line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.crawlers: dict[str, Any] = {}  # source -> its crawler (for its live stats)
        self.done: set[str] = set()
        self.loop: task.LoopingCall | None = None
        self.last_plain = time.monotonic()
        self.shown = False

    def add(self, source: str, crawler: Any) -> None:
        self.crawlers[source] = crawler
        self.done.discard(source)
        if self.loop is None:
            self.last_plain = time.monotonic()
            self.loop = task.LoopingCall(self.tick)
            self.loop.start(TICK_SECONDS, now=False)

    def finish(self, source: str) -> None:
        self.done.add(source)
        if not self.done >= set(self.crawlers):
            return
        if self.loop is not None:
            self.loop.stop()
            self.loop = None
        if self.tty and self.shown:
            self.write("\r\x1b[K")  # the summary table takes over
            self.shown = False

    def line(self) -> str:
        parts = []
        for source, crawler in sorted(self.crawlers.items()):
            pages = crawler.stats.get_value("response_received_count", 0)
            new = crawler.stats.get_value("newswatch/new_articles", 0)
            state = " done" if source in self.done else ""
            parts.append(f"{source} {pages} pages, {new} new{state}")
        return "crawling: " + "; ".join(parts)

    def tick(self) -> None:
        if self.tty:
            self.write("\r" + self.line()[:200] + "\x1b[K")
        elif time.monotonic() - self.last_plain >= PLAIN_EVERY_SECONDS:
            self.last_plain = time.monotonic()
            self.write(self.line() + "\n")

    def write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
            self.shown = True
        except (OSError, ValueError):  # a closed pipe must not break the crawl
            pass


_BOARD: Board | None = None


def board() -> Board:
    """The one board of this process (Scrapy builds one extension per crawler)."""
    global _BOARD
    if _BOARD is None:
        _BOARD = Board()
    return _BOARD


class Progress:
    """Scrapy extension: reports its crawler's pages and new articles to the board."""

    def __init__(self, crawler: Any, shared: Board) -> None:
        self.crawler = crawler
        self.board = shared

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("NEWSWATCH_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler, board())
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        self.board.add(spider.source.name, self.crawler)

    def closed(self, spider: Any, reason: str) -> None:
        self.board.finish(spider.source.name)


# -- the summary at the end of `newswatch crawl` ------------------------------------------------


def alerts_by_source(archive: Any, config: Config, after: int) -> dict[str, int]:
    """Per source: the alerts (rule and story) just queued because of its articles newer
    than article id `after`. Digest rules are left out: they alert on their own schedule."""
    from db import alerts as store

    rules = [r.name for r in config.alerts.rules if r.digest is None]
    new: dict[int, tuple[str, int]] = {}  # article id -> (source, story id)
    cursor = after
    while batch := store.articles_after(archive, cursor, limit=5000):
        new.update((a["id"], (a["source"], a["story_id"])) for a in batch)
        cursor = batch[-1]["id"]
    stories = {story for _, story in new.values()}
    counts: Counter[str] = Counter()
    for rule in rules if stories else []:
        for article in store.matched_article(archive, rule, stories).values():
            if article in new:
                counts[new[article][0]] += 1
    return dict(counts)


def print_summary(runs: Iterable[dict[str, Any]], alerts: dict[str, int]) -> None:
    """The closing table: one row per source, with the alerts its new articles raised."""
    import click

    from newswatch.report import error_summary, print_table, selector_summary

    runs = list(runs)

    rows = [("source", "result", "pages", "new", "duplicates", "undated", "errors", "alerts")]
    for run in runs:
        rows.append((
            run["source"], run["status"], str(run["pages"]), str(run["new_articles"]),
            str(run["duplicates"]), str(run["undated"]), error_summary(run["errors"]),
            str(alerts.get(run["source"], 0)),
        ))  # fmt: skip
    print_table(rows)
    for run in runs:
        for line in selector_summary(run):
            click.echo(line)
