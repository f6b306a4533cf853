"""The real PostgreSQL and Redis servers of the scale-out tests (issue 22).

Found through NEWSWATCH_TEST_POSTGRES / NEWSWATCH_TEST_REDIS (defaults: the development and
CI machines' servers). Each test gets its own PostgreSQL database and its own Redis db
number, dropped or flushed afterwards. Without the servers the tests skip with one line
naming what is missing; with NEWSWATCH_SERVERS=required (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"
REDIS_DBS = 16  # Redis's default `databases`; db 0 is left to the machine
CLAIM_KEY = "newswatch-tests:db"  # in db 0: which numbers test runs hold
CLAIM_SECONDS = 1800  # longer than any test (pytest's timeout is 300 s)


def postgres_admin_url() -> str:
    return os.environ.get("NEWSWATCH_TEST_POSTGRES", POSTGRES_DEFAULT)


def redis_base_url() -> str:
    return os.environ.get("NEWSWATCH_TEST_REDIS", REDIS_DEFAULT)


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or default_port)
    try:
        with socket.create_connection(address, 2):
            return True
    except OSError:
        return False


def _missing(what: str, url: str) -> None:
    message = f"{what} not reachable at {url} (set NEWSWATCH_TEST_{what.upper()})"
    if os.environ.get("NEWSWATCH_SERVERS") == "required":
        pytest.fail(message + ": .ci/run requires it", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """postgresql://… of a new, empty database, dropped after the test."""
    admin = postgres_admin_url()
    if not _reachable(admin, 5432):
        _missing("postgres", admin)
    import psycopg

    name = f"nw_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """redis://… of a Redis db number of its own (flushed before and after the test)."""
    base = redis_base_url()
    if not _reachable(base, 6379):
        _missing("redis", base)
    import redis

    machine = redis.Redis.from_url(base)
    number = _claim_db(machine)
    url = urlunsplit(urlsplit(base)._replace(path=f"/{number}"))
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
        machine.delete(f"{CLAIM_KEY}{number}")
        machine.close()


def _claim_db(machine: Any) -> int:
    """A db number no other test run on this machine holds (two suites may run at once):
    claimed with SET NX in the base db, released after the test, expiring if it dies."""
    numbers = list(range(1, REDIS_DBS))
    secrets.SystemRandom().shuffle(numbers)
    for number in numbers:
        if machine.set(f"{CLAIM_KEY}{number}", os.getpid(), nx=True, ex=CLAIM_SECONDS):
            return number
    pytest.fail(f"all {REDIS_DBS - 1} Redis db numbers are held by other test runs ({CLAIM_KEY}*)")


def missing_servers() -> dict[str, str]:
    """fixture name -> "PostgreSQL at URL" for each server this machine does not answer on."""
    missing = {}
    if not _reachable(postgres_admin_url(), 5432):
        missing["postgres_url"] = f"PostgreSQL at {postgres_admin_url()}"
    if not _reachable(redis_base_url(), 6379):
        missing["redis_url"] = f"Redis at {redis_base_url()}"
    return missing


def set_aside(items: list[pytest.Item]) -> tuple[list[pytest.Item], list[pytest.Item], str]:
    """(kept, dropped, one line) when a server is missing and not required: the tests that need
    it are left out, and one line says which and why, instead of one skip line per test."""
    wanted = [
        i for i in items if {"postgres_url", "redis_url"} & set(getattr(i, "fixturenames", ()))
    ]
    if not wanted or os.environ.get("NEWSWATCH_SERVERS") == "required":
        return items, [], ""
    missing = missing_servers()
    dropped = [i for i in wanted if set(missing) & set(i.fixturenames)]
    if not dropped:
        return items, [], ""
    kept = [i for i in items if i not in dropped]
    line = (f"{len(dropped)} scale-out tests not run: {' and '.join(missing.values())} not"
            " reachable (set NEWSWATCH_TEST_POSTGRES / NEWSWATCH_TEST_REDIS)")  # fmt: skip
    return kept, dropped, line
