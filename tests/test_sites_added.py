"""`newswatch sources add` on five sites of different builds, then `crawl` with what it wrote:
at least 95% of each site's articles stored, and no list, tag or author page."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fixtures.varied_sites import SITES, SiteMap
from support.site import FixtureSite

CONFIG = """\
# my newswatch config: these comments must survive `sources add --write`
database: news.db   # next to this file

crawl:
  download_delay: 0
  autothrottle: false
  timeout: 10

sources:
  # a source on no site: `sources add` appends after it
  - name: placeholder
    feeds: ["http://127.0.0.1:9/feed.xml"]
    article_url_pattern: '/x/'
"""


def stored_paths(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    return {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in urls}


def list_pages(site: FixtureSite, spec: SiteMap) -> list[str]:
    return [p for p in site.requests if p in spec.lists]


@pytest.fixture
def config_file(workdir: Path) -> Path:
    path = workdir / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(SITES))
def test_sources_add_writes_a_block_that_crawls_the_whole_site(name, config_file, run_cli):
    with FixtureSite("127.0.0.1") as site:
        spec = SITES[name](site)

        added = run_cli("sources", "add", name, site.url(spec.start), "--write", config=config_file)
        assert added.returncode == 0, added.stdout + added.stderr
        text = config_file.read_text(encoding="utf-8")
        assert text.startswith(CONFIG.rstrip("\n")), "the file's comments and layout are kept"
        assert f"- name: {name}" in text and "article_url_pattern" in text
        site.clear_log()

        crawled = run_cli("crawl", name, config=config_file)
        pages = list_pages(site, spec)
        if name == "paging":  # its feed queues page 1's articles before page 1 is read
            site.clear_log()
            assert run_cli("crawl", name, config=config_file).returncode == 0
            assert list_pages(site, spec) == spec.lists[:1], "a re-crawl stops after page 1"

    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    stored = stored_paths(config_file.parent / "news.db")
    articles = set(spec.articles)
    assert len(stored & articles) >= 0.95 * len(articles), (sorted(articles - stored), text)
    assert stored <= articles, f"non-articles stored: {sorted(stored - articles)}"
    assert pages == spec.lists, "every list page, each once (paging's last Next wraps to 1)"
    assert "/news/latest-9.html" not in site.requests, "a 'Next' inside an article is no list"


def test_a_page_that_links_no_article_is_one_line_and_exit_2(config_file, run_cli):
    with FixtureSite("127.0.0.1") as site:
        site.set("/", "<html><body><a href='/about'>About</a><a href='/contact'>Contact</a>")
        result = run_cli("sources", "add", "empty", site.url("/"), config=config_file)
        missing = run_cli("sources", "add", "gone", site.url("/nothing"), config=config_file)

    for outcome, words in ((result, "links no article"), (missing, "HTTP 404")):
        assert outcome.returncode == 2, outcome.stdout + outcome.stderr
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], outcome.stderr
    assert "empty" not in config_file.read_text(encoding="utf-8")


def test_a_name_already_configured_is_refused_before_any_request(config_file, run_cli):
    with FixtureSite("127.0.0.1") as site:
        result = run_cli("sources", "add", "placeholder", site.url("/"), config=config_file)
        requests = site.requests

    assert result.returncode == 2
    assert "already configured" in result.stderr and requests == []
