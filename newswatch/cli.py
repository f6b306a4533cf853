"""The `newswatch` command line."""

from __future__ import annotations

from pathlib import Path

import click

from newswatch.cli_db import db_group
from newswatch.cli_sources import sources
from newswatch.cli_worker import worker
from newswatch.clickext import (
    CONFIG_HELP,
    Failure,
    NewswatchGroup,
    RestOfLineCommand,
    UserError,
    config_of,
)
from newswatch.config import ConfigError


@click.group(cls=NewswatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", default=None, help=CONFIG_HELP)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.version_option(package_name="newswatch")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """Watch news sites and email you when a story matching your keywords appears."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["log_level"] = ("WARNING", "INFO", "DEBUG")[min(verbose, 2)]


@main.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--service", type=int, default=0, hidden=True, metavar="PID",
              help="Run as the child of the service with this pid.")  # fmt: skip
@click.option("--due", "due", multiple=True, hidden=True, metavar="NAME=TIME",
              help="(service) When the schedule had source NAME due.")  # fmt: skip
@click.pass_context
def crawl(ctx: click.Context, sources: tuple[str, ...], service: int,
          due: tuple[str, ...]) -> None:  # fmt: skip
    """Crawl all (or the named) sources once now and store new articles.

    Then match the new stories against the alert rules and try every pending alert.
    Exit 0 even when pages failed; 75 when every source was busy (another crawl of it
    was running), so nothing was crawled; 130 when interrupted (Ctrl-C), after the summary.
    """
    from newswatch.crawling import crawl_command

    config = config_of(ctx)
    try:
        chosen = tuple(config.source(name) for name in sources) or config.sources
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    due_at = dict(d.split("=", 1) for d in due if "=" in d)
    ctx.exit(crawl_command(config, chosen, ctx.obj["log_level"], service, due_at))


@main.command(cls=RestOfLineCommand)
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many results.")  # fmt: skip
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.pass_context
def search(
    ctx: click.Context, words: tuple[str, ...], limit: int, sources: tuple[str, ...]
) -> None:
    """Full-text search of the archive (title and body), newest first.

    The rest of the line is the query: `newswatch search drone defense -n 5` searches
    for `drone defense`; quote it to keep the shell away from parentheses and quotes.
    """
    import db
    from newswatch.query import QueryError, parse_query
    from newswatch.report import print_hits

    config = config_of(ctx)
    query = " ".join(words)
    try:
        for name in sources:
            config.source(name)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    try:
        parsed = parse_query(query)
    except QueryError as exc:
        raise UserError(f"query {query!r}: {exc}") from None
    archive = db.open_db(config.database)
    try:
        hits = db.search_articles(archive, parsed.fts(), limit, sources)
        print_hits(hits, parsed, config.timezone, "article")
    finally:
        archive.close()


@main.command()
@click.argument("article", metavar="ID_OR_URL")
@click.pass_context
def story(ctx: click.Context, article: str) -> None:
    """A story's versions in order (flash, LEAD, 2nd LD…, copies on other sites): label, time,
    source, headline and link, and the sentences each one added."""
    from newswatch.story import StoryNotFound, show_story

    try:
        show_story(config_of(ctx), article)
    except StoryNotFound as exc:
        raise UserError(str(exc)) from None


@main.command()
@click.option(
    "--log-format",
    type=click.Choice(["text", "json", "journal"]),
    default=None,
    help="text (the default on a terminal); json: one JSON object per line, for log"
    " shippers; journal: a syslog priority (<4>...) before each line, the default when"
    " stderr is journald's stream (JOURNAL_STREAM).",
)
@click.pass_context
def run(ctx: click.Context, log_format: str | None) -> None:
    """Run the service: crawl each source on its schedule, send alerts and digests.

    SIGTERM or SIGINT stops it cleanly (a running crawl gets up to 10 s), exit 0.
    """
    import os
    import sys

    from newswatch.logs import choose_format, setup_logging
    from scheduler.service import Service

    config = config_of(ctx)
    fmt = choose_format(log_format, os.environ, sys.stderr)
    setup_logging(fmt, "DEBUG" if ctx.obj["log_level"] == "DEBUG" else "INFO")
    ctx.exit(Service(config).run())


