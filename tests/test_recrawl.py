"""Re-crawl cost: list pages and feeds are revalidated (ETag / Last-Modified -> 304)."""

from __future__ import annotations

import hashlib
import sqlite3

from fixtures import news_site
from support.hostile import page
from support.site import send


def conditional(body: bytes, seen: list[dict[str, str]]):
    """Answers 304 to a request carrying the page's ETag, else the page with its ETag."""
    etag = '"' + hashlib.sha1(body).hexdigest() + '"'

    def handler(h):
        seen.append(dict(h.headers))
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        send(h, body, headers={"ETag": etag, "Last-Modified": "Wed, 01 Feb 2023 00:00:00 GMT"})

    return handler


def test_a_second_crawl_revalidates_list_pages_and_fetches_no_article(workdir, run_cli,
                                                                       make_site):  # fmt: skip
    site = make_site()
    seen: list[dict[str, str]] = []
    links = "".join(f'<a href="/view/{i}">story {i}</a>' for i in range(1, 4))
    site.handle("/news", conditional(f"<html><body>{links}</body></html>".encode(), seen))
    for i in range(1, 4):
        site.set(f"/view/{i}", page(f"Story number {i}", f"Report {i} on the talks."))
    source = {"name": "etags", "start_urls": [f"{site.base}/news"],
              "article_url_pattern": r"/view/\d+"}  # fmt: skip
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict([source]))
    for _ in range(2):
        assert run_cli("crawl", config=config).returncode == 0
    assert len(seen) == 2 and "If-None-Match" not in seen[0]
    assert seen[1].get("If-None-Match"), "the second crawl asks conditionally"
    assert [site.count(f"/view/{i}") for i in range(1, 4)] == [1, 1, 1]
    with sqlite3.connect(workdir / "news.db") as conn:
        new = [n for (n,) in conn.execute("SELECT new_articles FROM crawl_runs ORDER BY id")]
    assert new == [3, 0]
