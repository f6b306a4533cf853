"""What a source's configured selectors select on a page (crawler.extract): the blocks they
exclude, the title, date and byline they give, the body's paragraphs, and how each one fared
on the page (Extracted.selector_report, which the crawl counts).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from crawler.dates import parse_date
from crawler.extracted import Extracted
from crawler.selectors import elements, grouped_strings, select
from crawler.structured import plausible_authors
from crawler.wire import byline_names

if TYPE_CHECKING:  # the workers import this module: not the config loader's imports
    from newswatch.configtypes import Selectors

log = logging.getLogger("crawler.extract")  # where a failing selector was logged before

_SKIP = frozenset({"script", "style", "noscript", "template", "button", "select", "svg"})
_BLOCKS = frozenset(
    {
        "p", "div", "li", "item", "head", "quote", "blockquote", "h1", "h2", "h3", "h4", "h5",
        "h6", "tr", "ul", "ol", "list", "section", "article", "table", "figure", "pre",
    }
)  # fmt: skip
PARAGRAPH_TAGS = frozenset({"p", "h2", "h3", "h4", "li", "blockquote", "pre"})


def css_elements(page: Selector, css: str) -> list[HtmlElement]:
    """Elements a configured selector selects (a text or attribute result gives its element);
    one that cannot run on this page selects nothing."""
    try:
        return elements(page.root, css) if css else []
    except Exception as exc:  # counted where the field is read (_selected)
        log.info("selector %r failed: %s", css, exc)
        return []


def _selected(out: Extracted, page: Selector, key: str, text: str) -> list[Any]:
    """Elements and strings of one configured selector; its outcome goes in the report."""
    if not text:
        return []
    try:
        items = select(page.root, text)
    except Exception as exc:  # a step that fails is counted by the crawl, not only logged
        out.selector_report[key] = f"error: {exc}"
        return []
    out.selector_report[key] = "matched" if items else "nothing"
    return items


def _item_text(item: Any) -> str:
    text = element_text(item) if isinstance(item, etree._Element) else str(item)
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.split())


def _stamp(item: Any) -> str:
    """A date as a selected element gives it: <time datetime>, <meta content> or its text."""
    if isinstance(item, etree._Element):
        return item.get("datetime") or item.get("content") or element_text(item)
    return str(item)


def drop(out: Extracted, page: Selector, exclude: tuple[str, ...]) -> None:
    for i, text in enumerate(exclude):
        for element in _selected(out, page, f"exclude[{i}]", text):
            if isinstance(element, etree._Element) and element.getparent() is not None:
                element.drop_tree()  # keeps the text that follows the element


def apply_selectors(out: Extracted, page: Selector, chosen: Selectors, timezone: str) -> None:
    titles = [_item_text(i).replace("\n", " ") for i in _selected(out, page, "title", chosen.title)]
    out.fill("title", next((t for t in titles if t), ""), "selector")
    stamps = [_stamp(i) for i in _selected(out, page, "published", chosen.published)]
    published = next((d for s in stamps if (d := parse_date(s, timezone))), "")
    out.fill("published_at", published, "selector")
    names: list[str] = []
    for item in _selected(out, page, "authors", chosen.authors):
        for line in _item_text(item).split("\n"):
            names.extend(byline_names(line) or re.split(r"\s*(?:,|&|\band\b)\s*", line))
    out.fill("authors", plausible_authors(names, ""), "selector")


def selected_paragraphs(out: Extracted, page: Selector, text: str) -> list[str]:
    """The texts of the body elements (a selected container gives its paragraphs), or the
    selected text nodes, those of one element joined."""
    items = _selected(out, page, "body", text)
    texts: list[str] = [t for _, t in grouped_strings(items)]
    for element in (i for i in items if isinstance(i, etree._Element)):
        inner = [] if element.tag in PARAGRAPH_TAGS else element.xpath(".//p")
        texts.extend(element_text(e) for e in inner or [element])
    return [t for t in texts if t]


def element_text(element: HtmlElement) -> str:
    """Whitespace-normalized text; <br> and block boundaries become line breaks."""
    parts: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in _SKIP:
                walker.skip_subtree()
            elif tag in ("br", "lb"):
                parts.append("\n")
            elif node.text:
                parts.append(node.text)
            continue
        if tag in _BLOCKS:
            parts.append("\n")
        if node is not element and node.tail:
            parts.append(node.tail)
    lines = "".join(parts).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.split())
