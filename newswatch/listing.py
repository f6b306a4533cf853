"""`newswatch sources list` and `newswatch rules list`: what the config sets up, as tables."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from newswatch.clock import iso_utc
from newswatch.config import Config, Source
from newswatch.report import local_time, print_table
from newswatch.schedule import next_time


def _reading(source: Source) -> str:
    if source.profile:
        return f"profile {source.profile}"
    return "selectors" if source.selectors else "generic"


def print_sources(config: Config) -> None:
    rows = [("source", "schedule", "start pages", "feeds", "sitemaps", "articles read by",
             "article_url_pattern")]  # fmt: skip
    for s in config.sources:
        rows.append((s.name, str(s.schedule), str(len(s.start_urls)), str(len(s.feeds)),
                     str(len(s.sitemaps)), _reading(s), s.article_url_pattern))  # fmt: skip
    print_table(rows)
    click.echo(f"{len(config.sources)} sources in {config.path}")


def print_rules(config: Config, now: datetime | None = None) -> None:
    if not config.alerts.rules:
        click.echo(f"no rules in {config.path} (alerts.rules)")
        return
    now = now or datetime.now(UTC)
    rows = [("rule", "query", "to", "sources", "sends", "next digest")]
    for r in config.alerts.rules:
        upcoming = next_time(r.digest, now) if r.digest else None
        sends = f"digest {r.digest}" if r.digest else "after each crawl"
        rows.append((
            r.name, r.query, ", ".join(r.to), ", ".join(r.sources) or "all",
            sends + (f", updates (≥ {r.update_min_sentences} new sentences)" if r.updates else ""),
            local_time(iso_utc(upcoming), config.timezone) if upcoming else "-",
        ))  # fmt: skip
    print_table(rows)
