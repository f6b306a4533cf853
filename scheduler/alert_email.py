"""What an alert email says: the stories of one rule, as a text part and an HTML part; and
an update email (a later version of an alerted story: the sentences it added), or a digest's
updated stories, in the same layout.

Everything scraped is cleaned here (no control, direction or zero-width characters, URLs
percent-encoded or dropped) before either part is written; the HTML part escapes it too.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from crawler.profiles.base import split_version
from newswatch.clock import iso_utc
from newswatch.query import Term
from newswatch.report import local_time
from newswatch.snippets import snippet
from scheduler.email import clean_line, clean_text, safe_url

WIDTH = 76  # of a text line; a URL longer than that stands alone on its line, unbroken
Pieces = list[tuple[str, bool]]  # a snippet: (text, highlighted)


@dataclass(frozen=True)
class StoryView:
    """One story as an alert shows it."""

    story_id: int
    title: str
    url: str
    source: str
    published_at: str
    text: str  # the matched article's body, for the snippet
    also: tuple[tuple[str, str], ...] = field(default=())  # (source, url) of other copies
    updates: int = 0  # later versions of the story on its source
    latest_url: str = ""  # the newest of them


@dataclass(frozen=True)
class VersionView:
    """A later version of an alerted story, as an update shows it."""

    title: str
    url: str
    source: str
    published_at: str
    label: str  # "LEAD", "2nd LD"…
    sentences: tuple[str, ...]  # what no earlier version said
    headline_was: str = ""  # the previous headline, when this version changed it


@dataclass(frozen=True)
class UpdatedStory:
    """A story the rule alerted before, and its versions since that add something."""

    story_id: int
    first_title: str  # the article of the first alert
    first_url: str
    versions: tuple[VersionView, ...]  # oldest first

    @property
    def headline(self) -> str:
        """The newest version's title without its version label ("(2nd LD) ")."""
        return split_version(clean_line(self.versions[-1].title, 500))[1]


@dataclass(frozen=True)
class AlertView:
    """One alert email: a rule's new stories, or one part of them when there are many."""

    rule: str
    query: str
    about: str  # the query in plain words
    stories: list[StoryView]
    terms: list[Term]
    timezone: str
    found_at: datetime
    host: str  # which install sent it
    config_path: str
    total: int = 0  # stories across all parts
    part: int = 1
    parts: int = 1
    first: int = 1  # the number of this part's first story
    kind: str = "alert"  # alert | digest | test (newswatch alerts test) | update
    updates: list[UpdatedStory] = field(default_factory=list)  # of this part
    updated: int = 0  # updated stories across all parts

    @property
    def count(self) -> int:
        return self.total or len(self.stories)

    @property
    def summary(self) -> str:
        """ "2 new stories", "2 new stories, 1 story updated", "1 story updated", or for an
        update email "update — <headline>"."""
        if self.kind == "update":
            return f"update — {clean_line(self.updates[0].headline, 150)}"
        updated = self.updated or len(self.updates)
        said = [new_stories(self.count)] if self.count or not updated else []
        if updated:
            said.append(f"{updated} stor{'y' if updated == 1 else 'ies'} updated")
        return ", ".join(said)

    @property
    def subject(self) -> str:
        numbered = f" ({self.part}/{self.parts})" if self.parts > 1 else ""
        tail = f": {self.summary}{numbered}"
        return f"[newswatch] {clean_line(self.rule, 200 - 12 - len(tail))}{tail}"  # ≤ 200

    def lines(self) -> dict[str, str]:
        """The header and footer sentences both parts share."""
        when = local_time(iso_utc(self.found_at), self.timezone)
        rule, query = clean_line(self.rule, 200), clean_line(self.query, 500)
        last = self.first + len(self.stories) + len(self.updates) - 1
        about = clean_line(self.about, 1000)
        return {
            "title": f"{rule}: {self.summary}",
            "about": f"Stories mentioning {about}."
            if self.kind != "update"
            else f"New in a story this rule alerted you to (stories mentioning {about}).",
            "when": {
                "alert": f"Found by the crawl of {when}.",
                "update": f"Found by the crawl of {when}.",
                "digest": f"Digest of the stories matched up to {when}.",
                "test": f"A test of the mail settings, sent by `newswatch alerts test` at {when}.",
            }[self.kind],
            "part": (
                f"Part {self.part} of {self.parts}: stories {self.first}–{last} of {self.count}."
                if self.parts > 1
                else ""
            ),  # fmt: skip
            "sent_by": f"Sent by newswatch on {clean_line(self.host, 200)} for rule “{rule}”"
            f" ({query}).",
            **self._see(rule),
            "change": clean_line(self.config_path, 500),
        }

    def _see(self, rule: str) -> dict[str, str]:
        """The footer's command: the rule's matches, or for an update the whole story."""
        if self.kind == "update":
            story = self.updates[0].story_id
            return {"see_label": "The whole story, version by version:",
                    "see": f"newswatch story {story}"}  # fmt: skip
        return {"see_label": "See what the rule matches now:",
                "see": f"newswatch rules test {shlex.quote(rule)}"}  # fmt: skip

    @cached_property
    def snippets(self) -> list[Pieces]:
        """Each story's snippet (computed once: both parts show them)."""
        return [
            [(clean_text(t), hit) for t, hit in snippet(s.text or s.title, self.terms)]
            for s in self.stories
        ]


