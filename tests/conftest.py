"""Shared fixtures: the fixture news sites, the SMTP server, a config writer and the CLI runner.

The servers themselves live in support/ (site.py, smtp.py); test modules import helpers from
support/ and fixture data from fixtures/, never from one another.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures import news_site
from support.accounting import check_page_accounting
from support.cli import newswatch_command
from support.servers import postgres_url, redis_url, set_aside  # noqa: F401 (fixtures)
from support.site import FixtureSite
from support.smtp import SmtpServer

CLI_TIMEOUT = 120  # seconds; a crawl of the fixture site takes a few


@pytest.hookimpl(trylast=True)  # after -m has chosen: count only the tests that would run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without PostgreSQL or Redis, their tests are left out with one line (see servers.py)."""
    kept, dropped, line = set_aside(items)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        config.stash[_SERVERS_NOTE] = line


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _SERVERS_NOTE in config.stash:
        terminalreporter.write_line(config.stash[_SERVERS_NOTE], yellow=True)


_SERVERS_NOTE = pytest.StashKey[str]()


@pytest.fixture(autouse=True)
def page_accounting(tmp_path: Path) -> Iterator[None]:
    """After every test: each crawl it ran accounted for every article page it fetched."""
    yield
    check_page_accounting(tmp_path)


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    """The Yonhap-like site on 127.0.0.1 (see fixtures/news_site.py)."""
    with FixtureSite("127.0.0.1") as server:
        news_site.install_yonhap(server)
        yield server


@pytest.fixture
def partner() -> Iterator[FixtureSite]:
    """The partner newspaper on 127.0.0.2, republishing one Yonhap story."""
    with FixtureSite("127.0.0.2") as server:
        news_site.install_partner(server)
        yield server


@pytest.fixture
def make_site() -> Iterator[Callable[..., FixtureSite]]:
    """make_site(host="127.0.0.1") -> an empty, started FixtureSite, stopped after the test."""
    made: list[FixtureSite] = []

    def make(host: str = "127.0.0.1") -> FixtureSite:
        made.append(FixtureSite(host).start())
        return made[-1]

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that accepts everything into `.inbox`."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def write_config(workdir: Path, site: FixtureSite) -> Callable[..., Path]:
    """write_config(**overrides) -> path of a config.yaml in workdir.

    Top-level keys (database, timezone, crawl, sources, alerts) replace the defaults (crawl is
    merged); any other keyword overrides a key of the default Yonhap source, e.g.
    write_config(max_list_pages=1). `filename=` picks another file name.
    """

    def write(filename: str = "config.yaml", **overrides: Any) -> Path:
        top = {k: overrides.pop(k) for k in list(overrides) if k in news_site.TOP_LEVEL_KEYS}
        top.setdefault("sources", [news_site.yonhap_source(site.base, **overrides)])
        return news_site.write_config(workdir / filename, news_site.config_dict(**top))

    return write


@pytest.fixture
def run_cli(workdir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """run_cli(*args, config=PATH) runs `newswatch [--config PATH] ARGS` in workdir."""

    def run(
        *args: str, config: Path | None = None, timeout: float = CLI_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        command = newswatch_command()
        if config is not None:
            command += ["--config", str(config)]
        env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"}
        env["PYTHONIOENCODING"] = "utf-8"
        return subprocess.run(
            [*command, *args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
        )

    return run
