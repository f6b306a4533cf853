"""Finding article links: list pages, feeds (RSS 0.9x-2.0, RSS 1.0, Atom, JSON Feed) and
sitemaps (with their indexes). Pagination is crawler.pagination.

Feeds and sitemaps are untrusted XML: parsed without DTDs, entity expansion or network
access, so billion-laughs and external-entity payloads expand to nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import lxml.etree

from crawler.dates import parse_date
from crawler.urls import canonical_url, on_origins

# Compiled once, on lxml directly: parsel would wrap each of a list page's links in a
# Selector of its own, on the reactor thread.
_HREFS = lxml.etree.XPath("//a/@href", smart_strings=False)


def page_hrefs(root: lxml.etree._Element) -> list[str]:
    """Every `<a href>` value of a parsed page (parsel's `Selector.root`), in page order."""
    return _HREFS(root)  # type: ignore[return-value]


@dataclass(frozen=True)
class Entry:
    """An article link found in a feed or sitemap, with the date it gives."""

    url: str
    published_at: str = ""


def article_links(
    hrefs: Iterable[str], base: str, pattern: re.Pattern[str], origins: Iterable[str] | None
) -> list[str]:
    """Canonical article URLs among `hrefs` on `origins` (None: any), in page order, once."""
    found: dict[str, None] = {}
    allowed = tuple(origins) if origins is not None else None
    for href in dict.fromkeys(hrefs):  # a list page links most stories twice or more
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = canonical_url(href, base)
        if not url.startswith("http") or not pattern.search(url):
            continue
        if allowed is None or on_origins(url, allowed):
            found[url] = None
    return list(found)


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
    link = guid = ""
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
        elif name == "guid" and text.startswith("http") and child.get("isPermaLink") != "false":
            guid = text  # RSS items may give their address only as a permalink guid
        elif name in _DATES and text:
            dates.setdefault(name, text)
    # A publication date beats an update time or a sitemap's lastmod.
    date = next((dates[name] for name in _DATES if name in dates), "")
    return link or guid, date


def _json_feed(body: bytes) -> list[tuple[str, str]]:
    """(link, date) of a JSON Feed's items (https://www.jsonfeed.org/version/1.1/)."""
    try:
        data = json.loads(body)
    except ValueError:  # UnicodeDecodeError is one
        return []
    items = data.get("items") if isinstance(data, dict) else None
    found = []
    for item in items[:MAX_RECORDS] if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("id")
        date = item.get("date_published") or item.get("date_modified") or ""
        if isinstance(link, str) and link.strip().startswith(("http", "/")):
            found.append((link.strip(), date if isinstance(date, str) else ""))
    return found


def is_json_feed(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def feed_entries(body: bytes, base: str, timezone: str) -> list[Entry]:
    """Items of an RSS 0.9x-2.0, RSS 1.0 (RDF), Atom or JSON Feed 1.x feed."""
    if is_json_feed(body):
        pairs = _json_feed(body)
    else:
        pairs = [(link, date) for kind, link, date in _records(body) if kind in ("item", "entry")]
    return [Entry(urljoin(base, link), parse_date(date, timezone)) for link, date in pairs if link]


def sitemap_entries(body: bytes, base: str, timezone: str) -> tuple[list[Entry], list[Entry]]:
    """(article entries, nested sitemaps with their lastmod) of a sitemap or sitemap index."""
    entries, nested = [], []
    for kind, link, date in _records(body):
        if not link:
            continue
        if kind == "sitemap":
            nested.append(Entry(urljoin(base, link), parse_date(date, timezone)))
        elif kind == "url":
            entries.append(Entry(urljoin(base, link), parse_date(date, timezone)))
    return entries, nested


def choose_sitemaps(nested: Iterable[Entry], budget: int) -> list[Entry]:
    """At most `budget` nested sitemaps: news sitemaps first, then the newest by lastmod."""

    def rank(entry: Entry) -> tuple[bool, str]:
        return "news" in urlsplit(entry.url).path.lower(), entry.published_at

    return sorted(nested, key=rank, reverse=True)[: max(budget, 0)]  # stable: ties in order


def unpacked(body: bytes, max_size: int) -> bytes:
    """A body gzipped without Content-Encoding (`sitemap.xml.gz`) inflated, streamed, to at
    most `max_size` bytes; ValueError beyond. Any other body as it is."""
    if body[:2] != b"\x1f\x8b":
        return body
    from scrapy.utils.gz import gunzip  # Scrapy's own: chunked, stops at max_size

    return gunzip(body, max_size=max_size)
