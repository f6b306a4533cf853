"""Hostile sites against discovery and fetching (issue 14, items 1, 2, 4, 5): every command
that touches a site keeps to the source's origins, robots.txt, size and time limits."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys

import pytest
from fixtures import news_site
from support.cli import newswatch_command
from support.hostile import drip, page, redirect
from support.site import send

XML = "text/xml"
INTERNAL = page("Internal only", "This page lives on another host and must never be fetched.")


def bomb(megabytes: int) -> bytes:
    """`megabytes` MB of zeros as concatenated gzip members (about 1 KB each), served
    without Content-Encoding: what a `.xml.gz` sitemap or a hostile page may be."""
    return gzip.compress(bytes(1 << 20), 9) * megabytes


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
    return f"<rss><channel>{items}</channel></rss>".encode()


@pytest.fixture
def sites(make_site):
    """(the source's site, another host 127.0.0.3, the same host on another port)."""
    site, internal, other_port = make_site(), make_site("127.0.0.3"), make_site()
    for s in (internal, other_port):
        s.set("/view/internal", INTERNAL)
    return site, internal, other_port


def write(workdir, site, crawl=None, **source):
    base = {"name": "hostile", "article_url_pattern": r"/view/\w+", "schedule": "every 1h"}
    settings = {"timeout": 3, "retries": 0, "max_page_bytes": 1_000_000} | (crawl or {})
    config = news_site.config_dict([base | source], crawl=settings)
    return news_site.write_config(workdir / "config.yaml", config)


def check(run_cli, config, *options, timeout=60):
    result = run_cli("sources", "check", "hostile", *options, config=config, timeout=timeout)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-2000:]
    return result


def test_sources_check_never_leaves_the_sources_origin(sites, workdir, run_cli):
    site, internal, other_port = sites
    items = rss(f"{internal.base}/view/internal", f"{other_port.base}/view/internal", "/view/local")
    site.set("/feed.xml", items, content_type=XML)
    site.handle("/view/local", redirect(f"{internal.base}/view/internal"))
    site.handle("/news", redirect(f"{other_port.base}/view/internal"))  # same host, other port
    config = write(workdir, site, start_urls=[f"{site.base}/news"], feeds=[f"{site.base}/feed.xml"])

    result = check(run_cli, config)

    assert result.returncode == 0, result.stderr
    assert internal.requests == [] and other_port.requests == [], "another host or port was fetched"
    assert "Internal only" not in result.stdout
    assert f"{site.base}/view/local: could not fetch it: not followed" in result.stdout
    assert f"start page: {site.base}/news  not followed" in result.stdout
    assert "ok  1 entries, 1 match the pattern, 2 on other origins (not followed)" in result.stdout


