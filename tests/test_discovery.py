"""Link discovery on list pages, feeds and sitemaps, including hostile XML."""

import re

import pytest
from parsel import Selector

from crawler.discovery import Entry, article_links, choose_sitemaps, feed_entries, sitemap_entries
from crawler.pagination import next_page

PATTERN = re.compile(r"/view/AEN\d+")
ORIGINS = ("https://en.yna.co.kr:443",)
X_ORG = ("https://x.org:443",)


def test_article_links_are_canonical_on_domain_and_matching():
    hrefs = [
        "//en.yna.co.kr/view/AEN20230201000452315?section=news&input=rss",
        "/view/AEN20230201000452315#top",
        "https://evil.example.com/view/AEN20230201000452315",
        "https://en.yna.co.kr:8443/view/AEN20230201000452399",  # same host, other port
        "ftp://en.yna.co.kr/view/AEN20230201000452398",  # same host, other scheme
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
    assert [e.url for e in entries] == ["https://x.org/a/"], "the item is read, unexpanded"
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <urlset><url><loc>https://x.org/a/&x;</loc></url></urlset>"""
    entries, _ = sitemap_entries(xxe, "https://x.org/", "UTC")
    assert [e.url for e in entries] == ["https://x.org/a/"], "read, without the file"


def test_garbage_is_no_links_not_an_error():
    assert feed_entries(b"\x00\xff not xml", "https://x.org/", "UTC") == []
    assert sitemap_entries(b"", "https://x.org/", "UTC") == ([], [])


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        ('<a class="paging-next" href="/news/latest-2.html">Next</a>', "/news/latest.html",
         ("/news/latest-2.html", 'link "Next"')),
        ('<a href="list.php?page=2">다음</a>', "/news/list.php",
         ("/news/list.php?page=2", 'link "다음"')),
        ('<a href="?p=2">次のページ »</a>', "/ja/", ("/ja/?p=2", 'link "次のページ »"')),
        ('<a href="/zh/2"><img alt="下一页"></a>', "/zh/", ("/zh/2", 'link "下一页"')),
        ('<a href="/de?seite=2">Nächste</a>', "/de", ("/de?seite=2", 'link "Nächste"')),
        ('<a href="/fr/page/2/">Suivant ›</a>', "/fr/", ("/fr/page/2/", 'link "Suivant ›"')),
        ('<a href="/ru?page=2">Следующая</a>', "/ru", ("/ru?page=2", 'link "Следующая"')),
        ('<a href="/x?pg=2">›</a>', "/x", ("/x?pg=2", 'link "›"')),
        ('<a href="/x/2" aria-label="Go to the next page"><i></i></a>', "/x",
         ("/x/2", 'link labelled "Go to the next page"')),
        ('<a href="/x/2" class="pagination__next"></a>', "/x",
         ("/x/2", 'link of class "pagination__next"')),
        ('<a href="/archive?start=20">2</a><a href="/archive?start=40">3</a>', "/archive",
         ("/archive?start=20", "offset")),
        ('<a href="/archive?offset=0">1</a><a href="/archive?offset=40">3</a>',
         "/archive?offset=20", ("/archive?offset=40", "offset")),
        ('<a href="/news_2.html">2</a>', "/news.html", ("/news_2.html", "page number")),
        ('<a href="/news/page/3/">3</a>', "/news/page/2/", ("/news/page/3/", "page number")),
        ('<a href="/sec/more">More</a><a href="/list?page=2">2</a>', "/list",
         ("/list?page=2", "page number")),
        ('<a href="/sec/more">More stories</a>', "/list", ("/sec/more", 'link "More stories"')),
    ],
)  # fmt: skip
def test_the_next_list_page_as_real_sites_link_it(html, url, expected):
    base = "https://x.org"
    found = next_page(Selector(text=html), base + url, PATTERN, X_ORG)
    assert found == (base + expected[0], expected[1])


