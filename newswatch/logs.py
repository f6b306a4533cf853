"""Logging for the service: one line per event on stderr, as text, JSON or for journald.

Under systemd (stderr is the journal's stream, `JOURNAL_STREAM`) each line starts with its
syslog priority (`<4>` for a warning), so `journalctl -p warning` shows what needs a look.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

FORMATS = ("text", "json", "journal")
TEXT = "%(asctime)s %(levelname)s %(name)s source=%(source)s run=%(run)s: %(message)s"
# journald stamps each line itself; the priority prefix is what `journalctl -p` filters on.
JOURNAL = "%(levelname)s %(name)s source=%(source)s run=%(run)s: %(message)s"
# sd-daemon(3) priorities: err, warning, info, debug (critical is crit).
PRIORITIES = {"CRITICAL": 2, "ERROR": 3, "WARNING": 4, "INFO": 6, "DEBUG": 7}


class _Defaults(logging.Filter):
    """Every record gets a source and a run, so every line can show them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.source = getattr(record, "source", "-")
        record.run = getattr(record, "run", "-")
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "source": record.source,
            "run": record.run,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class JournalFormatter(logging.Formatter):
    """`<N>` before every line (a traceback's too), so journald files each at its priority."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{PRIORITIES.get(record.levelname, 6)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines())


def stderr_is_journal(env: Mapping[str, str], stream: TextIO) -> bool:
    """Whether `stream` is the journal's stream: systemd sets JOURNAL_STREAM=dev:inode."""
    value = env.get("JOURNAL_STREAM", "")
    dev, _, inode = value.partition(":")
    if not (dev.isdigit() and inode.isdigit()):
        return False
    try:
        stat = os.fstat(stream.fileno())
    except (OSError, ValueError):
        return False
    return (stat.st_dev, stat.st_ino) == (int(dev), int(inode))


def choose_format(given: str | None, env: Mapping[str, str], stream: TextIO) -> str:
    """The format asked for, else `journal` when stderr goes to journald, else `text`."""
    if given:
        return given
    return "journal" if stderr_is_journal(env, stream) else "text"


def setup_logging(fmt: str = "text", level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_Defaults())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    elif fmt == "journal":
        handler.setFormatter(JournalFormatter(JOURNAL))
    else:
        handler.setFormatter(logging.Formatter(TEXT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel("WARNING")
