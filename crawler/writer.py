"""Deduplication and storage, on one writer thread, a batch of articles per transaction.

The reactor thread only hands articles over (ArchivePipeline awaits each one's verdict);
sqlite3 and psycopg release the GIL while the database works. The guarantees are the
one-article-at-a-time ones, because each article of a batch is judged inside the batch's
transaction, on the connection that stored the ones before it (db.story_transaction):
- an article is stored whole or not at all (its own savepoint, db.insert_article);
- a URL or a body stored earlier in the same batch makes it a duplicate, and two
  near-duplicates of one batch get one story (the lookups see the batch's own rows);
- a crash loses at most the batch not yet committed: its pages are not in the archive, so
  the next crawl fetches them again (and the alerts, which follow the stored rows, follow).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

import db
from crawler import stories
from crawler.items import Article
from crawler.prepare import body_hash, prepare, same_title
from crawler.profiles import get_profile
from crawler.profiles.base import Profile
from crawler.similarity import Fingerprint

log = logging.getLogger(__name__)

MAX_BATCH = 100  # articles per transaction
# Seconds the first article of a batch waits for others. Short: Scrapy holds each page
# (SCRAPER_SLOT_MAX_ACTIVE_SIZE) until its article's batch is committed, so a long wait
# stalls the downloads (0.2 s: 7.4 s for 2,000 articles; 0.05 s: 6.4 s, benchmarks/crawl_site).
MAX_WAIT = 0.05


@dataclass(frozen=True)
class Verdict:
    """What became of one article: stored (story_id), a duplicate (why), or an error."""

    story_id: int | None = None
    duplicate: str = ""
    same_body_kept: bool = False
    error: BaseException | None = None
    unwritable: bool = False  # the error is the archive's (disk full): the crawl stops


def duplicate_of(archive: Database, item: Article) -> tuple[str, bool]:
    """(why it is a duplicate, or ""; whether it keeps a body another headline has).
    Same URL: duplicate. Same body and title as any page of that body: a print or mobile
    copy. Same body, another headline: kept (suspect the extraction), and counted."""
    if db.known_urls(archive, [item.url]):
        return f"already stored: {item.url}", False
    twins = db.find_same_body(archive, item.source, item.body_hash) if item.body_hash else []
    copy = next((t for t in twins if same_title(t["title"], item.title)), None)
    if copy:
        return f"same body and title as {copy['url']}: {item.url}", False
    return "", bool(twins)


def story_of(
    archive: Database, item: Article, profile: Profile | None, kept_twin: bool = False
) -> int | None:
    """The stored story the item joins, None for a new one."""
    found = Fingerprint(item.signature, item.shingles, item.bands)
    new = stories.evidence_of(item, found, profile)
    rows = stories.candidates(archive, new, found.bands)
    if kept_twin:  # its text is another page's too: only a story key can say "same story"
        rows = [r for r in rows if body_hash(r["body"] or "") != item.body_hash
                or (item.story_key and r["story_key"] == item.story_key)]  # fmt: skip
    return stories.best_story(new, rows, profile)


def store(archive: Database, item: Article) -> int:
    """Stores the prepared item (its own transaction, or a savepoint in a batch's)."""
    row = item.row() | {"signature": item.signature, "shingles": item.shingles}
    article_id = db.insert_article(archive, row, item.bands, item.story_id)
    item.story_id = item.story_id or article_id
    return item.story_id


def judge_and_store(archive: Database, item: Article, profile: Profile | None) -> Verdict:
    """One article of a batch. A database error of the archive's (or one that ended the
    transaction) propagates: the whole batch is then not stored."""
    try:
        if not item.prepared:
            prepare(item, profile)
        why, kept_twin = duplicate_of(archive, item)
        if why:
            return Verdict(duplicate=why)
        item.story_id = story_of(archive, item, profile, kept_twin)
        return Verdict(story_id=store(archive, item), same_body_kept=kept_twin)
    except db.DatabaseError as exc:
        if db.archive_unwritable(exc) or not db.in_transaction(archive):
            raise
        return Verdict(error=exc)  # this article's own fault: its page failed
    except Exception as exc:  # a page that breaks the code fails alone (its savepoint)
        return Verdict(error=exc)


@dataclass
class _Job:
    item: Article
    future: Future[Verdict]


class ArchiveWriter:
    """A thread that judges and stores articles, up to MAX_BATCH per transaction, a batch
    waiting at most MAX_WAIT for its later articles."""

    def __init__(
        self, path: str | Path, profile: Profile | None, *, batch: int = MAX_BATCH,
        wait: float = MAX_WAIT,
    ) -> None:  # fmt: skip
        self.path, self.profile, self.batch, self.wait = path, profile, batch, wait
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.unwritable: Exception | None = None
        self.archive = db.open_db(path, lean=True)
        self.thread = threading.Thread(target=self._run, name="newswatch-writer", daemon=True)
        self.thread.start()

    def submit(self, item: Article) -> Future[Verdict]:
        future: Future[Verdict] = Future()
        self.jobs.put(_Job(item, future))
        return future

    def close(self) -> None:
        """Writes what was submitted, then ends the thread and closes the archive."""
        self.jobs.put(None)
        self.thread.join()
        self.archive.close()

    def _run(self) -> None:
        more = True
        while more:
            batch, more = self._next_batch()
            if batch:
                self.write(batch)

    def _next_batch(self) -> tuple[list[_Job], bool]:
        """The next batch, and False when close() asked to stop after it."""
        first = self.jobs.get()
        if first is None:
            return [], False
        batch, deadline = [first], time.monotonic() + self.wait
        while len(batch) < self.batch:
            try:
                job = self.jobs.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                break
            if job is None:
                return batch, False
            batch.append(job)
        return batch, True

    def write(self, batch: list[_Job]) -> None:
        """One transaction for the batch; each job's future gets its article's verdict."""
        if self.unwritable is not None:
            return _answer(batch, Verdict(error=self.unwritable, unwritable=True))
        try:
            with db.story_transaction(self.archive):
                verdicts = [judge_and_store(self.archive, j.item, self.profile) for j in batch]
        except db.DatabaseError as exc:
            if db.archive_unwritable(exc):
                self.unwritable = exc
            log.info("a batch of %d articles was not stored: %s", len(batch), exc)
            return _answer(batch, Verdict(error=exc, unwritable=self.unwritable is exc))
        except BaseException as exc:  # a bug: the batch's pages failed, the crawl goes on
            log.exception("a batch of %d articles was not stored", len(batch))
            return _answer(batch, Verdict(error=exc))
        for job, verdict in zip(batch, verdicts, strict=True):
            job.future.set_result(verdict)
        return None


def _answer(batch: list[_Job], verdict: Verdict) -> None:
    for job in batch:
        job.future.set_result(verdict)


def profile_of(crawler: Any) -> Profile | None:
    """The site profile of the crawler's source, if its config names one."""
    source = getattr(getattr(crawler, "spider", None), "source", None)
    name = getattr(source, "profile", "")
    return get_profile(name) if name else None
