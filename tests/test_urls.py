"""Canonical URLs: one spelling per article, whatever link led to it."""

import pytest

from crawler.urls import canonical_url, on_domains, on_origins, origin, origins_of
from newswatch.hygiene import clean_text, printable

BASE = "https://en.yna.co.kr/news/1"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("//en.yna.co.kr/view/AEN20230201000452315", "https://en.yna.co.kr/view/AEN20230201000452315"),
        ("/view/AEN1?section=news&input=rss", "https://en.yna.co.kr/view/AEN1"),
        ("/view/AEN1?input=rss&section=news", "https://en.yna.co.kr/view/AEN1"),
        ("/view/AEN1?input=fb#comments", "https://en.yna.co.kr/view/AEN1"),
        ("https://EN.YNA.co.kr:443/view/AEN1?utm_source=x&utm_medium=y&fbclid=z&gclid=g",
         "https://en.yna.co.kr/view/AEN1"),
        ("./news_view.htm?lang=e&Seq_Code=178900", "https://en.yna.co.kr/news/news_view.htm?lang=e&Seq_Code=178900"),
        ("http://127.0.0.1:8080/view/A1?utm_campaign=c", "http://127.0.0.1:8080/view/A1"),
    ],
)  # fmt: skip
def test_canonical_url(href, expected):
    assert canonical_url(href, BASE) == expected


def test_on_domains_accepts_subdomains_only_of_the_configured_hosts():
    assert on_domains("https://en.yna.co.kr/view/A", ("en.yna.co.kr",))
    assert on_domains("https://m.en.yna.co.kr/view/A", ("en.yna.co.kr",))
    assert not on_domains("https://evil-en.yna.co.kr.example.com/", ("en.yna.co.kr",))
    assert not on_domains("https://example.com/?u=en.yna.co.kr", ("en.yna.co.kr",))


def test_control_characters_in_a_link_are_percent_encoded():
    assert canonical_url("/view/esc\x1b[31mRED\u202e x", BASE) == (
        "https://en.yna.co.kr/view/esc%1B[31mRED%E2%80%AE%20x"
    )
    assert canonical_url("http://x.org:notaport/a") == ""


def test_origins_are_scheme_host_and_port():
    origins = origins_of(["https://en.yna.co.kr/news/1", "http://127.0.0.1:8001/feed.xml"])
    assert origins == ("http://127.0.0.1:8001", "https://en.yna.co.kr:443")
    assert on_origins("https://en.yna.co.kr/view/A", origins)
    assert on_origins("https://m.en.yna.co.kr/view/A", origins)  # a subdomain, same scheme/port
    assert on_origins("http://127.0.0.1:8001/view/1", origins)
    assert not on_origins("http://127.0.0.1:8002/view/1", origins)  # same host, other port
    assert not on_origins("http://127.0.0.3:8001/view/1", origins)  # other host
    assert on_origins("http://en.yna.co.kr/view/A", origins)  # 80 and 443: one web site
    assert not on_origins("http://en.yna.co.kr:443/view/A", origins)
    assert not on_origins("https://en.yna.co.kr:8443/view/A", origins)
    assert not on_origins("https://127.0.0.1:8001/view/1", origins)  # same port, other scheme
    assert not on_origins("ftp://en.yna.co.kr/view/A", origins)
    assert on_origins("https://example.com/a", ("http://example.com:80",))


def test_text_loses_controls_and_bidi_overrides_and_terminals_see_escapes():
    hostile = "Evil\x9b31m \u202ereversed\u202c \u2066iso\u2069\x1b[2J\x00\ttab\nline"
    assert clean_text(hostile) == "Evil31m reversed iso[2J\ttab\nline"
    assert printable(hostile) == (
        "Evil\\x9b31m \\u202ereversed\\u202c \\u2066iso\\u2069\\x1b[2J\\x00\\ttab\\nline"
    )
    assert printable("한국어 café – ok") == "한국어 café – ok"


# -- edges that mutation testing (make mutate) found unpinned ---------------------------------
def test_edge_a_blank_parameter_is_part_of_the_articles_identity():
    assert (
        canonical_url("/view/AEN1?page=&id=7", BASE) == "https://en.yna.co.kr/view/AEN1?page=&id=7"
    )


def test_edge_a_site_root_gets_its_slash_and_a_hostless_link_no_invented_host():
    assert canonical_url("https://EN.yna.co.kr") == "https://en.yna.co.kr/"
    assert canonical_url("/view/AEN1") == "/view/AEN1"
    assert canonical_url("mailto:desk@yna.co.kr") == "mailto:desk@yna.co.kr"


def test_edge_origin_of_an_unreadable_port_or_a_hostless_url_is_empty():
    assert origin("http://x.org:notaport/a") == ("", "", None)
    assert origin("file:///etc/passwd") == ("file", "", None)
    assert origin("HTTPS://X.org/a") == ("https", "x.org", 443)


def test_edge_origins_of_keep_only_urls_with_scheme_and_host():
    urls = ["file:///etc/passwd", "https://a.org/x", "//b.org/y", "https://a.org:443/z"]
    assert origins_of(urls) == ("https://a.org:443",)
