"""`newswatch db`: the archive itself (copying an SQLite archive into PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import click

from newswatch.clickext import NewswatchGroup, UserError, config_of


@click.group("db", cls=NewswatchGroup)  # its commands take --config too
def db_group() -> None:
    """The archive."""


@db_group.command("copy")
@click.option("--to", "target", required=True, metavar="URL",
              help="postgresql://user@host:port/dbname of an empty database.")  # fmt: skip
@click.pass_context
def db_copy(ctx: click.Context, target: str) -> None:
    """Copy the config's SQLite archive into an empty PostgreSQL database.

    Articles, stories, the search index, runs, failures, alert history and the outbox, ids
    kept. Stop the service first; then set `database:` to the URL. Alerts already sent are
    not sent again; messages still pending are sent once, from the new archive.
    """
    import db
    from db.pg import is_url, shown
    from db.pg.copy import CopyRefused, copy_archive

    config = config_of(ctx)
    if not isinstance(config.database, Path):
        raise UserError(
            f"db copy reads an SQLite archive; the config's database is {shown(config.database)}"
        )
    if not is_url(target):
        raise UserError(f"--to: expected a postgresql:// URL, got {target!r}")
    if not config.database.exists():
        raise UserError(f"{config.database}: no such archive")
    source, into = db.open_db(config.database), db.open_db(target)
    try:
        counts = copy_archive(source, into, lambda table, n: click.echo(f"  {table:<14} {n:>9,}"))
    except CopyRefused as exc:
        raise UserError(f"{shown(target)}: {exc}") from None
    except db.DatabaseError as exc:
        raise UserError(f"{shown(target)}: the copy failed, nothing was copied: {exc}") from None
    finally:
        source.close()
        into.close()
    click.echo(f"copied {counts['articles']:,} articles into {shown(target)};"
               " set `database:` to it to use it")  # fmt: skip
