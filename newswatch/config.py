"""load_config(): the one place that reads config.yaml and the environment.

Every problem is a ConfigError whose message names the file and the key, what was
expected and what came, so the CLI can print it as one line and exit 2.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from newswatch import mailconfig
from newswatch.configread import Reader
from newswatch.configtypes import (
    Alerts,
    Config,
    ConfigError,
    CrawlSettings,
    DatabaseUrl,
    Rule,
    Selectors,
    Source,
)
from newswatch.query import QueryError, parse_query

DEFAULT_PATH = "config.yaml"
_AT_LEAST_ONE = {"concurrency_per_domain", "max_page_bytes", "time_limit", "batch_size",
                 "max_batches", "max_requests"}  # fmt: skip
ENV_PATH = "NEWSWATCH_CONFIG"


def config_path(given: str | None) -> Path:
    return Path(given or os.environ.get(ENV_PATH) or DEFAULT_PATH)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    file = config_path(str(path) if path is not None else None)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{file}: invalid YAML{where}: {problem}") from None
    return _Reader(file).config(raw if raw is not None else {})


class _Reader(Reader):
    """Turns the parsed YAML into frozen objects, naming the key of every problem."""

    def config(self, raw: Any) -> Config:
        allowed = {"database", "timezone", "crawl", "sources", "alerts", "queue"}
        raw = self.mapping("", raw, allowed)
        timezone = self.timezone("timezone", raw.get("timezone", "UTC"))
        database = self.database(raw.get("database", "data/newswatch.db"))
        sources = self.sources(raw.get("sources"), timezone)
        return Config(
            path=self.file,
            database=database,
            timezone=timezone,
            crawl=self.crawl(raw.get("crawl", {})),
            sources=sources,
            alerts=self.alerts(raw.get("alerts", {}), {s.name for s in sources}, timezone),
            queue=self.queue(raw["queue"]) if raw.get("queue") is not None else "",
        )

    def queue(self, value: Any) -> str:
        """The Celery broker: a Redis URL (scheduler.queue)."""
        try:
            parts = urlsplit(value.strip()) if isinstance(value, str) else None
            host = parts.hostname if parts else None
        except ValueError:  # a bad port or bracket
            parts = host = None
        if parts is None or parts.scheme not in ("redis", "rediss") or not host:
            raise self.fail("queue", "a Redis URL such as redis://127.0.0.1:6379/0", value)
        return value.strip()

    def database(self, raw: Any) -> Path | DatabaseUrl:
        """A file (relative to config.yaml) or a postgresql://user@host:port/dbname URL."""
        text = self.string("database", raw)
        folder = self.file.resolve().parent
        if text.startswith(("postgresql://", "postgres://")):
            if not urlsplit(text).path.strip("/"):
                expected = "a PostgreSQL URL naming its database (postgresql://host/dbname)"
                raise self.fail("database", expected, text)
            return DatabaseUrl(text, folder / "data")
        if "://" in text:
            raise self.fail("database", "a file path or a postgresql:// URL", text)
        path = Path(text)
        return path if path.is_absolute() else folder / path

    def crawl(self, raw: Any) -> CrawlSettings:
        fields = CrawlSettings.__dataclass_fields__
        raw = self.mapping("crawl", raw, set(fields))
        values: dict[str, Any] = {}
        for name, value in raw.items():
            default = fields[name].default
            key = f"crawl.{name}"
            if isinstance(default, bool):
                values[name] = self.boolean(key, value)
            elif isinstance(default, str):
                values[name] = self.string(key, value)
            else:
                minimum = 1 if name in _AT_LEAST_ONE else 0
                values[name] = self.number(key, value, type(default), minimum)
        crawl = CrawlSettings(**values)
        if crawl.max_requests < crawl.max_batches:
            expected = f"at least crawl.max_batches ({crawl.max_batches}), one per batch"
            raise self.fail("crawl.max_requests", expected, crawl.max_requests)
        return crawl

    def sources(self, raw: Any, timezone: str) -> tuple[Source, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("sources", "a non-empty list of sources", raw)
        sources = tuple(self.source(f"sources[{i}]", v, timezone) for i, v in enumerate(raw))
        seen: set[str] = set()
        for i, source in enumerate(sources):
            if source.name in seen:
                raise self.fail(f"sources[{i}].name", "a name not used twice", source.name)
            seen.add(source.name)
        return sources

    def source(self, key: str, raw: Any, timezone: str) -> Source:
        allowed = {
            "name", "start_urls", "feeds", "sitemaps", "article_url_pattern", "max_list_pages",
            "timezone", "schedule", "selectors", "profile", "next_page", "max_sitemaps",
        }  # fmt: skip
        raw = self.mapping(key, raw, allowed)
        name = self.string(f"{key}.name", raw.get("name"), r"[A-Za-z0-9_.-]+")
        tz = self.timezone(f"{key}.timezone", raw.get("timezone", timezone))
        selectors = self.selectors(f"{key}.selectors", raw.get("selectors"))
        source = Source(
            name=name,
            start_urls=self.urls(f"{key}.start_urls", raw.get("start_urls", [])),
            feeds=self.urls(f"{key}.feeds", raw.get("feeds", [])),
            sitemaps=self.urls(f"{key}.sitemaps", raw.get("sitemaps", [])),
            article_url_pattern=self.regex(
                f"{key}.article_url_pattern", raw.get("article_url_pattern")
            ),
            max_list_pages=self.number(
                f"{key}.max_list_pages", raw.get("max_list_pages", 3), int, 1
            ),
            timezone=tz,
            schedule=self.schedule(f"{key}.schedule", raw.get("schedule", "every 10m"), tz),
            selectors=selectors,
            next_page=self.next_page(key, raw, selectors),
            max_sitemaps=self.number(f"{key}.max_sitemaps", raw.get("max_sitemaps", 20), int, 0),
            profile=self.profile(f"{key}.profile", raw["profile"]) if "profile" in raw else "",
        )
        if not (source.start_urls or source.feeds or source.sitemaps):
            raise self.fail(f"{key}.start_urls", "start_urls, feeds or sitemaps", "none of them")
        return source

    def next_page(self, key: str, raw: dict[str, Any], selectors: Selectors | None) -> str:
        """The next-page selector: a source key, or (as Scrapy users may put it) a selector."""
        in_selectors = selectors.next_page if selectors else ""
        if "next_page" not in raw:
            return in_selectors
        if in_selectors:
            raise self.fail(f"{key}.next_page", "next_page given once", "it is in selectors too")
        return self.selector(f"{key}.next_page", raw["next_page"])

    def profile(self, key: str, value: Any) -> str:
        from crawler.profiles import profile_names  # lazy: lists modules, imports no parser

        name = self.string(key, value)
        known = profile_names()
        if name not in known:
            raise self.fail(key, f"a site profile ({', '.join(known) or 'none installed'})", name)
        return name

    def selectors(self, key: str, raw: Any) -> Selectors | None:
        if raw is None:
            return None
        raw = self.mapping(key, raw, set(Selectors.__dataclass_fields__))
        values: dict[str, Any] = {}
        for name, value in raw.items():
            sub = f"{key}.{name}"
            if name == "exclude":
                texts = self.strings(sub, value)
                values[name] = tuple(
                    self.selector(f"{sub}[{i}]", t, elements=True) for i, t in enumerate(texts)
                )
            else:
                values[name] = self.selector(sub, value)
        return Selectors(**values)

    def selector(self, key: str, value: Any, elements: bool = False) -> str:
        """A CSS (with ::text, ::attr(name)) or XPath selector, compiled now: a bad one is a
        config error naming the key, never a step that fails on every page."""
        from crawler.selectors import SelectorError, compile_selector  # lazy: parsel, lxml

        text = self.string(key, value)
        try:
            compiled = compile_selector(text)
        except SelectorError as exc:
            raise self.fail(key, f"a CSS or XPath selector ({exc})", value) from None
        if elements and compiled.kind == "css" and not compiled.elements_only:
            raise self.fail(key, "a selector of elements (no ::text or ::attr())", value)
        return text

    def alerts(self, raw: Any, source_names: set[str], timezone: str) -> Alerts:
        raw = self.mapping("alerts", raw or {}, {"smtp", "operator", "rules"})
        rules_raw = raw.get("rules", [])
        if not isinstance(rules_raw, list):
            raise self.fail("alerts.rules", "a list of rules", rules_raw)
        rules = tuple(
            self.rule(f"alerts.rules[{i}]", r, source_names, timezone)
            for i, r in enumerate(rules_raw)
        )
        names = [r.name for r in rules]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(f"alerts.rules[{i}].name", "a name not used twice", name)
        operator = raw.get("operator", "")
        smtp = mailconfig.smtp(self, raw["smtp"]) if raw.get("smtp") is not None else None
        sender, hostname = mailconfig.sender_identity(self, smtp)
        return Alerts(
            smtp=smtp,
            operator=mailconfig.recipient(self, "alerts.operator", operator) if operator else "",
            rules=rules,
            sender=sender,
            hostname=hostname,
        )

    def rule(self, key: str, raw: Any, source_names: set[str], timezone: str) -> Rule:
        allowed = {"name", "query", "to", "sources", "digest", "updates", "update_min_sentences"}
        raw = self.mapping(key, raw, allowed)
        sources = self.strings(f"{key}.sources", raw.get("sources", []))
        for i, name in enumerate(sources):
            if name not in source_names:
                known = ", ".join(sorted(source_names))
                raise self.fail(f"{key}.sources[{i}]", f"a configured source ({known})", name)
        to = self.strings(f"{key}.to", raw.get("to"))
        if not to:
            raise self.fail(f"{key}.to", "at least one address", raw.get("to"))
        to = tuple(mailconfig.recipient(self, f"{key}.to[{i}]", a) for i, a in enumerate(to))
        digest = raw.get("digest")
        name = self.string(f"{key}.name", raw.get("name"))
        query = self.string(f"{key}.query", raw.get("query"))
        try:
            parsed = parse_query(query)
        except QueryError as exc:
            raise ConfigError(f"{self.file}: {key}.query (rule {name!r}): {exc}") from None
        return Rule(
            name=name,
            query=query,
            parsed=parsed,
            to=to,
            sources=sources,
            digest=self.schedule(f"{key}.digest", digest, timezone) if digest else None,
            updates=self.boolean(f"{key}.updates", raw.get("updates", False)),
            update_min_sentences=self.number(
                f"{key}.update_min_sentences", raw.get("update_min_sentences", 2), int, 1
            ),
        )
