"""The fields extracted from an article page (crawler.extract fills them).

A module of its own, so that what only needs the type (site profiles, the crawl process)
does not import the extraction and trafilatura with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Extracted:
    title: str = ""
    body: str = ""  # paragraphs separated by exactly one blank line
    published_at: str = ""  # UTC "YYYY-MM-DDTHH:MM:SSZ" or ""
    updated_at: str = ""
    authors: list[str] = field(default_factory=list)
    summary: str = ""
    dateline: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)  # {"url": ..., "caption": ...}
    origins: dict[str, str] = field(default_factory=dict)  # field -> selector|structured|generic
    # configured selector key -> "matched", "nothing" or "error: why" (crawler.selectors)
    selector_report: dict[str, str] = field(default_factory=dict)

    def fill(self, name: str, value: object, origin: str) -> None:
        """Sets a field that is still empty, and records where its value came from."""
        if value and not getattr(self, name):
            setattr(self, name, value)
            self.origins[name] = origin
