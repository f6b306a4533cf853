"""Command-line conventions shared by every newswatch command (click extensions).

- `--config PATH` is accepted before the command (`newswatch --config c.yaml crawl`) and after
  it (`newswatch crawl --config c.yaml`): NewswatchGroup adds it to every command.
- Everything newswatch creates is private (umask 077): the archive holds recipients and
  whole emails. An archive or lock file that cannot be opened for writing is one line, exit 2.
- A usage error (a bad option value such as `-n 0`) is one line and exit 2, like every
  other bad input; Ctrl-C is exit 130, as shells report SIGINT.
- `search` and friends take the rest of the line as the query, so `search drone defense` and
  `search missile -Japan` work unquoted (RestOfLineCommand).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from db.connection import ArchiveError
from db.errors import archive_unwritable, unwritable_reason
from newswatch.config import Config, ConfigError, load_config

INTERRUPTED = 130  # 128 + SIGINT
CONFIG_HELP = "Config file (default ./config.yaml, or $NEWSWATCH_CONFIG)."


def _remember_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["config_path"] = value


def config_option() -> click.Option:
    return click.Option(["--config"], metavar="PATH", expose_value=False, is_eager=True,
                        callback=_remember_config, help=CONFIG_HELP)  # fmt: skip


class NewswatchGroup(click.Group):
    """A group whose commands (and sub-groups' commands) all accept `--config` too."""

    group_class = type  # sub-groups are NewswatchGroups as well

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group) and not any(
            "--config" in p.opts for p in cmd.params if isinstance(p, click.Option)
        ):
            cmd.params.append(config_option())
        super().add_command(cmd, name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        os.umask(0o077)
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except ArchiveError as exc:
            click.echo(f"newswatch: error: {exc}", err=True)
            sys.exit(2)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "newswatch"
            click.echo(f"newswatch: error: {where}: {exc.format_message().rstrip('.')}"
                       f" (see {where} --help)", err=True)  # fmt: skip
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:  # Ctrl-C outside a crawl, which handles it itself
            click.echo("interrupted", err=True)
            sys.exit(INTERRUPTED)
        except Exception as exc:  # the archive refused a write mid-command (either engine)
            if not archive_unwritable(exc):
                raise
            click.echo(f"newswatch: error: {unwritable_reason(exc)}: the command stopped;"
                       " what it wrote before is kept", err=True)  # fmt: skip
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class RestOfLineCommand(click.Command):
    """A command whose one variadic argument is everything that is not one of its options.

    Click would read `-Japan` in `missile -Japan` as options (and `-n` among them); here only
    the command's own option names (and `--opt=value`, `-n5`) are options.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value, flags = {}, set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for opt in param.opts + param.secondary_opts:
                    (flags.add(opt) if param.is_flag else takes_value.__setitem__(opt, param))
        options: list[str] = []
        words: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            if arg in takes_value and i + 1 < len(args):
                options += [arg, args[i + 1]]
                i += 2
                continue
            if arg in flags or _attached(arg, takes_value):
                options.append(arg)
            elif arg != "--" or words:
                words.append(arg)
            i += 1
        return super().parse_args(ctx, [*options, "--", *words])


def _attached(arg: str, takes_value: dict[str, Any]) -> bool:
    """`--limit=5` or `-n5`: an option with its value in the same word."""
    if arg.startswith("--"):
        return arg.split("=", 1)[0] in takes_value and "=" in arg
    return len(arg) > 2 and arg[:2] in takes_value and arg[2:].isdigit()


class UserError(click.ClickException):
    """Bad input from the user: one line on stderr, exit 2, no traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"newswatch: error: {self.message}", err=True)


class Failure(UserError):
    """Something outside newswatch failed (a mail server): one line, exit 1."""

    exit_code = 1


def config_of(ctx: click.Context) -> Config:
    """The config the command line names, or one line and exit 2."""
    try:
        return load_config(ctx.obj["config_path"])
    except ConfigError as exc:
        raise UserError(str(exc)) from None
