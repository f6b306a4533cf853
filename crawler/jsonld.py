"""JSON in pages: JSON-LD blocks and Yonhap's inline CONTENT_DATA, read tolerantly.

Real sites ship JSON-LD with `//` comments and trailing commas, so JSON is parsed
tolerantly; a block that still fails is skipped (crawler.structured reads the values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from parsel import Selector

_STRING_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_STRING_OR_TRAILING_COMMA = re.compile(r'"(?:\\.|[^"\\])*"|,(\s*[\]}])')
_CONTENT_DATA = re.compile(r"CONTENT_DATA\s*=\s*JSON\.stringify\(\s*(\{.*?\})\s*\)\s*;", re.DOTALL)


def loads_tolerant(text: str) -> Any:
    """JSON from a page: strict first, then without comments and trailing commas; None if bad."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    found = _json(text)
    if found is not _BAD:  # most pages' JSON is strict: the two rewrites would cost twice that
        return found
    relaxed = _STRING_OR_COMMENT.sub(lambda m: m.group() if m.group()[0] == '"' else "", text)
    relaxed = _STRING_OR_TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(), relaxed)
    found = _json(relaxed)
    return None if found is _BAD else found


_BAD = object()


def _json(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return _BAD


def json_ld_nodes(page: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, including those inside @graph and lists."""
    nodes: list[dict[str, Any]] = []
    for script in page.root.iter("script"):  # lxml itself: an XPath with translate() and
        kind = (script.get("type") or "").translate(_LD_CASE)  # parsel's wrappers cost more
        if "ld+json" in kind:
            for text in _texts(script):
                nodes.extend(walk(loads_tolerant(text)))
    return nodes


def _texts(script: etree._Element) -> list[str]:
    """The element's own text nodes, as XPath's text() gives them (an HTML script has one)."""
    texts = [script.text] if script.text is not None else []
    return texts + [child.tail for child in script if child.tail is not None]


_LD_CASE = str.maketrans("LDJSON", "ldjson")  # as XPath translate(): only these letters


def content_data(page: Selector) -> dict[str, Any]:
    """Yonhap's inline `CONTENT_DATA = JSON.stringify({...})`: TITLE, KEYWORD, DATETIME."""
    scripts = (s for s in page.root.iter("script") if "CONTENT_DATA" in "".join(s.itertext()))
    for text in (text for script in scripts for text in _texts(script)):
        match = _CONTENT_DATA.search(text)
        data = loads_tolerant(match.group(1)) if match else None
        if isinstance(data, dict):
            return data
    return {}


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from walk(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity"):
            if key in node:
                yield from walk(node[key])


def ld_types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type", [])
    names = raw if isinstance(raw, list) else [raw]
    # "schema:NewsArticle" and "https://schema.org/NewsArticle" name the same type
    return {re.split(r"[/:#]", n)[-1] for n in names if isinstance(n, str)}
