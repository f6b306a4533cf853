"""`newswatch demo`: the whole pipeline once, offline, on a bundled sample site.

A Yonhap-like sample site (newswatch/demo_site/: a list page, an RSS feed, five made-up
articles, one of them a "(LEAD)" update of another) is served on 127.0.0.1; a config with two
rules is written into a fresh folder; `newswatch crawl` runs on it in a child process (Scrapy's
reactor runs once per process); the alerts land in a Maildir, and one of them is printed.
Then the site publishes a "(2nd LD)" of the alerted story with new facts (the parts of its
pages between <!--later--> and <!--/later-->, and the pages in LATER), a second crawl finds it,
and the update email that the rule following the story sends is printed too.
"""

from __future__ import annotations

import contextlib
import http.server
import mailbox
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from importlib.resources import files
from pathlib import Path
from typing import Any

import click
import yaml

from newswatch.config import Config, load_config

SITE = files("newswatch") / "demo_site"
CRAWL_TIMEOUT = 60  # seconds; the crawl takes two or three
TYPES = {".html": "text/html; charset=utf-8", ".xml": "text/xml; charset=utf-8",
         ".txt": "text/plain; charset=utf-8"}  # fmt: skip
RULES = [
    {"name": "missiles", "query": '"ballistic missile" OR 탄도미사일',
     "to": ["you@example.org"], "updates": True},
    {"name": "deterrence", "query": '"extended deterrence"', "to": ["you@example.org"]},
]  # fmt: skip
LATER = ("/view/AEN20240305000152315",)  # published between the two crawls
_LATER_PARTS = re.compile(rb"<!--later-->.*?<!--/later-->\n?", re.DOTALL)


class DemoError(Exception):
    """The demo could not run: one line for the user."""


def site_file(path: str) -> tuple[bytes, str] | None:
    """The bundled file for a URL path, and its content type: /news -> news.html."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if not parts or any(p.startswith(".") for p in parts):
        return None
    node = SITE.joinpath(*parts)
    if not node.is_file():
        node = SITE.joinpath(*parts[:-1], parts[-1] + ".html")
    if not node.is_file():
        return None
    return node.read_bytes(), TYPES.get(Path(node.name).suffix, "application/octet-stream")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        later = self.server.later
        found = site_file(self.path) if later or self.path.split("?")[0] not in LATER else None
        body, kind = found or (b"<h1>Not found</h1>", "text/html; charset=utf-8")
        body = body.replace(b"{{BASE}}", self.server.base.encode())
        body = body if later else _LATER_PARTS.sub(b"", body)
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    base = ""
    later = False  # whether the pages published between the crawls are out


@contextlib.contextmanager
def demo_site() -> Iterator[_Server]:
    """Serves the sample site on a free port of 127.0.0.1 (at its `.base`) until the end."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def write_config(folder: Path, base: str) -> Path:
    source = {
        "name": "yonhap", "start_urls": [f"{base}/news"], "feeds": [f"{base}/RSS/news.xml"],
        "article_url_pattern": r"/view/AEN\d+", "max_list_pages": 1, "timezone": "Asia/Seoul",
        "selectors": {"title": "header.title-article01 h1.tit", "body": "article.story-news > p",
                      "published": "header.title-article01 .info-con span.txt",
                      "exclude": [".related-group"]},
    }  # fmt: skip
    config = {
        "database": "data/newswatch.db", "timezone": "Asia/Seoul",
        "crawl": {"user_agent": "newswatch-demo/1.0 (+mailto:you@example.org)",
                  "download_delay": 0, "autothrottle": False, "timeout": 10, "retries": 1},
        "sources": [source], "alerts": {"rules": RULES},
    }  # fmt: skip
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def crawl(config: Path) -> str:
    """`newswatch --config CONFIG crawl` in a child process; returns what it printed."""
    command = [sys.executable, "-m", "newswatch.cli", "--config", str(config), "crawl"]
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=CRAWL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise DemoError(f"the demo crawl took longer than {CRAWL_TIMEOUT} s") from None
    if done.returncode != 0:
        raise DemoError(f"the demo crawl failed (exit {done.returncode}): {done.stdout[-300:]}")
    return done.stdout


