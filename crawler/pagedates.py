"""When an article was published, from wherever the page says it.

First what the page states for machines: JSON-LD (the article's node, then any other node
such as its WebPage), then meta tags, by name (article:published_time, parsely-pub-date,
sailthru.date, dc.date, DC.date.issued, article.published, Telegraph's DCSext.*, ...) and
then any meta whose name says "published". Then what it shows the reader, in the
article's header: an element marked as the publication date (itemprop, <time pubdate>),
a <time datetime>, a `data-testid="timestamp"` element, or a date-classed element. Times
without an offset are read in the source's time zone; the earliest shown date wins
(a page shows "published" before "updated").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain
from typing import Any

from lxml.html import HtmlElement

from crawler.dates import parse_date

PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "pub_date",
    "dc.date.issued", "dcterms.issued", "dcterms.created", "parsely-pub-date", "sailthru.date",
    "article.published", "article:published", "dcsext.articlefirstpublished",
    "dcsext.pubdate", "cxenseparse:publishtime", "dc.date", "dcterms.date", "date",
)  # fmt: skip
UPDATED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "article.updated", "dcsext.articlelastmodified",
)  # fmt: skip
_PUBLISHED_NAME = re.compile(r"publish|first_?pub|pubdate", re.IGNORECASE)
_NOT_PUBLISHED_NAME = re.compile(r"modif|updat|expir|edit", re.IGNORECASE)
_MARKED = (
    ".//*[@itemprop='datePublished'] | .//time[@pubdate] | "
    ".//*[contains(@data-testid, 'timestamp')]"
)
_DATE_CLASSED = (
    ".//*[self::time or contains(@class, 'date') or contains(@class, 'time') or "
    "contains(@class, 'posted') or contains(@class, 'publish') or contains(@id, 'date') or "
    "contains(@class, 'byline') or contains(@class, 'meta') or contains(@class, 'info')]"
)
_ELSEWHERE = "ancestor::li | ancestor::aside | ancestor::nav | ancestor::footer | ancestor::a"
# Visible dates are looked for this many levels up from the headline (its header box).
HEADER_LEVELS = 3
DATE_TEXT_MAX_CHARS = 80


def structured_published(
    article: dict[str, Any], nodes: list[dict[str, Any]], meta: dict[str, list[str]], timezone: str
) -> str:
    """The publication time stated for machines (JSON-LD, then meta tags), in UTC."""
    texts = chain(
        [_ld(article.get("datePublished"))],
        (v for name in PUBLISHED_META for v in meta.get(name, [])),
        (_ld(node.get("datePublished")) for node in nodes),
        (
            v
            for name, values in meta.items()
            if _PUBLISHED_NAME.search(name) and not _NOT_PUBLISHED_NAME.search(name)
            for v in values
        ),
    )
    return _first(texts, timezone)


def structured_updated(article: dict[str, Any], meta: dict[str, list[str]], timezone: str) -> str:
    texts = [_ld(article.get("dateModified"))]
    return _first(texts + [v for name in UPDATED_META for v in meta.get(name, [])], timezone)


def shown_published(heading: HtmlElement | None, root: HtmlElement, timezone: str) -> str:
    """The publication time the article's header shows the reader, in UTC."""
    near = _near(heading, root)
    if near is None:
        return ""
    article = next(heading.iterancestors("article", "main"), near) if heading is not None else near
    searches = ((article, _MARKED), (article, ".//time[@datetime]"), (near, _DATE_CLASSED))
    for scope, xpath in searches:
        dates = [d for element in scope.xpath(xpath) if (d := _element_date(element, timezone))]
        if dates:
            return min(dates)
    return ""


def _near(heading: HtmlElement | None, root: HtmlElement) -> HtmlElement | None:
    """The headline's header box: a few levels above it (or the page's first article)."""
    if heading is None:
        found = root.xpath("(//article | //main)[1]")
        return found[0] if found else None
    scope = heading
    for _ in range(HEADER_LEVELS):
        if scope.getparent() is None or scope.tag in ("article", "main"):
            break
        scope = scope.getparent()
    return scope


def _element_date(element: HtmlElement, timezone: str) -> str:
    if element.xpath(_ELSEWHERE):
        return ""  # the time of a listed or linked other story
    for value in (element.get("datetime"), element.get("content")):
        if value and (date := parse_date(value, timezone)):
            return date
    text = " ".join(element.text_content().split())
    return parse_date(text, timezone) if 6 <= len(text) <= DATE_TEXT_MAX_CHARS else ""


def _first(texts: Iterable[str], timezone: str) -> str:
    return next((d for text in texts if text and (d := parse_date(text, timezone))), "")


def _ld(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@value", "")
    return value if isinstance(value, str) else ""
