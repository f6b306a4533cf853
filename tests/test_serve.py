"""`newswatch serve`: the archive read in headless Chromium, as a reader would.

The fixture sites (Yonhap-like and a partner paper that republishes one story) are crawled
once into an archive; `newswatch serve` runs as a subprocess on a free loopback port; Selenium
drives Debian's chromium through /usr/bin/chromedriver; the Atom feed is read by feedparser.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from datasette.utils import tilde_encode
from fixtures import news_site
from fixtures.news_site import (
    FEED_ONLY,
    FLAKY,
    KOREAN,
    LEAD_ORIGINAL,
    LEAD_UPDATE,
    PARTNER_COPY,
    SITEMAP_ONLY,
    SYNDICATED,
)
from support.cli import newswatch_command
from support.site import FixtureSite

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,900",
)  # fmt: skip
RULES = [
    # the NOT excludes a stored article (the farmers story says "young"): it can fail
    {"name": "drones", "query": "(drone* OR farmers) NOT young", "to": ["analyst@example.org"]},
    # matches nothing (the word is in sidebars only); a name to quote in URLs
    {"name": "quiet/이름 & co", "query": "hypersonic", "to": ["analyst@example.org"]},
]


@dataclass(frozen=True)
class Archive:
    config: Path
    yonhap: str  # the fixture sites' base URLs
    partner: str


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    log: Path

    def get(self, path: str) -> tuple[int, str]:
        """(status, body) of GET `path`, following redirects."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A config whose archive holds both fixture sites' articles, rules matched once."""
    folder = tmp_path_factory.mktemp("serve")
    with FixtureSite("127.0.0.1") as site, FixtureSite("127.0.0.2") as partner:
        news_site.install_yonhap(site)
        news_site.install_partner(partner)
        sources = [news_site.yonhap_source(site.base), news_site.partner_source(partner.base)]
        config = news_site.config_dict(sources, alerts={"rules": RULES})
        path = news_site.write_config(folder / "config.yaml", config)
        crawled = subprocess.run(
            [*newswatch_command(), "--config", str(path), "crawl"],
            cwd=folder, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert crawled.returncode == 0, crawled.stdout + crawled.stderr
        return Archive(path, site.base, partner.base)


def start_server(archive: Archive, *options: str) -> tuple[subprocess.Popen[bytes], Server]:
    """`newswatch serve` on a free port, once it answers; on another port if another process
    took that one between the probe and serve's own bind (serve then says so, exit 2)."""
    for _ in range(5):
        port = free_port()
        log = archive.config.parent / f"serve-{port}.log"
        command = [*newswatch_command(), "--config", str(archive.config), "serve",
                   "--port", str(port), *options]  # fmt: skip
        with log.open("w") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + 30
        while proc.poll() is None and not _ready(server):
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("serve did not start in 30 s: " + log.read_text())
            time.sleep(0.2)
        if proc.poll() is None:
            return proc, server
        assert "is in use" in log.read_text(), log.read_text()
    pytest.fail("five ports in a row were taken before serve could bind one")


def _ready(server: Server) -> bool:
    try:
        return server.get("/-/versions.json")[0] == 200
    except OSError:
        return False


def stop_server(proc: subprocess.Popen[bytes], server: Server) -> None:
    proc.terminate()
    proc.wait(timeout=15)
    output = server.log.read_text()
    assert proc.returncode == 0, output
    # Datasette logs a query refused by the authorizer; nothing else may fail
    # (plain, or drawn by rich when it is installed, as mutmut's extra brings it)
    for failure in output.split("Traceback")[1:]:
        assert re.search(r"access to outbox\.\w+ is prohibited", failure), output


@pytest.fixture(scope="module")
def server(archive: Archive) -> Iterator[Server]:
    proc, running = start_server(archive)
    try:
        yield running
    finally:
        stop_server(proc, running)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium: pip install '.[test]'")
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromedriver are not installed (make test installs them as root)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chrome")
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def find(driver, css: str) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def texts(driver, css: str) -> list[str]:
    return [element.text for element in find(driver, css)]


def search_for(driver, base: str, query: str) -> None:
    """Types `query` into the search box of the front page and submits it."""
    from selenium.webdriver.common.keys import Keys

    driver.get(base + "/")
    find(driver, ".nw-search input")[0].send_keys(query, Keys.ENTER)
    deadline = time.monotonic() + 15
    while "_search=" not in driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)


def no_sideways_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def article_id(server: Server, url: str) -> int:
    """The archive's id of the article stored from `url`."""
    query = urllib.parse.urlencode({"url": url, "_shape": "array"})
    status, body = server.get(f"/archive/articles.json?{query}")
    assert status == 200, body
    return json.loads(body)[0]["id"]


