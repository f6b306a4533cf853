"""Yonhap News Agency, English service (en.yna.co.kr), 2023 layout.

See /work/shared/sites/yonhap.md. Ids are AEN + YYYYMMDD + serial(4) + version(2) + desk(3);
updates keep date, serial and desk, so the id without its version digits is the story key.
Times on the site are KST, whatever the source's configured zone.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.dates import parse_date
from crawler.jsonld import loads_tolerant
from crawler.profiles import register
from crawler.profiles.base import ArticleParser, Profile, text_of
from crawler.structured import language_code
from crawler.wire import WireCopy, clean_summary, clean_wire

_ID = re.compile(
    r"/(?:view/)?(?P<family>A[A-Z]{2})(?P<date>\d{8})(?P<serial>\d{4})\d{2}(?P<desk>\d{3})$"
)
_KEY = re.compile(r"(?P<family>A[A-Z]{2})(?P<date>\d{8})-(?P<desk>\d{3})-(?P<serial>\d{4})")
_CONTENT_DATA = re.compile(r"CONTENT_DATA\s*=\s*JSON\.stringify\(\s*(\{.*?\})\s*\)\s*;", re.DOTALL)
_SUFFIX = " | Yonhap News Agency"
_BODY = "article.story-news > p"
_PHOTOS = "article.story-news div.photo-group figure.image-zone"


class YonhapParser(ArticleParser):
    """One article page: header.title-article01, article.story-news, keyword-zone01."""

    @cached_property
    def content_data(self) -> dict[str, Any]:
        """The inline `CONTENT_DATA = JSON.stringify({...})`: TITLE, BODY, KEYWORD, DATETIME."""
        for script in self.page.xpath("//script[contains(., 'CONTENT_DATA')]/text()").getall():
            match = _CONTENT_DATA.search(script)
            data = loads_tolerant(match.group(1)) if match else None
            if isinstance(data, dict):
                return {k: html.unescape(v) if isinstance(v, str) else v for k, v in data.items()}
        return {}

    @cached_property
    def wire(self) -> WireCopy | None:
        """The body paragraphs without ATTN note, byline and sign-off; None without a body."""
        paragraphs = self.texts(_BODY)
        if not paragraphs:  # layout changed or page cut short: the inline copy of the text
            paragraphs = str(self.content_data.get("BODY", "")).split("\n")
        wire = clean_wire(paragraphs)
        return wire if wire.paragraphs else None

    def title(self) -> str | None:
        shown = next(iter(self.texts("header.title-article01 h1.tit")), "")
        shown = shown or " ".join(str(self.content_data.get("TITLE", "")).split())
        shown = shown or self.first_meta("og:title", "twitter:title")
        shown = shown or " ".join(self.page.xpath("//title//text()").get("").split())
        return shown.replace("\n", " ").removesuffix(_SUFFIX) or None

    def body(self) -> str | None:
        return "\n\n".join(self.wire.paragraphs) if self.wire else None

    def authors(self) -> list[str] | None:
        return self.wire.authors if self.wire else None  # a third of pages have no byline

    def dateline(self) -> str | None:
        return self.wire.dateline if self.wire else None

    def published_at(self) -> str | None:
        candidates = (
            self.first_meta("article:published_time"),
            next(iter(self.texts("header.title-article01 .info-con span.txt")), ""),
            str(self.content_data.get("DATETIME", "")),
        )  # the time line reads "All News 02:35 February 01, 2023" (KST)
        return next((d for c in candidates if c and (d := parse_date(c, Yonhap.timezone))), None)

    def updated_at(self) -> str | None:
        return parse_date(self.first_meta("article:modified_time"), Yonhap.timezone) or None

    def summary(self) -> str | None:
        described = clean_summary(self.first_meta("og:description", "description"))
        lead = self.wire.paragraphs[0] if self.wire else ""
        if lead and lead.startswith(described.rstrip(" .…")):  # the description is the lead, cut
            return lead
        return described or lead or None

    def language(self) -> str | None:
        lang = self.page.xpath("/html/@lang").get() or self.first_meta("og:locale")
        return language_code(lang) or None

    def tags(self) -> list[str] | None:
        shown = [t.lstrip("#").strip() for t in self.texts("div.keyword-zone01 .list a")]
        listed = str(self.content_data.get("KEYWORD", "")).split(";")
        tags = [t for t in shown if t] or [t.strip() for t in listed if t.strip()]
        return list(dict.fromkeys(tags))

    def images(self) -> list[dict[str, str]] | None:
        images: list[dict[str, str]] = []
        for figure in self.page.css(_PHOTOS):
            src = figure.css("img::attr(data-src), img::attr(src)").get("").strip()
            caption = " ".join(text_of(c) for c in figure.css("figcaption p.txt-desc")).strip()
            caption = caption or " ".join(figure.css("img::attr(alt)").get("").split())
            url = urljoin(self.url, src) if src else ""
            if url.startswith("http") and all(i["url"] != url for i in images):
                used = any(i["caption"] == caption for i in images)  # each caption once
                images.append({"url": url, "caption": "" if used else caption})
        return images or self._og_image()

    def _og_image(self) -> list[dict[str, str]]:
        src = self.first_meta("og:image")
        logo = "logo" in src.rsplit("/", 1)[-1].lower()  # the site's stand-in picture
        return [{"url": urljoin(self.url, src), "caption": ""}] if src and not logo else []


@register
class Yonhap(Profile):
    name = "yonhap"
    timezone = "Asia/Seoul"
    parser = YonhapParser

    def story_key(self, url: str) -> str:
        """ "AEN20230201-325-0004" for …/view/AEN20230201000451325 and every other version."""
        match = _ID.search(urlsplit(url).path.rstrip("/"))
        if not match:
            return ""
        return f"{match['family']}{match['date']}-{match['desk']}-{match['serial']}"

    def neighbourhood(self, key: str) -> tuple[str, ...]:
        """Same desk, the day before to the day after: where a flash and its story live
        (a flash has its own serial, and midnight may fall between the two)."""
        match = _KEY.fullmatch(key)
        if not match:
            return ()
        try:
            day = date(int(match["date"][:4]), int(match["date"][4:6]), int(match["date"][6:]))
        except ValueError:  # not a calendar date: no neighbours rather than a crash
            return ()
        days = (day + timedelta(days=d) for d in (-1, 0, 1))
        return tuple(f"{match['family']}{d:%Y%m%d}-{match['desk']}-" for d in days)

    def sequence(self, key: str) -> tuple[str, int] | None:
        """("AEN20240312-325", 35): serials count a day's filings, so a flash's story follows
        it within a few numbers (…0004 URGENT, …0005 URGENT, …0009 LEAD)."""
        match = _KEY.fullmatch(key)
        return (
            (f"{match['family']}{match['date']}-{match['desk']}", int(match["serial"]))
            if match
            else None
        )