@main.group()
def rules() -> None:
    """Alert rules."""


@rules.command("list")
@click.pass_context
def rules_list(ctx: click.Context) -> None:
    """The alert rules: query, recipients, sources, and the digest schedule with its next time."""
    from newswatch.listing import print_rules

    print_rules(config_of(ctx))


@rules.command("test")
@click.argument("name")
@click.option("-n", "--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many stories.")  # fmt: skip
@click.pass_context
def rules_test(ctx: click.Context, name: str, limit: int) -> None:
    """Show the stored stories rule NAME would match, sending nothing."""
    import db
    from newswatch.report import print_rule_test

    config = config_of(ctx)
    rule = next((r for r in config.alerts.rules if r.name == name), None)
    if rule is None:
        known = ", ".join(r.name for r in config.alerts.rules) or "none"
        raise UserError(f"{config.path}: alerts.rules: no rule named {name!r} (rules: {known})")
    archive = db.open_db(config.database)
    try:
        hits = db.search_articles(archive, rule.parsed.fts(), limit * 3, rule.sources)
        print_rule_test(rule, db.first_of_stories(hits)[:limit], config.timezone)
    finally:
        archive.close()


@main.group()
def alerts() -> None:
    """Alert emails."""


@alerts.command("test")
@click.option(
    "--to", "to", metavar="ADDR", default=None,
    help="Send to this address (default: alerts.operator, else the first rule's).",
)  # fmt: skip
@click.pass_context
def alerts_test(ctx: click.Context, to: str | None) -> None:
    """Send one sample alert now through the configured SMTP server (or Maildir).

    Prints the server's answer (or the file written); exit 1 with the error if it fails.
    """
    from scheduler.mailtest import BadRecipient, MailTestError, send_test_alert

    config = config_of(ctx)
    try:
        click.echo("\n".join(send_test_alert(config, to)))
    except BadRecipient as exc:
        raise UserError(str(exc)) from None
    except MailTestError as exc:
        raise Failure(str(exc)) from None


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Per source: last crawl, result, articles stored; pending and failed alerts.

    Times are in the configured timezone; --json gives them in UTC (ISO 8601), with the
    keys listed in the README.
    """
    import db
    from newswatch.status import print_status, status_document

    config = config_of(ctx)
    archive = db.open_db(config.database)
    try:
        document = status_document(db.status_snapshot(archive, config))
    finally:
        archive.close()
    if config.queue:
        from newswatch.status_queue import queue_document

        document["queue"] = queue_document(config)
    print_status(document, config.timezone, as_json)


@main.command()
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Where to put the demo's config, archive and Maildir (default: a new temp folder).",
)  # fmt: skip
def demo(folder: Path | None) -> None:
    """Try newswatch offline: crawl a bundled sample site, show an alert and an update.

    Serves a small Yonhap-like sample site on 127.0.0.1, writes a config with two rules,
    crawls the site, delivers the alerts to a Maildir and prints one; then the site publishes
    a (2nd LD) of the story and a second crawl sends, and prints, its update. Ignores --config.
    """
    from newswatch.demo import DemoError, run_demo

    try:
        run_demo(folder)
    except DemoError as exc:
        raise UserError(str(exc)) from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8001, show_default=True, type=click.IntRange(1, 65535),
    help="Port to listen on.",
)  # fmt: skip
@click.option(
    "--all-tables", is_flag=True,
    help="Also serve the internal tables: outbox (recipients, whole emails), failed_urls, "
    "state, crawl runs.",
)  # fmt: skip
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, all_tables: bool) -> None:
    """Browse and search the archive in a web browser (Datasette), until Ctrl-C.

    The newest stories, search in the rules' query language with facets by source and day,
    article pages with the story's updates and copies, and each rule as an Atom feed
    (/rules/NAME.atom). A --host other than loopback opens all this to that network.
    """
    from newswatch.serve import ServeError
    from newswatch.serve import serve as run_server

    config = config_of(ctx)
    try:
        run_server(config, host, port, all_tables)
    except ServeError as exc:
        raise UserError(str(exc)) from None


main.add_command(sources)
main.add_command(worker)
main.add_command(db_group)


if __name__ == "__main__":
    main()
