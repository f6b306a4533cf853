"""The writer thread (issue 21): articles deduplicated and stored a batch per transaction,
with the guarantees of one article at a time.

Articles submitted before the writer is closed, with a batch wait far longer than the test,
are one batch: the writer takes them together and commits them in one transaction. What a
batch must still do: see its own earlier rows (a URL, a body, a story).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

import pytest
from fixtures import story_corpus as m
from fixtures.story_corpus import Doc
from support.cli import newswatch_command
from support.pages import article, config_for, query, serve
from support.service import count, wait_for
from support.site import FixtureSite

from crawler.items import Article
from crawler.profiles import get_profile
from crawler.profiles.base import split_version
from crawler.wire import find_dateline
from crawler.writer import ArchiveWriter, Verdict

BODY = "The ferry left the harbour at dawn with forty passengers aboard.\n\nIt docked at noon."


def one_batch(path: Path, items: list[Article], profile: str = "") -> list[Verdict]:
    """Submits `items` to a writer that waits for them all, then commits them together."""
    writer = ArchiveWriter(path, get_profile(profile) if profile else None, wait=3600)
    futures = [writer.submit(item) for item in items]
    writer.close()  # the batch ends here, written in one transaction
    return [future.result(timeout=0) for future in futures]


def stored(path: Path) -> list[dict]:
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY id")]


def test_a_url_and_a_same_body_copy_within_one_batch_are_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    items = [
        Article("https://a.example/view/1", "s", title="Ferry docks", body=BODY),
        Article("https://a.example/view/1", "s", title="Another page", body="Other text."),
        Article("https://a.example/m/view/1", "s", title="FERRY docks!", body=BODY),  # a copy
        Article("https://a.example/view/2", "s", title="Passengers safe", body=BODY),
        Article("https://a.example/print/2", "s", title="Passengers safe", body=BODY),
    ]
    verdicts = one_batch(path, items)
    assert [bool(v.duplicate) for v in verdicts] == [False, True, True, False, True]
    assert "already stored" in verdicts[1].duplicate
    assert "same body and title as https://a.example/view/1" in verdicts[2].duplicate
    # Two headlines, one body: kept and counted; its print copy matches the second page.
    assert verdicts[3].same_body_kept and verdicts[3].story_id != verdicts[0].story_id
    assert "same body and title as https://a.example/view/2" in verdicts[4].duplicate
    rows = stored(path)
    assert [r["url"] for r in rows] == ["https://a.example/view/1", "https://a.example/view/2"]
    assert [r["title"] for r in rows] == ["Ferry docks", "Passengers safe"]


def yonhap_item(doc: Doc) -> Article:
    return Article(
        url=doc.url, source=doc.source, title=doc.title, body="\n\n".join(doc.paragraphs),
        published_at=doc.published_at, dateline=find_dateline(doc.paragraphs[0]),
        version=split_version(doc.title)[0],
    )  # fmt: skip


def test_near_duplicates_in_one_batch_get_one_story(tmp_path: Path) -> None:
    """A flash, the story and its updates arriving together; a week later, another story."""
    path = tmp_path / "news.db"
    docs = [m.M1_FLASH, m.M1_ORIG, m.M1_LEAD, m.M1_2LD, m.M2_ORIG]
    verdicts = one_batch(path, [yonhap_item(d) for d in docs], profile="yonhap")
    assert not [v for v in verdicts if v.duplicate or v.error], verdicts
    rows = {r["url"]: r["story_id"] for r in stored(path)}
    assert len(rows) == 5
    one_story = {rows[d.url] for d in docs[:4]}
    assert len(one_story) == 1, rows
    assert rows[m.M2_ORIG.url] not in one_story
    assert rows[m.M1_FLASH.url] == stored(path)[0]["id"], "the story is the first article's"


# -- a crash with a batch not committed -------------------------------------------------------

WORDS = ["harbour", "ferry", "crane", "dock", "tide", "pier", "cargo", "berth", "quay", "vessel"]


@pytest.mark.slow
def test_kill_9_with_a_batch_not_committed_then_a_crawl_stores_every_article_once_alerting_once(
    workdir: Path, run_cli
) -> None:
    """The test holds the archive's write lock while the crawl fetches on, so that the
    writer's next batch waits, uncommitted, when the crawl is killed."""
    pages = {f"/view/{n}": article(
        f"Harbour story {n}: {WORDS[n % 10]} {WORDS[n // 10 % 10]} report", 6,
        f"Item {n} on the {WORDS[n % 7]} and the {WORDS[n % 9]}, number {n * 31}.",
    ) for n in range(1, 61)}  # fmt: skip
    rules = [{"name": "harbour", "query": "harbour", "to": ["desk@example.org"]}]
    with FixtureSite("127.0.0.1") as site:
        serve(site, pages)
        for path in pages:
            site.update(path, delay=0.2)
        config = config_for(workdir, site, alerts={"rules": rules})
        database = workdir / "news.db"
        crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"])
        try:
            wait_for(lambda: count(database, "SELECT COUNT(*) FROM articles") >= 2, 60,
                     "two stored articles")  # fmt: skip
            before, fetched = hold_the_lock_and_kill(database, site, crawl)
        finally:
            crawl.kill()
            crawl.wait(10)
        after_kill = whole_articles(database)
        assert after_kill == before < fetched, "the batch waiting for the lock was lost"
        first, again = run_cli("crawl", config=config), run_cli("crawl", config=config)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    urls = [r["url"] for r in query(database, "SELECT url FROM articles")]
    assert len(urls) == len(set(urls)) == len(pages), "every article once"
    stories = query(database, "SELECT COUNT(DISTINCT story_id) AS n FROM articles")[0]["n"]
    matches = query(database, "SELECT COUNT(*) AS n FROM alert_matches")[0]["n"]
    assert matches == stories > 1, "each story alerted once, the killed run's too"
    emails = query(database, "SELECT COUNT(*) AS n FROM outbox WHERE rule = 'harbour'")[0]["n"]
    assert emails >= 1 and "alert harbour" not in again.stdout, again.stdout


def hold_the_lock_and_kill(
    database: Path, site: FixtureSite, crawl: subprocess.Popen
) -> tuple[int, int]:
    """(articles stored, article pages fetched) when the crawl was killed."""
    with closing(sqlite3.connect(database, timeout=30, isolation_level=None)) as lock:
        lock.execute("BEGIN IMMEDIATE")  # from here the writer's transactions wait
        before = lock.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        wait_for(lambda: site.count("/view/") >= before + 6, 60, "more article pages fetched")
        time.sleep(1.0)  # extracted, and handed to the writer, which waits for the lock
        fetched = site.count("/view/")
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(10)
        lock.execute("ROLLBACK")
    return before, fetched


def whole_articles(database: Path) -> int:
    """The number of articles, after checking each is whole and indexed."""
    with closing(sqlite3.connect(database)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT title, body, story_id FROM articles").fetchall()
        indexed = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
    assert all(t and b and s for t, b, s in rows), "every stored article is whole"
    assert indexed == len(rows), "the search index matches the articles"
    return len(rows)
