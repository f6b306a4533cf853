"""Locks beside the archive, across processes: one crawl of a source at a time, and one
service per archive. Each is an flock on a file in `.<database>.locks/` (0700, files 0600).

The operating system drops a lock when its process ends, even by kill -9, so a crashed crawl
never leaves a source locked. The file says who holds it (pid, since when, until when at the
latest, and which service started it), for messages and for the service, which kills a crawl
an earlier service left running past its deadline.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from db.connection import ArchiveError, private_folder
from db.coordination import is_postgres

SERVICE = "service"  # the lock name of the service; sources are named otherwise (no dots)


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: written into the lock file by the holder."""

    pid: int
    started_at: str = ""  # ISO 8601 UTC
    deadline: str = ""  # when its crawl must have ended, at the latest ("" for the service)
    service: int = 0  # pid of the service that started the crawl; 0 when run by hand


def lock_path(database: Path, name: str) -> Path:
    return database.parent / f".{database.name}.locks" / f"{name}.lock"


def _open(database: Path, name: str) -> int:
    path = lock_path(database, name)
    private_folder(path.parent)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot open the lock file: {exc.strerror}") from None


def try_lock(database: Path, name: str, holder: Holder | None = None) -> int | None:
    """A file descriptor holding the lock, or None when another process holds it."""
    fd = _open(database, name)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps(asdict(holder or Holder(os.getpid()))).encode())
    return fd


def is_held(database: Path, name: str) -> bool:
    """Whether some process holds the lock (probed with a shared lock, released at once)."""
    if not lock_path(database, name).exists():
        return False
    fd = _open(database, name)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def read_holder(database: Path, name: str) -> Holder | None:
    """What the holder wrote (None when unreadable; a bare pid from older versions works)."""
    try:
        text = lock_path(database, name).read_text().strip()
    except OSError:
        return None
    if text.isdigit():
        return Holder(int(text))
    try:
        return Holder(**json.loads(text))
    except (ValueError, TypeError):
        return None


def holder(database: Path, source: str) -> str:
    """The pid of the process holding the lock (for messages), or '?'."""
    found = read_holder(database, source)
    return str(found.pid) if found else "?"


class SourceLocks:
    """The locks of some sources, taken at once; `release(name)` lets one go early (a
    service batch frees a source as soon as its own crawl ends)."""

    def __init__(self, database: Path, names: list[str], holder: Holder | None = None) -> None:
        self.held: dict[str, int] = {}
        self.busy: list[str] = []
        self.cluster: Any = None  # the PostgreSQL advisory locks, when the archive is there
        self.elsewhere: set[str] = set()  # busy by their advisory lock alone: no holder here
        try:
            for name in names:
                fd = try_lock(database, name, holder)
                if fd is None:
                    self.busy.append(name)
                else:
                    self.held[name] = fd
        except BaseException:
            self.release_all()
            raise
        self.locked = list(self.held)

    def across_machines(self, url: str) -> None:
        """PostgreSQL archive: also each source's advisory lock (db.coordination), which
        workers on other machines take too; a source another machine crawls is busy."""
        from db.coordination import SourceLocks as AdvisoryLocks

        self.cluster = AdvisoryLocks(url, self.locked)
        self.elsewhere = set(self.cluster.busy)
        for name in self.cluster.busy:
            self.release(name)
            self.busy.append(name)
        self.locked = self.cluster.locked

    def release(self, name: str) -> None:
        if self.cluster is not None:
            self.cluster.release(name)
        fd = self.held.pop(name, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def release_all(self) -> None:
        for name in list(self.held):
            self.release(name)
        if self.cluster is not None:
            self.cluster.release_all()


@contextmanager
def source_locks(
    database: Path, names: list[str], holder: Holder | None = None
) -> Iterator[SourceLocks]:
    """The sources' locks (`.locked`, `.busy` names), held until the block ends."""
    locks = SourceLocks(database, names, holder)
    try:
        if is_postgres(database):
            locks.across_machines(str(database))
        yield locks
    finally:
        locks.release_all()