@pytest.mark.parametrize(
    ("html", "url", "seen"),
    [
        ('<a href="/view/AEN20230101000100315">Next</a>', "/news/1", ()),  # an article
        ('<a href="https://x.org:8443/news/2">Next</a>', "/news/1", ()),  # another port
        ('<a href="ftp://x.org/news/2">Next</a>', "/news/1", ()),  # another scheme
        ('<a href="/news/1">Next</a>', "/news/3", ("https://x.org/news/1",)),  # read already
        ('<a href="/news/2024/">2024</a>', "/news/2023/", ()),  # a year, not a page
        ('<a href="/archive?start=0">1</a>', "/archive", ()),  # offset 0 is this page
        ('<a href="#">Next</a><a href="javascript:more()">Next</a>', "/news", ()),
    ],
)
def test_what_is_never_the_next_list_page(html, url, seen):
    found = next_page(Selector(text=html), "https://x.org" + url, PATTERN, X_ORG, seen=seen)
    assert found == ("", "")


def test_the_next_page_selector_comes_after_rel_next_and_before_link_texts():
    html = '<div class="nav"><a href="/p/7">go</a></div><a href="/p/2">Next</a>'
    found = next_page(Selector(text=html), "https://x.org/p/1", None, X_ORG, "div.nav a")
    assert found == ("https://x.org/p/7", "next_page selector div.nav a")
    rel = '<link rel="next" href="/p/3">' + html
    assert next_page(Selector(text=rel), "https://x.org/p/1", None, X_ORG, "div.nav a")[0] == (
        "https://x.org/p/3"
    )


def test_rss_091_rss_10_and_json_feed_items():
    rss091 = b"""<rss version="0.91"><channel><item><title>A</title>
    <link>https://x.org/a/1</link></item><item><guid>https://x.org/a/2</guid></item></channel></rss>"""
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel rdf:about="https://x.org/"><link>https://x.org/</link></channel>
    <item rdf:about="https://x.org/a/3"><link>https://x.org/a/3</link>
    <dc:date>2023-02-01T02:35:11+09:00</dc:date></item></rdf:RDF>"""
    json_feed = b"""\xef\xbb\xbf {"version": "https://jsonfeed.org/version/1.1", "items": [
      {"id": "1", "url": "https://x.org/a/4", "date_published": "2023-02-01T02:35:11+09:00"},
      {"id": "https://x.org/a/5"}, {"id": "no-url"}, "junk"]}"""
    assert [e.url for e in feed_entries(rss091, "https://x.org/", "UTC")] == [
        "https://x.org/a/1", "https://x.org/a/2",
    ]  # fmt: skip
    assert [(e.url, e.published_at) for e in feed_entries(rdf, "https://x.org/", "UTC")] == [
        ("https://x.org/a/3", "2023-01-31T17:35:11Z")
    ]
    assert [(e.url, e.published_at) for e in feed_entries(json_feed, "https://x.org/", "UTC")] == [
        ("https://x.org/a/4", "2023-01-31T17:35:11Z"), ("https://x.org/a/5", ""),
    ]  # fmt: skip
    assert feed_entries(b'{"items": "nope"}', "https://x.org/", "UTC") == []


def test_nested_sitemaps_news_first_then_newest_each_once():
    nested = [
        Entry("https://x.org/sitemap-2021.xml", "2021-12-31T00:00:00Z"),
        Entry("https://x.org/sitemap-2023.xml", "2023-12-31T00:00:00Z"),
        Entry("https://x.org/news-sitemap.xml", ""),
        Entry("https://x.org/sitemap-2022.xml", "2022-12-31T00:00:00Z"),
    ]
    assert [e.url.rsplit("/", 1)[1] for e in choose_sitemaps(nested, 3)] == [
        "news-sitemap.xml", "sitemap-2023.xml", "sitemap-2022.xml",
    ]  # fmt: skip
    assert choose_sitemaps(nested, 0) == []
