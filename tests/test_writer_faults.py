"""The writer's faults and limits, in process (mutmut sees these; the crawls see them too).

Real archives and real faults: a trigger refusing one article, a trigger that rolls back the
whole transaction, a full archive (SQLite's own SQLITE_FULL, from `PRAGMA max_page_count`), an
article whose fields break the code. What each job's Verdict says, what is stored, what not.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace as Fake

import pytest
from sqlite_utils import Database

import db
from crawler.items import Article
from crawler.prepare import prepare
from crawler.writer import (
    ArchiveWriter,
    Verdict,
    duplicate_of,
    judge_and_store,
    profile_of,
    store,
    story_of,
)

SENTENCES = [
    "The ferry left the harbour at dawn with forty passengers and a cargo of rice aboard.",
    "Coast guard officers said the crossing was calm until a storm rose near the islands.",
    "The captain turned the vessel north and waited for the waves to settle before noon.",
    "Relatives gathered at the pier in the afternoon as the ferry docked safely at last.",
]
BODY = "\n\n".join(SENTENCES)
URL = "https://a.example/view/"
RESULT = 30  # seconds a test waits for a verdict before failing: never reached when it works
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ro", "si", "tu") for b in "aeiou"]


def text(n: int) -> str:
    """Sixty words of its own: articles of different numbers share no story."""
    pick = random.Random(n).choices
    return "\n\n".join(" ".join(pick(WORDS, k=20)) + "." for _ in range(3))


def item(n: int, title: str = "", body: str = "") -> Article:
    return Article(f"{URL}{n}", "s", title=title or f"Story {n}", body=body or text(n))


def rows(path: Path) -> dict[str, int]:
    """{url: id} of the stored articles, each checked whole and its own story."""
    with closing(sqlite3.connect(path)) as conn:
        found = conn.execute("SELECT url, id, story_id FROM articles ORDER BY id").fetchall()
        indexed = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
        banded = conn.execute("SELECT COUNT(DISTINCT article_id) FROM article_bands").fetchone()
    assert indexed == banded[0] == len(found), "an article is stored whole or not at all"
    assert all(story == id_ for _, id_, story in found), "each a new story"
    return {url: id_ for url, id_, _ in found}


def sql(path: Path, statement: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(statement)


def refuse(path: Path, title: str, how: str) -> None:
    """A trigger that refuses the bands of the article titled `title`: its row is inserted
    first, so only the article's savepoint (ABORT) or the batch's rollback removes it."""
    sql(path, f"CREATE TRIGGER refuse BEFORE INSERT ON article_bands WHEN (SELECT title FROM"
              f" articles WHERE id = NEW.article_id) = '{title}'"
              f" BEGIN SELECT RAISE({how}, 'refused {title}'); END")  # fmt: skip


def verdicts(writer: ArchiveWriter, items: list[Article]) -> list[Verdict]:
    futures = [writer.submit(i) for i in items]
    writer.close()
    return [f.result(timeout=0) for f in futures]


def test_an_article_the_archive_refuses_fails_alone_and_its_batch_is_stored(tmp_path):
    path = tmp_path / "news.db"
    writer = ArchiveWriter(path, None, wait=3600)
    refuse(path, "Story 2", "ABORT")
    first, failed, third = verdicts(writer, [item(1), item(2), item(3)])
    stored = rows(path)
    assert list(stored) == [item(1).url, item(3).url]
    assert first == Verdict(story_id=stored[item(1).url])
    assert third == Verdict(story_id=stored[item(3).url])
    assert isinstance(failed.error, sqlite3.IntegrityError) and not failed.unwritable
    assert str(failed.error) == "refused Story 2"
    assert failed.story_id is None and failed.duplicate == ""


def test_nested_write_transactions_undo_only_the_innermost_that_failed(tmp_path):
    """Savepoints share one name (db.tx): releasing or rolling back the inner one must leave
    the outer one, and the batch, as they were."""
    archive = db.open_db(tmp_path / "news.db", lean=True)
    with db.write_transaction(archive):
        with db.write_transaction(archive):
            db.insert_article(archive, item(1).row(), [1], None)
            with pytest.raises(RuntimeError), db.write_transaction(archive):
                db.insert_article(archive, item(2).row(), [2], None)
                raise RuntimeError("the article's own fault")
            db.insert_article(archive, item(3).row(), [3], None)
        with pytest.raises(RuntimeError), db.write_transaction(archive):
            db.insert_article(archive, item(4).row(), [4], None)
            raise RuntimeError("another")
    archive.close()
    assert list(rows(tmp_path / "news.db")) == [item(1).url, item(3).url]


def test_a_fault_that_ends_the_transaction_fails_its_batch_only_and_the_writer_goes_on(
    tmp_path, caplog
):
    """batch=2: the first two articles are one transaction, which the trigger rolls back."""
    caplog.set_level(logging.INFO, logger="crawler.writer")
    path = tmp_path / "news.db"
    writer = ArchiveWriter(path, None, batch=2, wait=3600)
    refuse(path, "Story 1", "ROLLBACK")
    found = verdicts(writer, [item(1), item(2), item(3), item(4)])
    assert found[0].error is found[1].error and str(found[0].error) == "refused Story 1"
    assert [v.unwritable for v in found[:2]] == [False, False]
    stored = rows(path)
    assert list(stored) == [item(3).url, item(4).url]
    assert found[2:] == [Verdict(story_id=id_) for id_ in stored.values()]
    logged = [(r.threadName, r.levelname, r.getMessage()) for r in caplog.records]
    assert logged == [
        ("newswatch-writer", "INFO", "a batch of 2 articles was not stored: refused Story 1")
    ]


def test_a_batch_waits_for_articles_submitted_within_its_wait(tmp_path):
    path = tmp_path / "news.db"
    writer = ArchiveWriter(path, None, wait=3600)
    refuse(path, "Story 1", "ROLLBACK")
    first = writer.submit(item(1))
    time.sleep(0.3)  # the writer has taken the first article, and waits for more
    second = writer.submit(item(2))
    writer.close()
    assert first.result(timeout=0).error is second.result(timeout=0).error is not None
    assert rows(path) == {}


def test_a_batch_ends_after_its_wait_without_close(tmp_path):
    path = tmp_path / "news.db"
    writer = ArchiveWriter(path, None, wait=0.01)
    refuse(path, "Story 1", "ROLLBACK")
    try:
        failed = writer.submit(item(1)).result(timeout=RESULT)
        stored = writer.submit(item(2)).result(timeout=RESULT)
    finally:
        writer.close()
    assert str(failed.error) == "refused Story 1"
    assert stored == Verdict(story_id=rows(path)[item(2).url])


@pytest.mark.parametrize("journal", [False, True], ids=["rolled-back", "left-open"])
def test_a_full_archive_fails_the_batch_whole_and_every_later_one(tmp_path, caplog, journal):
    """SQLite rolls a transaction back on SQLITE_FULL unless the statement has a statement
    journal (a trigger that may abort, an FTS5 insert): then it stays open, as PostgreSQL's
    does after the article's savepoint, and the archive's error must still fail it whole."""
    caplog.set_level(logging.INFO, logger="crawler.writer")
    path = tmp_path / "news.db"
    writer = ArchiveWriter(path, None, batch=2, wait=3600)
    if journal:
        sql(path, "CREATE TRIGGER untitled AFTER INSERT ON articles WHEN NEW.title = ''"
                  " BEGIN SELECT RAISE(ABORT, 'untitled'); END")  # fmt: skip
    stored = [writer.submit(item(n)) for n in (1, 2)]
    assert [f.result(timeout=RESULT) for f in stored] == [Verdict(story_id=n) for n in (1, 2)]
    pages = writer.archive.execute("PRAGMA page_count").fetchone()[0]
    writer.archive.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from here
    long = [item(n, body="\n\n".join([text(n)] * 30)) for n in (3, 4, 5)]  # pages each
    found = verdicts(writer, long)
    full = found[0].error
    assert isinstance(full, sqlite3.OperationalError) and db.archive_unwritable(full)
    assert found == [Verdict(error=full, unwritable=True)] * 3, "the later batch too"
    assert rows(path) == {item(1).url: 1, item(2).url: 2}
    assert [r.getMessage() for r in caplog.records] == [
        f"a batch of 2 articles was not stored: {full}"
    ]


class Interrupted:
    """Fields that raise what is not an Exception (as KeyboardInterrupt or SystemExit)."""

    def __iter__(self):
        raise KeyboardInterrupt


def test_an_article_that_breaks_the_code_fails_alone(tmp_path):
    path = tmp_path / "news.db"
    broken = Article("https://a.example/view/2", "s", title="Story 2", body=BODY, tags=None)
    writer = ArchiveWriter(path, None, wait=3600)
    first, failed, third = verdicts(writer, [item(1), broken, item(3)])
    stored = rows(path)
    assert list(stored) == [item(1).url, item(3).url]
    assert [first, third] == [Verdict(story_id=id_) for id_ in stored.values()]
    assert isinstance(failed.error, TypeError) and not failed.unwritable


def test_what_is_not_an_exception_fails_the_batch_and_every_job_is_answered(tmp_path, caplog):
    """The reactor awaits every verdict: a batch that ends in BaseException must answer all."""
    path = tmp_path / "news.db"
    broken = Article("https://a.example/view/2", "s", title="Story 2", body=BODY)
    broken.tags = Interrupted()  # type: ignore[assignment]
    writer = ArchiveWriter(path, None, batch=2, wait=3600)
    found = verdicts(writer, [item(1), broken, item(3)])
    assert isinstance(found[0].error, KeyboardInterrupt) and found[1] == found[0]
    assert not found[0].unwritable and found[2] == Verdict(story_id=1)
    assert rows(path) == {item(3).url: 1}
    assert [(r.levelname, r.getMessage(), r.exc_info[0]) for r in caplog.records] == [
        ("ERROR", "a batch of 2 articles was not stored", KeyboardInterrupt)
    ]


def test_close_writes_what_was_submitted_then_closes_the_archive(tmp_path):
    path = tmp_path / "news.db"
    writer = ArchiveWriter(path, None, wait=3600)
    futures = [writer.submit(item(n)) for n in (1, 2)]
    writer.close()
    assert [f.result(timeout=0) for f in futures] == [Verdict(story_id=n) for n in (1, 2)]
    assert not writer.thread.is_alive()
    with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
        writer.archive.execute("SELECT 1")


def test_the_writer_is_a_crawls_lean_connection_on_a_thread_that_never_holds_the_process(
    tmp_path,
):
    """Issue 21: a crawl's archive connection has a small cache and no mapped reads (its
    memory peak); a crawl that ends without close() still exits (a daemon thread)."""
    writer = ArchiveWriter(tmp_path / "news.db", None)
    try:
        pragmas = [writer.archive.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size",
                   "mmap_size")]  # fmt: skip
        assert pragmas == [-4096, 0] and writer.thread.daemon
    finally:
        writer.close()


# -- the steps of one article, on an archive of the test's ------------------------------------


@pytest.fixture
def archive(tmp_path) -> Iterator[Database]:
    archive = db.open_db(tmp_path / "news.db")
    yield archive
    archive.close()


def put(archive: Database, article: Article) -> Verdict:
    with db.story_transaction(archive):
        return judge_and_store(archive, article, None)


def ready(article: Article) -> Article:
    return prepare(article, None)


def test_a_verdict_says_what_became_of_the_article(archive):
    assert put(archive, item(1, "Ferry docks", BODY)) == Verdict(story_id=1)
    assert put(archive, item(2, "Passengers safe", BODY)) == Verdict(2, same_body_kept=True)
    assert put(archive, item(1, "Retitled")) == Verdict(duplicate=f"already stored: {URL}1")


def test_duplicate_of_says_why_naming_both_urls(archive):
    put(archive, item(1, "Ferry docks", BODY))
    copy = ready(Article("https://a.example/m/view/1", "s", title="FERRY docks!", body=BODY))
    assert duplicate_of(archive, copy) == (f"same body and title as {URL}1: {copy.url}", False)
    assert duplicate_of(archive, ready(item(1))) == (f"already stored: {URL}1", False)
    assert duplicate_of(archive, ready(item(2, "Passengers safe", BODY))) == ("", True)
    assert duplicate_of(archive, ready(item(3))) == ("", False)


def test_bodies_without_words_are_no_copies_of_each_other(archive):
    """A photo page's body may have no word at all: its empty hash identifies nothing."""
    put(archive, item(1, "Photo of the day", "***"))
    assert duplicate_of(archive, ready(item(2, "Photo of the day", "* * *"))) == ("", False)


