"""URL shapes: links grouped by how their addresses are built, and article_url_pattern
written from the shapes whose pages are articles.

`/view/AEN20230301003800320` and `/view/AEN20230228002500315` share the shape
`/view/AEN{n}`; `/2023/03/01/drone-drills/` has the shape `/{n}/{n}/{n}/{slug}/`. Numbers,
long ids and slugs vary within a shape; section names and file names do not, so a tag page
(`/tag/drones`) or a list page (`/news/latest-2.html`) never shares a shape with articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

_EXTENSION = re.compile(r"^(.*?)(\.(?:s?html?|php\d?|aspx?|jsp|cms|do|cgi|htm))?$", re.I)
_ID = re.compile(r"^([A-Za-z]{1,8}[-_]?)?(\d{4,})$")  # AEN20230301003800320, 12345, art-2041
_HEX = re.compile(r"^(?=[^/]*\d)[0-9a-f]{12,}$")
_WORDS = re.compile(r"[-_+]")

# How each kind of varying token is written in a shape and in the pattern.
TOKENS = {"{n}": r"\d+", "{id}": r"[0-9a-f]+", "{slug}": r"[^/?#]+"}


def segment_shape(segment: str) -> str:
    """One path segment, with what varies between articles replaced by a token."""
    core, ext = _EXTENSION.match(segment).groups()  # type: ignore[union-attr]
    ext = ext or ""
    if (found := _ID.match(core)) and len(found.group(2)) >= 4:
        return (found.group(1) or "") + "{n}" + ext
    if core.isdigit():
        return "{n}" + ext
    if _HEX.match(core):
        return "{id}" + ext
    if len(_WORDS.split(core)) >= 3 or (len(core) >= 24 and _WORDS.search(core)):
        return "{slug}" + ext
    return re.sub(r"\d+", "{n}", core) + ext


@dataclass(frozen=True)
class Shape:
    path: tuple[str, ...]  # segment shapes; "" last for a trailing slash
    query: tuple[str, ...] = ()  # "key={n}" or "key=value", in the link's order

    def __str__(self) -> str:
        text = "/" + "/".join(self.path)
        return text + ("?" + "&".join(self.query) if self.query else "")

    def regex(self) -> str:
        """The path (and query) as a regular expression, tokens widened."""
        parts = [_token_regex(s) for s in self.path]
        text = "/" + "/".join(parts)
        if self.query:
            return text + r"\?" + "&".join(_token_regex(q) for q in self.query) + "(?:&|$)"
        return text + r"(?:\?|$)"

    @property
    def varies(self) -> bool:
        """True when something in it changes from link to link (an id, a number, a slug)."""
        return any(t in part for part in (*self.path, *self.query) for t in TOKENS)


def _token_regex(part: str) -> str:
    pieces = re.split(r"(\{n\}|\{id\}|\{slug\})", part)
    return "".join(TOKENS.get(p, re.escape(p)) for p in pieces)


def shape_of(url: str) -> Shape:
    parts = urlsplit(url)
    segments = parts.path.split("/")[1:] or [""]
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query.append(f"{key}={{n}}" if value.isdigit() else f"{key}={value}")
    return Shape(tuple(segment_shape(s) if s else "" for s in segments), tuple(query))


def group_by_shape(urls: Iterable[str]) -> dict[Shape, list[str]]:
    """URLs by shape, the most common shape first (ties: the first seen)."""
    groups: dict[Shape, list[str]] = {}
    for url in urls:
        groups.setdefault(shape_of(url), []).append(url)
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


PREFIX = r"^https?://[^/]+"


def pattern_for(articles: list[Shape], others: Iterable[str]) -> str:
    """article_url_pattern matching the article shapes and none of the `others` links: a
    shape it would still match is excluded by a negative lookahead."""
    bodies = sorted({s.regex() for s in articles})
    body = bodies[0] if len(bodies) == 1 else "(?:" + "|".join(bodies) + ")"
    pattern = PREFIX + body
    exclusions: list[str] = []
    for url in others:
        if re.search(pattern, url) and (shape := shape_of(url).regex()) not in exclusions:
            exclusions.append(shape)
    if exclusions:
        pattern = PREFIX + "".join(f"(?!{e})" for e in exclusions) + body
    return pattern