def alerts(maildir: Path) -> list[EmailMessage]:
    """The emails in the Maildir, the first rule's first."""
    box = mailbox.Maildir(maildir, create=False)
    messages: list[EmailMessage] = [
        message_from_bytes(box.get_bytes(key), policy=default_policy)  # type: ignore[misc]
        for key in sorted(box.keys())
    ]
    order = [rule["name"] for rule in RULES]
    rank = {name: i for i, name in enumerate(order)}
    return sorted(messages, key=lambda m: rank.get(str(m["X-Newswatch-Rule"]), len(order)))


def show_alert(message: EmailMessage, count: int) -> None:
    click.echo(f"\none of the {count} alert emails, as its text part reads:")
    click.echo(f"Subject: {message['Subject']}")
    click.echo(f"To: {message['To']}\n")
    text = message.get_body(preferencelist=("plain",))
    shown = text.get_content().replace("\r\n", "\n") if text is not None else "(no text part)"
    click.echo(shown.rstrip())  # the part's lines end in CRLF, as sent


def show_update(message: EmailMessage) -> None:
    click.echo("\nthe update email, a reply to the alert above (mail clients thread it there):")
    click.echo(f"Subject: {message['Subject']}")
    click.echo(f"In-Reply-To: {message['In-Reply-To']}\n")
    text = message.get_body(preferencelist=("plain",))
    shown = text.get_content().replace("\r\n", "\n") if text is not None else "(no text part)"
    click.echo(shown.rstrip())


def show_story(config: Config) -> int | None:
    """Says that the original and its (LEAD) update were one story, alerted once; its id."""
    import db
    from newswatch.query import parse_query

    archive = db.open_db(config.database)
    try:
        hits = db.search_articles(archive, parse_query(RULES[0]["query"]).fts(), 10, ())
    finally:
        archive.close()
    if len(hits) > 1 and len({hit["story_id"] for hit in hits}) == 1:
        click.echo(f"\nrule {RULES[0]['name']} matches {len(hits)} articles, one story "
                   "(an original and its update), so it alerted once:")  # fmt: skip
        for title in sorted(hit["title"] for hit in hits):
            click.echo(f"  {title}")
        return int(hits[0]["story_id"])
    return None


def show_places(folder: Path, loaded: Config, story: int | None) -> None:
    config = loaded.path
    click.echo(f"\neverything is in {folder} (the sample site has stopped; delete it when done):")
    click.echo(f"  config    {config}")
    click.echo(f"  database  {loaded.database}")
    click.echo(f"  maildir   {loaded.maildir}   (mutt -f {loaded.maildir})")
    click.echo(f"try: newswatch --config {config} search missile")
    if story is not None:
        click.echo(f"     newswatch --config {config} story {story}")
    click.echo(f"     newswatch --config {config} serve")


def new_folder(given: Path | None) -> Path:
    if given is None:
        return Path(tempfile.mkdtemp(prefix="newswatch-demo-"))
    if given.exists() and any(given.iterdir()):
        raise DemoError(f"{given}: not empty; the demo needs a new or empty folder")
    given.mkdir(parents=True, exist_ok=True)
    return given.resolve()


def run_demo(folder: Path | None = None) -> None:
    """Serve the sample site, crawl it, publish a (2nd LD), crawl again; show what came of it."""
    folder = new_folder(folder)
    with demo_site() as site:
        config = write_config(folder, site.base)
        click.echo(f"sample site on {site.base}; crawling it once with two rules...\n")
        click.echo(crawl(config).rstrip())
        loaded = load_config(config)
        story = show_story(loaded)
        emails = alerts(loaded.maildir)
        if emails:
            show_alert(emails[0], len(emails))
        site.later = True
        click.echo("\nthe site now publishes a (2nd LD) of that story, with new facts;"
                   " crawling it again...\n")  # fmt: skip
        click.echo(crawl(config).rstrip())
    replies = [m for m in alerts(loaded.maildir) if m["In-Reply-To"]]
    if replies:
        show_update(replies[0])
    show_places(folder, loaded, story)
