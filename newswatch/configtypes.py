"""The typed, frozen configuration objects that load_config() (newswatch.config) builds."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newswatch.addresses import Mailbox
from newswatch.schedule import Schedule

if TYPE_CHECKING:  # at run time the worker unpickles Source without the query parser's imports
    from newswatch.query import Query


class ConfigError(Exception):
    """A bad config file: the message is one line naming file, key and problem."""


class DatabaseUrl(str):
    """`database: postgresql://user@host:port/dbname`: the URL (db.open_db takes it), and
    like an archive's Path a `parent` and a `name` for the files kept beside an archive (the
    crawl locks, the maildir): the `data` folder beside config.yaml and the database's name."""

    parent: Path
    name: str

    def __new__(cls, url: str, folder: Path) -> DatabaseUrl:
        made = super().__new__(cls, url)
        made.parent = folder
        made.name = urlsplit(url).path.strip("/") or "postgres"
        return made


@dataclass(frozen=True)
class Selectors:
    title: str = ""
    body: str = ""
    published: str = ""
    authors: str = ""
    exclude: tuple[str, ...] = ()
    next_page: str = ""  # the link to the next list page (same as the source's next_page)


@dataclass(frozen=True)
class Source:
    name: str
    article_url_pattern: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    max_list_pages: int = 3
    timezone: str = "UTC"
    schedule: Schedule = Schedule(interval_seconds=600)
    selectors: Selectors | None = None
    profile: str = ""
    next_page: str = ""  # selector of the next list page's link, tried after rel="next"
    max_sitemaps: int = 20  # child sitemaps of sitemap indexes fetched per crawl

    @property
    def domains(self) -> tuple[str, ...]:
        """Hosts the crawl may visit: those of its configured URLs."""
        urls = self.start_urls + self.feeds + self.sitemaps
        return tuple(sorted({urlsplit(u).hostname or "" for u in urls} - {""}))

    @property
    def origins(self) -> tuple[str, ...]:
        """Scheme, host and port the crawl may visit ("https://host:443"): those of its
        configured URLs. Links, feed items, sitemap entries and redirects elsewhere are not
        followed (crawler.urls.on_origins)."""
        from crawler.urls import origins_of  # lazy: the config imports no crawler code

        return origins_of(self.start_urls + self.feeds + self.sitemaps)


@dataclass(frozen=True)
class CrawlSettings:
    user_agent: str = "newswatch/1.0 (+https://github.com/newswatch)"
    obey_robots_txt: bool = True
    concurrency_per_domain: int = 4
    download_delay: float = 0.25
    autothrottle: bool = True
    timeout: float = 30.0
    max_page_bytes: int = 10_000_000
    retries: int = 2
    max_attempts: int = 5
    time_limit: float = 900.0
    extraction_workers: int = 2  # the most processes parsing pages beside it; 0: in the crawl
    # The service runs the sources due together in one process (scheduler.batches): at most
    # batch_size sources per process, max_batches processes at once, max_requests requests
    # in flight over all of them. Defaults for a 2-core box that stays responsive.
    batch_size: int = 50
    max_batches: int = 2
    max_requests: int = 64

    @property
    def requests_per_batch(self) -> int:
        return max(self.max_requests // self.max_batches, 1)


@dataclass(frozen=True)
class Dkim:
    """Sign outgoing mail as `domain` with the key whose public half is at
    `selector._domainkey.domain` in DNS."""

    domain: str
    selector: str
    key_file: Path
    key: bytes = field(repr=False, default=b"")  # the PEM private key, read at load


@dataclass(frozen=True)
class Smtp:
    host: str
    sender: Mailbox  # `from`: the From header
    local_hostname: str  # the EHLO name
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_env: str = ""
    timeout: float = 30.0
    envelope_from: str = ""  # MAIL FROM (bounces); default the From address
    reply_to: Mailbox | None = None
    dkim: Dkim | None = None

    @property
    def password(self) -> str:
        return os.environ.get(self.password_env, "") if self.password_env else ""

    @property
    def bounce_address(self) -> str:
        return self.envelope_from or self.sender.addr

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Smtp(host={self.host!r}, port={self.port}, security={self.security!r})"


@dataclass(frozen=True)
class Rule:
    name: str
    query: str
    to: tuple[str, ...]
    parsed: Query
    sources: tuple[str, ...] = ()
    digest: Schedule | None = None
    updates: bool = False  # follow each alerted story: one update per version that adds text
    update_min_sentences: int = 2  # new sentences a version needs to be an update


@dataclass(frozen=True)
class Alerts:
    smtp: Smtp | None = None
    operator: str = ""
    rules: tuple[Rule, ...] = ()
    # The From of every email: `smtp.from`, else newswatch@<this host's FQDN> (Maildir).
    sender: Mailbox = Mailbox("newswatch@localhost")
    hostname: str = "localhost"  # names this install in emails: EHLO name, else the FQDN


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path | DatabaseUrl
    timezone: str
    crawl: CrawlSettings
    sources: tuple[Source, ...]
    alerts: Alerts
    queue: str = ""  # redis://… of the Celery broker: `run` schedules, `worker`s crawl

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources)
        raise ConfigError(f"{self.path}: unknown source {name!r} (configured: {known})")

    @property
    def maildir(self) -> Path:
        return self.database.parent / "maildir"