def test_a_kept_twin_joins_a_story_by_its_key_or_another_text_never_by_its_own_text(archive):
    """Its body is another headline's too (an extraction to suspect): the same text says
    nothing, a story key or an update's different text does."""
    put(archive, item(1, "Ferry docks safely", BODY))
    twin = ready(item(2, "Passengers safe", BODY))
    assert story_of(archive, twin, None) == 1, "the same text, the same story"
    assert story_of(archive, twin, None, kept_twin=True) is None
    put(archive, item(3, "(LEAD) Ferry docks safely", f"{BODY}\n\nThe harbour reopened."))
    assert story_of(archive, twin, None, kept_twin=True) == 1, "the update's text is another"


def test_a_kept_twin_with_the_story_key_of_its_body_joins_that_story(archive):
    put(archive, Article(f"{URL}1", "s", title="Ferry docks safely", body=BODY, story_key="k1"))
    for key, story in (("k1", 1), ("k2", None), ("", None)):
        twin = ready(Article(f"{URL}2", "s", title="Passengers safe", body=BODY, story_key=key))
        assert story_of(archive, twin, None, kept_twin=True) == story, key


def test_store_makes_a_new_story_of_its_own_id_or_joins_the_one_given(archive):
    new = ready(item(1))
    assert store(archive, new) == 1 and new.story_id == 1
    joining = ready(item(2))
    joining.story_id = 1
    assert store(archive, joining) == 1
    assert [tuple(r) for r in archive.execute("SELECT id, story_id FROM articles")] == [
        (1, 1), (2, 1),
    ]  # fmt: skip


def test_the_profile_is_the_one_the_crawled_source_names():
    yonhap = profile_of(Fake(spider=Fake(source=Fake(profile="yonhap"))))
    assert yonhap is not None and yonhap.name == "yonhap"
    for crawler in (Fake(spider=Fake(source=Fake(profile=""))), Fake(spider=Fake()), Fake()):
        assert profile_of(crawler) is None, crawler
