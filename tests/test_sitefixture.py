"""The fixture HTTP server and the fixture pages themselves (no crawler involved)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import parsel
import pytest
from fixtures import news_site as ns
from support.site import FixtureSite, send


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers.items()), error.read()


def test_serves_routes_logs_requests_and_404s() -> None:
    with FixtureSite() as site:
        assert site.base.startswith("http://127.0.0.1:") and site.port > 0
        site.set("/a", "<p>héllo</p>", headers={"X-Test": "1"})
        site.set("/b?x=1", b"query route", content_type="text/plain")
        status, headers, body = fetch(site.url("/a?utm_source=x"))
        assert (status, body) == (200, "<p>héllo</p>".encode()), "a path route serves any query"
        assert headers["Content-Type"] == "text/html; charset=utf-8" and headers["X-Test"] == "1"
        assert fetch(site.url("/b?x=1"))[2] == b"query route", "an exact path?query route wins"
        assert fetch(site.url("/b"))[0] == 404, "a path?query route does not answer other paths"
        assert fetch(site.url("/nowhere"))[0] == 404, "unknown paths are 404"
        assert site.requests == ["/a?utm_source=x", "/b?x=1", "/b", "/nowhere"], site.requests
        assert site.paths() == ["/a", "/b", "/b", "/nowhere"]
        assert site.count("/b") == 2 and site.count("/a?utm") == 1
        site.clear_log()
        assert site.requests == []
    with pytest.raises(OSError):
        fetch(site.url("/a"))  # stopped: connection refused
    with site:  # restarts on the same port
        assert fetch(site.url("/a"))[0] == 200


def test_fail_times_answers_500_first_then_the_page() -> None:
    with FixtureSite() as site:
        site.set("/flaky", "ok", fail_times=2)
        assert [fetch(site.url("/flaky"))[0] for _ in range(3)] == [500, 500, 200]
        site.fail("/flaky", 1)
        assert [fetch(site.url("/flaky"))[0] for _ in range(2)] == [500, 200]
        assert site.count("/flaky") == 5


def test_routes_can_change_while_running_and_requests_are_concurrent() -> None:
    with FixtureSite() as site:
        site.set("/x", "one")
        assert fetch(site.url("/x"))[2] == b"one"
        site.set("/x", "two")
        assert fetch(site.url("/x"))[2] == b"two"
        site.remove("/x")
        assert fetch(site.url("/x"))[0] == 404
        site.set("/y", "y")
        assert site.update("/y", status=503).status == 503
        assert fetch(site.url("/y"))[0] == 503
        with pytest.raises(TypeError):
            site.update("/y", colour="red")
        site.set("/slow", "slow", delay=0.3)
        assert fetch(site.url("/slow"))[2] == b"slow"


def test_requests_are_served_concurrently() -> None:
    """Eight requests meet inside the server at once: a server answering one at a time would
    break the barrier (no wall clock involved)."""
    meet = threading.Barrier(8, timeout=30)

    def together(h) -> None:
        try:
            meet.wait()
        except threading.BrokenBarrierError:
            send(h, b"alone", 503)
        else:
            send(h, b"together")

    with FixtureSite() as site:
        site.handle("/meet", together)
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(fetch(site.url("/meet"))[0]))
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * 8


def test_second_loopback_host() -> None:
    with FixtureSite("127.0.0.2") as partner:
        ns.install_partner(partner)
        assert partner.base.startswith("http://127.0.0.2:")
        status, _, body = fetch(partner.url("/latest"))
        assert status == 200 and b'href="/article/1234"' in body


def _text(sel: parsel.SelectorList) -> str:
    return " ".join(" ".join(sel.xpath("string()").getall()).split())


def test_yonhap_pages_read_with_the_spec_selectors_give_the_expected_values() -> None:
    """The expectations in news_site match the pages: read them the way SPEC's selectors say."""
    with FixtureSite() as site:
        ns.install_yonhap(site)
        for story in ns.STORIES:
            status, headers, raw = fetch(site.url(story.path))
            assert status == 200
            assert headers["Content-Type"].endswith(story.charset)
            page = parsel.Selector(text=raw.decode(story.charset))
            assert _text(page.css(ns.YONHAP_SELECTORS["title"])) == story.headline
            shown = _text(page.css(ns.YONHAP_SELECTORS["published"])).removeprefix("All News ")
            assert shown == story.published
            assert ns.kst_to_utc(shown) == story.published_at
            paragraphs = [
                " ".join(p.xpath("string()").get().split())
                for p in page.css(ns.YONHAP_SELECTORS["body"])
            ]
            intro = 1 if story.byline or story.attn else 0
            assert paragraphs[intro:-1] == list(story.paragraphs), story.cid
            assert paragraphs[-1] == "reporter@yna.co.kr(END)"
            for phrase in (*ns.SIDEBAR_KEYWORDS, *ns.CHROME_PHRASES):
                assert phrase.lower() not in (story.headline + story.body).lower(), (
                    f"{story.cid} contains {phrase!r}: the fixture must keep it out of articles"
                )
            assert ns.SIDEBAR_KEYWORDS[0] in raw.decode(story.charset), "sidebars are present"
        status, _, raw = fetch(site.url("/news/1"))
        links = parsel.Selector(text=raw.decode()).css(
            "div.smain-list-type01 ul li article h2.tit a"
        )
        assert [a.attrib["href"] for a in links][0] == f"//{site.netloc}{ns.LEAD_UPDATE.path}"
        assert fetch(site.url("/robots.txt"))[2].decode().count(ns.FORBIDDEN.path) == 1
