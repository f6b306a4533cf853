"""Alert emails: multipart text + HTML, everything scraped escaped and kept out of headers."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

from newswatch.query import Term
from newswatch.report import local_time
from newswatch.snippets import snippet

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


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


def header_safe(text: str, limit: int = 200) -> str:
    """One line, no control or direction characters, bounded length."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_id(rule: str, story_ids: list[int]) -> str:
    """Derived from the content, so a resend of the same alert carries the same id."""
    digest = hashlib.sha256(f"{rule}\n{sorted(story_ids)}".encode()).hexdigest()[:32]
    return f"<{digest}@newswatch>"


def _count(n: int) -> str:
    return f"{n} new stor{'y' if n == 1 else 'ies'}"


Pieces = list[tuple[str, bool]]  # a snippet: (text, highlighted)


def render_text(stories: list[StoryView], snippets: list[Pieces], timezone: str, more: int) -> str:
    lines = []
    for s, pieces in zip(stories, snippets, strict=True):
        lines += [header_safe(s.title, 500), s.url,
                  f"{s.source} · {local_time(s.published_at, timezone)}"]  # fmt: skip
        lines.append("".join(f"*{t}*" if hit else t for t, hit in pieces))
        if s.also:
            lines.append("also carried by " + ", ".join(f"{src} ({url})" for src, url in s.also))
        lines.append("")
    if more:
        lines.append(f"and {more} more")
    return "\n".join(lines).rstrip() + "\n"


def _a(url: str, label: str) -> str:
    href = url if url.startswith(("http://", "https://")) else "#"
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>'


def render_html(stories: list[StoryView], snippets: list[Pieces], timezone: str, more: int) -> str:
    items = []
    for s, pieces in zip(stories, snippets, strict=True):
        marked = "".join(
            f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t) for t, hit in pieces
        )
        also = ", ".join(_a(url, src) for src, url in s.also)
        items.append(
            f"<li><p><strong>{_a(s.url, header_safe(s.title, 500))}</strong><br>"
            f"<small>{html.escape(s.source)} · "
            f"{html.escape(local_time(s.published_at, timezone))}</small></p>"
            f"<p>{marked}</p>"
            + (f"<p><small>also carried by {also}</small></p>" if also else "")
            + "</li>"
        )
    tail = f"<p>and {more} more</p>" if more else ""
    return f"<!doctype html><html><body><ul>{''.join(items)}</ul>{tail}</body></html>"


@dataclass(frozen=True)
class AlertEmail:
    rule: str
    stories: list[StoryView]
    terms: list[Term]
    timezone: str
    more: int = 0

    @property
    def subject(self) -> str:
        return header_safe(f"[newswatch] {self.rule}: {_count(len(self.stories) + self.more)}")

    @property
    def message_id(self) -> str:
        return message_id(self.rule, [s.story_id for s in self.stories])

    def build(self, sender: str, recipient: str, when: float | None = None) -> Message:
        snippets = [snippet(s.text, self.terms) for s in self.stories]
        text = render_text(self.stories, snippets, self.timezone, self.more)
        html = render_html(self.stories, snippets, self.timezone, self.more)
        msg = new_message(text, html)
        headers = {
            "Subject": self.subject, "From": sender, "To": recipient,
            "Message-ID": self.message_id, "Date": formatdate(when, usegmt=True),
            "Auto-Submitted": "auto-generated", "X-Newswatch-Rule": self.rule,
        }  # fmt: skip
        set_headers(msg, headers)
        return msg


def _utf8_qp() -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = QP  # readable source, safe for 7-bit relays
    return charset


def new_message(text: str, html: str | None = None) -> Message:
    """A text (and HTML) email. The compat32 MIME classes: several times faster to build
    than EmailMessage, which matters when one crawl queues hundreds of alerts."""
    if html is None:
        return MIMEText(text, "plain", _utf8_qp())
    msg = MIMEMultipart("alternative")
    msg.attach(MIMEText(text, "plain", _utf8_qp()))
    msg.attach(MIMEText(html, "html", _utf8_qp()))
    return msg


def set_headers(msg: Message, headers: dict[str, str]) -> None:
    """One line each, no control characters; non-ASCII as RFC 2047 encoded words."""
    for name, value in headers.items():
        value = header_safe(value, 998 - len(name))
        msg[name] = value if value.isascii() else Header(value, "utf-8").encode()
