"""One crawl of a source at a time, across processes: an flock per source.

The operating system drops the lock when its process ends, even by kill -9, so a
crashed crawl never leaves a source locked.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _lock_path(database: Path, source: str) -> Path:
    return database.parent / f".{database.name}.locks" / f"{source}.lock"


def try_lock(database: Path, source: str) -> int | None:
    """A file descriptor holding the source's lock, or None when another process holds it."""
    path = _lock_path(database, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def holder(database: Path, source: str) -> str:
    """The pid written by the process holding the lock (for the message), or '?'."""
    try:
        return _lock_path(database, source).read_text().strip() or "?"
    except OSError:
        return "?"


@contextmanager
def source_locks(database: Path, names: list[str]) -> Iterator[tuple[list[str], list[str]]]:
    """(locked names, busy names); the locks are held until the block ends."""
    held: dict[str, int] = {}
    busy = []
    try:
        for name in names:
            fd = try_lock(database, name)
            if fd is None:
                busy.append(name)
            else:
                held[name] = fd
        yield list(held), busy
    finally:
        for fd in held.values():
            os.close(fd)
