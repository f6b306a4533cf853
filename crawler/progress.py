"""How `newswatch crawl` shows itself: live progress per source, then the summary table.

`Progress` is a Scrapy extension, enabled by the NEWSWATCH_PROGRESS setting (the interactive
`crawl` sets it; the service's crawls do not). Every crawler of the process reports to one
board, which writes to stderr: on a terminal one line rewritten with `\\r` every second, else
a plain line at most every 5 seconds (so a crawl of a few seconds prints none).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

import click
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


def failures_by_source(archive: Any, runs: Iterable[dict[str, Any]]) -> dict[str, list[Any]]:
    """Per source: the pages its run could not store (newest first, a few), to name them."""
    import db

    return {r["source"]: db.failures_since(archive, r["source"], r["started_at"]) for r in runs}


def print_summary(
    runs: Iterable[dict[str, Any]],
    alerts: dict[str, int],
    failures: dict[str, list[dict[str, Any]]] | None = None,
) -> None:
    """The closing table: one row per source, with what became of its article pages and the
    alerts its new articles raised; then, per source, why a run failed and what failed."""
    from newswatch.report import error_summary, print_table

    runs = list(runs)
    rows = [("source", "result", "pages", "articles", "new", "duplicates", "not articles",
             "failed", "undated", "errors", "alerts")]  # fmt: skip
    for run in runs:
        rows.append((
            run["source"], run["status"], str(run["pages"]), str(run.get("article_pages", 0)),
            str(run["new_articles"]), str(run["duplicates"]), str(run.get("not_articles", 0)),
            str(run.get("failed", 0)), str(run["undated"]), error_summary(run["errors"]),
            str(alerts.get(run["source"], 0)),
        ))  # fmt: skip
    print_table(rows)
    for run in runs:
        for line in run_notes(run, (failures or {}).get(run["source"], [])):
            click.echo(line)


def run_notes(run: dict[str, Any], failed: list[dict[str, Any]]) -> list[str]:
    """Lines under the table: why a run failed, what its pages that were no articles were,
    and the pages that failed, each named (they are fetched again on the next crawl)."""
    source, notes = run["source"], []
    if run["status"] == "failed" and run.get("last_error"):
        notes.append(f"{source} failed: {run['last_error']}")
    kinds = _kinds(run.get("not_article_kinds"))
    if kinds:
        notes.append(f"{source}: not articles: {kinds}")
    for row in failed:
        if row["kind"] in kinds:  # named above
            continue
        again = "not retried" if row["permanent"] else "fetched again on the next crawl"
        message = f": {row['message']}" if row.get("message") else ""
        notes.append(f"{source}: failed: {row['url']}: {row['kind']}{message} ({again})")
    return notes


def _kinds(raw: Any) -> str:
    kinds = json.loads(raw) if isinstance(raw, str) else (raw or {})
    return ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))


def print_stopped(runs: list[dict[str, Any]], why: str, as_json: bool = False) -> None:
    """A crawl the archive stopped (disk full): the runs as far as they got, then one line
    on stderr saying why and what it cost."""
    from newswatch.report import run_summary

    shown = [r | {"errors": json.dumps(r["errors"]), "source": r.get("source", "?")} for r in runs]
    if as_json:  # as the service reads it (newswatch.crawling)
        click.echo(json.dumps({"runs": [run_summary(r) for r in shown]}))
    elif shown:
        print_summary(shown, {})
    click.echo(f"newswatch: error: {why}", err=True)
