"""Structured data in a page: JSON-LD, OpenGraph and article:* meta, Yonhap's CONTENT_DATA.

JSON-LD is read tolerantly (crawler.jsonld). Values come out cleaned but in priority order
of their sources, ready for extract.py to take the first that exists.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.dates import parse_date
from crawler.jsonld import content_data, json_ld_nodes, ld_types
from crawler.pagedates import structured_published, structured_updated
from crawler.wire import clean_summary

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNews", "BlogPosting", "AnalysisNewsArticle",
        "BackgroundNewsArticle", "OpinionNewsArticle", "ReviewNewsArticle", "LiveBlogPosting",
    }
)  # fmt: skip
_SITE_TYPES = frozenset({"Organization", "NewsMediaOrganization", "WebSite"})
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")
_AUTHOR_META = ("author", "article:author", "byl", "parsely-author", "dc.creator")
_TAG_META = ("article:tag", "keywords", "news_keywords")


@dataclass
class Structured:
    """What the page says about itself; authors are unfiltered (see plausible_authors)."""

    title: str = ""
    summary: str = ""
    published_at: str = ""
    updated_at: str = ""
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str = ""
    images: list[dict[str, str]] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    article_body: str = ""
    paywalled: bool = False  # the article says it is not free to read (isAccessibleForFree)


def read_structured(page: Selector, url: str, timezone: str) -> Structured:
    """Reads JSON-LD, meta tags and CONTENT_DATA of a parsed page."""
    nodes = json_ld_nodes(page)
    article = next((n for n in nodes if ld_types(n) & ARTICLE_TYPES), {})
    meta = meta_values(page)
    data = content_data(page)
    site_names = _site_names(nodes, article, meta)
    return Structured(
        title=_first_title(article, meta, data, site_names, url),
        summary=_first_summary(article, meta),
        published_at=structured_published(article, nodes, meta, timezone)
        or parse_date(str(data.get("DATETIME", "")), timezone),
        updated_at=structured_updated(article, meta, timezone),
        authors=_ld_names(article.get("author")) or _meta_authors(meta),
        tags=_first_tags(article, meta, data),
        language=language_code(_first(meta, ("og:locale", "inlanguage", "content-language")))
        or language_code(_ld_text(article.get("inLanguage"))),
        images=_images(article, meta, url),
        site_names=site_names,
        article_body=_ld_text(article.get("articleBody"), keep_lines=True),
        paywalled=_paywalled(article),
    )


def meta_values(page: Selector) -> dict[str, list[str]]:
    """Meta contents by lower-cased property/name/itemprop, in page order."""
    values: dict[str, list[str]] = {}
    for meta in page.root.iter("meta"):  # lxml itself: parsel's wrappers cost 10 times more
        content = " ".join((meta.get("content") or "").split())
        if not content:  # charset, viewport without content: nothing to keep
            continue
        for attr in ("property", "name", "itemprop"):
            key = meta.get(attr)
            if key and (key := key.strip().lower()):
                values.setdefault(key, []).append(content)
    return values


def clean_title(title: str, site_names: list[str], url: str = "") -> str:
    """The headline without a " | Site Name" suffix (or "Site Name | " prefix)."""
    title = " ".join(title.split())
    keys = {_key(name) for name in site_names} - {""}
    host = _key((urlsplit(url).hostname or "").removeprefix("www."))
    for separator in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and _is_site(tail, keys, host):
            return head.strip()
        head, found, tail = title.partition(separator)
        if found and tail.strip() and _is_site(head, keys, host):
            return tail.strip()
    return title


def language_code(value: str) -> str:
    """ "en" from "en", "en-US", "en_GB", "English"; "" when it is not a language tag."""
    value = value.strip().lower().replace("_", "-")
    value = {"english": "en", "korean": "ko", "japanese": "ja", "chinese": "zh"}.get(value, value)
    primary = value.split("-")[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


def plausible_authors(names: list[str], language: str) -> list[str]:
    """Author names worth keeping: no URLs or emails, and Latin script on English pages
    (Yonhap's author meta holds the reporter's Korean name, not the English byline)."""
    kept: list[str] = []
    for name in names:
        name = " ".join(name.split()).removeprefix("By ").strip()
        if not name or len(name) > 60 or re.search(r"https?:|www\.|@|\d", name):
            continue
        if language == "en" and not _is_latin(name):
            continue
        if name.lower() not in {k.lower() for k in kept}:
            kept.append(name)
    return kept


def _ld_text(value: Any, keep_lines: bool = False) -> str:
    """A JSON-LD value as clean text: strings, {"name"|"@value": ...}, or the first of a list."""
    if isinstance(value, list):
        return next((t for v in value if (t := _ld_text(v, keep_lines))), "")
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("alternateName") or ""
    if not isinstance(value, str):
        return ""
    text = html.unescape(value)
    if keep_lines:
        return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return " ".join(text.split())


def _ld_names(value: Any) -> list[str]:
    """Person names of a JSON-LD author: strings, Person objects, lists; not Organizations."""
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        if isinstance(item, dict) and ld_types(item) & _SITE_TYPES:
            continue
        names.extend(_split_names(_ld_text(item)))
    return names


def _split_names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"\s*(?:;|,|&|\band\b)\s*", text) if n.strip()]


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str:
    return next((meta[key][0] for key in keys if meta.get(key)), "")


def _first_title(
    article: dict[str, Any],
    meta: dict[str, list[str]],
    data: dict[str, Any],
    site_names: list[str],
    url: str,
) -> str:
    candidates = (
        _ld_text(article.get("headline")),
        _ld_text(article.get("name")),
        _first(meta, ("og:title", "twitter:title")),
        _ld_text(data.get("TITLE")),
    )
    return clean_title(next((c for c in candidates if c), ""), site_names, url)


def _first_summary(article: dict[str, Any], meta: dict[str, list[str]]) -> str:
    candidates = (
        _first(meta, ("og:description", "description", "twitter:description")),
        _ld_text(article.get("description")),
    )
    return clean_summary(next((c for c in candidates if c), ""))


def _paywalled(article: dict[str, Any]) -> bool:
    parts = article.get("hasPart")
    flags = [article.get("isAccessibleForFree")]
    flags += [p.get("isAccessibleForFree") for p in (parts if isinstance(parts, list) else [parts])
              if isinstance(p, dict)]  # fmt: skip
    return any(str(flag).strip().lower() == "false" for flag in flags if flag is not None)


def _meta_authors(meta: dict[str, list[str]]) -> list[str]:
    for key in _AUTHOR_META:
        names = [n for value in meta.get(key, []) for n in _split_names(value)]
        names = [n for n in names if not re.match(r"https?:|//", n)]
        if names:
            return names
    return []


def _first_tags(
    article: dict[str, Any], meta: dict[str, list[str]], data: dict[str, Any]
) -> list[str]:
    keywords = article.get("keywords")
    sources: list[list[str]] = [
        meta.get("article:tag", []),
        keywords if isinstance(keywords, list) else [_ld_text(keywords)],
        meta.get("keywords", []) + meta.get("news_keywords", []),
        [_ld_text(data.get("KEYWORD")).replace(";", ",")],
    ]
    for values in sources:
        tags = _unique(t for v in values if isinstance(v, str) for t in html.unescape(v).split(","))
        if tags:
            return tags
    return []


def _unique(texts: Iterator[str] | list[str]) -> list[str]:
    kept: list[str] = []
    seen: set[str] = set()
    for text in texts:
        text = " ".join(text.split()).lstrip("#")
        if text and text.lower() not in seen:
            seen.add(text.lower())
            kept.append(text)
    return kept


def _images(article: dict[str, Any], meta: dict[str, list[str]], url: str) -> list[dict[str, str]]:
    found: list[tuple[str, str]] = []
    raw = article.get("image")
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            found.append((item, ""))
        elif isinstance(item, dict):
            src = item.get("url") or item.get("contentUrl") or ""
            found.append((src if isinstance(src, str) else "", _ld_text(item.get("caption"))))
    alt = _first(meta, ("og:image:alt",))
    found.extend((src, alt) for src in meta.get("og:image", [])[:1])
    found.extend((src, "") for src in meta.get("twitter:image", [])[:1])
    images: list[dict[str, str]] = []
    for src, caption in found:
        absolute = urljoin(url, src.strip()) if src.strip() else ""
        logo = "logo" in absolute.rsplit("/", 1)[-1].lower()  # a site's stand-in picture
        if absolute.startswith("http") and not logo and all(i["url"] != absolute for i in images):
            images.append({"url": absolute, "caption": caption})
    return images


def _site_names(
    nodes: list[dict[str, Any]], article: dict[str, Any], meta: dict[str, list[str]]
) -> list[str]:
    names = meta.get("og:site_name", []) + meta.get("application-name", [])
    names.append(_ld_text(article.get("publisher")))
    names.extend(_ld_text(n.get("name")) for n in nodes if ld_types(n) & _SITE_TYPES)
    return _unique(names)


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _is_site(part: str, keys: set[str], host: str) -> bool:
    key = _key(part)
    if not key or len(part) > 60:
        return False
    bare = key.removeprefix("the")
    return key in keys or bare in keys or (len(bare) >= 4 and bare in host)


def _is_latin(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)
