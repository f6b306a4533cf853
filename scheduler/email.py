"""Building an email once, as the exact bytes the outbox stores, DKIM signs and sends.

Parts are UTF-8 in quoted-printable (binascii's encoder); the headers are written here, each
cleaned to one line of printable text and encoded (RFC 2047, UTF-8) by the stdlib's `Header`,
whose folding keeps every space and never splits a character. Lines end in CRLF, as SMTP
sends them and DKIM signs them.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime
from urllib.parse import quote

from newswatch.addresses import Mailbox, with_phrase

# C0 and C1 controls, and the characters that reorder or hide text (bidi embeddings,
# overrides and isolates, zero-width and line/paragraph separators).
_FORMAT = "\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff"
_INVISIBLE = re.compile(f"[{_FORMAT}]")
_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def clean_line(text: str, limit: int = 0) -> str:
    """One line of visible text: controls become spaces, direction and zero-width
    characters go, runs of space become one; cut at `limit` characters with "…"."""
    text = _SPACE.sub(" ", _INVISIBLE.sub("", text or "")).strip()
    return text if not limit or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_text(text: str) -> str:
    """clean_line without trimming: for pieces of a line (a snippet around its marks)."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", text or ""))


def safe_url(url: str) -> str:
    """An http(s) URL with any control, space or direction character percent-encoded;
    "" for anything else (javascript:, data:, relative)."""
    url = (url or "").strip()
    if not re.match(r"https?://", url, re.IGNORECASE):
        return ""
    return re.sub(f"[\\s\\x00-\\x1f\\x7f-\\x9f{_FORMAT}]", lambda m: quote(m.group(0)), url)


def encode_header(name: str, value: str) -> str:
    """Unstructured text (a subject) as the folded, 7-bit value of header `name`."""
    if value.isascii() and "=?" not in value:  # "=?" in plain text would decode as a word
        return fold_header(name, value)
    return Header(value, "utf-8", header_name=name, maxlinelen=76).encode(linesep="\r\n")


def fold_header(name: str, value: str) -> str:
    """An ASCII value (addresses, ids, or plain text) folded at spaces, nothing encoded;
    a value folded already (holding encoded words) is kept as it is."""
    if "\r\n" in value:
        return value
    return Header(value, header_name=name, maxlinelen=78).encode(linesep="\r\n")


def new_message_id(install_id: str, domain: str, when: datetime) -> str:
    """Unique across installs, databases and time; stored with the message, so every retry
    of an outbox row carries the same id."""
    return f"<{when:%Y%m%d%H%M%S}.{secrets.token_hex(6)}.{install_id}@{domain}>"


def list_id(rule: str, host: str) -> str:
    """`List-Id: rule <rule.newswatch.host>`: mail filters sort by it, one list per rule."""
    slug = re.sub(r"[^a-z0-9]+", "-", rule.lower()).strip("-")[:40]
    if slug != rule.lower():  # something was lost: keep different rules apart
        slug = f"{slug}-{hashlib.sha1(rule.encode()).hexdigest()[:6]}".lstrip("-")
    name = clean_line(rule, 100)
    while len(name.encode()) > 45:  # one encoded word: some parsers space out several
        name = name[:-2] + "…"
    return with_phrase(name, f"{slug}.newswatch.{host}")


@dataclass(frozen=True)
class Headers:
    """What a message says about itself; `thread` (Message-IDs, oldest first) makes it a
    reply in its thread: the parts of one alert, an update of a story."""

    subject: str
    sender: Mailbox
    to: str
    message_id: str
    date: datetime
    reply_to: Mailbox | None = None
    list_id: str = ""
    thread: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()

    def fields(self) -> list[tuple[str, str]]:
        """(name, value) in order, each value 7-bit and folded: text encoded (RFC 2047),
        addresses formatted (a display name is an encoded word beside the address)."""
        text = lambda name, value: (name, encode_header(name, clean_line(value, 200)))  # noqa: E731
        plain = lambda name, value: (name, fold_header(name, value))  # noqa: E731
        fields = [plain("From", self.sender.header()), plain("To", self.to)]
        if self.reply_to is not None:
            fields.append(plain("Reply-To", self.reply_to.header()))
        fields += [text("Subject", self.subject), plain("Date", format_datetime(self.date)),
                   plain("Message-ID", self.message_id)]  # fmt: skip
        if self.thread:
            fields += [plain("In-Reply-To", self.thread[-1]),
                       plain("References", " ".join(self.thread))]  # fmt: skip
        if self.list_id:
            fields.append(plain("List-Id", self.list_id))
        fields += [plain("Auto-Submitted", "auto-generated"),
                   plain("X-Auto-Response-Suppress", "All")]  # fmt: skip
        return fields + [text(name, value) for name, value in self.extra]


def _qp(content: str) -> bytes:
    """UTF-8 in quoted-printable, CRLF line ends (binascii's encoder: one crawl may queue
    hundreds of alerts, and the email package's is pure Python)."""
    encoded = binascii.b2a_qp(content.replace("\r", "").encode("utf-8"), istext=True)
    return encoded.replace(b"\n", b"\r\n").rstrip(b"\r\n") + b"\r\n"


def _text_part(content: str, subtype: str) -> bytes:
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
    return (head + "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode() + _qp(content)


def mime_body(text: str, html: str | None = None) -> bytes:
    """The MIME entity (its Content-* headers and body): text, or text and HTML as
    multipart/alternative. Built once per alert and shared by its recipients. The boundary
    starts with "=_", which quoted-printable never writes, so no part can contain it."""
    if html is None:
        return _text_part(text, "plain")
    boundary = f"=_newswatch_{secrets.token_hex(12)}"
    head = f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n\r\n'
    parts = [_text_part(text, "plain"), _text_part(html, "html")]
    separator = f"--{boundary}\r\n".encode()
    body = b"".join(separator + part for part in parts)
    return head.encode() + body + f"--{boundary}--\r\n".encode()


def build_message(headers: Headers, body: bytes) -> bytes:
    """The whole message, CRLF line ends: what the outbox stores and the transport sends."""
    lines = [f"{name}: {value}\r\n" for name, value in headers.fields()]
    wire = "".join(lines).encode("ascii") + b"MIME-Version: 1.0\r\n" + body
    return wire if wire.endswith(b"\r\n") else wire + b"\r\n"


def wire_bytes(stored: bytes | str) -> bytes:
    """An outbox row's message as bytes with CRLF line ends (rows queued before messages
    were stored as bytes hold text with LF)."""
    if isinstance(stored, bytes):
        return stored
    text = re.sub(r"\r\n|\r|\n", "\r\n", stored.rstrip("\r\n")) + "\r\n"
    return text.encode("utf-8")
