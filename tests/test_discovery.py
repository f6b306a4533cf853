"""Link discovery on list pages, feeds and sitemaps, including hostile XML."""

import re

from parsel import Selector

from crawler.discovery import Entry, article_links, feed_entries, sitemap_entries
from crawler.pagination import next_page

PATTERN = re.compile(r"/view/AEN\d+")
ORIGINS = ("https://en.yna.co.kr:443",)


def test_article_links_are_canonical_on_domain_and_matching():
    hrefs = [
        "//en.yna.co.kr/view/AEN20230201000452315?section=news&input=rss",
        "/view/AEN20230201000452315#top",
        "https://evil.example.com/view/AEN20230201000452315",
        "https://en.yna.co.kr:8443/view/AEN20230201000452399",  # same host, other port
        "http://en.yna.co.kr/view/AEN20230201000452398",  # same host, other scheme
        "/news/2",
        "javascript:void(0)",
        "//en.yna.co.kr/view/AEN20230131001551325",
    ]
    assert article_links(hrefs, "https://en.yna.co.kr/news/1", PATTERN, ORIGINS) == [
        "https://en.yna.co.kr/view/AEN20230201000452315",
        "https://en.yna.co.kr/view/AEN20230131001551325",
    ]


def test_next_page_by_rel_or_by_incremented_number():
    html = '<a href="/news/1">1</a><a href="/news/2">2</a><a href="/news/3">3</a>'
    assert next_page(Selector(text=html), "https://x.org/news/1") == (
        "https://x.org/news/2",
        "page number",
    )
    assert next_page(Selector(text=html), "https://x.org/news/3") == ("", "")
    rel = '<link rel="next" href="/nk/index?page=2">'
    assert next_page(Selector(text=rel), "https://x.org/nk/index") == (
        "https://x.org/nk/index?page=2",
        "rel=next",
    )
    implicit = '<a href="/nk/index?page_no=2">2</a>'
    assert next_page(Selector(text=implicit), "https://x.org/nk/index") == (
        "https://x.org/nk/index?page_no=2",
        "page number",
    )


YONHAP_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>YonhapNews</title>
<lastBuilldDate>Sat, 18 Jan 2025 09:49:01 +0900</lastBuilldDate>
<item><id>AEN20250117001500315</id><title>One</title>
<link>https://en.yna.co.kr/view/AEN20250117001500315?section=news&amp;input=rss</link>
<description>(END)</description><pubDate>20250118080005</pubDate></item>
<item><title>Two</title><link>https://en.yna.co.kr/view/AEN20250117001600315</link>
<pubDate>Sat, 18 Jan 2025 08:10:00</pubDate><enclosure url="https://img.yna.co.kr/a.jpg"/></item>
</channel></rss>"""


def test_yonhap_feed_dates_without_zone_are_read_in_the_source_timezone():
    entries = feed_entries(YONHAP_FEED, "https://en.yna.co.kr/RSS/news.xml", "Asia/Seoul")
    assert [(e.url, e.published_at) for e in entries] == [
        ("https://en.yna.co.kr/view/AEN20250117001500315?section=news&input=rss",
         "2025-01-17T23:00:05Z"),
        ("https://en.yna.co.kr/view/AEN20250117001600315", "2025-01-17T23:10:00Z"),
    ]  # fmt: skip


def test_atom_feed():
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>
    <link rel="alternate" href="https://x.org/a/1"/><link rel="enclosure" href="https://x.org/i.jpg"/>
    <published>2023-02-01T02:35:11+09:00</published></entry></feed>"""
    assert [(e.url, e.published_at) for e in feed_entries(atom, "https://x.org/", "UTC")] == [
        ("https://x.org/a/1", "2023-01-31T17:35:11Z")
    ]


def test_news_sitemap_and_sitemap_index():
    news = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
    xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>
    <loc>https://en.yna.co.kr/view/AEN20230201000452315</loc><news:news><news:title>T</news:title>
    <news:publication_date>2023-02-01T02:35:11+09:00</news:publication_date></news:news>
    <lastmod>2023-02-02T00:00:00+09:00</lastmod></url></urlset>"""
    entries, nested = sitemap_entries(news, "https://en.yna.co.kr/", "Asia/Seoul")
    assert [(e.url, e.published_at) for e in entries] == [
        ("https://en.yna.co.kr/view/AEN20230201000452315", "2023-01-31T17:35:11Z")
    ]
    assert nested == []
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://en.yna.co.kr/sitemap-1.xml</loc></sitemap></sitemapindex>"""
    assert sitemap_entries(index, "https://en.yna.co.kr/", "UTC") == (
        [],
        [Entry("https://en.yna.co.kr/sitemap-1.xml")],
    )


def test_hostile_xml_expands_nothing_and_reads_no_file():
    laughs = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
    <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
    <rss><channel><item><link>https://x.org/a/&lol3;</link></item></channel></rss>"""
    entries = feed_entries(laughs, "https://x.org/", "UTC")
    assert all("lollol" not in e.url for e in entries), entries
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <urlset><url><loc>https://x.org/a/&x;</loc></url></urlset>"""
    entries, _ = sitemap_entries(xxe, "https://x.org/", "UTC")
    assert all("root:" not in e.url for e in entries), entries


def test_garbage_is_no_links_not_an_error():
    assert feed_entries(b"\x00\xff not xml", "https://x.org/", "UTC") == []
    assert sitemap_entries(b"", "https://x.org/", "UTC") == ([], [])
