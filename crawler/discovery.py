"""Finding article links: list pages (and their pagination), RSS/Atom feeds, sitemaps.

Feeds and sitemaps are untrusted XML: parsed without DTDs, entity expansion or network
access, so billion-laughs and external-entity payloads expand to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import lxml.etree
from parsel import Selector

from crawler.dates import parse_date
from crawler.urls import canonical_url, on_domains


@dataclass(frozen=True)
class Entry:
    """An article link found in a feed or sitemap, with the date it gives."""

    url: str
    published_at: str = ""


def article_links(
    hrefs: Iterable[str], base: str, pattern: re.Pattern[str], domains: tuple[str, ...]
) -> list[str]:
    """Canonical article URLs among `hrefs`, in page order, each once."""
    found: dict[str, None] = {}
    for href in hrefs:
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = canonical_url(href, base)
        if url.startswith("http") and on_domains(url, domains) and pattern.search(url):
            found[url] = None
    return list(found)


_NUMBER = re.compile(r"\d+")


def next_page(selector: Selector, url: str, page: int) -> str:
    """The URL of the list page after `url` (page number `page`), or "" if none is linked.

    rel="next" first; otherwise a link that equals this URL with its page number
    incremented (`/news/1` -> `/news/2`, `?page_no=2`), as most news CMSs paginate.
    """
    for href in selector.css('link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)').getall():
        return urljoin(url, href)
    wanted = _incremented(url, page)
    for href in selector.css("a::attr(href)").getall():
        candidate = urljoin(url, href.strip())
        if _same_page_url(candidate, wanted):
            return candidate
    return ""


def _incremented(url: str, page: int) -> set[str]:
    """Plausible spellings of the next page's URL."""
    options = set()
    matches = list(_NUMBER.finditer(url))
    for m in matches[-2:]:  # the page number is one of the last numbers in the URL
        if int(m.group()) == page:
            options.add(url[: m.start()] + str(page + 1) + url[m.end() :])
    if page == 1:  # the first page often carries no number at all
        sep = "&" if urlsplit(url).query else "?"
        for name in ("page", "page_no", "p", "pg"):
            options.add(f"{url}{sep}{name}={page + 1}")
        options.add(url.rstrip("/") + f"/{page + 1}")
        options.add(url.rstrip("/") + f"/page/{page + 1}")
    return options


def _same_page_url(candidate: str, wanted: set[str]) -> bool:
    return canonical_url(candidate) in {canonical_url(w) for w in wanted}


_RECORDS = {"item", "entry", "url", "sitemap"}
_DATES = ("publication_date", "pubdate", "published", "date", "updated", "issued", "lastmod")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


MAX_RECORDS = 2000  # a feed or sitemap lists the newest first; more is a runaway file


def _records(body: bytes) -> Iterable[tuple[str, str, str]]:
    """(record kind, link, date) for the first MAX_RECORDS feed items or sitemap urls."""
    events = lxml.etree.iterparse(
        BytesIO(body), events=("end",), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, recover=True, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    seen = 0
    try:
        for _, elem in events:
            kind = _local(elem.tag)
            if kind in _RECORDS:
                yield kind, *_record_fields(elem)
                elem.clear()  # keep memory flat on huge feeds
                seen += 1
                if seen >= MAX_RECORDS:
                    return
    except lxml.etree.XMLSyntaxError:
        return


def _record_fields(elem: lxml.etree._Element) -> tuple[str, str]:
    link = ""
    dates: dict[str, str] = {}
    for child in elem.iter():
        name = _local(child.tag)
        text = (child.text or "").strip()
        if name in ("link", "loc") and not link:
            # Atom links are attributes; take rel="alternate" (or no rel).
            if child.get("href") and child.get("rel", "alternate") == "alternate":
                link = child.get("href", "").strip()
            elif text:
                link = text
        elif name in _DATES and text:
            dates.setdefault(name, text)
    # A publication date beats an update time or a sitemap's lastmod.
    date = next((dates[name] for name in _DATES if name in dates), "")
    return link, date


def feed_entries(body: bytes, base: str, timezone: str) -> list[Entry]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed."""
    return [
        Entry(urljoin(base, link), parse_date(date, timezone))
        for kind, link, date in _records(body)
        if kind in ("item", "entry") and link
    ]


def sitemap_entries(body: bytes, base: str, timezone: str) -> tuple[list[Entry], list[str]]:
    """(article entries, nested sitemap URLs) of a sitemap or sitemap index."""
    entries, nested = [], []
    for kind, link, date in _records(body):
        if not link:
            continue
        if kind == "sitemap":
            nested.append(urljoin(base, link))
        elif kind == "url":
            entries.append(Entry(urljoin(base, link), parse_date(date, timezone)))
    return entries, nested
