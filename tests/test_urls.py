"""Canonical URLs: one spelling per article, whatever link led to it."""

import pytest

from crawler.urls import canonical_url, on_domains

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
