"""`newswatch serve`: the archive in a browser, on Datasette.

Datasette runs in this process on the config's database (in its normal, mutable mode: the
service may write while you browse), under the name `archive`. newswatch.web is what makes
it read like news: a plugin (SQL functions, facets, routes, an authorizer for the internal
tables), templates, canned queries (db/canned.py) and metadata. Pages:

    /                       the newest stories (a redirect to /archive/stories)
    /archive/articles       search (?_search=) with facets by source and by local day
    /archive/articles/ID    an article and the rest of its story
    /rules/NAME.atom        a rule's matched stories as an Atom feed (datasette-atom)
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
from pathlib import Path
from typing import Any

import click

from newswatch.config import Config
from newswatch.configtypes import DatabaseUrl

WEB = Path(__file__).parent / "web"
SETTINGS = {
    "truncate_cells_html": 240, "suggest_facets": False, "default_page_size": 30,
    "allow_download": False,
}  # fmt: skip


class ServeError(Exception):
    """`serve` cannot start: one line for the user."""


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


def _addresses(host: str) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return set()  # check_port reports it
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}


def exposure_warning(host: str, port: int, all_tables: bool) -> str:
    """The warning for a --host that is not loopback (127.0.0.0/8, ::1), or ''."""
    addresses = _addresses(host)
    if all(a.is_loopback for a in addresses):
        return ""
    shown = "the articles and alert matches"
    if all_tables:
        shown += ", and with --all-tables the outbox (recipients, whole emails), failed URLs,"
        shown += " state and crawl runs"
    if any(a.is_unspecified for a in addresses):
        where = f"listens on every network this machine is on: anyone who can reach port {port}"
    else:
        where = f"is not a loopback address: anyone on that network who can reach {host}:{port}"
    return f"newswatch: warning: --host {host} {where} can read the archive ({shown}), no login"


def build(config: Config, all_tables: bool = False) -> Any:
    """The Datasette instance for `config`'s archive, with newswatch's plugin registered."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    import db
    from newswatch.web.metadata import internal_tables, metadata
    from newswatch.web.plugin import ARCHIVE, ArchivePlugin, RuleLink

    archive = db.open_db(config.database)  # an archive not crawled yet: create its tables
    try:
        hidden = frozenset() if all_tables else internal_tables(archive.table_names())
    finally:
        archive.close()
    rules = [RuleLink(rule.name, rule.query) for rule in config.alerts.rules]
    if pm.get_plugin("newswatch") is not None:  # built before, in this process
        pm.unregister(name="newswatch")
    pm.register(ArchivePlugin(config.timezone, rules, hidden), name="newswatch")
    app = Datasette(
        [str(config.database)], metadata=metadata(hidden), settings=SETTINGS,
        template_dir=str(WEB / "templates"), static_mounts=[("-/newswatch", str(WEB / "static"))],
    )  # fmt: skip
    database = app.get_database()
    app.remove_database(database.name)
    app.add_database(database, name=ARCHIVE)
    return app


def serve(config: Config, host: str, port: int, all_tables: bool = False) -> None:
    """Run Datasette on the archive until Ctrl-C or SIGTERM."""
    import uvicorn

    if isinstance(config.database, DatabaseUrl):  # Datasette reads SQLite files only
        raise ServeError(
            "serve browses an SQLite archive; this config's database is PostgreSQL"
            " (search it with `newswatch search`)"
        )
    warning = exposure_warning(host, port, all_tables)
    if warning:
        click.echo(warning, err=True)
    check_port(host, port)
    app = build(config, all_tables)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"archive {config.database} at http://{shown}:{port}/")
    click.echo("Ctrl-C stops it.")
    # uvicorn stops on SIGINT/SIGTERM, then raises the signal again for the handler it found:
    # make that one a no-op, so that stopping the server is a clean exit 0.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    uvicorn.run(app.app(), host=host, port=port, log_level="warning", access_log=False)