def new_stories(n: int) -> str:
    return f"{n} new stor{'y' if n == 1 else 'ies'}"


def story_meta(story: StoryView, timezone: str) -> list[str]:
    """["yonhap", "2023-02-01 02:35 KST", "updated 2 times"], shown joined by " · "."""
    meta = [clean_line(story.source, 100), local_time(story.published_at, timezone)]
    if story.updates:
        meta.append(f"updated {story.updates} time{'' if story.updates == 1 else 's'}")
    return meta


def version_meta(version: VersionView, timezone: str) -> list[str]:
    """["yonhap", "2024-03-12 17:45 KST", "2nd LD", "3 new sentences"], joined by " · "."""
    meta = [clean_line(version.source, 100), local_time(version.published_at, timezone)]
    meta += [clean_line(version.label, 40)] if version.label else []
    n = len(version.sentences)
    return [*meta, f"{n} new sentence{'' if n == 1 else 's'}"]


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    """Greedy wrap at WIDTH; a word longer than a line is cut (textwrap, only quicker)."""
    lines, line, empty = [], indent if first is None else first, True
    for word in text.split():
        while word:
            room = WIDTH - len(line) - (0 if empty else 1)
            if len(word) <= room:
                line, word, empty = line + ("" if empty else " ") + word, "", False
            elif not empty:  # the word goes on the next line
                lines.append(line)
                line, empty = indent, True
            else:  # longer than a whole line: cut it there
                lines.append(line + word[:room])
                line, word = indent, word[room:]
    if not empty:
        lines.append(line)
    return lines or [indent.rstrip()]


def render_text(alert: AlertView) -> str:
    """The text part: the same as the HTML, every line ≤ 76 characters but long URLs."""
    words = alert.lines()
    out = [*_wrap(words["title"], ""), *_wrap(words["about"], ""), *_wrap(words["when"], "")]
    out += _wrap(words["part"], "") if words["part"] else []
    for n, (story, pieces) in enumerate(zip(alert.stories, alert.snippets, strict=True)):
        number = f"{alert.first + n}. "
        indent = " " * len(number)
        out += ["", *_wrap(clean_line(story.title, 500), indent, number)]
        out += _wrap(" · ".join(story_meta(story, alert.timezone)), indent)
        out += [indent + (safe_url(story.url) or "(no link)")]
        out += _wrap("".join(f"*{t}*" if hit else t for t, hit in pieces), indent)
        for source, url in story.also:
            out += _wrap(f"Also carried by {clean_line(source, 100)}:", indent)
            out += [indent + (safe_url(url) or "(no link)")]
        if story.updates and safe_url(story.latest_url):
            out += [*_wrap("Latest version:", indent), indent + safe_url(story.latest_url)]
    out += _updates_text(alert)
    out += ["", "-- ", *_wrap(words["sent_by"], "")]
    out += [*_wrap(words["see_label"], ""), "  " + words["see"]]
    out += _wrap("Change or remove it: edit alerts.rules in " + words["change"], "")
    return "\n".join(out) + "\n"


def _version_text(version: VersionView, timezone: str, indent: str) -> list[str]:
    """A version's title, facts and link, the headline it replaced, and each new sentence
    in full after "NEW"."""
    out = _wrap(clean_line(version.title, 500), indent)
    out += _wrap(" · ".join(version_meta(version, timezone)), indent)
    out += [indent + (safe_url(version.url) or "(no link)")]
    if version.headline_was:
        out += _wrap(f"Headline changed from: {clean_line(version.headline_was, 500)}", indent)
    out += [""] if version.sentences else []
    for sentence in version.sentences:
        out += _wrap(clean_line(sentence, 2000), indent + "     ", indent + "NEW  ")
    return out


def _updates_text(alert: AlertView) -> list[str]:
    """An update email's versions, then its first alert; a digest's updated stories, each
    under its first alert's title, numbered after the new stories."""
    out: list[str] = []
    if alert.kind == "update":
        story = alert.updates[0]
        for version in story.versions:
            out += ["", *_version_text(version, alert.timezone, "")]
        out += ["", *_wrap(f"First alerted as: {clean_line(story.first_title, 500)}", "")]
        return out + [safe_url(story.first_url) or "(no link)"]
    if alert.updates:
        out += ["", *_wrap("Updated since an earlier digest:", "")]
    for n, story in enumerate(alert.updates, alert.first + len(alert.stories)):
        indent = " " * len(f"{n}. ")
        out += ["", *_wrap(clean_line(story.first_title, 500), indent, f"{n}. ")]
        out += [indent + (safe_url(story.first_url) or "(no link)")]
        for version in story.versions:
            out += ["", *_version_text(version, alert.timezone, indent)]
    return out
