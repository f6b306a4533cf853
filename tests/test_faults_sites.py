"""Hostile and broken sites: a bad page or a failing site never stops a crawl."""

from __future__ import annotations

import json
import sqlite3

import pytest
from fixtures import news_site
from support.hostile import drip, gzip_bomb, page, redirect, silent
from support.site import send

GOOD = page("Allies hold deterrence talks", "The allies met in Seoul to discuss deterrence.")
BROKEN = (
    b"<html><body><article><h1>Broken markup survives<p>Unclosed paragraph about the port"
    b" <div><p>Officials said the harbor reopened & ships returned </b></i><<<>>> "
    + b"<p>More text about the harbor reopening and the ships returning home.</p>"
    * 4
)
CAFE = "Seoul’s “quoted” café reopens in the old district, officials said on Tuesday."
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
<rss><channel><item><title>&e;</title><link>/view/1</link></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>/view/&x;</loc></url><url><loc>/view/1</loc></url></urlset>"""


XML = {"Content-Type": "text/xml"}
PDF = {"Content-Type": "application/pdf"}
LATIN1 = {"Content-Type": "text/html; charset=iso-8859-1"}


def huge_feed(items: int) -> bytes:
    entries = "".join(f"<item><link>/view/{i % 3 + 1}</link></item>" for i in range(items))
    return f"<rss><channel>{entries}</channel></rss>".encode()


def rate_limited_once():
    answered = []

    def handler(h):
        if not answered:
            answered.append(1)
            send(h, b"slow down", 429, {"Retry-After": "2"})
        else:
            send(h, page("Rate limits respected", "The ministry said the talks went well."))

    return handler


@pytest.fixture
def hostile(make_site):
    partner = make_site("127.0.0.2")
    site = make_site()
    partner.set("/view/8", GOOD)
    routes = {
        "/view/1": lambda h: send(h, GOOD),
        "/view/2": lambda h: send(h, b"<html><body>" + b"a" * 50_000_000),
        "/view/3": lambda h: send(h, gzip_bomb(200), headers={"Content-Encoding": "gzip"}),
        "/view/4": lambda h: send(h, BROKEN),
        "/view/5": lambda h: send(h, page("Cafe reopens", CAFE), headers=LATIN1),
        "/view/6": lambda h: send(h, b"%PDF-1.4 binary", headers=PDF),
        "/view/7": redirect("/view/7?again=1"),
        "/view/8": redirect(f"{partner.base}/view/8"),
        "/view/9": drip,
        "/view/10": silent,
        "/view/11": rate_limited_once(),
        "/view/12": lambda h: send(h, b"\x89PNG\r\n", headers={"Content-Type": "image/png"}),
        "/robots.txt": lambda h: send(h, b"User-agent: *\nAllow: /\n"),
        "/feed-laughs.xml": lambda h: send(h, LAUGHS, headers=XML),
        "/sitemap-xxe.xml": lambda h: send(h, XXE, headers=XML),
        "/feed-huge.xml": lambda h: send(h, huge_feed(100_000), headers=XML),
    }
    for path, handler in routes.items():
        site.handle(path, handler)
    links = "".join(f'<a href="/view/{i}">story {i}</a>' for i in range(1, 13))
    site.set("/news", f"<html><body>{links}</body></html>")
    return site, partner


def config_for(workdir, site):
    source = {
        "name": "hostile", "start_urls": [f"{site.base}/news"],
        "feeds": [f"{site.base}/feed-laughs.xml", f"{site.base}/feed-huge.xml"],
        "sitemaps": [f"{site.base}/sitemap-xxe.xml"], "article_url_pattern": r"/view/\d+",
        "schedule": "every 1h",
    }  # fmt: skip
    crawl = {"timeout": 3, "max_page_bytes": 1_000_000, "retries": 1, "concurrency_per_domain": 8}
    return news_site.write_config(
        workdir / "config.yaml", news_site.config_dict([source], crawl=crawl)
    )


@pytest.mark.slow
def test_a_hostile_site_never_stops_the_crawl(hostile, workdir, run_cli):
    site, partner = hostile
    result = run_cli("crawl", config=config_for(workdir, site))  # run_cli's timeout bounds it
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(workdir / "news.db") as conn:
        stored = {u.rsplit("/", 1)[1]: (t, b) for u, t, b in
                  conn.execute("SELECT url, title, body FROM articles")}  # fmt: skip
        errors, not_articles = (json.loads(v) for v in conn.execute(
            "SELECT errors, not_article_kinds FROM crawl_runs").fetchone())  # fmt: skip
    assert set(stored) == {"1", "4", "5", "11"}, sorted(stored)
    assert "harbor reopened" in stored["4"][1]
    charset_ok = CAFE in stored["5"][1]
    assert errors.get("too_large", 0) >= 2, errors  # 50 MB page, gzip bomb
    assert errors.get("timeout", 0) >= 2, errors  # drip, silence
    assert not_articles.get("not_html", 0) == 2, not_articles  # PDF, PNG: no articles
    assert errors.get("redirect_loop", 0) == 1, errors
    assert partner.requests == [], "a redirect off the source's domains is never followed"
    first, second = site.times("/view/11")[:2]
    # Waited, not retried at once. The exact wait is test_retry_after_is_honoured_exactly's:
    # here the first request's own latency in a busy crawl blurs the gap the server sees.
    assert second - first >= 1.0, "Retry-After: 2 was honoured"
    assert charset_ok, "a UTF-8 page declared as Latin-1 is read as UTF-8"


def rate_limited_list(links: str):
    """The list page: 429 with Retry-After: 1 the first time, then the links."""
    answered = []

    def handler(h):
        if answered:
            send(h, f"<html><body>{links}</body></html>".encode())
        else:
            answered.append(1)
            send(h, b"slow down", 429, {"Retry-After": "1"})

    return handler


@pytest.mark.slow
def test_retry_after_is_honoured_exactly_for_the_rest_of_the_crawl(make_site, workdir, run_cli):
    """Every request after a 429 waits the server's 1 s: never less, and not a random wait
    around it (DOWNLOAD_DELAY_JITTER once made each gap anything from 0.5 to 1.5 s)."""
    site = make_site()
    links = "".join(f'<a href="/view/{i}">story {i}</a>' for i in range(1, 11))
    site.handle("/news", rate_limited_list(links))
    for i in range(1, 11):
        site.set(f"/view/{i}", page(f"Report number {i}", f"Talks went on for day {i}."))
    source = {"name": "polite", "start_urls": [f"{site.base}/news"],
              "article_url_pattern": r"/view/\d+"}  # fmt: skip
    crawl = {"autothrottle": False, "download_delay": 0, "retries": 2}
    config = news_site.write_config(
        workdir / "config.yaml", news_site.config_dict([source], crawl=crawl)
    )
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(workdir / "news.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 10
    after = [hit.at for hit in site.hits if hit.path != "/robots.txt"]
    assert len(after) == 12, site.requests  # the 429, the list again, 10 articles
    gaps = [round(b - a, 3) for a, b in zip(after, after[1:], strict=False)]
    # Never early: 0.15 s of slack for the requests' own latencies on a loaded machine.
    assert min(gaps) >= 0.85, f"gaps between requests after Retry-After: 1: {gaps}"
    # The server's wait, not a random one around it (a load spike may delay a few requests).
    assert sum(abs(g - 1) <= 0.1 for g in gaps) >= 8, f"gaps after Retry-After: 1: {gaps}"


def test_hostile_xml_is_parsed_without_expansion(hostile, workdir, run_cli):
    site, _ = hostile
    for path in ("/view/2", "/view/3", "/view/9", "/view/10"):
        site.remove(path)  # only the XML here; the slow pages have their own test
    result = run_cli("crawl", config=config_for(workdir, site))
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(workdir / "news.db") as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert not any("root:" in u or "aaaaaaaaaa" in u for u in urls), urls
    assert not [p for p in site.requests if "passwd" in p or "aaaaaaaaaa" in p]
    assert len(site.times("/view/1")) == 1, "100,000 feed items naming 3 URLs: each fetched once"


def test_an_unresolvable_host_is_recorded_quietly(workdir, run_cli):
    source = {"name": "nowhere", "start_urls": ["http://news.invalid/list"],
              "article_url_pattern": "/a/"}  # fmt: skip
    config = news_site.write_config(
        workdir / "config.yaml", news_site.config_dict([source], crawl={"retries": 0})
    )
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    with sqlite3.connect(workdir / "news.db") as conn:
        errors, not_articles = (json.loads(v) for v in conn.execute(
            "SELECT errors, not_article_kinds FROM crawl_runs").fetchone())  # fmt: skip
    assert errors == {"dns": 1}, errors


def test_list_pages_that_are_not_html_are_counted_and_the_crawl_goes_on(
    make_site, workdir, run_cli
):
    """A list URL answering JSON as text/plain (an API endpoint pasted as a start URL), or a
    PNG: each counted `not_html`, no traceback, and the HTML list beside them still read."""
    site = make_site()
    site.handle("/api", lambda h: send(h, b'{"items": [{"href": "/view/1"}]}',
                                       headers={"Content-Type": "text/plain"}))  # fmt: skip
    site.handle("/logo", lambda h: send(h, b"\x89PNG\r\n", headers={"Content-Type": "image/png"}))
    site.set("/news", '<html><body><a href="/view/1">story 1</a></body></html>')
    site.set("/view/1", GOOD)
    source = {"name": "mixed", "start_urls": [f"{site.base}/api", f"{site.base}/logo",
              f"{site.base}/news"], "article_url_pattern": r"/view/\d+"}  # fmt: skip
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict([source]))
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    with sqlite3.connect(workdir / "news.db") as conn:
        (errors,) = (json.loads(v) for (v,) in conn.execute("SELECT errors FROM crawl_runs"))
        titles = [t for (t,) in conn.execute("SELECT title FROM articles")]
    assert errors == {"not_html": 2}, errors
    assert titles == ["Allies hold deterrence talks"]
