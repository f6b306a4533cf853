"""What the archive's pages make of stored text: local times, paragraphs, openings, snippets.

Everything here is scraped text, so everything returned as Markup is escaped first.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from newswatch.query import QueryError, parse_query
from newswatch.report import local_time
from newswatch.snippets import snippet

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

__all__ = ["local_time", "opening", "paragraphs", "items", "host", "web_url",
           "marked_snippet", "query_error"]  # fmt: skip


def opening(text: str | None, words: int = 45) -> str:
    """The first `words` words of `text`, with an ellipsis when there is more."""
    parts = (text or "").split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def paragraphs(body: str | None) -> list[str]:
    """The body's paragraphs (stored separated by blank lines), each on one line."""
    return [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(body or "") if p.strip()]


def items(value: Any) -> list[Any]:
    """A JSON list column (authors, tags, images) as a list; [] when empty or not JSON."""
    if isinstance(value, list):
        return value
    try:
        loaded = json.loads(value or "[]")
    except ValueError:
        return []
    return loaded if isinstance(loaded, list) else []


def host(url: str | None) -> str:
    """The site part of a URL, as a reader would name it."""
    return urlsplit(url or "").netloc


def web_url(url: Any) -> str:
    """`url` if it is an http(s) address, else '' (never a javascript: link)."""
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else ""


def query_error(query: str | None) -> str:
    """The error `newswatch search` prints for `query` (without its prefix), or ''."""
    if query is None:
        return ""
    try:
        parse_query(query)
    except QueryError as exc:
        return f"query {query!r}: {exc}"
    return ""


def marked_snippet(text: str | None, query: str | None) -> Markup:
    """The passage around the first match of `query`, the matched terms in <mark>."""
    try:
        terms = parse_query(query or "").terms()
    except QueryError:
        terms = []
    pieces = snippet(text or "", terms)
    return Markup("").join(
        Markup("<mark>{}</mark>").format(piece) if hit else escape(piece) for piece, hit in pieces
    )
