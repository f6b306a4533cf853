"""`newswatch run` as a subprocess, and waiting for what it does."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from support.cli import newswatch_command
from support.smtp import SmtpServer


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `check` until it holds; fail naming `what` after `seconds` (a generous bound: the
    tests wait for events, they do not time them)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


class Service:
    def __init__(self, config: Path, *args: str) -> None:
        command = [*newswatch_command(), "--config", str(config), "run", *args]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)  # fmt: skip

    def children(self) -> list[int]:
        """The service's child processes now (its batch processes)."""
        return children_of(self.proc.pid)

    def stop(self) -> tuple[int, str, float]:
        """SIGTERM; (exit code, stderr, seconds it took to exit)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, err, time.monotonic() - started


def children_of(pid: int) -> list[int]:
    """The child processes of `pid`, started from any of its threads (from /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:  # the thread or the process is gone
            continue
    return found


def smtp_block(server: SmtpServer) -> dict:
    return {"host": "127.0.0.1", "port": server.port, "security": "none", "from": "nw@test"}


def rows(db: Path, sql: str) -> list[tuple]:
    """Rows of `sql` in the archive, [] while it does not exist or its schema is being made."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # the service is still creating the schema
        return []


def count(db, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # the schema is being created
        return 0


def slow_articles(site, seconds: float) -> None:
    for path in list(site.routes):
        if path.startswith("/view/"):
            site.update(path, delay=seconds)
