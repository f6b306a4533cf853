"""What `newswatch sources add` finds on a site, fetched through the crawl's own stack.

survey() reads the page the user gave, robots.txt, the feeds the page announces (or the
usual feed paths), the sitemaps robots.txt names (or the usual paths), groups every link by
shape (newswatch.url_shapes), fetches a sample of each common shape and keeps the shapes
whose pages are articles, then follows the page's pagination once to see that it works.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from crawler.discovery import choose_sitemaps, feed_entries, is_json_feed, sitemap_entries
from crawler.jsonld import json_ld_nodes
from crawler.pagination import next_page
from crawler.probe import Fetcher, Page
from crawler.structured import ARTICLE_TYPES, meta_values
from crawler.urls import canonical_url, on_origins
from newswatch.url_shapes import Shape, group_by_shape, pattern_for

FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed.json")
SITEMAP_PATHS = ("/news-sitemap.xml", "/sitemap-news.xml", "/sitemap_index.xml", "/sitemap.xml")
_FEED_TYPES = re.compile(r"rss|atom|feed\+json|application/json", re.I)
MAX_SHAPES = 6  # shapes sampled, most common first
SAMPLES = 5  # articles extracted and shown
MAX_CHILD_SITEMAPS = 3


class SurveyError(Exception):
    """The site cannot be added: one line naming the URL and why."""


@dataclass
class Source:
    """Something found: a feed or sitemap URL with its article URLs, or the start page."""

    url: str
    note: str  # how it was found: "<link rel=alternate>", "robots.txt Sitemap:"
    links: list[str] = field(default_factory=list)  # canonical, every link it gives


@dataclass
class Survey:
    url: str  # the page given, after redirects
    origins: tuple[str, ...]
    page_links: list[str] = field(default_factory=list)
    feeds: list[Source] = field(default_factory=list)
    sitemaps: list[Source] = field(default_factory=list)
    article_shapes: dict[Shape, str] = field(default_factory=dict)  # shape -> why an article
    other_shapes: dict[Shape, str] = field(default_factory=dict)  # shape -> why not
    pattern: str = ""
    samples: list[tuple[str, str]] = field(default_factory=list)  # (url, html)
    next_url: str = ""
    next_how: str = ""
    next_new: int = 0  # article links on page 2 not on page 1
    requests: int = 0

    def articles(self, links: list[str]) -> list[str]:
        return [u for u in links if re.search(self.pattern, u)] if self.pattern else []


async def survey(fetcher: Fetcher, url: str, origins: tuple[str, ...]) -> Survey:
    home = await fetcher.get(url)
    if not home.ok:
        raise SurveyError(f"{url}: cannot be fetched: {home.error}")
    text = home.text()
    if not text or "html" not in (home.content_type or "text/html"):
        raise SurveyError(f"{url}: is not an HTML page ({home.content_type or 'no type'})")
    found = Survey(home.final_url, origins)
    page = Selector(text=text, base_url=found.url)
    found.page_links = _links(page, found.url, origins)
    robots = await fetcher.get(urljoin(found.url, "/robots.txt"), obey_robots=False)
    found.feeds = await _feeds(fetcher, page, found.url, origins)
    found.sitemaps = await _sitemaps(fetcher, _robots_sitemaps(robots), found.url, origins)
    await _judge_shapes(fetcher, found)
    if not found.pattern:
        raise SurveyError(f"{url}: links no article (no link on it, in its feeds or sitemaps "
                          "leads to a page marked as an article)")  # fmt: skip
    await _pagination(fetcher, found, page)
    found.requests = fetcher.requests
    return found


def _links(page: Selector, base: str, origins: tuple[str, ...]) -> list[str]:
    links: dict[str, None] = {}
    for href in page.xpath("//a/@href").getall():
        if href.strip().startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = canonical_url(href, base)
        if url.startswith("http") and on_origins(url, origins):
            links[url] = None
    return list(links)


async def _feeds(
    fetcher: Fetcher, page: Selector, base: str, origins: tuple[str, ...]
) -> list[Source]:
    """Feeds the page announces (comment feeds left out), else those at the usual paths."""
    announced = []
    for link in page.xpath('//link[contains(concat(" ", @rel, " "), " alternate ")]'):
        kind, title = link.attrib.get("type", ""), link.attrib.get("title", "").lower()
        href = urljoin(base, link.attrib.get("href", "").strip())
        if _FEED_TYPES.search(kind) and "comment" not in title and on_origins(href, origins):
            announced.append(href)
    candidates = [(u, "<link rel=alternate> on the page") for u in dict.fromkeys(announced)]
    if not candidates:
        candidates = [(urljoin(base, p), f"the usual path {p}") for p in FEED_PATHS]
    pages = await asyncio.gather(*(fetcher.get(u) for u, _ in candidates))
    found: list[Source] = []
    for (url, note), got in zip(candidates, pages, strict=True):
        links = _body_links(got, lambda body, base: feed_entries(body, base, "UTC"))
        if links and not any(set(links) == set(f.links) for f in found):  # /feed == /rss
            found.append(Source(url, note, links))
    return found


def _body_links(page: Page, read: object) -> list[str]:
    if not page.ok:
        return []
    try:
        body = page.body()
    except (ValueError, OSError, EOFError):
        return []
    if "html" in page.content_type and not is_json_feed(body):
        return []  # a soft 404 page, not a feed
    entries = read(body, page.final_url)  # type: ignore[operator]
    return list(dict.fromkeys(canonical_url(e.url) for e in entries))


def _robots_sitemaps(robots: Page) -> list[str]:
    if not robots.ok:
        return []
    text = robots.response.body.decode("utf-8", "replace") if robots.response else ""
    return re.findall(r"(?im)^\s*sitemap\s*:\s*(\S+)", text)


async def _sitemaps(
    fetcher: Fetcher, named: list[str], base: str, origins: tuple[str, ...]
) -> list[Source]:
    """Sitemaps robots.txt names, else those at the usual paths; an index is read through
    its newest (news first) few children, each once."""
    named = [u for u in named if on_origins(canonical_url(u), origins)]
    candidates = [(u, "robots.txt Sitemap: line") for u in named]
    if not candidates:
        candidates = [(urljoin(base, p), f"the usual path {p}") for p in SITEMAP_PATHS]
    found: list[Source] = []
    seen = {canonical_url(u) for u, _ in candidates}
    for url, note in candidates:
        links, children = await _sitemap_links(fetcher, url)
        fresh = {canonical_url(e.url): e for e in reversed(children)}  # the first of twins
        nested = [e for key, e in fresh.items() if key not in seen][::-1]
        for child in choose_sitemaps(nested, MAX_CHILD_SITEMAPS):
            seen.add(canonical_url(child.url))
            links += (await _sitemap_links(fetcher, child.url))[0]
        if links and not any(set(links) <= set(f.links) for f in found):
            found.append(Source(url, note, list(dict.fromkeys(links))))
    return found


async def _sitemap_links(fetcher: Fetcher, url: str) -> tuple[list[str], list]:
    got = await fetcher.get(url)
    nested: list = []

    def read(body: bytes, base: str) -> list:
        entries, children = sitemap_entries(body, base, "UTC")
        nested.extend(children)
        return entries

    return _body_links(got, read), nested


def article_reason(html: str) -> str:
    """Why a page is an article (og:type article, JSON-LD NewsArticle, one <article> with
    a date), or "" when nothing says so."""
    page = Selector(text=html)
    if "article" in (meta_values(page).get("og:type") or [""])[0].lower():
        return "og:type article"
    for node in json_ld_nodes(page):
        raw = node.get("@type", [])
        types = {re.split(r"[/:#]", t)[-1] for t in (raw if isinstance(raw, list) else [raw])
                 if isinstance(t, str)}  # fmt: skip
        if types & ARTICLE_TYPES:
            return f"JSON-LD {sorted(types & ARTICLE_TYPES)[0]}"
    articles = page.xpath("//article")
    dated = page.xpath("//meta[@property='article:published_time']") or (
        articles and articles[0].xpath(".//time[@datetime]")
    )
    return "an <article> with a date" if len(articles) == 1 and dated else ""


async def _judge_shapes(fetcher: Fetcher, found: Survey) -> None:
    """Samples the common shapes; keeps those whose pages are articles; writes the pattern."""
    listed = {u for s in (*found.feeds, *found.sitemaps) for u in s.links}
    every = list(dict.fromkeys(found.page_links + [u for u in listed]))
    groups = group_by_shape(u for u in every if u != canonical_url(found.url))  # a list page
    for shape, urls in groups.items():
        if len(found.article_shapes) + len(found.other_shapes) >= MAX_SHAPES:
            break
        if not shape.varies or (len(urls) < 2 and urls[0] not in listed):
            continue
        await _sample_shape(fetcher, found, shape, urls)
    if not found.article_shapes:
        return
    articles = list(found.article_shapes)
    others = [u for shape, urls in groups.items() if shape not in articles for u in urls]
    found.pattern = pattern_for(articles, others)
    more = [u for shape in articles for u in groups[shape][1:]]
    for url in more[: SAMPLES - len(found.samples)]:
        page = await fetcher.get(url)
        if page.ok:
            found.samples.append((page.final_url, page.text()))


async def _sample_shape(fetcher: Fetcher, found: Survey, shape: Shape, urls: list[str]) -> None:
    for url in urls[:2]:
        page = await fetcher.get(url)
        if not page.ok:
            continue
        html = page.text()
        reason = article_reason(html)
        if reason:
            found.article_shapes[shape] = reason
            found.samples.append((page.final_url, html))
            return
        found.other_shapes[shape] = "not marked as an article"
        return


async def _pagination(fetcher: Fetcher, found: Survey, page: Selector) -> None:
    pattern = re.compile(found.pattern)
    url, how = next_page(page, found.url, pattern, found.origins)
    if not url:
        return
    second = await fetcher.get(url)
    if not second.ok:
        return
    links = _links(Selector(text=second.text(), base_url=second.final_url), url, found.origins)
    new = set(found.articles(links)) - set(found.articles(found.page_links))
    if new:
        found.next_url, found.next_how, found.next_new = url, how, len(new)
