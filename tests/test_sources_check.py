"""`newswatch sources check NAME` on the fixture site: what a crawl would find; nothing stored."""

from __future__ import annotations

import re
from pathlib import Path

from fixtures.news_site import FORBIDDEN, SITEMAP_ONLY, YONHAP_SELECTORS


def check(run_cli, config: Path, name: str = "yonhap"):
    result = run_cli("sources", "check", name, config=config, timeout=60)
    assert "Traceback" not in result.stderr + result.stdout
    return result


def field_line(out: str, name: str) -> str:
    match = re.search(rf"^  {name}\s.*$", out, re.M)
    assert match, f"no line for {name}:\n{out}"
    return match.group(0)


def test_it_lists_the_links_and_prints_the_newest_articles_fields_with_their_origins(
    site, write_config, run_cli, workdir
):
    result = check(run_cli, write_config())

    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert f"start page: {site.base}/news/1  ok  10 links, 4 match the pattern" in out
    assert f"next list page: {site.base}/news/2" in out
    assert f"sitemap: {site.base}/news-sitemap.xml  ok  2 entries, 2 match the pattern" in out
    assert "7 article links match article_url_pattern" in out
    assert f"{site.base}/nk/index" in out  # a sample of the links that are not articles
    # the sitemap dates SITEMAP_ONLY newest of all
    assert f"newest article: {site.base}{SITEMAP_ONLY.path}" in out
    assert re.search(rf"title\s+selector\s+{re.escape(SITEMAP_ONLY.headline)}$",
                     field_line(out, "title"))  # fmt: skip
    assert re.search(r"published_at\s+selector\s+2023-03-03T01:15:00Z", out)
    assert "language      generic" in field_line(out, "language")
    assert "structured data" in field_line(out, "summary")
    assert "2 paragraphs" in field_line(out, "body")
    assert f"selectors.body '{YONHAP_SELECTORS['body']}': 3 elements" in out
    assert out.rstrip().endswith("nothing was stored.")
    assert not (workdir / "news.db").exists()
    assert not any(p.endswith("/view/" + FORBIDDEN.cid) for p in site.paths())


def test_a_pattern_that_matches_nothing_is_said_in_plain_words(site, write_config, run_cli):
    result = check(run_cli, write_config(article_url_pattern=r"/story/\d+"))

    out = result.stdout
    assert result.returncode == 0
    assert r"article_url_pattern '/story/\d+' matches none of the 13 links found" in out
    assert "so the crawl would fetch no article" in out
    assert "Hint: open an article in your browser" in out
    assert f"{site.base}/view/AEN" in out  # the links it found, to write a better pattern from
    assert not any(p.startswith("/view/") for p in site.paths())


def test_a_selector_that_selects_nothing_is_said_with_where_the_field_came_from(
    write_config, run_cli, workdir
):
    selectors = dict(YONHAP_SELECTORS, title="h1.headline")
    result = check(run_cli, write_config(selectors=selectors))

    out = result.stdout
    assert result.returncode == 0
    assert (
        "selectors.title 'h1.headline' selects nothing on this page; the field came from "
        "structured data instead." in out
    )
    assert "Hint: open the page in your browser" in out
    assert re.search(r"title\s+structured data\s+", field_line(out, "title"))
    assert not (workdir / "news.db").exists()


def test_robots_txt_is_obeyed(site, write_config, run_cli):
    site.set("/robots.txt", "User-agent: *\nDisallow: /news/\n", content_type="text/plain")

    result = check(run_cli, write_config())

    assert f"start page: {site.base}/news/1  blocked by robots.txt" in result.stdout
    assert "/news/1" not in site.paths()


def test_an_unknown_source_is_one_line_and_exit_2(write_config, run_cli, site):
    result = check(run_cli, write_config(), name="nosuch")

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown source 'nosuch'" in lines[0]
    assert site.requests == []