# -- the front page -------------------------------------------------------------------------


def test_the_front_page_lists_the_newest_stories_each_once(archive, server, browser):
    browser.get(server.base + "/")

    assert browser.current_url.endswith("/archive/stories")
    assert browser.title == "Newest stories · newswatch"
    headlines = texts(browser, "li.nw-item h2")
    newest = [SITEMAP_ONLY, FEED_ONLY, LEAD_ORIGINAL, FLAKY, SYNDICATED]
    assert headlines[:5] == [story.headline for story in newest]
    # an update is listed under its original, never as a story of its own
    assert LEAD_UPDATE.headline not in headlines
    drills = find(browser, "li.nw-item")[2]
    assert "2023-03-01 14:20 KST" in drills.find_elements("css selector", ".nw-meta")[0].text
    updates = [li.text for li in drills.find_elements("css selector", ".nw-updates li")]
    assert updates == [f"Update 2023-03-01 15:10 KST: {LEAD_UPDATE.headline}"]
    # a copy on another site: "also carried by", linking to the copy in the archive
    reserve = find(browser, "li.nw-item")[4]
    carried = reserve.find_elements("css selector", ".nw-carried a")
    assert [a.text for a in carried] == ["partner"]
    copy_id = article_id(server, f"{archive.partner}{PARTNER_COPY.path}")
    assert carried[0].get_attribute("href") == f"{server.base}/archive/articles/{copy_id}"
    assert PARTNER_COPY.title not in headlines


def test_the_front_page_reads_like_news_not_like_a_database(archive, server, browser):
    browser.get(server.base + "/archive/stories")
    page = find(browser, "body")[0].text

    first = find(browser, "li.nw-item")[0]
    link = first.find_element("css selector", "h2 a")
    original = first.find_element("css selector", "a.nw-original")
    assert link.get_attribute("href").startswith(f"{server.base}/archive/articles/")
    assert original.get_attribute("href") == archive.yonhap + SITEMAP_ONLY.path
    assert "2023-03-03 10:15 KST" in first.text and "01:15:00Z" not in page
    assert first.find_element("css selector", ".nw-text").text.startswith(
        SITEMAP_ONLY.paragraphs[0][:60]
    )
    for database_words in ("CREATE TABLE", "select ", "[]", "Run SQL", "Format SQL"):
        assert database_words not in page
    feeds = find(browser, "link[type='application/atom+xml']")
    assert [a.get_attribute("href") for a in feeds] == [
        f"{server.base}/rules/drones.atom",
        f"{server.base}/rules/{tilde_encode('quiet/이름 & co')}.atom",
    ]


# -- search ---------------------------------------------------------------------------------


def test_a_search_lists_matches_newest_first_with_marked_snippets(server, browser):
    search_for(browser, server.base, 'drone* OR "reserve forces"')

    assert find(browser, "h1")[0].text == '4 articles match drone* OR "reserve forces"'
    assert texts(browser, "li.nw-item h2") == [
        LEAD_UPDATE.headline, LEAD_ORIGINAL.headline, PARTNER_COPY.title, SYNDICATED.headline
    ]  # fmt: skip
    marked = {text.lower() for text in texts(browser, "li.nw-item mark")}
    assert marked == {"drone", "reserve forces"}
    first_meta = find(browser, "li.nw-item .nw-meta")[0].text
    assert "yonhap" in first_meta and "2023-03-01 15:10 KST" in first_meta


def test_search_facets_by_source_and_by_local_day_in_date_order(server, browser):
    search_for(browser, server.base, 'drone* OR "reserve forces"')

    assert texts(browser, "[data-facet='source'] li") == ["yonhap 3", "partner 1"]
    days = texts(browser, "[data-facet='published_at'] li")
    assert days == ["2023-03-01 2", "2023-02-15 2"]  # KST days, newest first
    find(browser, "[data-facet='published_at'] li a")[1].click()

    assert texts(browser, "li.nw-item h2") == [PARTNER_COPY.title, SYNDICATED.headline]
    assert "day: 2023-02-15" in find(browser, ".nw-chip")[0].text


def test_the_day_facet_reads_back_as_far_as_its_days_go(server):
    query = urllib.parse.urlencode(
        {"_search": 'drone* OR "reserve forces" OR 탄도미사일', "_facet_size": 2}
    )
    status, body = server.get(f"/archive/articles.json?{query}")
    assert status == 200, body

    days = json.loads(body)["facet_results"]["published_at"]
    # matches on 2023-03-01, 02-15 and 02-14 (KST): the two newest, and more to show
    assert [(d["value"], d["count"]) for d in days["results"]] == [
        ("2023-03-01", 2), ("2023-02-15", 2)
    ]  # fmt: skip
    assert days["truncated"] is True


