"""What a site profile is: site data, a parser class with one method per field, story identity.

A parser method returns the field's value, or None when the page does not say and generic
extraction (crawler.extract) should fill the field. An empty value ("" or []) is an answer:
"this page has no byline" must not send the page through trafilatura for one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from lxml import etree
from parsel import Selector

from crawler.extracted import Extracted
from crawler.structured import meta_values

if TYPE_CHECKING:
    from newswatch.config import Selectors

log = logging.getLogger(__name__)

# The fields of Extracted a parser may give, in the order they are asked for.
FIELDS = (
    "title", "body", "published_at", "updated_at", "authors", "summary", "dateline",
    "language", "tags", "images",
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "button", "svg"})
_BLOCK_TAGS = frozenset({"p", "div", "li", "figure", "figcaption", "section", "article", "h2"})
# Wire-copy version labels: "(URGENT)", "(LEAD)", "(2nd LD)", "(4th LD-Yonhap Interview)".
_VERSION = re.compile(
    r"^\(\s*(?P<version>URGENT|LEAD|\d+(?:st|nd|rd|th)\s+LD)(?:\s*[-,;:]\s*(?P<rest>[^()]*))?\)\s*",
    re.IGNORECASE,
)


@dataclass
class ProfileArticle(Extracted):
    """Extracted fields plus what only a site profile knows."""

    version: str = ""  # "URGENT", "LEAD", "2nd LD" ...; "" for a first filing
    headline: str = ""  # the title without its version label: comparable across versions


def split_version(title: str) -> tuple[str, str]:
    """("2nd LD", "Headline") for "(2nd LD) Headline"; ("", title) without a label.

    A compound label keeps its second part: "(LEAD-News Focus) X" -> ("LEAD", "(News Focus) X").
    """
    title = " ".join(title.split())
    match = _VERSION.match(title)
    if not match:
        return "", title
    version = match.group("version").upper()
    if version.endswith("LD"):  # "2ND  LD" -> "2nd LD", as Yonhap writes it
        version = re.sub(r"(\d+)(\w\w)\s+LD", lambda m: f"{m[1]}{m[2].lower()} LD", version)
    rest = (match.group("rest") or "").strip()
    headline = title[match.end() :].strip()
    return version, f"({rest}) {headline}" if rest else headline


def text_of(node: Selector | etree._Element) -> str:
    """Whitespace-normalized text; <br> and block ends become line breaks, scripts vanish."""
    root = node.root if isinstance(node, Selector) else node
    if not hasattr(root, "tag"):  # an attribute or text selector
        return " ".join(str(root).split())
    parts: list[str] = []
    _collect(root, parts, root)
    lines = "".join(parts).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.split())


def _collect(element: etree._Element, parts: list[str], root: etree._Element) -> None:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag == "br":
        parts.append("\n")
    elif tag and tag not in _SKIP_TAGS:
        parts.append(element.text or "")
        for child in element:
            _collect(child, parts, root)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
    if element is not root and element.tail:  # comments and skipped tags keep their tails
        parts.append(element.tail)


class ArticleParser:
    """One page of one site. Subclasses define methods named after FIELDS."""

    def __init__(self, page: Selector, url: str) -> None:
        self.page = page
        self.url = url

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        return meta_values(self.page)

    def first_meta(self, *keys: str) -> str:
        return next((self.meta[k][0] for k in keys if self.meta.get(k)), "")

    def texts(self, css: str) -> list[str]:
        return [t for node in self.page.css(css) if (t := text_of(node))]


class Profile:
    """A site: its data (name, time zone), its parser class and how its stories are identified."""

    name: ClassVar[str] = ""
    timezone: ClassVar[str] = "UTC"  # the site's clock, for times printed without an offset
    parser: ClassVar[type[ArticleParser]] = ArticleParser

    def story_key(self, url: str) -> str:
        """Identity shared by every version of one filing ("" when the URL does not say)."""
        return ""

    def neighbourhood(self, key: str) -> tuple[str, ...]:
        """Key prefixes of filings that may be flashes or versions of the same story."""
        return ()

    def sequence(self, key: str) -> tuple[str, int] | None:
        """(series, number) when the site numbers its filings in order, e.g. per desk and day."""
        return None

    def extract(
        self, html: str, url: str, *, selectors: Selectors | None = None, timezone: str = "UTC"
    ) -> ProfileArticle:
        """The parser's fields; those it cannot give come from generic extraction."""
        parser = self.parser(_page(html, url), url)
        out = ProfileArticle()
        missing = [name for name in FIELDS if not _take(out, name, getattr(parser, name, None))]
        if missing:
            from crawler.extract import extract_article  # the generic path, only when needed

            generic = extract_article(html, url, selectors=selectors, timezone=timezone)
            out.selector_report = generic.selector_report
            for name in missing:
                setattr(out, name, getattr(generic, name))
                if name in generic.origins:
                    out.origins[name] = generic.origins[name]
        out.version, out.headline = split_version(out.title)
        return out


def _page(html: str | bytes, url: str) -> Selector:
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    return Selector(text=html or "<html></html>", base_url=url)


def _take(out: ProfileArticle, name: str, method: Callable[[], Any] | None) -> bool:
    """Sets one field from the parser; False when the parser has no answer (or fails)."""
    if method is None:
        return False
    try:
        value = method()
    except Exception as exc:  # a broken field costs that field, not the article
        log.warning("profile field %s failed: %r", name, exc)
        return False
    if value is None:
        return False
    setattr(out, name, value)
    out.origins[name] = "profile"
    return True
