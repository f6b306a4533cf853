"""What the commands print: plain text tables, readable in a terminal and in a log."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from newswatch.config import Config, Rule
from newswatch.hygiene import printable
from newswatch.query import Query
from newswatch.snippets import plain_snippet

if TYPE_CHECKING:
    from scheduler.alerts import MatchReport
    from scheduler.delivery import DeliveryReport


def local_time(iso: str, timezone: str) -> str:
    """'2023-01-31T17:35:00Z' -> '2023-02-01 02:35 KST' in the configured zone."""
    if not iso:
        return "(no date)"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%Y-%m-%d %H:%M %Z")


def error_summary(raw: str) -> str:
    errors = json.loads(raw or "{}")
    return ", ".join(f"{kind} {count}" for kind, count in sorted(errors.items())) or "-"


def selector_summary(run: dict[str, Any]) -> list[str]:
    """Lines on the configured selectors of a run that failed or matched nothing."""
    articles = run.get("selector_articles") or 0
    lines = []
    if run.get("selector_errors"):
        lines.append(f"{run['source']}: {run['selector_errors']} selector errors"
                     f" (last: {printable(run.get('selector_last_error') or '-')})")  # fmt: skip
    for key, n in sorted(json.loads(run.get("selector_missed") or "{}").items()):
        lines.append(f"{run['source']}: selector {key} matched nothing on {n} of {articles}"
                     f" article{'' if articles == 1 else 's'}")  # fmt: skip
    return lines


def page_accounting(run: dict[str, Any]) -> str:
    """What became of a run's article pages: '12 article pages: 9 new, 1 duplicate, ...'."""
    kinds = {"not articles": "not_article_kinds", "failed": "failed_kinds"}
    parts = [f"{run.get('new_articles', 0)} new", f"{run.get('duplicates', 0)} duplicates"]
    for label, column in kinds.items():
        count = run.get(label.replace(" ", "_"), 0)
        why = error_summary(run.get(column) or "{}") if count else ""
        parts.append(f"{count} {label}" + (f" ({why})" if why else ""))
    return f"{run.get('article_pages', 0)} article pages: " + ", ".join(parts)


def run_summary(run: dict[str, Any]) -> dict[str, Any]:
    """What the service logs of a run: its outcome and, when it went wrong, why."""
    return {
        "source": run["source"], "status": run["status"], "pages": run["pages"],
        "new_articles": run["new_articles"], "duplicates": run["duplicates"],
        "errors": json.loads(run["errors"] or "{}"), "last_error": run.get("last_error") or "",
    }  # fmt: skip


def runs_line(runs: Iterable[dict[str, Any]]) -> str:
    """One line per crawl for the service log."""
    return "; ".join(
        f"{r['source']} {r['status']}: {r['pages']} pages, {page_accounting(r)},"
        f" errors {error_summary(r['errors'])}"
        for r in runs
    )


def print_table(rows: list[tuple[str, ...]]) -> None:
    rows = [tuple(printable(cell) for cell in row) for row in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def print_hits(hits: list[dict[str, Any]], query: Query, timezone: str, noun: str) -> None:
    for hit in hits:
        when = local_time(hit["published_at"], timezone)
        click.echo(printable(f"{when}  [{hit['source']}]  {hit['title']}"))
        click.echo(printable(f"  {hit['url']}"))
        click.echo(printable(f"  {plain_snippet(hit['body'] or hit['title'], query.terms())}"))
    click.echo(_plural(len(hits), noun) if hits else f"no matching {noun}s")


def print_rule_test(rule: Rule, hits: list[dict[str, Any]], timezone: str) -> None:
    click.echo(printable(f"rule {rule.name}: {rule.query}  (nothing is sent)"))
    print_hits(hits, rule.parsed, timezone, "story")


def print_alerts(matched: MatchReport, delivered: DeliveryReport, config: Config) -> None:
    alerts = matched.alerts or {}
    for rule, n in sorted(alerts.items()):
        click.echo(f"alert {rule}: {n} new {'story' if n == 1 else 'stories'}")
    digests = {r.name for r in config.alerts.rules if r.digest is not None}
    for rule, n in sorted((matched.updates or {}).items()):
        later = " (in its next digest)" if rule in digests else ""
        click.echo(f"update {rule}: {n} version{'' if n == 1 else 's'} adding news{later}")
    where = "smtp " + config.alerts.smtp.host if config.alerts.smtp else f"maildir {config.maildir}"
    line = (
        f"emails: {delivered.sent} sent, {delivered.retrying} to retry, {delivered.failed} failed"
    )
    click.echo(f"{line} ({where})")
    for error in delivered.errors[:5]:
        click.echo(f"  {error}")