def test_every_article_is_listed_with_counts_by_source_and_local_day(server):
    status, body = server.get("/archive/articles.json?_shape=objects&_size=max")
    assert status == 200, body
    page = json.loads(body)
    kst = ZoneInfo("Asia/Seoul")
    local_days = Counter(
        datetime.fromisoformat(row["published_at"].replace("Z", "+00:00")).astimezone(kst)
        .date().isoformat() for row in page["rows"]
    )  # fmt: skip

    days = page["facet_results"]["published_at"]["results"]
    assert [(d["value"], d["count"]) for d in days] == sorted(local_days.items(), reverse=True)
    sources = page["facet_results"]["source"]["results"]
    assert {(s["value"], s["count"]) for s in sources} == {("yonhap", 11), ("partner", 2)}
    html = server.get("/archive/articles")[1]
    assert f"<h1>{len(page['rows'])} articles</h1>" in html


def test_korean_is_found_inside_words(server, browser):
    search_for(browser, server.base, "탄도미사일")  # the page says 탄도미사일을

    assert texts(browser, "li.nw-item h2") == [KOREAN.headline]
    assert texts(browser, "li.nw-item mark") == ["탄도미사일"]


def test_a_malformed_query_shows_the_error_the_cli_prints(archive, server, browser, run_cli):
    cli = run_cli("search", "(missile OR", config=archive.config)
    assert cli.returncode == 2
    expected = cli.stderr.strip().removeprefix("newswatch: error: ")

    search_for(browser, server.base, "(missile OR")

    assert texts(browser, ".nw-error") == [expected]
    assert expected.endswith("expected a word or phrase but found the end of the query at "
                             "position 12")  # fmt: skip
    assert find(browser, "li.nw-item") == []
    assert "0 rows" not in find(browser, "body")[0].text


# -- an article -----------------------------------------------------------------------------


def test_an_article_page_reads_as_an_article_with_its_versions(archive, server, browser):
    browser.get(server.base + "/")
    find(browser, "li.nw-item .nw-updates a")[0].click()  # the (LEAD) under its original

    assert find(browser, "h1")[0].text == LEAD_UPDATE.headline
    assert browser.title == f"{LEAD_UPDATE.headline} · newswatch"
    meta = find(browser, ".nw-article .nw-meta")[0].text
    assert meta.startswith("By Park Min-ho") and "2023-03-01 15:10 KST" in meta
    source = find(browser, "a.nw-original")[0]
    assert source.get_attribute("href") == archive.yonhap + LEAD_UPDATE.path
    assert texts(browser, ".nw-body p") == list(LEAD_UPDATE.paragraphs)
    assert texts(browser, ".nw-tags .nw-tag") == list(LEAD_UPDATE.tags)
    versions = find(browser, ".nw-versions li")
    assert [v.find_element("css selector", "a, strong").text for v in versions] == [
        LEAD_ORIGINAL.headline, LEAD_UPDATE.headline
    ]  # fmt: skip
    assert versions[1].get_attribute("aria-current") == "page"
    assert "original" in versions[0].text


def test_an_article_page_shows_what_each_later_version_and_copy_added(archive, server, browser):
    update = article_id(server, archive.yonhap + LEAD_UPDATE.path)
    browser.get(f"{server.base}/archive/articles/{update}")
    original, lead = find(browser, ".nw-versions li")
    assert find(original, ".nw-added") == [], "the original is the article itself"
    assert texts(lead, ".nw-added p") == [f"NEW {p}" for p in LEAD_UPDATE.paragraphs[-2:]]
    story = subprocess.run(
        [*newswatch_command(), "--config", str(archive.config), "story", str(update)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "LEAD · 2023-03-01 15:10 KST · yonhap · 2 new sentences" in story.stdout, story.stdout
    syndicated = article_id(server, archive.yonhap + SYNDICATED.path)
    browser.get(f"{server.base}/archive/articles/{syndicated}")
    [copy] = find(browser, ".nw-copies li")
    assert copy.text.endswith("· nothing new") and find(copy, ".nw-added") == []


def test_an_article_page_lists_the_copies_and_fits_a_phone(archive, server, browser):
    original = article_id(server, archive.yonhap + SYNDICATED.path)
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{server.base}/archive/articles/{original}")
        assert no_sideways_scroll(browser)
        copies = find(browser, ".nw-copies li")
        assert [c.text.split(",")[0] for c in copies] == [f"partner: {PARTNER_COPY.title}"]
        body_px = browser.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('.nw-body p')).fontSize)"
        )
        assert body_px >= 16
        for page in ("/", f"/archive/articles?_search={urllib.parse.quote('drone*')}"):
            browser.get(server.base + page)
            assert no_sideways_scroll(browser), page
    finally:
        browser.set_window_size(1280, 900)


