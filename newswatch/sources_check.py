"""`newswatch sources check NAME`: what the crawler would find on a source, storing nothing.

For someone adding a site: fetches the source's start pages, feeds and sitemaps (plain urllib,
with the configured user agent and timeout; robots.txt obeyed as the crawl obeys it), lists
the links that match `article_url_pattern` and a sample of those that do not, extracts the
newest article the way the crawl would and prints every field with where it came from. A
pattern that matches nothing or a selector that selects nothing is said in plain words.
"""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import click
from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.discovery import Entry, article_links, feed_entries, next_page, sitemap_entries
from crawler.extract import Extracted, extract_article
from crawler.urls import canonical_url
from newswatch.config import Config, CrawlSettings, Source
from newswatch.report import local_time

SHOW_ARTICLES = 10
SHOW_OTHERS = 5
ORIGINS = {"selector": "selector", "structured": "structured data", "generic": "generic"}
FIELDS = ("title", "published_at", "updated_at", "authors", "dateline", "language", "summary",
          "tags", "images", "body")  # fmt: skip


@dataclass
class Found:
    """What one start page, feed or sitemap gave."""

    kind: str
    url: str
    status: str
    entries: list[Entry] = field(default_factory=list)  # every link, canonical
    next_page: str = ""


class Fetcher:
    """GETs with the crawl's user agent, timeout and size limit; robots.txt per site."""

    def __init__(self, crawl: CrawlSettings) -> None:
        self.crawl = crawl
        self.robots: dict[str, RobotFileParser | None] = {}

    def allowed(self, url: str) -> bool:
        if not self.crawl.obey_robots_txt:
            return True
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self.robots:
            self.robots[site] = self._robots(site)
        rules = self.robots[site]
        return rules is None or rules.can_fetch(self.crawl.user_agent, url)

    def _robots(self, site: str) -> RobotFileParser | None:
        try:
            body, _ = self.get(site + "/robots.txt")
        except (OSError, ValueError):  # no robots.txt (or none readable): all allowed
            return None
        rules = RobotFileParser()
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
        return rules

    def get(self, url: str) -> tuple[bytes, str]:
        """(body, content type); OSError (HTTPError, URLError, timeout) when it fails."""
        request = urllib.request.Request(url, headers={"User-Agent": self.crawl.user_agent})
        with urllib.request.urlopen(request, timeout=self.crawl.timeout) as response:
            body = response.read(self.crawl.max_page_bytes + 1)
            kind = response.headers.get("Content-Type", "")
        if len(body) > self.crawl.max_page_bytes:
            raise ValueError(f"larger than crawl.max_page_bytes ({self.crawl.max_page_bytes})")
        return (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body), kind


def html_text(body: bytes, content_type: str) -> str:
    """The page decoded as the crawl decodes it: HTTP header, then <meta charset>, then UTF-8."""
    return html_to_unicode(content_type, body)[1]


