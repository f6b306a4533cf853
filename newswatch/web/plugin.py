"""The Datasette plugin that makes the archive read like news (registered by `serve`).

One instance per server, holding the configuration it needs (timezone, rules, which tables
are served): Datasette calls its hook methods. It adds SQL functions (the query language,
local times), an SQLite authorizer that keeps internal tables unreadable, Jinja filters and
template variables for the templates in templates/, a facet by local day, and two routes:
`/` (the newest stories) and `/rules/NAME.atom` (a rule's Atom feed, via datasette-atom).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape
from sqlite_utils import Database

from db.reading import story_of
from newswatch.query import QueryError, parse_query
from newswatch.versions import story_versions
from newswatch.web import story, text
from newswatch.web.facets import LocalDayFacet, day_filter_arguments
from newswatch.web.searching import search_filter_arguments

ARCHIVE = "archive"  # the database's name in URLs: /archive/articles
CSS_URL = "/-/newswatch/newswatch.css"
# FTS5 finds nothing for an empty phrase: what an invalid query searches for.
NOTHING = '""'


def rule_page(name: str) -> str:
    """The path of a rule's page. Datasette routes on the decoded path, so names are
    tilde-encoded, as Datasette's own table names are."""
    return f"/rules/{tilde_encode(name or '')}"


@dataclass(frozen=True)
class RuleLink:
    name: str
    query: str

    @property
    def page(self) -> str:
        return rule_page(self.name)

    @property
    def feed(self) -> str:
        return self.page + ".atom"


def archive_fts(query: str | None) -> str:
    """The FTS5 expression for a query in newswatch's language; NOTHING if it is invalid."""
    try:
        return parse_query(query or "").fts()
    except QueryError:
        return NOTHING


def _authorizer(hidden: Collection[str]) -> Callable[..., int]:
    """Denies reading any column of `hidden` tables, in any statement on the connection.

    Counting their rows (a read of no column) is let through: Datasette counts every table
    for its database page, and a failure there would be an error in the log each time."""

    def authorize(action: int, table: str | None, column: str | None, *_: Any) -> int:
        if action == sqlite3.SQLITE_READ and table in hidden:
            return sqlite3.SQLITE_DENY if column else sqlite3.SQLITE_IGNORE
        return sqlite3.SQLITE_OK

    return authorize


