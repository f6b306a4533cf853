"""Integration tests: `newswatch crawl` against the fixture news sites over real HTTP.

The sites are described in fixtures/news_site.py. Every test gets fresh servers and a fresh
database in its tmp_path, runs the real CLI as a subprocess and checks the `articles` and
`crawl_runs` tables (plain sqlite3), the servers' request logs and the printed output.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fixtures import news_site as ns
from fixtures.news_site import (
    FEED_ONLY,
    FLAKY,
    FORBIDDEN,
    KOREAN,
    LATE_NEWS,
    LEAD_ORIGINAL,
    LEAD_UPDATE,
    PAGE2_ONLY,
    PARTNER_COPY,
    PARTNER_OWN,
    PHOTO_VIDEO,
    SAMPLE_CID,
    SITEMAP_ONLY,
    STORIES,
    SYNDICATED,
    Story,
)
from support.site import FixtureSite, closed_port

Row = dict[str, Any]

# -- helpers ---------------------------------------------------------------------------------


def tail(result: subprocess.CompletedProcess[str], chars: int = 3000) -> str:
    return f"stdout:\n{result.stdout[-chars:]}\nstderr:\n{result.stderr[-chars:]}"


def crawl(run_cli: Any, config: Path, *sources: str) -> subprocess.CompletedProcess[str]:
    """`newswatch --config CONFIG crawl [SOURCES]`, which must exit 0."""
    result = run_cli("crawl", *sources, config=config)
    assert result.returncode == 0, f"`crawl` exited {result.returncode}\n{tail(result)}"
    return result


def database(config: Path) -> Path:
    db = config.parent / "news.db"
    assert db.exists(), f"no database at {db} (`database: news.db` is relative to the config)"
    return db


def query(config: Path, sql: str, *params: Any) -> list[Row]:
    with closing(sqlite3.connect(database(config))) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(sql, params)]


def articles(config: Path) -> dict[str, Row]:
    """url -> the row of `articles`."""
    rows = query(config, "select * from articles")
    urls = [r["url"] for r in rows]
    assert len(urls) == len(set(urls)), f"articles has duplicate URLs: {sorted(urls)}"
    return {r["url"]: r for r in rows}


def by_path(rows: dict[str, Row], base: str) -> dict[str, Row]:
    """path -> row, for the rows stored under `base`."""
    return {urlsplit(url).path: row for url, row in rows.items() if url.startswith(base + "/")}


def runs(config: Path, source: str) -> list[Row]:
    """The crawl_runs rows of one source, oldest first."""
    return query(config, "select * from crawl_runs where source = ? order by id", source)


def error_count(run: Row) -> int:
    errors = json.loads(run["errors"] or "{}")
    assert isinstance(errors, dict), f"crawl_runs.errors is not a JSON object: {run['errors']!r}"
    return sum(int(n) for n in errors.values())


def json_list(value: Any) -> list[Any]:
    parsed = json.loads(value) if isinstance(value, str) and value else (value or [])
    assert isinstance(parsed, list), f"expected a JSON list, got {value!r}"
    return parsed


def view_requests(site: FixtureSite) -> list[str]:
    """Article pages requested (paths without query strings), in order."""
    return [p for p in site.paths() if p.startswith("/view/")]


def position(output: str, base: str, story: Story) -> int:
    """Where a search result for `story` starts in `output` (its URL, else its title); -1."""
    url = base + story.path
    return output.find(url) if url in output else output.find(story.headline)


NO_FEEDS: dict[str, Any] = {"feeds": [], "sitemaps": []}


# -- discovery -------------------------------------------------------------------------------


def test_pagination_stores_the_articles_of_every_list_page_up_to_max_list_pages(
    site, write_config, run_cli
):
    config = write_config(max_list_pages=3, **NO_FEEDS)
    result = crawl(run_cli, config)

    for n in (1, 2, 3):
        assert site.count(f"/news/{n}") == 1, f"/news/{n} requested once; log: {site.requests}"
    stored = set(by_path(articles(config), site.base))
    expected = ns.expected_paths(3, feeds=False, sitemaps=False)
    assert stored == expected, f"missing {expected - stored}, unexpected {stored - expected}"
    agents = {hit.headers.get("User-Agent") for hit in site.hits}
    assert agents == {ns.USER_AGENT}, f"requests must carry crawl.user_agent, saw {agents}"
    assert "yonhap" in result.stdout, (
        f"the crawl prints a summary naming the source\n{tail(result)}"
    )


def test_max_list_pages_1_requests_only_the_first_list_page(site, write_config, run_cli):
    config = write_config(max_list_pages=1)
    crawl(run_cli, config)

    assert site.count("/news/1") == 1, site.requests
    assert site.count("/news/2") == site.count("/news/3") == 0, (
        f"max_list_pages: 1 must not follow pagination; log: {site.requests}"
    )
    stored = set(by_path(articles(config), site.base))
    assert stored == ns.expected_paths(1), (
        f"page 1, feed and sitemap articles only; got {sorted(stored)}"
    )
    assert PAGE2_ONLY.path not in stored and PHOTO_VIDEO.path not in stored


def test_a_later_crawl_stops_paging_when_the_first_page_has_nothing_unseen(
    site, write_config, run_cli
):
    config = write_config(**NO_FEEDS)
    crawl(run_cli, config)
    assert site.count("/news/2") == 1, "the first crawl pages through /news/2"
    site.clear_log()

    crawl(run_cli, config)
    assert site.count("/news/1") == 1, f"/news/1 is checked again; log: {site.requests}"
    assert site.count("/news/2") == 0 and site.count("/news/3") == 0, (
        f"/news/1 held no unseen article, so /news/2 must not be requested; log: {site.requests}"
    )


@pytest.mark.parametrize(
    ("only", "expected"),
    [
        ("feeds", {FEED_ONLY.path, LEAD_UPDATE.path, f"/view/{SAMPLE_CID}"}),
        ("sitemaps", {SITEMAP_ONLY.path, ns.IN_SITEMAP.path}),
    ],
)
def test_a_feed_or_sitemap_alone_is_enough(site, write_config, run_cli, only, expected):
    urls = {"feeds": [f"{site.base}/RSS/news.xml"], "sitemaps": [f"{site.base}/news-sitemap.xml"]}
    config = write_config(start_urls=[], **{**NO_FEEDS, only: urls[only]})
    crawl(run_cli, config)

    assert not any(p.startswith("/news/") for p in site.paths()), site.requests
    stored = set(by_path(articles(config), site.base))
    assert stored == expected, f"{only} only: expected {sorted(expected)}, got {sorted(stored)}"


def test_articles_found_only_in_the_feed_or_the_sitemap_are_stored_with_utc_times(
    site, write_config, run_cli
):
    config = write_config()
    crawl(run_cli, config)

    assert site.count("/RSS/news.xml") == 1 and site.count("/news-sitemap.xml") == 1, site.requests
    rows = by_path(articles(config), site.base)
    for story, where in ((FEED_ONLY, "feed"), (SITEMAP_ONLY, "sitemap")):
        assert story.path in rows, f"{story.cid} is listed only in the {where}, and not stored"
        row = rows[story.path]
        assert row["title"] == story.headline, row["title"]
        # the feed's description is just "(END)": the body comes from the page
        assert row["body"] == story.body, f"{where} article body:\n{row['body']!r}"
        assert row["published_at"] == story.published_at, (
            f"{story.published} KST is {story.published_at}, got {row['published_at']!r}"
        )
        assert row["source"] == "yonhap"


def test_tracking_parameters_are_dropped_and_each_article_is_fetched_once(
    site, write_config, run_cli
):
    config = write_config()
    crawl(run_cli, config)

    rows = articles(config)
    for url in rows:
        parts = urlsplit(url)
        assert not parts.query and not parts.fragment, f"stored URL not canonical: {url}"
        assert not any(t in url for t in ("input=", "section=", "utm_", "#")), url
    expected = {site.base + p for p in ns.expected_paths()}
    assert set(rows) == expected, (
        f"missing {sorted(expected - set(rows))}, unexpected {sorted(set(rows) - expected)}"
    )
    fetched = Counter(view_requests(site))
    twice = {p: n for p, n in fetched.items() if n > 1}
    assert not twice, f"articles linked with different tracking strings were fetched again: {twice}"
    allowed = {
        "/robots.txt",
        "/news/1",
        "/news/2",
        "/news/3",
        "/RSS/news.xml",
        "/news-sitemap.xml",
        *ns.expected_paths(),
    }
    stray = [p for p in site.paths() if p not in allowed]
    assert not stray, f"requests outside list pages, feeds, sitemaps and their articles: {stray}"


# -- extraction ------------------------------------------------------------------------------


def test_yonhap_articles_are_extracted_with_the_configured_selectors(site, write_config, run_cli):
    config = write_config()
    crawl(run_cli, config)

    rows = by_path(articles(config), site.base)
    for story in STORIES:
        if story.path not in ns.expected_paths():
            continue
        row = rows.get(story.path)
        assert row is not None, f"{story.cid} not stored"
        assert row["title"] == story.headline, f"{story.cid} title {row['title']!r}"
        assert row["body"] == story.body, (
            f"{story.cid}: body must be the paragraphs joined with blank lines, without the "
            f"ATTN/byline line, photo, video or '(END)' line; got:\n{row['body']!r}"
        )
        assert row["published_at"] == story.published_at, (
            f"{story.cid}: '{story.published}' KST is {story.published_at} (the page's time "
            f"line, not article:published_time's seconds); got {row['published_at']!r}"
        )
        for author in story.authors:
            assert author in json_list(row["authors"]), f"{story.cid}: {row['authors']!r}"
        if story.photo_caption:
            captions = [i.get("caption") for i in json_list(row["images"]) if isinstance(i, dict)]
            assert captions.count(story.photo_caption) == 1, (
                f"{story.cid}: the photo caption is kept once, with its image: {row['images']!r}"
            )
        assert row["story_id"] is not None
    lead = rows[LEAD_UPDATE.path]
    assert (lead["dateline"] or "").startswith("SEOUL, March 1"), lead["dateline"]


def test_sample_article_page(site, write_config, run_cli):
    assert ns.SAMPLE_FILE.exists(), f"the real sample page is missing: {ns.SAMPLE_FILE}"
    config = write_config(max_list_pages=1, **NO_FEEDS)
    crawl(run_cli, config)

    rows = articles(config)
    url = f"{site.base}/view/{SAMPLE_CID}"
    assert url in rows, (
        f"the sample is stored under the URL it was fetched from, {url} (its rel=canonical "
        f"points to another host); stored: {sorted(rows)}"
    )
    row = rows[url]
    assert row["title"] == ns.SAMPLE_TITLE, row["title"]
    assert row["source"] == "yonhap"
    assert ns.SAMPLE_AUTHOR in json_list(row["authors"]), f"byline: {row['authors']!r}"
    dateline = row["dateline"] or ""
    assert dateline.startswith("WASHINGTON, Jan. 31") and "--" not in dateline, dateline
    assert row["published_at"] == ns.SAMPLE_PUBLISHED_AT, (
        f"'02:35 February 01, 2023' KST is {ns.SAMPLE_PUBLISHED_AT}, got {row['published_at']!r}"
    )
    body = row["body"]
    assert body.startswith(ns.SAMPLE_BODY_START), f"body starts with the dateline: {body[:200]!r}"
    assert body.endswith(ns.SAMPLE_BODY_END), f"body ends with the last quote: {body[-200:]!r}"
    paragraphs = body.split("\n\n")
    assert len(paragraphs) == ns.SAMPLE_PARAGRAPHS, (
        f"{ns.SAMPLE_PARAGRAPHS} paragraphs separated by blank lines, got {len(paragraphs)}"
    )
    assert "By Byun" not in body, "the byline is not body text"
    assert ns.SAMPLE_CAPTION_START not in body, "the photo caption is not body text"
    for phrase in ns.CHROME_PHRASES:
        assert phrase not in body, f"{phrase!r} leaked into the sample's body"
    captions = [i.get("caption") or "" for i in json_list(row["images"]) if isinstance(i, dict)]
    assert sum(c.startswith(ns.SAMPLE_CAPTION_START) for c in captions) == 1, (
        f"the caption is kept once, as the image's caption: {row['images']!r}"
    )


def test_euc_kr_page_is_decoded_and_searchable(site, write_config, run_cli):
    config = write_config(max_list_pages=2, **NO_FEEDS)
    crawl(run_cli, config)

    row = by_path(articles(config), site.base).get(KOREAN.path)
    assert row is not None, f"the EUC-KR article {KOREAN.cid} was not stored"
    assert row["title"] == KOREAN.headline, f"title mis-decoded: {row['title']!r}"
    assert row["body"] == KOREAN.body, f"body mis-decoded: {row['body']!r}"
    result = run_cli("search", "탄도미사일", config=config)
    assert result.returncode == 0, tail(result)
    assert position(result.stdout, site.base, KOREAN) >= 0, (
        f"`search 탄도미사일` must find the article containing 탄도미사일을\n{tail(result)}"
    )


def test_sidebars_full_of_keywords_stay_out_of_bodies_and_search(site, write_config, run_cli):
    config = write_config()
    crawl(run_cli, config)

    rows = articles(config)
    assert rows, "nothing stored"
    for url, row in rows.items():
        body = (row["body"] or "").lower()
        for word in ns.SIDEBAR_KEYWORDS:
            assert word.lower() not in body, f"sidebar keyword {word!r} in the body of {url}"
        for phrase in ns.CHROME_PHRASES:
            assert phrase.lower() not in body, f"page chrome {phrase!r} in the body of {url}"
    for cid in ns.NEVER_LINKED_FROM_LISTS:
        assert not any(cid in p for p in site.requests), (
            f"{cid} is linked only from article pages (sidebars, related, inline), yet requested"
        )

    result = run_cli("search", "hypersonic", config=config)
    assert result.returncode == 0, tail(result)
    leaked = [
        url for url, row in rows.items() if url in result.stdout or row["title"] in result.stdout
    ]
    assert not leaked, f"`search hypersonic` must find nothing, found {leaked}\n{tail(result)}"

    result = run_cli("search", "laver", config=config)  # a body word of PAGE2_ONLY only
    assert result.returncode == 0, tail(result)
    assert position(result.stdout, site.base, PAGE2_ONLY) >= 0, (
        f"`search laver` must find {PAGE2_ONLY.headline!r}\n{tail(result)}"
    )
    others = [s.cid for s in STORIES if s is not PAGE2_ONLY and s.headline in result.stdout]
    assert not others, f"`search laver` printed unrelated articles {others}"


def test_search_prints_matches_newest_first(site, write_config, run_cli):
    config = write_config()
    crawl(run_cli, config)

    result = run_cli("search", "quarterly", config=config)
    assert result.returncode == 0, tail(result)
    matching = [s for s in STORIES if "quarterly" in s.body and s.path in ns.expected_paths()]
    newest_first = sorted(matching, key=lambda s: s.published_at, reverse=True)
    assert len(newest_first) >= 3
    found = [position(result.stdout, site.base, s) for s in newest_first]
    assert all(p >= 0 for p in found), (
        f"`search quarterly` must print {[s.headline for s in newest_first]}\n{tail(result)}"
    )
    assert found == sorted(found), (
        f"newest first: {[s.headline for s in newest_first]}\n{tail(result)}"
    )


# -- stories ---------------------------------------------------------------------------------


def test_lead_update_joins_the_original_story(site, write_config, run_cli):
    config = write_config()
    crawl(run_cli, config)

    rows = by_path(articles(config), site.base)
    original, lead = rows.get(LEAD_ORIGINAL.path), rows.get(LEAD_UPDATE.path)
    assert original and lead, "both versions are stored, each under its own URL"
    assert original["title"] == LEAD_ORIGINAL.headline
    assert lead["title"] == LEAD_UPDATE.headline, "the title keeps its (LEAD) prefix"
    assert lead["body"] == LEAD_UPDATE.body and original["body"] == LEAD_ORIGINAL.body
    assert original["story_id"] is not None
    assert lead["story_id"] == original["story_id"], (
        f"(LEAD) update and original must share story_id: "
        f"{lead['story_id']!r} != {original['story_id']!r}"
    )
    drill = (LEAD_ORIGINAL.path, LEAD_UPDATE.path)
    others = [r["story_id"] for p, r in rows.items() if p not in drill]
    assert lead["story_id"] not in others, "unrelated articles must not join the drill story"
    assert len(set(others)) == len(others), f"unrelated articles share story ids: {others}"


def test_syndicated_copy_on_the_partner_site_joins_the_story(site, partner, write_config, run_cli):
    config = write_config(
        sources=[ns.yonhap_source(site.base, **NO_FEEDS), ns.partner_source(partner.base)]
    )
    crawl(run_cli, config, "yonhap")
    assert partner.requests == [], "`crawl yonhap` must not touch the partner source"
    crawl(run_cli, config, "partner")

    rows = articles(config)
    original = rows.get(site.base + SYNDICATED.path)
    copy = rows.get(partner.base + PARTNER_COPY.path)
    own = rows.get(partner.base + PARTNER_OWN.path)
    assert original and copy and own, f"stored: {sorted(rows)}"
    assert (original["source"], copy["source"], own["source"]) == ("yonhap", "partner", "partner")
    assert copy["story_id"] is not None
    assert copy["story_id"] == original["story_id"], (
        "the partner's copy of the Yonhap text must join the Yonhap story: "
        f"{copy['story_id']!r} != {original['story_id']!r}"
    )
    yonhap_ids = {r["story_id"] for r in rows.values() if r["source"] == "yonhap"}
    assert own["story_id"] not in yonhap_ids, "the partner's own article is a story of its own"

    # generic extraction (no selectors): og:title, article:published_time, <article>
    assert copy["title"] == PARTNER_COPY.title, copy["title"]
    assert copy["published_at"] == PARTNER_COPY.published_at, copy["published_at"]
    assert own["published_at"] == PARTNER_OWN.published_at, own["published_at"]
    for article, row in ((PARTNER_COPY, copy), (PARTNER_OWN, own)):
        for paragraph in article.paragraphs:
            assert paragraph in row["body"], f"{article.path}: missing {paragraph[:60]!r}"
        body = row["body"].lower()
        for phrase in (*ns.SIDEBAR_KEYWORDS, *ns.CHROME_PHRASES, "Harbor Daily"):
            assert phrase.lower() not in body, f"{article.path}: chrome {phrase!r} in the body"
    trending = [p for p, _ in ns.PARTNER_TRENDING if partner.count(p)]
    assert not trending, f"links found on article pages must not be followed: {trending}"


# -- failures and politeness ---------------------------------------------------------------


def test_a_server_error_is_retried_on_the_next_crawl(site, write_config, run_cli):
    site.fail(FLAKY.path, 3)  # more than the 2 retries of one crawl
    config = write_config(**NO_FEEDS, crawl={"retries": 2})
    crawl(run_cli, config)

    rows = by_path(articles(config), site.base)
    assert FLAKY.path not in rows, "a page that answered 500 must not be stored"
    assert LEAD_UPDATE.path in rows, "the other articles are stored despite the failure"
    assert site.count(FLAKY.path) == 3, (
        f"retries: 2 means 3 attempts in all, saw {site.count(FLAKY.path)}"
    )
    (first,) = runs(config, "yonhap")
    assert error_count(first) >= 1, f"crawl_runs must count the failure: {first['errors']!r}"

    site.fail(FLAKY.path, 0)  # healthy again
    site.clear_log()
    crawl(run_cli, config)
    rows = by_path(articles(config), site.base)
    assert FLAKY.path in rows, "the failed page must be tried again, and stored, on a later crawl"
    assert rows[FLAKY.path]["body"] == FLAKY.body
    assert view_requests(site) == [FLAKY.path], (
        f"the second crawl fetches only the page that failed; fetched {view_requests(site)}"
    )


def test_a_timed_out_page_is_retried_on_the_next_crawl(site, write_config, run_cli):
    site.update(FLAKY.path, delay=8)  # far past the timeout: other pages have 3 s to answer
    config = write_config(**NO_FEEDS, crawl={"timeout": 3, "retries": 2})
    crawl(run_cli, config)

    assert FLAKY.path not in by_path(articles(config), site.base), "it timed out: not stored"
    assert site.count(FLAKY.path) == 3, f"3 attempts in all, saw {site.count(FLAKY.path)}"
    (first,) = runs(config, "yonhap")
    assert error_count(first) >= 1, f"crawl_runs must count the timeout: {first['errors']!r}"

    site.update(FLAKY.path, delay=0)
    site.clear_log()
    crawl(run_cli, config)
    assert FLAKY.path in by_path(articles(config), site.base), "tried again on the next crawl"
    assert view_requests(site) == [FLAKY.path], view_requests(site)


def test_robots_txt_disallowed_article_is_never_requested(site, write_config, run_cli):
    config = write_config()
    crawl(run_cli, config)

    assert site.count("/robots.txt") >= 1, "robots.txt was not read"
    assert site.count("/news/2") == 1, "the list page linking the forbidden article was read"
    assert site.count(FORBIDDEN.path) == 0, f"robots.txt forbids {FORBIDDEN.path}: {site.requests}"
    assert FORBIDDEN.path not in by_path(articles(config), site.base)


def test_a_second_crawl_of_an_unchanged_site_fetches_no_article(site, write_config, run_cli):
    config = write_config()
    crawl(run_cli, config)
    before = articles(config)
    assert len(before) == len(ns.expected_paths()), sorted(before)
    site.clear_log()

    crawl(run_cli, config)
    assert view_requests(site) == [], f"already stored articles were fetched again: {site.requests}"
    after = articles(config)
    assert set(after) == set(before), f"new rows: {sorted(set(after) - set(before))}"
    changed = [u for u in before if before[u]["story_id"] != after[u]["story_id"]]
    assert not changed, f"story ids changed: {changed}"

    first, second = runs(config, "yonhap")
    assert first["new_articles"] == len(before), f"first run: {first}"
    assert second["new_articles"] == 0, f"second run: {second}"
    assert first["started_at"] and first["finished_at"], first
    assert first["started_at"] <= first["finished_at"] <= second["started_at"], (first, second)


def test_only_a_newly_published_article_is_fetched(site, write_config, run_cli):
    config = write_config()
    crawl(run_cli, config)
    count = len(articles(config))
    ns.add_late_news(site)
    site.clear_log()

    crawl(run_cli, config)
    assert view_requests(site) == [LATE_NEWS.path], (
        f"only the new article is fetched; fetched {view_requests(site)}"
    )
    rows = by_path(articles(config), site.base)
    assert len(rows) == count + 1 and rows[LATE_NEWS.path]["title"] == LATE_NEWS.headline
    (*_, last) = runs(config, "yonhap")
    assert last["new_articles"] == 1, last


def test_an_unreachable_or_missing_source_does_not_stop_the_crawl(
    site, partner, write_config, run_cli
):
    gone = ns.partner_source(partner.base, name="gone", start_urls=[f"{partner.base}/no-such"])
    with closed_port() as port:  # held, not listening: every connection is refused
        ghost = {
            "name": "ghost",
            "start_urls": [f"http://127.0.0.1:{port}/news/1"],
            "article_url_pattern": r"/view/AEN\d+",
        }
        config = write_config(sources=[ghost, gone, ns.yonhap_source(site.base, **NO_FEEDS)])
        result = crawl(run_cli, config)

    stored = set(by_path(articles(config), site.base))
    expected = ns.expected_paths(feeds=False, sitemaps=False)
    assert stored == expected, f"yonhap must be crawled in full, missing {expected - stored}"
    assert partner.count("/no-such") >= 1
    for name in ("ghost", "gone"):
        rows = runs(config, name)
        assert len(rows) == 1, f"one crawl_runs row for {name}: {rows}"
        assert error_count(rows[0]) >= 1, f"{name}'s run must record its error: {rows[0]}"
        assert name in result.stdout, f"the summary names {name}\n{tail(result)}"


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"schedule": "sometimes"}, "schedule"),
        ({"max_list_pages": "x"}, "max_list_pages"),
        ({"crawl": {"retries": "many"}}, "retries"),
    ],
)
def test_a_config_error_exits_2_with_one_line_naming_the_key(
    site, write_config, run_cli, override, key
):
    config = write_config(filename="bad.yaml", **override)
    result = run_cli("crawl", config=config)

    assert result.returncode == 2, f"exit {result.returncode}\n{tail(result)}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], f"one line naming {key!r}\n{tail(result)}"
    assert "Traceback" not in result.stderr + result.stdout
    assert site.requests == [], "nothing is crawled with a bad config"


def test_an_unknown_source_name_exits_2(site, write_config, run_cli):
    result = run_cli("crawl", "nosuch", config=write_config())

    assert result.returncode == 2, f"exit {result.returncode}\n{tail(result)}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nosuch" in lines[0], tail(result)
    assert "Traceback" not in result.stderr + result.stdout
    assert site.requests == []