# -- rules as Atom feeds --------------------------------------------------------------------


def test_each_rule_is_an_atom_feed_a_feed_reader_can_parse(archive, server):
    feedparser = pytest.importorskip("feedparser", reason="feedparser: pip install '.[test]'")
    status, body = server.get("/rules/drones.atom")
    assert status == 200

    feed = feedparser.parse(body)

    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "newswatch: drones ((drone* OR farmers) NOT young)"
    assert len(feed.entries) == 1  # one story: the original and its update are one story
    entry = feed.entries[0]
    story = {LEAD_ORIGINAL.headline: LEAD_ORIGINAL, LEAD_UPDATE.headline: LEAD_UPDATE}
    assert entry.title in story
    assert entry.link == archive.yonhap + story[entry.title].path
    assert entry.updated_parsed[:5] == time.strptime(story[entry.title].published_at,
                                                     "%Y-%m-%dT%H:%M:%SZ")[:5]  # fmt: skip
    shown = time.strftime("%Y-%m-%d %H:%M", time.strptime(story[entry.title].published,
                                                          "%H:%M %B %d, %Y"))  # fmt: skip
    assert entry.summary.startswith(f"yonhap · {shown} KST")
    assert "combined drone-defense exercise" in entry.summary


def test_a_rule_without_matches_is_a_valid_feed_and_an_unknown_rule_is_404(server):
    feedparser = pytest.importorskip("feedparser", reason="feedparser: pip install '.[test]'")

    status, body = server.get(f"/rules/{tilde_encode('quiet/이름 & co')}.atom")
    assert status == 200

    feed = feedparser.parse(body)

    assert not feed.bozo
    assert feed.feed.title == "newswatch: quiet/이름 & co (hypersonic)"
    assert [e.title for e in feed.entries] == ["No story has matched rule quiet/이름 & co yet"]
    assert server.get(feed.entries[0].link.removeprefix(server.base))[0] == 200  # its page
    status, body = server.get("/rules/nonesuch.atom")
    assert status == 404
    assert "no rule named &#39;nonesuch&#39; (rules: drones, quiet/이름 &amp; co)" in body


# -- what is served, and to whom ------------------------------------------------------------

INTERNAL = ("outbox", "failed_urls", "state", "crawl_runs", "source_health")


def test_internal_tables_are_not_served_without_all_tables(server):
    for table in INTERNAL:
        assert server.get(f"/archive/{table}")[0] == 403, table
        assert server.get(f"/archive/{table}.json")[0] == 403, table
    # nor through SQL, a canned query's parameters or a table's _where
    sql = urllib.parse.urlencode({"sql": "select recipient, message from outbox"})
    status, body = server.get(f"/archive.json?{sql}")
    assert status == 400 and "prohibited" in body and "analyst@" not in body
    where = urllib.parse.urlencode({"_where": "(select recipient from outbox) like 'a%'"})
    status, body = server.get(f"/archive/articles.json?{where}")
    assert status >= 400 and "analyst@" not in body
    listed = server.get("/archive")[1]
    assert not any(f'href="/archive/{table}"' in listed for table in INTERNAL)


def test_all_tables_serves_the_outbox(archive):
    proc, server = start_server(archive, "--all-tables")
    try:
        status, body = server.get("/archive/outbox.json?_shape=array")
    finally:
        stop_server(proc, server)
    assert status == 200
    assert {row["recipient"] for row in json.loads(body)} == {"analyst@example.org"}


def test_a_host_beyond_loopback_is_warned_about(archive, run_cli):
    # 192.0.2.1 (TEST-NET) is on no interface here: the warning, then the error, exit 2
    result = run_cli("serve", "--host", "192.0.2.1", "--port", "8001", config=archive.config,
                     timeout=30)  # fmt: skip

    assert result.returncode == 2
    warning, error = result.stderr.strip().splitlines()
    assert warning == (
        "newswatch: warning: --host 192.0.2.1 is not a loopback address: anyone on that network"
        " who can reach 192.0.2.1:8001 can read the archive (the articles and alert matches),"
        " no login"
    )
    assert error.startswith("newswatch: error: cannot listen on 192.0.2.1:8001")


def test_a_busy_port_is_one_line_and_exit_2(archive, run_cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port), config=archive.config, timeout=30)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [  # loopback: no warning
        f"newswatch: error: port {port} on 127.0.0.1 is in use (choose another with --port)"
    ]
