"""`newswatch story ID_OR_URL`: a story's versions in order, with what each one added."""

from __future__ import annotations

import textwrap
from collections import defaultdict

import click
from sqlite_utils import Database

import db
from crawler.urls import canonical_url
from db import updates as store
from newswatch.configtypes import Config
from newswatch.report import local_time
from newswatch.versions import Version, story_versions

WIDTH = 100


class StoryNotFound(Exception):
    """No stored article is what the user named: one line for the user."""


def find_story(archive: Database, given: str) -> int:
    """The story of the article with id `given`, or at URL `given` (any spelling of it)."""
    given = given.strip()
    if given.isdigit():
        row = store.article(archive, int(given))
        if row is None:
            raise StoryNotFound(f"no stored article has id {given}")
    elif given.lower().startswith(("http://", "https://")):
        row = store.article(archive, url=given) or store.article(archive, url=canonical_url(given))
        if row is None:
            raise StoryNotFound(f"no stored article at {given}")
    else:
        raise StoryNotFound(f"{given!r}: expected an article id (a number) or its URL")
    return int(row["story_id"])


def label(version: Version, first_source: str) -> str:
    """The version's label ("URGENT", "LEAD", "2nd LD"), else original or copy."""
    if version.label:
        return version.label
    return "original" if version.source == first_source else "copy"


def show_story(config: Config, given: str) -> None:
    """Print the story of article `given` (an id or a URL); StoryNotFound if none."""
    archive = db.open_db(config.database)
    try:
        print_story(archive, given, config.timezone)
    finally:
        archive.close()


def print_story(archive: Database, given: str, timezone: str) -> None:
    story_id = find_story(archive, given)
    versions = story_versions(archive, story_id)
    sent: dict[int, list[str]] = defaultdict(list)
    for row in store.updates_of(archive, story_id):
        sent[row["article_id"]].append(row["rule"])
    sources = sorted({v.source for v in versions})
    click.echo(f"story {story_id}: {versions[-1].headline}")
    click.echo(f"{len(versions)} version{'s' if len(versions) != 1 else ''} on "
               f"{', '.join(sources)}, oldest first")  # fmt: skip
    for n, version in enumerate(versions, 1):
        click.echo("")
        _print_version(n, version, label(version, versions[0].source), timezone)
        if sent[version.article_id]:
            click.echo(f"   sent as an update by rule {', '.join(sent[version.article_id])}")


def _print_version(n: int, version: Version, shown: str, timezone: str) -> None:
    added = len(version.added)
    says = f"{added} new sentence{'' if added == 1 else 's'}" if added else "nothing new"
    facts = [shown, local_time(version.published_at, timezone), version.source, says]
    click.echo(f"{n}. {' · '.join(facts)}")
    indent = " " * len(f"{n}. ")
    click.echo(f"{indent}{version.title}")
    click.echo(f"{indent}{version.url}  (article {version.article_id})")
    wrap = textwrap.TextWrapper(
        WIDTH, initial_indent=f"{indent}+ ", subsequent_indent=f"{indent}  ", break_on_hyphens=False
    )
    for sentence in version.added:
        click.echo(wrap.fill(sentence))
