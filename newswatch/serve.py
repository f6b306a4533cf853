"""`newswatch serve`: browse and search the archive in a browser, with Datasette.

Datasette runs in this process on the config's database (in its normal, mutable mode: the
service may write while you browse). This module is also the Datasette plugin that makes the
archive readable: the search box speaks newswatch's query language (Korean included, through
the same bigram index the crawler writes), article URLs link to the originals, and the
columns only the machinery needs are hidden.
"""

from __future__ import annotations

import errno
import json
import signal
import socket
import sys
from typing import Any
from urllib.parse import urlsplit

import click
from datasette import hookimpl
from datasette.utils import escape_fts
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from newswatch.config import Config
from newswatch.query import QueryError, parse_query

CSS_PATH = "/-/newswatch.css"
# Columns the crawler and matcher need, not a reader: never shown.
MACHINE_COLUMNS = ("signature", "shingles", "body_hash")
# Shown on an article's own page, left out of the list of articles.
DETAIL_COLUMNS = ("updated_at", "summary", "dateline", "language", "images", "word_count",
                  "fetched_at")  # fmt: skip
CSS = (
    ", ".join(f".col-{c}" for c in MACHINE_COLUMNS)
    + " { display: none; }\n"
    + ", ".join(f"body.table-articles.table .col-{c}" for c in DETAIL_COLUMNS)
    + " { display: none; }\n"
    "dl.column-descriptions { display: none; }  /* shown in each column's menu instead */\n"
    "td.col-title { min-width: 16em; font-weight: 600; }\n"
    "td.col-body { min-width: 30em; white-space: normal; font-size: 0.9em; }\n"
    "td.col-published_at, td.col-source { white-space: nowrap; }\n"
)
COLUMNS = {
    "id": "Article number in this archive",
    "url": "The original article (opens the news site)",
    "source": "The configured source it was crawled from",
    "title": "Headline",
    "body": "The article text (without navigation, related boxes or captions)",
    "published_at": "Publication time, UTC",
    "updated_at": "Last update time given by the page, UTC",
    "story_id": "Equal for an article, its updated versions and its copies on other sites",
    "authors": "Bylines",
    "summary": "The page's own summary",
    "dateline": "Wire dateline, e.g. SEOUL, March 5 (Yonhap)",
    "language": "Language code",
    "tags": "The page's tags or keywords",
    "images": "Photos in the article and their captions",
    "word_count": "Words in the body",
    "fetched_at": "When newswatch fetched it, UTC",
}
SEARCH_SQL = (
    "select published_at, source, title, url, story_id from articles"
    " where :q != '' and id in (select rowid from articles_fts"
    " where articles_fts match newswatch_fts(:q))"
    " order by published_at desc limit 200"
)


class ServeError(Exception):
    """`serve` cannot start: one line for the user."""


def metadata(name: str) -> dict[str, Any]:
    """Datasette metadata for the archive database called `name`."""
    articles = {
        "title": "Articles",
        "description": 'Search with words, "exact phrases", AND, OR, NOT and parentheses, '
        "as in newswatch search; title and body only.",
        "label_column": "title",
        "fts_table": "articles_fts",
        "fts_pk": "id",
        "sort_desc": "published_at",
        "facets": ["source", {"date": "published_at"}],
        "columns": COLUMNS,
    }
    search = {
        "title": "Search the archive",
        "description": "Newest first, one row per article; q uses the query language of rules.",
        "sql": SEARCH_SQL,
    }
    hidden = {"hidden": True}
    tables = {"articles": articles, "article_bands": hidden, "state": hidden}
    return {
        "title": "newswatch archive",
        "databases": {name: {"tables": tables, "queries": {"search": search}}},
    }


def archive_fts(query: str) -> str:
    """A search box query as an FTS5 expression: newswatch's language, else Datasette's."""
    try:
        return parse_query(query).fts()
    except QueryError:
        return escape_fts(query)


def check_port(host: str, port: int) -> None:
    """Raise ServeError when `host:port` cannot be listened on."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except socket.gaierror:
        raise ServeError(f"--host {host}: no such host") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = f"port {port} on {host} is in use (choose another with --port)"
            raise ServeError(message) from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(config: Config, host: str, port: int) -> None:
    """Run Datasette on the archive until Ctrl-C or SIGTERM."""
    import uvicorn
    from datasette.app import Datasette
    from datasette.plugins import pm

    import db

    check_port(host, port)
    db.open_db(config.database).close()  # an archive not crawled yet: create its tables
    name = config.database.stem
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name="newswatch")
    settings = {"truncate_cells_html": 240, "suggest_facets": False, "default_page_size": 50}
    app = Datasette([str(config.database)], metadata=metadata(name), settings=settings)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"archive {config.database} at http://{shown}:{port}/{name}/articles")
    click.echo("Ctrl-C stops it.")
    # uvicorn stops on SIGINT/SIGTERM, then raises the signal again for the handler it found:
    # make that one a no-op, so that stopping the server is a clean exit 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    uvicorn.run(app.app(), host=host, port=port, log_level="warning", access_log=False)


# -- Datasette plugin hooks ----------------------------------------------------------------


@hookimpl(trylast=True)  # called after Datasette's own, so this escape_fts wins
def prepare_connection(conn: Any) -> None:
    conn.create_function("escape_fts", 1, archive_fts, deterministic=True)
    conn.create_function("newswatch_fts", 1, archive_fts, deterministic=True)


@hookimpl
def render_cell(value: Any, column: str) -> Markup | None:
    """The original article as a link; JSON lists (authors, tags, images) as plain text."""
    if column == "url" and isinstance(value, str) and value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        shown = parts.netloc + parts.path + ("?" + parts.query if parts.query else "")
        return Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(
            value, shown
        )
    if column in ("authors", "tags", "images") and isinstance(value, str) and value[:1] == "[":
        try:
            items = json.loads(value)
        except ValueError:
            return None
        return escape("; ".join(_readable(item) for item in items))
    return None


def _readable(item: Any) -> str:
    """An author or tag as is; an image as its caption and address."""
    if isinstance(item, dict):
        return f"{item.get('caption') or 'photo'} ({item.get('url', '')})"
    return str(item)


@hookimpl
def extra_css_urls() -> list[str]:
    return [CSS_PATH]


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    async def stylesheet() -> Response:
        return Response(CSS, content_type="text/css; charset=utf-8")

    return [(r"^/-/newswatch\.css$", stylesheet)]