class ArchivePlugin:
    # Datasette names its plugins by __name__, expecting modules.
    __name__ = __name__

    def __init__(self, timezone: str, rules: list[RuleLink], hidden_tables: frozenset[str]):
        self.timezone = timezone
        self.rules = rules
        self.hidden_tables = hidden_tables
        self.day_facet = type("DayFacet", (LocalDayFacet,), {"timezone": timezone})

    @hookimpl
    def prepare_connection(self, conn: sqlite3.Connection, database: str) -> None:
        conn.create_function("newswatch_fts", 1, archive_fts, deterministic=True)
        conn.create_function("nw_local_time", 1, self.local_time, deterministic=True)
        conn.create_function("nw_opening", 2, text.opening, deterministic=True)
        conn.create_function("nw_rule_page", 1, rule_page, deterministic=True)
        if database == ARCHIVE and self.hidden_tables:
            conn.set_authorizer(_authorizer(self.hidden_tables))

    def local_time(self, iso: str | None) -> str:
        return text.local_time(iso or "", self.timezone)

    @hookimpl
    def prepare_jinja2_environment(self, env: Any) -> None:
        env.filters.update(
            localtime=self.local_time, paragraphs=text.paragraphs, opening=text.opening,
            items=text.items, host=text.host, web_url=text.web_url, snippet=text.marked_snippet,
            as_story=story.from_listing, version_label=story.label,
        )  # fmt: skip

    @hookimpl
    def extra_template_vars(self, template: str, request: Any, datasette: Any) -> Any:
        async def variables() -> dict[str, Any]:
            found: dict[str, Any] = {"nw_rules": self.rules, "nw_timezone": self.timezone}
            if request is not None and template.endswith(f"{ARCHIVE}-articles.html"):
                search = request.args.get("_search")
                found["nw_query_error"] = text.query_error(search)
                pks = request.url_vars.get("pks")
                if template.startswith("row-") and pks and pks.isdigit():
                    found["nw_story"] = await self._story(datasette, int(pks))
            return found

        return variables

    async def _story(self, datasette: Any, article_id: int) -> story.Story | None:
        def read(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = story_of(Database(conn), article_id)
            if not rows:
                return rows
            # What each article added to the story: `newswatch story` and the updates say so too.
            versions = story_versions(Database(conn), rows[0]["story_id"])
            added = {v.article_id: v.added for v in versions}
            return [row | {"added": added.get(row["id"], ())} for row in rows]

        return story.arrange(await datasette.get_database(ARCHIVE).execute_fn(read))

    @hookimpl
    def register_facet_classes(self) -> list[type]:
        return [self.day_facet]

    @hookimpl
    def filters_from_request(self, request: Any, database: str, table: str, datasette: Any) -> Any:
        if database != ARCHIVE or table != "articles":
            return None

        async def arguments() -> FilterArguments:
            archive = datasette.get_database(ARCHIVE)
            found = [await search_filter_arguments(request, archive),
                     day_filter_arguments(request, self.timezone)]  # fmt: skip
            return _merged([f for f in found if f is not None])

        return arguments

    @hookimpl
    def extra_css_urls(self) -> list[str]:
        return [CSS_URL]

    @hookimpl
    def render_cell(self, value: Any, column: str) -> Markup | None:
        return plain_cell(value, column)

    @hookimpl
    def register_routes(self) -> list[tuple[str, Any]]:
        async def front(request: Any) -> Response:
            return Response.redirect(f"/{ARCHIVE}/stories")

        async def rule(request: Any) -> Response:
            return Response.redirect(self.rule_url(tilde_decode(request.url_vars["name"]), False))

        async def feed(request: Any) -> Response:
            return Response.redirect(self.rule_url(tilde_decode(request.url_vars["name"]), True))

        return [
            (r"^/$", front),
            (r"^/rules/(?P<name>[^/]+)\.atom$", feed),
            (r"^/rules/(?P<name>[^/]+)$", rule),
        ]

    def rule_url(self, name: str, atom: bool) -> str:
        """The canned query listing a rule's matched stories; NotFound for an unknown rule."""
        found = next((r for r in self.rules if r.name == name), None)
        if found is None:
            known = ", ".join(r.name for r in self.rules) or "none configured"
            raise NotFound(f"no rule named {name!r} (rules: {known})")
        # The title datasette-atom gives the feed (kept on the page for its .atom link).
        args = {"rule": name, "_feed_title": f"newswatch: {name} ({found.query})"}
        return f"/{ARCHIVE}/rule_feed{'.atom' if atom else ''}?{urlencode(args)}"


def _merged(arguments: list[FilterArguments]) -> FilterArguments:
    merged = FilterArguments([], {}, [], {})
    for found in arguments:
        merged.where_clauses.extend(found.where_clauses)
        merged.params.update(found.params)
        merged.human_descriptions.extend(found.human_descriptions)
        merged.extra_context.update(found.extra_context)
    return merged


def plain_cell(value: Any, column: str) -> Markup | None:
    """In Datasette's own grids: the original article as a link, JSON lists as text."""
    if column == "url" and isinstance(value, str) and value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        shown = parts.netloc + parts.path + ("?" + parts.query if parts.query else "")
        return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(value, shown)
    if column in ("authors", "tags", "images") and isinstance(value, str) and value[:1] == "[":
        return escape("; ".join(_readable(item) for item in text.items(value)))
    return None


def _readable(item: Any) -> str:
    """An author or tag as is; an image as its caption and address."""
    if isinstance(item, dict):
        return f"{item.get('caption') or 'photo'} ({item.get('url', '')})"
    return str(item)
