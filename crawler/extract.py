"""extract_article(): one article page in, its clean fields out.

Two paths. With a source's CSS selectors, excluded blocks are dropped and the
selected elements give title, body, time and byline. Whatever they do not give
comes from the generic path: structured data (JSON-LD, OpenGraph, article:* meta),
then the page itself (<title>, <html lang>) and trafilatura for the body.
Both bodies then lose wire-copy furniture (ATTN note, byline, "(END)") and photo
captions. Bad HTML never raises: each step that fails leaves its fields empty.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from parsel import Selector
from parsel.selector import create_root_node

from crawler.copies import copy_paragraphs
from crawler.dates import parse_date
from crawler.extracted import Extracted
from crawler.headline import heading_text, headline_element
from crawler.mainbody import PageHints, main_text
from crawler.pagedates import shown_published
from crawler.selected import (
    PARAGRAPH_TAGS,
    apply_selectors,
    css_elements,
    drop,
    element_text,
    selected_paragraphs,
)
from crawler.structured import (
    Structured,
    clean_title,
    language_code,
    plausible_authors,
    read_structured,
)
from crawler.wire import clean_wire

if TYPE_CHECKING:  # the workers import this module: not the config loader's imports
    from newswatch.configtypes import Selectors

__all__ = ["Extracted", "extract_article", "parse_date"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# lxml's own XPath: parsel's wrappers of the results cost more than the search here
_LANG = etree.XPath("/html/@lang", smart_strings=False)
_TITLE_TEXTS = etree.XPath("//title//text()", smart_strings=False)
_P_HOLDERS = etree.XPath("//body//*[p]")
_P_TEXTS = etree.XPath("./p//text()", smart_strings=False)


def extract_article(
    html: str, url: str, *, selectors: Selectors | None = None, timezone: str = "UTC"
) -> Extracted:
    """Extracts an article page; `timezone` is used for times printed without an offset."""
    out = Extracted()
    page = _safely(None, _parse, html, url)
    page = _empty_page(url) if page is None else page
    structured = _safely(Structured(), read_structured, page, url, timezone)
    containers = _safely([], _body_containers, page, selectors)
    figures = _safely([], _figure_images, containers, url)  # before exclude drops photo-groups
    paragraphs: list[str] = []
    if selectors:
        _safely(None, drop, out, page, selectors.exclude)
        _safely(None, apply_selectors, out, page, selectors, timezone)
        paragraphs = _safely([], selected_paragraphs, out, page, selectors.body)
        if not clean_wire(paragraphs).paragraphs:  # only a byline and "(END)": not a body
            paragraphs = []
    origin, data_published = "selector" if paragraphs else "generic", ""
    if not paragraphs:
        found = _safely(([], origin, ""), _generic_paragraphs, page, url, structured)
        paragraphs, origin, data_published = found
    if not paragraphs and structured.article_body:
        paragraphs, origin = copy_paragraphs(structured.article_body), "structured"
    _safely(None, _fill_generic, out, page, structured, url, (timezone, data_published))
    _set_body(out, paragraphs, origin, [f["caption"] for f in figures], page)
    image_origin = ("selector" if origin == "selector" else "generic") if figures else "structured"
    out.fill("images", _merge_images(figures, structured.images), image_origin)
    return out


def _safely(default: T, step: Callable[..., T], *args: Any) -> T:
    """Runs one extraction step; a failure costs that step's fields, not the article."""
    try:
        return step(*args)
    except Exception as exc:
        log.warning("extraction step %s failed: %r", step.__name__, exc)
        return default


def _empty_page(url: str) -> Selector:
    return Selector(text="<html><body></body></html>", base_url=url)


def _parse(html: str | bytes, url: str) -> Selector:
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    text = html or "<html></html>"
    if text.lstrip(" \t\n\r")[:1] in ("{", "[") or _XML_DECLARATION.match(text):
        page = Selector(text=text, base_url=url)  # parsel may read it as JSON or XML
    else:  # as parsel parses HTML, with our parser
        page = Selector(root=create_root_node(text, _HtmlParser, base_url=url), type="html")
    # comments and processing instructions hold no text; stripping them keeps tails in place
    etree.strip_tags(page.root, etree.Comment, etree.ProcessingInstruction)
    return page


class _HtmlParser(etree.HTMLParser):
    """lxml.html's parser, but its element classes are found by lxml itself: lxml.html's
    lookup calls Python for every element object made, hundreds of times a page in our rules
    and trafilatura's. <form>, <input>, <select>, <textarea> and <label> lose their classes'
    form-filling properties, which nothing here reads."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_element_class_lookup(_HTML_CLASSES)


_HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)
_XML_DECLARATION = re.compile(r"[\s\ufeff]*<\?xml\s")  # parsel reads such a page as XML


def _fill_generic(
    out: Extracted, page: Selector, structured: Structured, url: str, dates: tuple[str, str]
) -> None:
    """Fills whatever the selectors left empty: the headline the page displays, then
    structured data, then the page's <title>; the date from structured data, then from the
    script data the body came from, then the one the article's header shows. `dates` is the
    source's time zone and the script data's publication time."""
    timezone, data_published = dates
    html_lang = language_code(next(iter(_LANG(page.root)), ""))
    out.fill("language", html_lang, "generic")
    out.fill("language", structured.language, "structured")
    # The headline is looked for only when a field needs it (selectors gave title and date).
    heading = _fill_title(out, page, structured, url) if not out.title else _NOT_LOOKED
    out.fill("published_at", structured.published_at, "structured")
    out.fill("published_at", parse_date(data_published, timezone), "structured")
    if not out.published_at:
        if heading is _NOT_LOOKED:
            heading, _ = _headline(page, structured, url)
        out.fill("published_at", shown_published(heading, page.root, timezone), "generic")
    out.fill("updated_at", structured.updated_at, "structured")
    out.fill("authors", plausible_authors(structured.authors, out.language), "structured")
    out.fill("summary", structured.summary, "structured")
    out.fill("tags", structured.tags, "structured")


_NOT_LOOKED: Any = object()


def _headline(page: Selector, structured: Structured, url: str) -> tuple[HtmlElement | None, str]:
    """The element of the headline the page shows, and the page's cleaned <title>."""
    page_title = clean_title(_page_title(page), structured.site_names, url)
    heading = headline_element(page.root, (structured.title, page_title), structured.site_names)
    return heading, page_title


