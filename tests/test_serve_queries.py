"""The SQL behind `newswatch serve` (db/canned.py), run by real SQLite on a real archive file.

The pages themselves are tested in a browser (test_serve.py); here are the cases a small
fixture site cannot show: paging through many stories, ties in time, updates that move a
story up, and local days across daylight-saving changes.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

import db
from db import canned
from newswatch.config import load_config
from newswatch.serve import build
from newswatch.web.days import day_bounds, utc_spans
from newswatch.web.plugin import ArchivePlugin

START = datetime(2024, 5, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def store(archive, n: int, when: datetime, source: str = "wire", story: int | None = None) -> int:
    row = {"url": f"https://{source}.example.org/{n}", "source": source, "title": f"story {n}",
           "body": f"text of article {n} " * 20, "published_at": iso(when)}  # fmt: skip
    return db.insert_article(archive, row, [], story)


def connect(path: Path) -> sqlite3.Connection:
    """A connection as Datasette's, with newswatch's SQL functions."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    ArchivePlugin("Asia/Seoul", [], frozenset()).prepare_connection(conn, "archive")
    return conn


def test_paging_through_the_stories_lists_each_story_once_newest_first(tmp_path: Path):
    archive = db.open_db(tmp_path / "archive.db")
    latest: dict[int, str] = {}  # story id -> its newest article's time
    first: list[int] = []
    for n in range(70):  # stories 20..29 share one time: ties broken by story id
        when = START + timedelta(hours=n if not 20 <= n < 30 else 20)
        story = store(archive, n, when)
        first.append(story)
        latest[story] = iso(when)
        if n % 4 == 0:  # a copy on another site, 10 minutes later
            store(archive, 2000 + n, when + timedelta(minutes=10), "paper", story=story)
            latest[story] = iso(when + timedelta(minutes=10))
        if n % 3 == 0:  # an update, same source, 30 minutes later
            store(archive, 1000 + n, when + timedelta(minutes=30), story=story)
            latest[story] = iso(when + timedelta(minutes=30))
    old = first[5]
    store(archive, 3000, START + timedelta(days=30), story=old)  # an old story updated last
    latest[old] = iso(START + timedelta(days=30))
    archive.close()
    conn = connect(tmp_path / "archive.db")

    seen, before, before_id = [], "", ""
    for _page in range(10):  # 71 stories: 3 pages, then an empty one
        rows = conn.execute(canned.STORIES, {"before": before, "before_id": before_id}).fetchall()
        if not rows:
            break
        assert len(rows) <= canned.STORIES_PAGE
        seen += [(row["latest"], row["story_id"]) for row in rows]
        before, before_id = rows[-1]["latest"], str(rows[-1]["story_id"])

    assert seen == sorted(((t, s) for s, t in latest.items()), reverse=True)
    assert seen[0][1] == old  # the update brought the old story to the top


def test_a_story_row_is_its_original_with_its_updates_and_copies_oldest_first(tmp_path: Path):
    archive = db.open_db(tmp_path / "archive.db")
    copy = store(archive, 2, START + timedelta(minutes=20), "paper")  # stored first, later
    original = store(archive, 1, START, story=copy)
    update = store(archive, 3, START + timedelta(minutes=40), story=copy)
    archive.close()

    (row,) = connect(tmp_path / "archive.db").execute(
        canned.STORIES, {"before": "", "before_id": ""}
    )

    assert (row["id"], row["source"], row["latest"]) == (
        original,
        "wire",
        iso(START + timedelta(minutes=40)),
    )
    assert row["opening"].startswith("text of article 1 ") and row["opening"].endswith(" …")
    others = json.loads(row["others"])
    assert [(o["id"], o["source"]) for o in others] == [(copy, "paper"), (update, "wire")]


def test_local_days_in_sql_match_the_timezone_across_daylight_saving(tmp_path: Path):
    zone = "America/New_York"
    spans = utc_spans(zone, until_year=2026)
    moments = [datetime(2024, 3, 10, 6, 0, tzinfo=UTC) + timedelta(minutes=7 * i)
               for i in range(0, 800)]  # fmt: skip
    moments += [datetime(2024, 11, 3, 3, 0, tzinfo=UTC) + timedelta(minutes=7 * i)
                for i in range(0, 800)]  # fmt: skip
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (published_at TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(iso(m),) for m in moments])

    days = conn.execute(f"SELECT {canned.local_day('published_at', spans)} FROM t").fetchall()

    expected = [m.astimezone(ZoneInfo(zone)).date().isoformat() for m in moments]
    assert [d[0] for d in days] == expected


def test_a_local_day_is_a_range_of_utc_times():
    assert day_bounds("2024-03-10", "America/New_York") == (
        "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"  # 23 hours: clocks went forward
    )  # fmt: skip
    assert day_bounds("2023-03-01", "Asia/Seoul") == (
        "2023-02-28T15:00:00Z",
        "2023-03-01T15:00:00Z",
    )


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def fetch(tmp_path: Path, paths: list[str], rule: str = "watch") -> list[str]:
    """The HTML of `paths` from `newswatch serve`'s Datasette (in this process, through
    Datasette's own ASGI client) on the archive tmp_path/archive.db."""
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": "archive.db",
        "sources": [{"name": "wire", "start_urls": ["https://wire.example.org/"],
                     "article_url_pattern": "x"}],
        "alerts": {"rules": [{"name": rule, "query": "missile", "to": ["a@example.org"]}]},
    }))  # fmt: skip
    app = build(load_config(config))

    async def pages() -> list[str]:
        return [(await app.client.get(path)).text for path in paths]

    return asyncio.run(pages())


def test_older_stories_link_pages_through_every_story(tmp_path: Path):
    archive = db.open_db(tmp_path / "archive.db")
    stories = [store(archive, n, START + timedelta(minutes=n // 3)) for n in range(65)]
    archive.close()  # 65 stories, three to a minute: ties at every page boundary

    seen, path = [], "/archive/stories"
    for _page in range(5):
        (html,) = fetch(tmp_path, [path])
        seen += [int(n) for n in re.findall(r'data-story="(\d+)"', html)]
        more = re.search(r'class="nw-more"><a href="(\?[^"]+)"', html)
        if not more:
            break
        path = "/archive/stories" + more.group(1).replace("&amp;", "&")

    # newest first, and among stories of one minute the highest id first: here both say
    # "by id, descending"; every story once across the page boundaries inside those ties
    assert seen == sorted(stories, reverse=True)


def test_scraped_text_stays_inert_on_every_page(tmp_path: Path):
    archive = db.open_db(tmp_path / "archive.db")
    row = {"url": "https://wire.example.org/1", "source": "wire", "title": f"Missile {HOSTILE}",
           "body": f"missile {HOSTILE}\n\n</p><p onclick=alert(2)>two", "published_at": iso(START),
           "authors": [HOSTILE], "tags": [HOSTILE],
           "images": [{"url": "javascript:alert(3)", "caption": HOSTILE}]}  # fmt: skip
    article = db.insert_article(archive, row, [], None)
    archive.close()
    paths = ["/archive/stories", "/archive/articles?_search=missile",
             f"/archive/articles/{article}", "/archive/articles"]  # fmt: skip

    for html in fetch(tmp_path, paths, rule=HOSTILE):
        assert "&lt;script&gt;" in html  # shown, as text
        for live in ("<script>alert", "<img src=x", "<p onclick", 'href="javascript:'):
            assert live not in html
