"""Selectors as Scrapy users write them: CSS with ::text and ::attr(name), XPath; compiled
when the config loads; a failing or dead selector is counted, shown and judged by health."""

from __future__ import annotations

import json
import sqlite3

import pytest
from fixtures import news_site
from support.site import FixtureSite

from crawler.extract import extract_article
from newswatch.config import ConfigError, Selectors, load_config

ARTICLE = """<html><head><title>{title} | Site</title></head><body>
<div class="story"><h1 class="headline">{title}</h1>
<p class="meta">By <span class="author">{author}</span>, posted
<span class="posted">{posted}</span> <time datetime="{iso}">{shown}</time></p>
<div class="text"><p>{title} was reported on {posted} by <b>{author}</b>, officials said.</p>
<p>The second paragraph of {title} adds more detail about what happened next.</p></div>
<div class="ad">Buy now</div></div></body></html>"""
STORIES = [  # (title, author, posted in KST as the page prints it)
    ("Bridge reopens after repairs", "Park Min-ho", "2023-03-01 14:20"),
    ("Ferry service resumes in spring", "Kim Ji-woo", "2023-03-02 09:05"),
]
FIELDS = ("title", "published_at", "authors", "body")


def article(title: str, author: str, posted: str) -> str:
    iso = posted.replace(" ", "T") + ":00+09:00"
    return ARTICLE.format(title=title, author=author, posted=posted, iso=iso, shown="Mar 1")


def test_text_attr_and_xpath_selectors_give_the_fields():
    html = article(*STORIES[0])
    chosen = Selectors(
        title="h1.headline::text",
        published="span.posted::text",
        authors="//span[@class='author']/text()",
        body="div.text p::text",
        exclude=(".ad",),
    )
    found = extract_article(html, "https://x.org/a/1", selectors=chosen, timezone="Asia/Seoul")
    assert found.title == "Bridge reopens after repairs"
    assert found.published_at == "2023-03-01T05:20:00Z"
    assert found.authors == ["Park Min-ho"]
    first = found.body.split("\n\n")[0]  # p::text skips the text of the <b>, as in Scrapy
    assert (
        first
        == "Bridge reopens after repairs was reported on 2023-03-01 14:20 by , officials said."
    )
    assert {name: found.origins[name] for name in FIELDS} == dict.fromkeys(FIELDS, "selector")
    assert set(found.selector_report.values()) == {"matched"}
    assert set(found.selector_report) == {"title", "published", "authors", "body", "exclude[0]"}
    attr = Selectors(published="xpath: //time/@datetime")
    dated = extract_article(html, "https://x.org/a/1", selectors=attr, timezone="UTC")
    assert dated.published_at == "2023-03-01T05:20:00Z"
    css_attr = Selectors(published="time::attr(datetime)")
    assert extract_article(html, "https://x.org/", selectors=css_attr).published_at == (
        "2023-03-01T05:20:00Z"
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("published", "span.posted::txt", "The pseudo-element ::txt is unknown"),
        ("title", "h1[", "Expected ident or '*'"),
        ("body", "//div[@class='text'", "XPath"),
        ("authors", "xpath: //x:author", "Undefined namespace prefix"),
        ("exclude", [".ad::text"], "a selector of elements"),
        ("next_page", "a.next::attr(", "Expected an argument"),
    ],
)
def test_a_bad_selector_names_file_key_and_parser_message(key, value, message, write_config):
    config = write_config(selectors={key: value})
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    where = f"sources[0].selectors.{key}" + ("[0]" if key == "exclude" else "")
    text = str(caught.value)
    assert str(config) in text and where in text and message in text and "\n" not in text


def test_a_bad_selector_stops_the_command_with_one_line_and_exit_2(write_config, run_cli):
    config = write_config(selectors={"published": "span.posted::txt"})
    result = run_cli("crawl", config=config)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"newswatch: error: {config}: sources[0].selectors.published: expected a CSS or XPath "
        "selector (CSS: The pseudo-element ::txt is unknown), got 'span.posted::txt'"
    )


@pytest.fixture
def selector_site():
    with FixtureSite("127.0.0.1") as site:
        links = "".join(f'<a href="/a/{i}">{s[0]}</a>' for i, s in enumerate(STORIES))
        site.set("/news", f"<html><body>{links}</body></html>")
        for i, story in enumerate(STORIES):
            site.set(f"/a/{i}", article(*story))
        yield site


def crawl(workdir, run_cli, site, selectors):
    source = {"name": "site", "start_urls": [site.url("/news")], "article_url_pattern": r"/a/\d+",
              "timezone": "Asia/Seoul", "selectors": selectors}  # fmt: skip
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict([source]))
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(workdir / "news.db") as conn:
        conn.row_factory = sqlite3.Row
        run = dict(conn.execute("SELECT * FROM crawl_runs").fetchone())
        rows = [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY url")]
    return result, run, rows, config


def test_the_crawl_dates_articles_with_a_text_selector(selector_site, workdir, run_cli):
    selectors = {"title": "h1.headline::text", "published": "span.posted::text",
                 "authors": "span.author::text"}  # fmt: skip
    result, run, rows, _ = crawl(workdir, run_cli, selector_site, selectors)
    assert [r["published_at"] for r in rows] == ["2023-03-01T05:20:00Z", "2023-03-02T00:05:00Z"]
    assert [json.loads(r["authors"]) for r in rows] == [["Park Min-ho"], ["Kim Ji-woo"]]
    assert (run["selector_articles"], run["selector_errors"], run["undated"]) == (2, 0, 0)
    assert json.loads(run["selector_missed"]) == {}


def test_a_dead_selector_degrades_health_and_a_failing_one_is_counted_and_named(
    selector_site, workdir, run_cli
):
    selectors = {
        "published": "span.date::text",  # the site redesigned: matches nothing
        "body": "//div[frob()]/p",  # compiles; the function is unknown on a page
        "title": "h1.headline",
    }
    result, run, rows, config = crawl(workdir, run_cli, selector_site, selectors)
    status = run_cli("status", config=config)

    dead = "selector published matched nothing on 2 of 2 articles"
    assert f"site: {dead}" in result.stdout, result.stdout
    assert "site: 2 selector errors (last: selectors.body: Unregistered function)" in result.stdout
    assert "health site: ok -> degraded" in result.stdout
    assert "site is degraded: " in status.stdout and dead in status.stdout, status.stdout
    assert json.loads(run["selector_missed"]) == {"body": 2, "published": 2}
    assert run["selector_errors"] == 2 and "selectors.body" in run["selector_last_error"]
    assert all(r["body"] for r in rows), "the body came from the generic path instead"