def fetch(fetcher: Fetcher, kind: str, url: str, source: Source) -> Found:
    if not fetcher.allowed(url):
        return Found(kind, url, "blocked by robots.txt")
    try:
        body, content_type = fetcher.get(url)
    except urllib.error.HTTPError as exc:
        return Found(kind, url, f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        return Found(kind, url, f"failed: {getattr(exc, 'reason', exc)}")
    if kind == "feed":
        return Found(kind, url, "ok", feed_entries(body, url, source.timezone))
    if kind == "sitemap":
        return Found(kind, url, "ok", sitemap_entries(body, url, source.timezone)[0])
    page = Selector(text=html_text(body, content_type), base_url=url)
    hrefs = page.css("a::attr(href)").getall()
    links = article_links(hrefs, url, re.compile(""), source.domains)
    return Found(kind, url, "ok", [Entry(u) for u in links], next_page(page, url, 1))


def fetch_all(fetcher: Fetcher, source: Source) -> list[Found]:
    pages = [("start page", u) for u in source.start_urls]
    pages += [("feed", u) for u in source.feeds] + [("sitemap", u) for u in source.sitemaps]
    return [fetch(fetcher, kind, url, source) for kind, url in pages]


def split_links(found: list[Found], pattern: re.Pattern[str]) -> tuple[list[Entry], list[str]]:
    """(article entries, newest first where dated, each once; the other links)."""
    articles: dict[str, Entry] = {}
    others: dict[str, None] = {}
    for entry in (e for f in found for e in f.entries):
        url = canonical_url(entry.url)
        if not pattern.search(url):
            others[url] = None
        elif url not in articles or entry.published_at > articles[url].published_at:
            articles[url] = Entry(url, entry.published_at)
    order = list(articles)
    ranked = sorted(articles.values(), key=lambda e: (e.published_at, -order.index(e.url)))
    return ranked[::-1], list(others)


def extract(source: Source, text: str, url: str) -> Extracted:
    """As the crawl extracts it: the site profile's parser if the source names one."""
    options = {"selectors": source.selectors, "timezone": source.timezone}
    if source.profile:
        from crawler.profiles import get_profile

        return get_profile(source.profile).extract(text, url, **options)
    return extract_article(text, url, **options)


def show_found(found: list[Found], pattern: re.Pattern[str]) -> None:
    for f in found:
        matching = sum(1 for e in f.entries if pattern.search(canonical_url(e.url)))
        noun = "links" if f.kind == "start page" else "entries"
        counts = f"{len(f.entries)} {noun}, {matching} match the pattern"
        click.echo(f"{f.kind}: {f.url}  {f.status}  {counts if f.status == 'ok' else ''}".rstrip())
        if f.next_page:
            click.echo(f"  next list page: {f.next_page}")


def show_links(articles: list[Entry], others: list[str], timezone: str) -> None:
    click.echo(f"\n{len(articles)} article links match article_url_pattern:")
    for entry in articles[:SHOW_ARTICLES]:
        when = local_time(entry.published_at, timezone) if entry.published_at else "(undated)"
        click.echo(f"  {when:<22}  {entry.url}")
    if len(articles) > SHOW_ARTICLES:
        click.echo(f"  … and {len(articles) - SHOW_ARTICLES} more")
    if others:
        click.echo(f"other links ({min(len(others), SHOW_OTHERS)} of {len(others)}, "
                   "not articles by the pattern):")  # fmt: skip
        for url in others[:SHOW_OTHERS]:
            click.echo(f"  {url}")


def no_articles(source: Source, others: list[str]) -> None:
    pattern = source.article_url_pattern
    if not others:
        click.echo(
            "\nNo links were found at all: check that start_urls, feeds and sitemaps "
            "answer (see above). A page built by JavaScript shows the crawler no links."
        )
        return
    click.echo(f"\narticle_url_pattern '{pattern}' matches none of the {len(others)} links "
               "found, so the crawl would fetch no article. Links found:")  # fmt: skip
    for url in others[: SHOW_OTHERS * 2]:
        click.echo(f"  {url}")
    click.echo("Hint: open an article in your browser, copy its address, and write a regular "
               "expression that matches the part all article addresses share (for example "
               r"'/view/AEN\d+' for Yonhap); compare it with the links above.")  # fmt: skip


def show_article(entry: Entry, article: Extracted, timezone: str) -> None:
    click.echo(f"\nnewest article: {entry.url}")
    rows = [("field", "from", "value")]
    for name in FIELDS:
        origin = article.origins.get(name, "")
        rows.append((name, ORIGINS.get(origin, origin or "-"), _value(article, name, timezone)))
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, origin, value in rows:
        click.echo(f"  {name:<{widths[0]}}  {origin:<{widths[1]}}  {value}")


def _value(article: Extracted, name: str, timezone: str) -> str:
    value = getattr(article, name)
    if not value:
        return "(nothing found)"
    if name == "body":
        paragraphs = value.split("\n\n")
        start = " ".join(value[:160].split())
        return f"{len(paragraphs)} paragraphs, {len(value)} characters: {start} …"
    if name in ("published_at", "updated_at"):
        return f"{value}  ({local_time(value, timezone)})"
    if name == "images":
        return "; ".join(f"{i['url']} ({i['caption'] or 'no caption'})" for i in value)
    if isinstance(value, list):
        return ", ".join(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 160 else text[:160] + " …"


SELECTOR_FIELDS = {"title": "title", "body": "body", "published": "published_at",
                   "authors": "authors"}  # fmt: skip


def check_selectors(source: Source, text: str, url: str, article: Extracted) -> None:
    """How many elements each configured selector selects on the article page."""
    selectors = source.selectors
    if selectors is None:
        click.echo("\nno selectors configured: fields come from structured data and the "
                   "generic extractor.")  # fmt: skip
        return
    page = Selector(text=text, base_url=url)
    click.echo("\nselectors on this page:")
    for key, name in SELECTOR_FIELDS.items():
        if css := getattr(selectors, key):
            _check_one(page, f"selectors.{key}", css, article.origins.get(name, ""))
    for css in selectors.exclude:
        _check_one(page, "selectors.exclude", css, "")


def _check_one(page: Selector, key: str, css: str, origin: str) -> None:
    try:
        count = len(page.css(css))
    except Exception as exc:  # cssselect raises its own error family
        click.echo(f"  {key} {css!r} is not a CSS selector the crawler understands: {exc}")
        return
    if count:
        click.echo(f"  {key} {css!r}: {count} element{'' if count == 1 else 's'}")
        return
    if key == "selectors.exclude":
        click.echo(f"  {key} {css!r} selects nothing on this page (nothing to remove here)")
        return
    instead = f"; the field came from {ORIGINS.get(origin, origin)} instead" if origin else ""
    click.echo(f"  {key} {css!r} selects nothing on this page{instead}.")
    click.echo("    Hint: open the page in your browser, right-click the text you want, choose "
               "Inspect, and write a selector for that element (e.g. 'h1.title', "
               "'div#article-body > p').")  # fmt: skip


def newest_article(fetcher: Fetcher, source: Source, articles: list[Entry], tz: str) -> None:
    """Fetches and extracts the newest article (the next one if it cannot be fetched)."""
    for entry in articles[:3]:
        if not fetcher.allowed(entry.url):
            click.echo(f"\n{entry.url}: blocked by robots.txt")
            continue
        try:
            body, content_type = fetcher.get(entry.url)
        except (OSError, ValueError) as exc:
            click.echo(f"\n{entry.url}: could not fetch it: {getattr(exc, 'reason', exc)}")
            continue
        text = html_text(body, content_type)
        article = extract(source, text, entry.url)
        show_article(entry, article, tz)
        check_selectors(source, text, entry.url, article)
        return


def check_source(config: Config, source: Source) -> None:
    """Prints what a crawl of `source` would find and extract; stores nothing."""
    pattern = re.compile(source.article_url_pattern)
    robots = "obeyed" if config.crawl.obey_robots_txt else "ignored"
    click.echo(f"source {source.name}: article_url_pattern '{source.article_url_pattern}', "
               f"robots.txt {robots}")  # fmt: skip
    fetcher = Fetcher(config.crawl)
    found = fetch_all(fetcher, source)
    show_found(found, pattern)
    articles, others = split_links(found, pattern)
    if articles:
        show_links(articles, others, source.timezone)
        newest_article(fetcher, source, articles, source.timezone)
    else:
        no_articles(source, others)
    click.echo("\nnothing was stored.")
