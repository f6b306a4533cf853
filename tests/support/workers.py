"""`newswatch worker` and `newswatch run` with a queue, as subprocesses (issue 22)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from support.cli import newswatch_command


class Process:
    """`newswatch --config CONFIG ARGS...`, its stderr in a file (read at any time)."""

    def __init__(self, config: Path, *args: str, log: Path) -> None:
        self.log = log
        command = [*newswatch_command(), "--config", str(config), *args]
        with log.open("w") as err:
            self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err,
                                         text=True, start_new_session=True)  # fmt: skip

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9, of this process alone (its crawl child is left to notice)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, seconds: float = 30) -> int:
        """SIGTERM and wait; then SIGKILL the whole group if it is still there."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(10)


def worker(config: Path, log: Path, *args: str) -> Process:
    return Process(config, "worker", *args, log=log)


def scheduler(config: Path, log: Path) -> Process:
    return Process(config, "run", log=log)


def wait_for_line(process: Process, text: str, seconds: float) -> float:
    """Seconds until `text` is in the process's log (AssertionError after `seconds`)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if text in process.output():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {text!r}; log: {process.output()[-3000:]}")


class Archive:
    """The archive a queued test runs on: `database` for the config, rows read back."""

    def __init__(self, kind: str, workdir: Path, url: str = "") -> None:
        self.kind = kind
        self.database = url or "news.db"
        self.path = workdir / "news.db"

    def rows(self, sql: str) -> list[tuple]:
        if self.kind == "sqlite":
            from support.service import rows

            return rows(self.path, sql)
        import psycopg

        try:
            with psycopg.connect(self.database, connect_timeout=5) as conn:
                return [tuple(r) for r in conn.execute(sql).fetchall()]
        except psycopg.errors.UndefinedTable:  # the schema is being made
            return []

    def count(self, sql: str) -> int:
        found = self.rows(sql)
        return found[0][0] if found else 0

    def ok_runs(self, source: str) -> int:
        return self.count(
            f"SELECT COUNT(*) FROM crawl_runs WHERE status = 'ok' AND source = '{source}'"
        )
