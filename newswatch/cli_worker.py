"""`newswatch worker`: crawl, match and deliver what `newswatch run` queues (config `queue:`)."""

from __future__ import annotations

import click

from newswatch.clickext import UserError, config_of


@click.command()
@click.option("-c", "--concurrency", default=2, show_default=True, type=click.IntRange(min=1),
              help="Tasks at once: crawl batches (each in its own child process), digests"
              " and passes over the outbox.")  # fmt: skip
@click.option("--log-format", type=click.Choice(["text", "json", "journal"]), default=None,
              help="As for `run`.")  # fmt: skip
@click.pass_context
def worker(ctx: click.Context, concurrency: int, log_format: str | None) -> None:
    """Run the crawls, digests and deliveries that `newswatch run` queues, until SIGTERM.

    Needs `queue: redis://HOST:6379/0` in the config. Start one per machine, on as many
    machines as you like, each with the same config. SIGTERM lets the running tasks finish
    (a crawl ends at its time limit); a worker killed outright leaves its task to another
    worker, which gets it once the crawl's time limit (plus a minute) has passed.
    """
    import os
    import sys

    from newswatch.logs import choose_format, setup_logging

    config = config_of(ctx)
    if not config.queue:
        raise UserError(
            f"{config.path}: queue: not set; `newswatch worker` needs the Redis URL"
            " that `newswatch run` queues to, e.g. redis://127.0.0.1:6379/0"
        )
    fmt = choose_format(log_format, os.environ, sys.stderr)
    setup_logging(fmt, "DEBUG" if ctx.obj["log_level"] == "DEBUG" else "INFO")
    from scheduler.worker import Worker

    ctx.exit(Worker(config, concurrency).run())
