"""Source health verdicts from real crawls, as the operator reads them in `newswatch status`:
blocked by robots.txt (and not, when told to ignore it), refused with 403, failing requests,
and silence far longer than the source's usual cadence.
"""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.pages import article, config_for, last_run, query, serve
from support.site import FixtureSite


def dated(n: int) -> bytes:
    """Article n, with a body and a publication date (a healthy source's article)."""
    meta = f'<meta property="article:published_time" content="2023-03-0{n}T09:00:00+09:00">'
    return article(f"Story number {n} of the day").replace(b"</title>", b"</title>" + meta.encode())


ARTICLES = {f"/view/{n}": dated(n) for n in range(1, 7)}


def crawl(run_cli, config: Path) -> subprocess.CompletedProcess[str]:
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def verdict(run_cli, config: Path) -> str:
    """The status line `s3 is STATE: REASON`, or "" when the source is fine."""
    status = run_cli("status", config=config)
    assert status.returncode == 0, status.stderr
    lines = [line for line in status.stdout.splitlines() if line.startswith("s3 is ")]
    return lines[0] if lines else ""


def site_with(make_site, robots: str = "") -> FixtureSite:
    site = make_site()
    serve(site, ARTICLES)
    if robots:
        site.set("/robots.txt", robots, content_type="text/plain")
    return site


def test_every_article_blocked_by_robots_txt_is_broken(make_site, workdir, run_cli):
    site = site_with(make_site, "User-agent: *\nDisallow: /view/\n")
    config = config_for(workdir, site)
    result = crawl(run_cli, config)

    assert query(workdir / "news.db", "SELECT url FROM articles") == []
    assert all(site.count(path) == 0 for path in ARTICLES), site.requests
    assert "health s3: ok -> broken" in result.stdout, result.stdout
    assert verdict(run_cli, config) == "s3 is broken: every article link is blocked by robots.txt"


def test_an_interrupted_run_says_nothing_about_the_source(make_site, workdir, run_cli):
    import db
    from newswatch.clock import utc_now
    from newswatch.config import load_config
    from scheduler.health import check_sources

    site = site_with(make_site, "User-agent: *\nDisallow: /view/\n")
    config = config_for(workdir, site)
    crawl(run_cli, config)  # broken: every article blocked
    # What a crawl stopped before its first page leaves (crawler.runner._end_open_runs): the
    # service stopped it, or Ctrl-C; its own after-crawl step, or the service, then judges.
    archive = db.open_db(workdir / "news.db")
    try:
        db.record_unstarted_runs(archive, ["s3"], "interrupted", "stopped", utc_now(), {})
        changes = check_sources(archive, load_config(config), ["s3"])
    finally:
        archive.close()
    assert changes == [], changes
    assert verdict(run_cli, config) == "s3 is broken: every article link is blocked by robots.txt"


def test_obey_robots_txt_false_fetches_what_robots_txt_forbids(make_site, workdir, run_cli):
    site = site_with(make_site, "User-agent: *\nDisallow: /view/\n")
    config = config_for(workdir, site, crawl={"obey_robots_txt": False})
    crawl(run_cli, config)

    rows = query(workdir / "news.db", "SELECT url FROM articles")
    assert sorted(r["url"] for r in rows) == sorted(site.url(p) for p in ARTICLES)
    assert site.count("/robots.txt") == 0, "robots.txt is not even read"
    assert verdict(run_cli, config) == ""


def test_a_site_refusing_with_403_is_degraded(make_site, workdir, run_cli):
    site = site_with(make_site)
    for path in ("/view/1", "/view/2", "/view/3", "/view/4"):
        site.set(path, b"<html><body>Forbidden</body></html>", status=403)
    config = config_for(workdir, site)
    crawl(run_cli, config)

    stored = query(workdir / "news.db", "SELECT url FROM articles")
    assert len(stored) == 2, stored
    line = verdict(run_cli, config)
    requests = last_run(workdir / "news.db")["requests"]
    assert line.startswith(f"s3 is degraded: 4 of {requests} requests answered 403 or 429"), line


def test_a_site_failing_most_requests_is_degraded(make_site, workdir, run_cli):
    site = site_with(make_site)
    for path in ("/view/1", "/view/2", "/view/3", "/view/4", "/view/5"):
        site.set(path, b"<html><body>Oops</body></html>", status=500)
    config = config_for(workdir, site, crawl={"retries": 0})
    crawl(run_cli, config)

    assert len(query(workdir / "news.db", "SELECT url FROM articles")) == 1
    line = verdict(run_cli, config)
    requests = last_run(workdir / "news.db")["requests"]
    assert line.startswith(f"s3 is degraded: 5 of {requests} requests failed"), line


def test_a_site_that_went_quiet_is_degraded_then_ok_when_it_publishes(make_site, workdir,
                                                                      run_cli):  # fmt: skip
    site = site_with(make_site)
    config = config_for(workdir, site)
    crawl(run_cli, config)
    assert verdict(run_cli, config) == ""
    # As if these six had come an hour apart, the newest two days ago; nothing since.
    with closing(sqlite3.connect(workdir / "news.db")) as conn, conn:
        for n, (article_id,) in enumerate(conn.execute("SELECT id FROM articles ORDER BY id")):
            when = datetime.now(UTC) - timedelta(hours=48 + 5 - n)
            conn.execute("UPDATE articles SET fetched_at = ? WHERE id = ?",
                         [when.strftime("%Y-%m-%dT%H:%M:%SZ"), article_id])  # fmt: skip
    result = crawl(run_cli, config)

    assert "health s3: ok -> degraded" in result.stdout, result.stdout
    assert verdict(run_cli, config) == (
        "s3 is degraded: no new article for 48 h (usually one every 1:00:00)"
    )
    serve(site, {**ARTICLES, "/view/7": dated(7)})
    result = crawl(run_cli, config)
    assert "health s3: degraded -> ok" in result.stdout, result.stdout
    assert verdict(run_cli, config) == ""
