"""`newswatch serve`: the archive in Datasette, driven end to end by headless Chromium.

The archive is built by crawling the fixture site; `newswatch serve` runs as a subprocess on a
free loopback port; Selenium drives Debian's chromium through /usr/bin/chromedriver.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.news_site import KOREAN, LEAD_UPDATE, expected_paths
from support.cli import newswatch_command

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,900",
)  # fmt: skip


def unused_port() -> int:
    """A port free a moment ago. `serve` binds it itself, so another process may take it in
    between: start_serve then tries another one (serve says so and exits 2)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def start_serve(archive: Path, workdir: Path, seconds: float = 60) -> tuple[subprocess.Popen, str]:
    """`newswatch serve` on a free port, once its articles page answers; retried on another
    port when it lost the port to another process."""
    log = workdir / "serve.log"
    for _ in range(5):
        port = unused_port()
        command = [*newswatch_command(), "--config", str(archive), "serve", "--port", str(port)]
        with log.open("w") as out:
            proc = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/news/articles"
        deadline = time.monotonic() + seconds
        while proc.poll() is None and not answers(url):
            assert time.monotonic() < deadline, f"serve did not answer in {seconds} s"
            time.sleep(0.2)
        if proc.poll() is None:
            return proc, url
        assert "is in use" in log.read_text(), log.read_text()
    raise AssertionError("five ports in a row were taken before serve could bind one")


@pytest.fixture
def archive(write_config, run_cli) -> Path:
    """A config whose archive holds the fixture site's articles."""
    config = write_config()
    crawled = run_cli("crawl", config=config)
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    return config


@pytest.fixture
def server(archive: Path, workdir: Path) -> Iterator[str]:
    """`newswatch serve` on a free port; yields the articles table's URL."""
    proc, url = start_serve(archive, workdir)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert proc.returncode == 0, (workdir / "serve.log").read_text()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium: pip install '.[test]'")
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromedriver are not installed (make test installs them as root)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tmp_path / 'chrome'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def search(driver, url: str, query: str) -> str:
    """Types `query` into the table's search box, submits it, returns the page text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(url)
    box = driver.find_element(By.ID, "_search")
    box.clear()
    box.send_keys(query, Keys.ENTER)
    deadline = time.monotonic() + 15
    while "_search=" not in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)
    return driver.find_element(By.TAG_NAME, "body").text


def test_the_archive_page_loads_with_facets_and_links_to_the_originals(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server)

    assert browser.find_element(By.TAG_NAME, "h1").text == "Articles"
    text = browser.find_element(By.TAG_NAME, "body").text
    assert f"{len(expected_paths())} rows" in text
    facets = [f.get_attribute("data-column") for f in browser.find_elements(By.CSS_SELECTOR,
              ".facet-info")]  # fmt: skip
    assert set(facets) >= {"source", "published_at"}
    original = LEAD_UPDATE.path
    links = browser.find_elements(By.CSS_SELECTOR, f'td.col-url a[href$="{original}"]')
    assert links and links[0].get_attribute("target") == "_blank"
    assert not browser.find_element(By.CSS_SELECTOR, "th.col-signature").is_displayed()


def test_a_search_finds_the_expected_article_in_english_and_in_korean(server, browser):
    text = search(browser, server, "drone NOT Japan")

    assert 'search matches "drone NOT Japan"' in text
    assert LEAD_UPDATE.headline in text
    assert KOREAN.headline not in text

    text = search(browser, server, "탄도미사일")  # the page says 탄도미사일을: inside a word

    assert KOREAN.headline in text
    assert LEAD_UPDATE.headline not in text


def test_a_busy_port_is_one_line_and_exit_2(archive, run_cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port), config=archive, timeout=30)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newswatch: error: port {port} on 127.0.0.1 is in use (choose another with --port)"
    ]
