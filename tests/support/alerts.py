"""Alert tests' helpers: a config with two sources and a rule, articles added straight to the
archive, and one matching + delivery pass as the service runs it."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import db
from newswatch.config import Config, load_config
from scheduler.alerts import MatchReport, match_new_articles
from scheduler.delivery import DeliveryReport, deliver_pending

BODY = (
    "SEOUL, Feb. 1 (Yonhap) -- South Korea and the United States agreed to bolster extended "
    "deterrence against North Korea, officials said Wednesday.\n\n"
    "The allies will hold a tabletop exercise next month, the defense ministry said."
)


def write_config(tmp_path: Path, smtp_port: int | None, extra_rules: str = "",
                 security: str = "none", smtp_extra: str = "",
                 database: str = "news.db") -> Config:  # fmt: skip
    """A config whose one default rule `deterrence` matches BODY; `extra_rules` are YAML lines
    appended to alerts.rules; without `smtp_port` mail goes to the Maildir. `database`: the
    archive (a postgresql:// URL for the PostgreSQL archive)."""
    smtp = (
        f"  smtp: {{host: 127.0.0.1, port: {smtp_port}, security: {security}, "
        f'from: "newswatch <nw@example.org>", timeout: 5{smtp_extra}}}\n'
        if smtp_port
        else ""
    )
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database: {database}\ntimezone: Asia/Seoul\nsources:\n"
        "  - {name: wire, start_urls: ['http://127.0.0.1:9/news'], article_url_pattern: 'v'}\n"
        "  - {name: partner, start_urls: ['http://127.0.0.2:9/l'], article_url_pattern: 'a'}\n"
        "alerts:\n" + smtp + "  rules:\n"
        "    - {name: deterrence, query: '\"extended deterrence\"', to: [analyst@example.org]}\n"
        + extra_rules,
        encoding="utf-8",
    )
    return load_config(path)


def add_article(config: Config, url: str, title: str, body: str = BODY, source: str = "wire",
                story_id: int | None = None) -> int:  # fmt: skip
    archive = db.open_db(config.database)
    row = {"url": url, "source": source, "title": title, "body": body,
           "published_at": "2023-01-31T17:35:00Z"}  # fmt: skip
    article_id = db.insert_article(archive, row, [], story_id)
    archive.close()
    return article_id


def alert_pass(config: Config, force: bool = True) -> tuple[MatchReport, DeliveryReport]:
    archive = db.open_db(config.database)
    try:
        return match_new_articles(archive, config), deliver_pending(archive, config, force)
    finally:
        archive.close()


def outbox(config: Config) -> list[tuple[str, str, int]]:
    """(recipient, status, attempts) of every outbox row, oldest first."""
    archive = db.open_db(config.database)
    rows = archive.execute("SELECT recipient, status, attempts FROM outbox ORDER BY id").fetchall()
    archive.close()
    return rows


def parts(message: EmailMessage) -> dict[str, str]:
    """Each part's decoded text, line ends as LF (on the wire, and so here, they are CRLF)."""
    return {
        p.get_content_type(): p.get_content().replace("\r\n", "\n")
        for p in message.walk()
        if not p.is_multipart()
    }


def unwrapped(text: str) -> str:
    """A text part with its line breaks and indents undone, to find phrases in it."""
    return " ".join(text.split())
