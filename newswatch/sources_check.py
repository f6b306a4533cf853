"""`newswatch sources check NAME`: what the crawler would find on a source, storing nothing.

For someone adding a site: fetches the source's start pages, feeds and sitemaps through the
crawl's own Scrapy stack (crawler.probe: its origins, robots.txt, redirect checks, size and
time limits), lists the links that match `article_url_pattern` and a sample of those that do
not, extracts the newest article the way the crawl would and prints every field with where it
came from. A pattern that matches nothing, or a selector that selects nothing or fails, is
said in plain words, naming the selector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import click
from parsel import Selector

from crawler.discovery import Entry, article_links, feed_entries, sitemap_entries
from crawler.extract import Extracted, extract_article
from crawler.pagination import next_page
from crawler.probe import Fetcher, run_probe
from crawler.selectors import SelectorError, select
from crawler.urls import canonical_url, on_origins
from newswatch.config import Config, Source
from newswatch.hygiene import printable
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
    next_how: str = ""  # how the next list page was found (crawler.pagination)
    nested: int = 0  # sitemaps an index lists
    offsite: int = 0  # links to other origins, never followed


async def fetch(fetcher: Fetcher, kind: str, url: str, source: Source) -> Found:
    page = await fetcher.get(url)
    if not page.ok:
        return Found(kind, url, page.error)
    try:
        body = page.body()
    except ValueError:  # a gzipped body larger than max_page_bytes once inflated
        return Found(kind, url, "too_large")
    except (OSError, EOFError):
        return Found(kind, url, "unparsable")
    if kind == "feed":
        entries = feed_entries(body, page.final_url, source.timezone)
        return _on_origins(Found(kind, url, "ok"), entries, source)
    if kind == "sitemap":
        entries, nested = sitemap_entries(body, page.final_url, source.timezone)
        return _on_origins(Found(kind, url, "ok", nested=len(nested)), entries, source)
    selector = Selector(text=page.text(), base_url=page.final_url)
    hrefs = selector.xpath("//a/@href").getall()
    links = article_links(hrefs, page.final_url, re.compile(""), None)
    pattern = re.compile(source.article_url_pattern)
    after, how = next_page(selector, page.final_url, pattern, source.origins, source.next_page)
    found = Found(kind, url, "ok", next_page=after, next_how=how)
    return _on_origins(found, [Entry(u) for u in links], source)


def _on_origins(found: Found, entries: list[Entry], source: Source) -> Found:
    """As the crawl: an entry on another origin (scheme, host or port) is never followed."""
    found.entries = [e for e in entries if on_origins(canonical_url(e.url), source.origins)]
    found.offsite = len(entries) - len(found.entries)
    return found


async def fetch_all(fetcher: Fetcher, source: Source) -> list[Found]:
    pages = [("start page", u) for u in source.start_urls]
    pages += [("feed", u) for u in source.feeds] + [("sitemap", u) for u in source.sitemaps]
    return [await fetch(fetcher, kind, url, source) for kind, url in pages]


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
        if f.nested:
            counts += f", {f.nested} nested sitemaps"
        if f.offsite:
            counts += f", {f.offsite} on other origins (not followed)"
        line = f"{f.kind}: {f.url}  {f.status}  {counts if f.status == 'ok' else ''}"
        click.echo(printable(line.rstrip()))
        if f.next_page:
            click.echo(printable(f"  next list page: {f.next_page} ({f.next_how})"))


def show_links(articles: list[Entry], others: list[str], timezone: str) -> None:
    click.echo(f"\n{len(articles)} article links match article_url_pattern:")
    for entry in articles[:SHOW_ARTICLES]:
        when = local_time(entry.published_at, timezone) if entry.published_at else "(undated)"
        click.echo(printable(f"  {when:<22}  {entry.url}"))
    if len(articles) > SHOW_ARTICLES:
        click.echo(f"  … and {len(articles) - SHOW_ARTICLES} more")
    if others:
        click.echo(f"other links ({min(len(others), SHOW_OTHERS)} of {len(others)}, "
                   "not articles by the pattern):")  # fmt: skip
        for url in others[:SHOW_OTHERS]:
            click.echo(printable(f"  {url}"))


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
        click.echo(printable(f"  {url}"))
    click.echo("Hint: open an article in your browser, copy its address, and write a regular "
               "expression that matches the part all article addresses share (for example "
               r"'/view/AEN\d+' for Yonhap); compare it with the links above.")  # fmt: skip


def show_article(entry: Entry, article: Extracted, timezone: str) -> None:
    click.echo("\n" + printable(f"newest article: {entry.url}"))
    rows = [("field", "from", "value")]
    for name in FIELDS:
        origin = article.origins.get(name, "")
        rows.append((name, ORIGINS.get(origin, origin or "-"), _value(article, name, timezone)))
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, origin, value in rows:
        click.echo(f"  {name:<{widths[0]}}  {origin:<{widths[1]}}  {printable(value)}")


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
    """What each configured selector selects on the article page, or why it cannot run."""
    selectors = source.selectors
    if selectors is None:
        click.echo("\nno selectors configured: fields come from structured data and the "
                   "generic extractor.")  # fmt: skip
        return
    page = Selector(text=text, base_url=url)
    click.echo("\nselectors on this page:")
    for key, name in SELECTOR_FIELDS.items():
        if value := getattr(selectors, key):
            _check_one(page, f"selectors.{key}", value, article.origins.get(name, ""))
    for i, value in enumerate(selectors.exclude):
        _check_one(page, f"selectors.exclude[{i}]", value, "")


def _check_one(page: Selector, key: str, value: str, origin: str) -> None:
    try:
        found = select(page.root, value)
    except SelectorError as exc:
        click.echo(printable(f"  {key} {value!r} failed on this page: {exc}"))
        return
    if found:
        texts = sum(1 for item in found if isinstance(item, str))
        count = len(found)
        noun = "text" if texts == count else "element"
        click.echo(f"  {key} {value!r}: {count} {noun}{'' if count == 1 else 's'}")
        return
    if key.startswith("selectors.exclude"):
        click.echo(f"  {key} {value!r} selects nothing on this page (nothing to remove here)")
        return
    instead = f"; the field came from {ORIGINS.get(origin, origin)} instead" if origin else ""
    click.echo(f"  {key} {value!r} selects nothing on this page{instead}.")
    click.echo("    Hint: open the page in your browser, right-click the text you want, choose "
               "Inspect, and write a selector for that element (e.g. 'h1.title', "
               "'div#article-body > p', 'span.posted::text', 'time::attr(datetime)').")  # fmt: skip


async def newest_article(fetcher: Fetcher, source: Source, articles: list[Entry]) -> None:
    """Fetches and extracts the newest article (the next one if it cannot be fetched)."""
    for entry in articles[:3]:
        page = await fetcher.get(entry.url)
        if not page.ok:
            click.echo("\n" + printable(f"{entry.url}: could not fetch it: {page.error}"))
            continue
        text = page.text()
        article = extract(source, text, page.final_url)
        show_article(entry, article, source.timezone)
        check_selectors(source, text, page.final_url, article)
        return


async def check_job(fetcher: Fetcher, source: Source) -> None:
    pattern = re.compile(source.article_url_pattern)
    found = await fetch_all(fetcher, source)
    show_found(found, pattern)
    articles, others = split_links(found, pattern)
    if articles:
        show_links(articles, others, source.timezone)
        await newest_article(fetcher, source, articles)
    else:
        no_articles(source, others)


def check_source(config: Config, source: Source, seconds: float, log_level: str) -> None:
    """Prints what a crawl of `source` would find and extract; stores nothing. Every request
    goes through the crawl's own stack (crawler.probe); ProbeTimeout after `seconds`."""
    robots = "obeyed" if config.crawl.obey_robots_txt else "ignored"
    click.echo(f"source {source.name}: article_url_pattern '{source.article_url_pattern}', "
               f"robots.txt {robots}")  # fmt: skip
    run_probe(config, source.origins, lambda f: check_job(f, source), seconds, log_level)
    click.echo("\nnothing was stored.")