def _fill_title(
    out: Extracted, page: Selector, structured: Structured, url: str
) -> HtmlElement | None:
    """The title from the headline shown, structured data or <title>; the headline's element."""
    heading, page_title = _headline(page, structured, url)
    shown = heading_text(heading) if heading is not None else ""
    agrees = shown and _key(shown) == _key(structured.title)  # then both sources give it
    out.fill("title", shown, "structured" if agrees else "generic")
    out.fill("title", structured.title, "structured")
    out.fill("title", page_title, "generic")
    return heading


def _set_body(
    out: Extracted, paragraphs: list[str], origin: str, captions: list[str], page: Selector
) -> None:
    """Body without captions, title echo or wire furniture; the byline may give authors."""
    unwanted = {_key(c) for c in captions} | {_key(out.title)}
    kept = [p for p in paragraphs if _key(p) not in unwanted]
    wire = clean_wire(kept)
    out.fill("body", "\n\n".join(wire.paragraphs), origin)
    out.fill("dateline", wire.dateline, origin)
    out.fill("authors", wire.authors, origin)
    if not out.authors and origin == "generic":
        # trafilatura may drop a short byline paragraph: look for it in the page itself
        out.fill("authors", _safely([], _container_byline, page), "generic")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _generic_paragraphs(
    page: Selector, url: str, structured: Structured
) -> tuple[list[str], str, str]:
    """Main text of a page without selectors (see crawler.mainbody): its paragraphs, their
    origin, and the publication time the script data gives with them (if it is the origin)."""
    hints = PageHints(
        titles=(structured.title, clean_title(_page_title(page), structured.site_names, url)),
        summary=structured.summary,
        site_names=structured.site_names,
        structured_body=structured.article_body,
        paywalled=structured.paywalled,
    )
    found = main_text(page.root, url, hints)
    if found is None:
        return [], "generic", ""
    origin = "generic" if found.origin == "generic" else "structured"
    return found.paragraphs, origin, found.published


def _page_title(page: Selector) -> str:
    """The first text of the page's <title>, spaced."""
    return " ".join(next(iter(_TITLE_TEXTS(page.root)), "").split())


def _container_paragraphs(page: Selector) -> list[str]:
    containers = _body_containers(page, None)
    if not containers:
        return []
    return [t for p in containers[0].xpath("./p") if (t := element_text(p))]


def _container_byline(page: Selector) -> list[str]:
    return clean_wire(_container_paragraphs(page)[:3]).authors


def _body_containers(page: Selector, selectors: Selectors | None) -> list[HtmlElement]:
    """Where the article text lives: the parents of the selected body paragraphs, or
    else the element whose direct <p> children hold the most text."""
    if selectors and selectors.body:
        found: dict[HtmlElement, None] = {}
        for node in css_elements(page, selectors.body):
            parent = node.getparent() if node.tag in PARAGRAPH_TAGS else None
            found.setdefault(node if parent is None else parent)
        if found:
            return list(found)
    best, best_chars = None, 0
    for candidate in _P_HOLDERS(page.root):
        chars = sum(len(" ".join(t.split())) for t in _P_TEXTS(candidate))
        if chars > best_chars:
            best, best_chars = candidate, chars
    return [best] if best is not None else []


def _figure_images(containers: list[HtmlElement], url: str) -> list[dict[str, str]]:
    """Photos in the article text with their captions (figcaption, else the alt text)."""
    images: list[dict[str, str]] = []
    for container in containers:
        for figure in container.xpath(".//figure[.//img]"):
            if figure.xpath("ancestor::li | ancestor::aside | ancestor::nav"):
                continue  # thumbnails of other stories
            img = figure.xpath(".//img")[0]
            src = img.get("data-src") or img.get("src") or ""
            caption = " ".join(
                element_text(c).replace("\n", " ") for c in figure.xpath(".//figcaption")
            ).strip()
            caption = caption or " ".join((img.get("alt") or "").split())
            if src.strip() and not src.startswith("data:"):
                images.append({"url": urljoin(url, src.strip()), "caption": caption})
    return images


def _merge_images(*groups: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each image once (first wins) and each caption once."""
    merged: list[dict[str, str]] = []
    for image in (i for group in groups for i in group):
        if not image["url"].startswith("http") or any(m["url"] == image["url"] for m in merged):
            continue
        used = any(m["caption"] == image["caption"] for m in merged)
        merged.append({"url": image["url"], "caption": "" if used else image["caption"]})
    return merged
