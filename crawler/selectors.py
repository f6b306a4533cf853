"""Configured selectors, written as Scrapy users write them.

CSS, with the `::text` and `::attr(name)` pseudo-elements (`span.posted::text`,
`time::attr(datetime)`); XPath when the value starts with `/`, `(` or `xpath:`
(`//span[@class="posted"]/text()`). `compile_selector` checks one when the config loads
and turns it into the XPath it runs; `select` runs it on a page and gives elements or
strings (text nodes, attribute values), never raising for a page's content.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cssselect
from lxml import etree, html
from parsel.csstranslator import css2xpath

XPATH_PREFIX = "xpath:"


class SelectorError(ValueError):
    """A selector that cannot run; the message is the parser's."""


@dataclass(frozen=True)
class Compiled:
    text: str  # as configured
    xpath: str  # what runs
    kind: str  # "css" | "xpath"
    elements_only: bool  # CSS without ::text / ::attr()


def is_xpath(text: str) -> bool:
    value = text.strip()
    return value.startswith(("/", "(")) or value.lower().startswith(XPATH_PREFIX)


@lru_cache(maxsize=512)
def compile_selector(text: str) -> Compiled:
    """The selector checked and translated; SelectorError with the parser's message."""
    value = text.strip()
    if is_xpath(value):
        expr = value[len(XPATH_PREFIX) :].strip() if value.lower().startswith("xpath:") else value
        compiled = Compiled(value, expr, "xpath", elements_only=False)
    else:
        try:
            pseudo = any(s.pseudo_element for s in cssselect.parse(value))
            compiled = Compiled(value, css2xpath(value), "css", elements_only=not pseudo)
        except cssselect.SelectorError as exc:
            raise SelectorError(f"CSS: {exc}") from None
    try:  # evaluated once on an empty page: unknown functions and prefixes fail here too
        result = _xpath(compiled.xpath)(html.fromstring("<html><body></body></html>"))
    except etree.XPathError as exc:
        raise SelectorError(f"XPath {compiled.xpath!r}: {exc}") from None
    if isinstance(result, (bool, float)):
        raise SelectorError("XPath gives a number or a boolean, not elements or text")
    return compiled


@lru_cache(maxsize=512)
def _xpath(expr: str) -> etree.XPath:
    return etree.XPath(expr, smart_strings=True)


def select(root: etree._Element, text: str) -> list[etree._Element | str]:
    """Elements and strings the selector gives on a page (`root`: its lxml root).

    Raises SelectorError when it cannot run on this page (a caller counts that)."""
    compiled = compile_selector(text)
    try:
        found = _xpath(compiled.xpath)(root)
    except etree.XPathError as exc:
        raise SelectorError(str(exc)) from None
    if isinstance(found, (bool, float)):
        raise SelectorError("gives a number or a boolean, not elements or text")
    items = found if isinstance(found, list) else [found]
    return [i for i in items if isinstance(i, (etree._Element, str)) and not _is_comment(i)]


def _is_comment(item: object) -> bool:
    return isinstance(item, etree._Element) and not isinstance(item.tag, str)


def owner(item: etree._Element | str) -> etree._Element | None:
    """The element a selected item belongs to: itself, or the element of a text node (the
    one whose text it is, not the inline element it trails) or of an attribute value."""
    if isinstance(item, etree._Element):
        return item
    parent = getattr(item, "getparent", lambda: None)()
    if parent is not None and getattr(item, "is_tail", False):
        parent = parent.getparent()
    return parent


def elements(root: etree._Element, text: str) -> list[etree._Element]:
    """Selected elements only (for `exclude` and body containers); strings give their owner."""
    found: dict[int, etree._Element] = {}
    for item in select(root, text):
        element = owner(item)
        if element is not None:
            found.setdefault(id(element), element)
    return list(found.values())


def grouped_strings(items: list[etree._Element | str]) -> list[tuple[etree._Element | None, str]]:
    """Consecutive selected strings of one owner joined: `p::text` around a <b> is one text."""
    groups: list[tuple[etree._Element | None, str]] = []
    for item in items:
        if isinstance(item, etree._Element):
            continue
        parent = owner(item)
        if groups and parent is not None and groups[-1][0] is parent:
            groups[-1] = (parent, groups[-1][1] + str(item))
        else:
            groups.append((parent, str(item)))
    return [(p, " ".join(t.split())) for p, t in groups if t.split()]
