"""Process faults: kill -9 mid-crawl, two crawls of one source, readers while the service writes."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time

import pytest
from fixtures import news_site
from support.accounting import check_page_accounting
from support.cli import newswatch_command
from support.pages import article, config_for, query, serve
from support.service import Service, count, slow_articles, wait_for
from support.site import FixtureSite


@pytest.mark.slow
def test_kill_9_during_a_crawl_leaves_no_half_article_and_the_next_run_completes(
    site, write_config, run_cli
):
    slow_articles(site, 0.7)
    config = write_config(crawl={"concurrency_per_domain": 1})
    db = config.parent / "news.db"
    crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"])
    wait_for(lambda: count(db, "SELECT COUNT(*) FROM articles") >= 2, 60, "two stored articles")
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait(10)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT title, body, story_id FROM articles").fetchall()
        indexed = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
    assert rows and all(t and b and s for t, b, s in rows), "every stored article is whole"
    assert indexed == len(rows), "the search index matches the articles"
    slow_articles(site, 0)
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
        stale = conn.execute("SELECT COUNT(*) FROM crawl_runs WHERE status = 'running'")
        stale = stale.fetchone()[0]
    assert len(urls) == len(set(urls)) == len(news_site.STORIES), sorted(urls)
    assert stale == 0, "the killed run is closed by the next crawl of its source"


@pytest.mark.slow
def test_two_crawls_of_one_source_at_once_one_refuses(site, write_config):
    slow_articles(site, 0.3)
    config = write_config()
    command = [*newswatch_command(), "--config", str(config), "crawl", "yonhap"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = config.parent / "news.db"
    wait_for(lambda: count(db, "SELECT COUNT(*) FROM crawl_runs") >= 1, 60, "the first crawl")
    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 75, "its only source was busy: EX_TEMPFAIL, try again later"
    assert "another crawl of this source is running" in second.stdout, second.stdout
    assert "nothing crawled: every source was busy" in second.stderr, second.stderr
    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls)) == len(news_site.STORIES)


@pytest.mark.slow
def test_search_and_status_while_the_service_writes(site, workdir):
    source = news_site.yonhap_source(site.base, schedule="every 1s")
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict([source]))
    service = Service(config)
    outputs = []
    try:
        db = workdir / "news.db"
        wait_for(lambda: count(db, "SELECT COUNT(*) FROM articles") >= 1, 60, "a first article")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for args in (["search", "Korea"], ["status"]):
                done = subprocess.run([*newswatch_command(), "--config", str(config), *args],
                                      capture_output=True, text=True, timeout=60)  # fmt: skip
                outputs.append((done.returncode, done.stderr))
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    assert len(outputs) >= 6
    assert all(rc == 0 for rc, _ in outputs), outputs
    assert not [e for _, e in outputs if "locked" in e.lower()], outputs
    assert "locked" not in err.lower()


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a small tmpfs (a full disk)")
def test_disk_full_fails_the_run_in_one_line_and_the_next_crawl_stores_the_rest_alerting_once(
    workdir, run_cli
):

    archive = workdir / "archive"
    archive.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(archive)], check=True)
    words = [
        "harbour",
        "ferry",
        "crane",
        "dock",
        "tide",
        "pier",
        "cargo",
        "berth",
        "quay",
        "vessel",
    ]
    try:
        with FixtureSite("127.0.0.1") as site:
            serve(site, {f"/view/{n}": article(
                f"Harbour story {n}: {words[n % 10]} {words[n // 10 % 10]} report", 8,
                f"Item {n} on the {words[n % 7]} and the {words[n % 9]}, number {n * 31}.",
            ) for n in range(1, 121)})  # fmt: skip
            rules = [{"name": "harbour", "query": "harbour", "to": ["desk@example.org"]}]
            config = config_for(workdir, site, "archive/news.db", alerts={"rules": rules})
            full = run_cli("crawl", config=config)
            database = archive / "news.db"
            stored_when_full = len(query(database, "SELECT id FROM articles"))
            subprocess.run(["mount", "-o", "remount,size=64m", str(archive)], check=True)
            freed = run_cli("crawl", config=config)
            again = run_cli("crawl", config=config)
            urls = [r["url"] for r in query(database, "SELECT url FROM articles")]
            runs = query(database, "SELECT status, last_error FROM crawl_runs ORDER BY id")
            stories = query(database, "SELECT COUNT(DISTINCT story_id) AS n FROM articles")[0]["n"]
            matches = query(database, "SELECT COUNT(*) AS n FROM alert_matches")[0]["n"]
            emails = query(database, "SELECT COUNT(*) AS n FROM outbox WHERE rule = 'harbour'")
            check_page_accounting(archive)  # before the tmpfs and the archive go
    finally:
        subprocess.run(["umount", "-l", str(archive)], check=False)

    lines = full.stderr.strip().splitlines()
    assert full.returncode == 1 and len(lines) == 1, f"{full.stdout}\n{full.stderr}"
    assert re.fullmatch(r"newswatch: error: disk full: \d+ articles not stored; they will be"
                        r" fetched on the next crawl", lines[0]), lines  # fmt: skip
    assert runs[0] == {"status": "failed", "last_error": lines[0][len("newswatch: error: ") :]}
    assert 0 < stored_when_full < 120
    assert freed.returncode == 0 and again.returncode == 0, freed.stderr + again.stderr
    assert len(urls) == len(set(urls)) == 120, "every article once, the rest stored after"
    assert matches == stories > 1, "each story alerted once, those of the failed run too"
    assert emails[0]["n"] >= 1 and "alert harbour" not in again.stdout, again.stdout