def peak_rss_mb(command: list[str], timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    """Runs `command` in a child of a fresh Python that reports the child's peak RSS."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], "
             "capture_output=True, text=True); sys.stdout.write(r.stdout); "
             "sys.stderr.write(r.stderr); print(resource.getrusage(resource.RUSAGE_CHILDREN)"
             ".ru_maxrss / 1024); sys.exit(r.returncode)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                            text=True, timeout=timeout)  # fmt: skip
    return result, float(result.stdout.strip().splitlines()[-1])


def test_a_gzip_bomb_without_content_encoding_is_cut_at_max_page_bytes(sites, workdir):
    site = sites[0]
    body = bomb(1000)  # 1 GB once inflated, about 1 MB on the wire
    site.set("/sitemap.xml", body, content_type=XML)
    site.set("/feed.xml", body, content_type=XML)
    urls = {"sitemaps": [f"{site.base}/sitemap.xml"], "feeds": [f"{site.base}/feed.xml"]}
    config = write(workdir, site, crawl={"max_page_bytes": 2_000_000}, **urls)

    command = [*newswatch_command(), "--config", str(config), "sources", "check", "hostile"]
    result, peak = peak_rss_mb(command, timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    assert f"sitemap: {site.base}/sitemap.xml  too_large" in result.stdout
    assert f"feed: {site.base}/feed.xml  too_large" in result.stdout
    assert peak < 500, f"peak RSS {peak:.0f} MB: the 1 GB body was inflated whole"


@pytest.mark.slow
def test_a_one_byte_per_second_page_ends_at_the_timeout(sites, workdir, run_cli):
    site = sites[0]
    site.handle("/news", drip)  # 60 bytes over 60 s: each read is quick, the page never ends
    config = write(workdir, site, crawl={"timeout": 3, "retries": 1},
                   start_urls=[f"{site.base}/news"])  # fmt: skip

    result = check(run_cli, config, timeout=45)  # the drip alone lasts 60 s

    assert result.returncode == 0, result.stderr
    assert f"start page: {site.base}/news  timeout" in result.stdout
    assert len(site.times("/news")) == 2, "one try and one retry, as a crawl makes them"


@pytest.mark.slow
def test_the_command_has_a_deadline_of_its_own(sites, workdir, run_cli):
    site = sites[0]
    site.handle("/news", drip)
    config = write(workdir, site, crawl={"timeout": 120}, start_urls=[f"{site.base}/news"])

    result = check(run_cli, config, "--time-limit", "4", timeout=45)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "time limit" in lines[0], result.stderr


def nested_index(h) -> None:
    """An index listing a news sitemap and 2,000 copies of itself (distinct ?n=)."""
    base = f"http://{h.headers['Host']}"
    rows = [f"<sitemap><loc>{base}/sitemaps/news.xml</loc><lastmod>2023-03-01</lastmod></sitemap>"]
    rows += [f"<sitemap><loc>{base}/sitemap.xml?n={i}</loc></sitemap>" for i in range(2000)]
    send(h, f"<sitemapindex>{''.join(rows)}</sitemapindex>".encode(), headers={"Content-Type": XML})


@pytest.mark.slow
def test_a_sitemap_index_of_2000_nested_indexes_ends_with_its_articles_stored(
    sites, workdir, run_cli
):
    site = sites[0]
    site.handle("/sitemap.xml", nested_index)
    urls = "".join(f"<url><loc>{site.base}/view/{i}</loc></url>" for i in range(3))
    site.set("/sitemaps/news.xml", f"<urlset>{urls}</urlset>".encode(), content_type=XML)
    for i in range(3):
        site.set(f"/view/{i}", page(f"Story {i}", f"Sitemap story number {i} told."))
    config = write(workdir, site, sitemaps=[f"{site.base}/sitemap.xml"], max_sitemaps=20)

    result = run_cli("crawl", config=config, timeout=120)

    assert result.returncode == 0, result.stderr[-2000:]
    sitemap_requests = [p for p in site.requests if p.startswith(("/sitemap", "/sitemaps"))]
    assert len(sitemap_requests) == 21, "the index, then max_sitemaps children, each once"
    assert site.times("/sitemaps/news.xml"), "the news sitemap first"
    with sqlite3.connect(workdir / "news.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3


def test_the_crawl_keeps_to_scheme_host_and_port(sites, workdir, run_cli):
    site, internal, other_port = sites
    site.handle("/view/a", redirect(f"{other_port.base}/view/internal"))
    site.handle("/view/b", redirect(f"{internal.base}/view/internal"))
    site.set("/view/c", page("Local story", "A story that stays on its own site."))
    links = (f'<a href="/view/a">a</a><a href="/view/b">b</a><a href="/view/c">c</a>'
             f'<a href="{other_port.base}/view/internal">port</a>')  # fmt: skip
    site.set("/news", f"<html><body>{links}</body></html>".encode())
    site.set("/feed.xml", rss(f"{other_port.base}/view/internal"), content_type=XML)
    urlset = f"<urlset><url><loc>{other_port.base}/view/internal</loc></url></urlset>"
    site.set("/sitemap.xml", urlset.encode(), content_type=XML)
    urls = {"feeds": [f"{site.base}/feed.xml"], "sitemaps": [f"{site.base}/sitemap.xml"]}
    config = write(workdir, site, start_urls=[f"{site.base}/news"], **urls)

    result = run_cli("crawl", config=config)

    assert result.returncode == 0, result.stderr[-2000:]
    assert other_port.requests == [] and internal.requests == []
    with sqlite3.connect(workdir / "news.db") as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert urls == [f"{site.base}/view/c"]


HOSTILE_TITLE = "Evil\x9b31m \u202ereversed\u202c headline\x1b[2J"


def test_control_and_bidi_characters_never_reach_the_archive_or_the_terminal(
    sites, workdir, run_cli
):
    site = sites[0]
    article = page(HOSTILE_TITLE, "Body with \x1b[31mred\x1b[0m and \u2066isolated\u2069 text.")
    site.handle("/view/esc%1B%5B31mRED", lambda h: send(h, article))  # as Scrapy asks for it
    site.set("/news", b'<html><body><a href="/view/esc&#27;[31mRED">x</a></body></html>')
    config = write(workdir, site, start_urls=[f"{site.base}/news"])

    crawled = run_cli("crawl", config=config)
    found = run_cli("search", "headline", config=config)

    assert crawled.returncode == 0 and found.returncode == 0, crawled.stderr + found.stderr
    with sqlite3.connect(workdir / "news.db") as conn:
        url, title, body = conn.execute("SELECT url, title, body FROM articles").fetchone()
    unsafe = ("\x1b", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069")
    assert url == f"{site.base}/view/esc%1B[31mRED"
    assert not any(c in title + body for c in unsafe), (title, body)
    assert "reversed headline" in title and "and isolated text" in body  # the rest is inert
    assert not any(c in found.stdout for c in unsafe), repr(found.stdout)
    assert "Evil" in found.stdout


@pytest.mark.slow
def test_a_drip_does_not_hold_sources_add_either(sites, workdir, run_cli):
    site = sites[0]
    site.handle("/", drip)
    config = write(workdir, site, start_urls=[f"{site.base}/news"])

    result = run_cli("sources", "add", "dripping", f"{site.base}/", config=config, timeout=45)

    assert result.returncode == 2 and "timeout" in result.stderr, result.stderr
