"""`newswatch sources add NAME URL [--write]`: a working source block for a new site.

The site is surveyed through the crawl's own stack (newswatch.site_survey, crawler.probe);
the block says on each line what was found. `--write` appends it to the config file with a
round-trip YAML writer (comments and layout kept), and replaces the file only once the new
config loads.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click
from parsel import Selector

from crawler.dates import parse_date
from crawler.extract import extract_article
from crawler.jsonld import json_ld_nodes
from crawler.probe import run_probe
from crawler.structured import meta_values
from crawler.urls import origins_of
from newswatch.config import Config, ConfigError, Selectors, load_config
from newswatch.hygiene import printable
from newswatch.report import local_time
from newswatch.site_survey import Source, Survey, survey

MAX_LIST_PAGES = 10  # read on a first crawl; later crawls stop at the first page fully archived
MAX_SITEMAP_ARTICLES = 500  # a bigger sitemap is the whole archive: the first crawl would fetch it
COMMENT_COLUMN = 40
# The time zone of a site from the offset its pages print, and its language or country.
ZONES = {
    "+09:00": {"ko": "Asia/Seoul", "kr": "Asia/Seoul", "ja": "Asia/Tokyo", "jp": "Asia/Tokyo",
               "": "Asia/Seoul"},
    "+08:00": {"": "Asia/Shanghai", "zh": "Asia/Shanghai", "cn": "Asia/Shanghai",
               "tw": "Asia/Taipei", "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore"},
    "+07:00": {"vi": "Asia/Ho_Chi_Minh", "th": "Asia/Bangkok", "id": "Asia/Jakarta"},
    "+05:30": {"": "Asia/Kolkata"},
    "+03:00": {"ru": "Europe/Moscow", "tr": "Europe/Istanbul"},
    "+02:00": {"de": "Europe/Berlin", "fr": "Europe/Paris", "es": "Europe/Madrid",
               "it": "Europe/Rome", "nl": "Europe/Amsterdam", "pl": "Europe/Warsaw",
               "uk": "Europe/Kyiv", "ua": "Europe/Kyiv"},
    "+01:00": {"de": "Europe/Berlin", "fr": "Europe/Paris", "es": "Europe/Madrid",
               "it": "Europe/Rome", "nl": "Europe/Amsterdam", "pl": "Europe/Warsaw",
               "en": "Europe/London", "gb": "Europe/London"},
    "-03:00": {"pt": "America/Sao_Paulo", "br": "America/Sao_Paulo",
               "es": "America/Argentina/Buenos_Aires"},
    "-05:00": {"en": "America/New_York", "us": "America/New_York"},
    "-04:00": {"en": "America/New_York", "us": "America/New_York"},
}  # fmt: skip
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
DATE_SELECTORS = (
    "article time::attr(datetime)", "time::attr(datetime)",
    "[itemprop=datePublished]::attr(content)", "[itemprop=datePublished]::attr(datetime)",
)  # fmt: skip


class AddError(Exception):
    """One line for the user: exit 2."""


def add_source(
    config: Config, name: str, url: str, write: bool, seconds: float, log_level: str
) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise AddError(f"source name {name!r}: expected letters, digits, '.', '_' or '-'")
    if any(s.name == name for s in config.sources):
        raise AddError(f"{config.path}: a source named {name!r} is already configured")
    origins = origins_of([url])
    if not url.startswith(("http://", "https://")) or not origins:
        raise AddError(f"{url}: expected an http(s) URL of the site's home or section page")
    started = time.monotonic()
    found = run_probe(config, origins, lambda f: survey(f, url, origins), seconds, log_level)
    tz, tz_why = guess_timezone(found, config.timezone)
    chosen = suggest_selectors(found.samples, tz)
    show_survey(found, tz, Selectors(**chosen) if chosen else None)
    block = source_block(found, name, tz, tz_why)
    if chosen:
        add_selectors(block, chosen, len(found.samples))
    click.echo(f"\nsource block for {config.path} (under sources:):\n")
    click.echo(printable_block(dump_block(block)))
    took = time.monotonic() - started
    click.echo(f"\n{found.requests} requests, {took:.0f}s elapsed; nothing was stored.")
    if write:
        append_source(config.path, block)
        click.echo(f"appended source {name!r} to {config.path}; the config loads.")


def show_survey(found: Survey, timezone: str, selectors: Selectors | None) -> None:
    articles = found.articles(found.page_links)
    click.echo(printable(f"{found.url}: {len(found.page_links)} links, {len(articles)} to "
                         "articles"))  # fmt: skip
    for shape, why in found.article_shapes.items():
        click.echo(printable(f"  articles: {shape}  ({why})"))
    for shape, why in found.other_shapes.items():
        click.echo(printable(f"  not articles: {shape}  ({why})"))
    for kind, sources in (("feed", found.feeds), ("sitemap", found.sitemaps)):
        for source in sources:
            n = len(found.articles(source.links))
            click.echo(printable(f"{kind}: {source.url}  ({source.note}): "
                                 f"{len(source.links)} entries, {n} articles"))  # fmt: skip
    if found.next_url:
        click.echo(printable(f"next list page: {found.next_url} ({found.next_how}), "
                             f"{found.next_new} more articles"))  # fmt: skip
    click.echo(f"\n{len(found.samples)} sample articles, as the crawl would extract them:")
    for url, html in found.samples:
        article = extract_article(html, url, selectors=selectors, timezone=timezone)
        when = local_time(article.published_at, timezone) if article.published_at else "undated"
        click.echo(printable(f"  {when}  {article.title or '(no title)'}"))
        click.echo(printable(f"    {url}"))
        click.echo(printable(f"    {' '.join(article.body.split()[:16])} …"))


def suggest_selectors(samples: list[tuple[str, str]], timezone: str) -> dict[str, str]:
    """A `published` selector when the generic extractor dates fewer than half the samples
    and one of the usual date elements dates every one of them."""
    undated = [html for url, html in samples
               if not extract_article(html, url, timezone=timezone).published_at]  # fmt: skip
    if not samples or len(undated) * 2 < len(samples):
        return {}
    for css in DATE_SELECTORS:
        if all(any(parse_date(v, timezone) for v in Selector(text=h).css(css).getall())
               for h in undated):  # fmt: skip
            return {"published": css}
    return {}


def add_selectors(block: Any, chosen: dict[str, str], samples: int) -> None:
    from ruamel.yaml.comments import CommentedMap

    selectors = CommentedMap((key, _quoted(value, '"')) for key, value in chosen.items())
    block.insert(list(block).index("timezone"), "selectors", selectors)
    block.yaml_add_eol_comment(
        f"the generic extractor dates too few of the {samples} samples", "selectors",
        column=COMMENT_COLUMN,
    )  # fmt: skip


def guess_timezone(found: Survey, default: str) -> tuple[str, str]:
    """(IANA zone, why) from the UTC offsets the sample pages print and their language."""
    offsets: Counter[str] = Counter()
    language = ""
    for _, html in found.samples:
        page = Selector(text=html)
        language = language or (page.xpath("/html/@lang").get() or "").lower()[:2]
        for stamp in _stamps(page):
            if found_offset := _OFFSET.search(stamp.strip()):
                value = found_offset.group(1)
                offsets[value if value == "Z" else value[:3] + ":" + value[-2:]] += 1
    country = (urlsplit(found.url).hostname or "").rsplit(".", 1)[-1]
    if not offsets:
        return default, f"no UTC offset on the sample pages: the config's {default}"
    offset = offsets.most_common(1)[0][0]
    if offset in ("Z", "+00:00"):
        return default, f"the pages print UTC times; times without an offset read as {default}"
    if _offset_of(default) == offset:
        return default, f"the pages print {offset}, as the config's time zone"
    zones = ZONES.get(offset, {})
    zone = zones.get(language) or zones.get(country) or zones.get("")
    if zone:
        return zone, f"the pages print {offset}, language {language or '?'}"
    hours = int(offset[:3])
    if offset.endswith(":00"):
        return f"Etc/GMT{-hours:+d}", f"the pages print {offset}"
    return default, f"the pages print {offset}: set the site's zone by hand"


def _offset_of(zone: str) -> str:
    offset = datetime.now(ZoneInfo(zone)).strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def _stamps(page: Selector) -> list[str]:
    meta = meta_values(page)
    stamps = meta.get("article:published_time", []) + page.xpath("//time/@datetime").getall()
    for node in json_ld_nodes(page):
        if isinstance(node.get("datePublished"), str):
            stamps.append(node["datePublished"])
    return stamps


def _comment(block: Any, key: str, text: str) -> None:
    block.yaml_add_eol_comment(printable(text), key, column=COMMENT_COLUMN)


def source_block(found: Survey, name: str, timezone: str, tz_why: str) -> Any:
    from ruamel.yaml.comments import CommentedMap

    block = CommentedMap()
    block["name"] = name
    page_articles = found.articles(found.page_links)
    if page_articles:
        block["start_urls"] = _flow([found.url])
        _comment(block, "start_urls", f"{len(page_articles)} article links on this page")
    _sources(block, "feeds", found, found.feeds)
    _sources(block, "sitemaps", found, [s for s in found.sitemaps if _small(found, s)])
    block["article_url_pattern"] = _quoted(found.pattern, "'")
    shapes = ", ".join(f"{s} ({why})" for s, why in found.article_shapes.items())
    _comment(block, "article_url_pattern", f"articles: {shapes}")
    if page_articles:
        block["max_list_pages"] = MAX_LIST_PAGES if found.next_url else 1
        how = f"next page: {found.next_how}" if found.next_url else "no next page found"
        _comment(block, "max_list_pages", how)
    block["timezone"] = timezone
    _comment(block, "timezone", tz_why)
    block["schedule"] = _quoted("every 10m", '"')
    _comment(block, "schedule", "how often to crawl")
    return block


def _small(found: Survey, sitemap: Source) -> bool:
    return len(found.articles(sitemap.links)) <= MAX_SITEMAP_ARTICLES


def _sources(block: Any, key: str, found: Survey, sources: list[Source]) -> None:
    useful = [s for s in sources if found.articles(s.links)]
    if not useful:
        return
    block[key] = _flow([s.url for s in useful])
    notes = "; ".join(f"{s.note}: {len(found.articles(s.links))} articles" for s in useful)
    _comment(block, key, notes)


def _flow(urls: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq([_quoted(u, '"') for u in urls])
    seq.fa.set_flow_style()
    return seq


def _quoted(text: str, quote: str) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    return (SingleQuotedScalarString if quote == "'" else DoubleQuotedScalarString)(text)


def _yaml(mapping: int = 2, sequence: int = 4, offset: int = 2) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.width = 4096  # a long pattern stays on its line
    yaml.preserve_quotes = True
    return yaml


def dump_block(block: Any) -> str:
    out = io.StringIO()
    _yaml().dump([block], out)
    return out.getvalue()  # "  - name: ...": as the block sits under `sources:`


def printable_block(text: str) -> str:
    return "\n".join(printable(line) for line in text.rstrip("\n").split("\n"))


def append_source(path: Path, block: Any) -> None:
    """Appends the block to `sources:`, keeping the file's comments and layout; the file is
    replaced only when the new config loads (ConfigError: left as it was)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    text = path.read_text(encoding="utf-8")
    _, indent, dash = load_yaml_guess_indent(text)
    yaml = _yaml(indent - dash if dash else indent, indent, dash)
    data = yaml.load(text)
    sources = data["sources"]
    sources.append(block)
    sources.yaml_set_comment_before_after_key(len(sources) - 1, before="\n", indent=dash)
    new = path.with_name(f".{path.name}.new")
    with new.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)
    shutil.copymode(path, new)
    try:
        load_config(new)
    except ConfigError as exc:
        new.unlink()
        raise AddError(str(exc).replace(str(new), str(path))) from None
    os.replace(new, path)
