"""Process faults: kill -9 mid-crawl, two crawls of one source, readers while the service writes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest
from fixtures import news_site
from support.cli import newswatch_command
from support.service import Service, count, slow_articles, wait_for


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
