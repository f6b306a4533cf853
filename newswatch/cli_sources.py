"""`newswatch sources`: list, check and add the sources a crawl reads."""

from __future__ import annotations

import click

from newswatch.clickext import NewswatchGroup, UserError, config_of
from newswatch.config import Config, ConfigError


@click.group(cls=NewswatchGroup)  # its commands take --config too
def sources() -> None:
    """Configured sources."""


_TIME_LIMIT = click.option(
    "--time-limit", type=click.FloatRange(1), default=None, metavar="SECONDS",
    help="Stop after this long in all (default: crawl.time_limit, at most 120 s).",
)  # fmt: skip


def _seconds(config: Config, given: float | None) -> float:
    return given if given is not None else min(config.crawl.time_limit, 120.0)


@sources.command("list")
@click.pass_context
def sources_list(ctx: click.Context) -> None:
    """The configured sources: schedule, start pages, feeds, sitemaps and how articles are read."""
    from newswatch.listing import print_sources

    print_sources(config_of(ctx))


@sources.command("check")
@click.argument("name")
@_TIME_LIMIT
@click.pass_context
def sources_check(ctx: click.Context, name: str, time_limit: float | None) -> None:
    """Show what a crawl of source NAME would find and extract, storing nothing.

    Fetches its start pages, feeds and sitemaps the way a crawl does (its origins only,
    robots.txt, redirect checks, size and time limits), lists the links that match
    article_url_pattern and some that do not, extracts the newest article and prints each
    field with where it came from: a selector, structured data or the generic extractor.
    """
    from crawler.probe import ProbeTimeout
    from newswatch.sources_check import check_source

    config = config_of(ctx)
    try:
        source = config.source(name)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    try:
        check_source(config, source, _seconds(config, time_limit), ctx.obj["log_level"])
    except ProbeTimeout as exc:
        raise UserError(f"sources check {name}: stopped: {exc}") from None


@sources.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--write", is_flag=True, help="Append the block to the config file (validated).")
@_TIME_LIMIT
@click.pass_context
def sources_add(
    ctx: click.Context, name: str, url: str, write: bool, time_limit: float | None
) -> None:
    """Find how to crawl the site at URL and print a source block NAME for config.yaml.

    Reads the page (a home or section page), robots.txt, its feeds and sitemaps, infers
    article_url_pattern from the links whose pages are articles, checks the pagination and
    the time zone, shows sample articles, and prints the block with a comment per line.
    The site is fetched as a crawl fetches it (robots.txt, its origin only, size and time
    limits); nothing is stored.
    """
    from crawler.probe import ProbeTimeout
    from newswatch.site_survey import SurveyError
    from newswatch.sources_add import AddError, add_source

    config = config_of(ctx)
    try:
        add_source(config, name, url, write, _seconds(config, time_limit), ctx.obj["log_level"])
    except (AddError, SurveyError) as exc:
        raise UserError(str(exc)) from None
    except ProbeTimeout as exc:
        raise UserError(f"sources add {name}: stopped: {exc}") from None
