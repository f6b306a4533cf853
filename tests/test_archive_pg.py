"""The PostgreSQL archive (issue 22): `database: postgresql://…` behind the same db functions.

Real servers: the fixture news site over HTTP, a fresh PostgreSQL database per test
(postgres_url), the CLI as a subprocess. Rows are read with plain psycopg.
"""

from __future__ import annotations

import json
import mailbox
import random
import threading
from typing import Any

import psycopg
import pytest
from fixtures import news_site
from fixtures import news_site as ns
from psycopg.rows import dict_row
from support import alerts
from support.service import Service, smtp_block, wait_for
from support.smtp import SmtpServer

import db
from crawler.items import Article
from crawler.writer import ArchiveWriter
from db import alerts as store
from newswatch.config import ConfigError, load_config
from newswatch.query import parse_query
from scheduler.alerts import match_new_articles


def pg_rows(url: str, sql: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cursor:
        return cursor.execute(sql, params).fetchall()


def test_open_db_migrates_once_and_records_the_migrations(postgres_url):
    db.open_db(postgres_url).close()
    db.open_db(postgres_url).close()
    rows = pg_rows(postgres_url, "SELECT version FROM schema_migrations")
    assert [r["version"] for r in rows] == [9]


def test_an_unreachable_server_is_one_line_naming_the_url_without_its_password():
    with pytest.raises(db.ArchiveError) as caught:
        db.open_db("postgresql://nw:secret@127.0.0.1:1/news")
    assert "secret" not in str(caught.value)
    assert str(caught.value).startswith("postgresql://nw:***@127.0.0.1:1/news: cannot open")


@pytest.mark.slow
def test_crawl_stores_the_fixture_site_once_in_postgresql(
    site, write_config, run_cli, postgres_url
):
    config = write_config(database=postgres_url, max_list_pages=3, feeds=[], sitemaps=[])
    for _ in range(2):  # the second crawl finds everything stored already
        result = run_cli("crawl", config=config)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    rows = pg_rows(postgres_url, "SELECT url, story_id FROM articles")
    stored = {r["url"].removeprefix(site.base) for r in rows if r["url"].startswith(site.base)}
    assert stored == ns.expected_paths(3, feeds=False, sitemaps=False)
    assert len(rows) == len({row["url"] for row in rows})
    runs = pg_rows(postgres_url, "SELECT status, new_articles FROM crawl_runs ORDER BY id")
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert runs[0]["new_articles"] == len(rows) and runs[1]["new_articles"] == 0
    found = run_cli("search", "North Korea", config=config)
    assert found.returncode == 0 and site.base in found.stdout, found.stdout + found.stderr
    status = run_cli("status", "--json", config=config)
    assert status.returncode == 0, status.stderr
    [source] = json.loads(status.stdout)["sources"]
    assert source["articles"] == len(rows) and source["last_run"]["status"] == "ok"
    story = run_cli("story", rows[0]["url"], config=config)
    assert story.returncode == 0 and rows[0]["url"] in story.stdout, story.stdout + story.stderr


def test_serve_says_it_needs_sqlite(write_config, run_cli, postgres_url):
    config = write_config(database=postgres_url)
    result = run_cli("serve", "--port", "8999", config=config)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "PostgreSQL" in result.stderr


def test_alerts_match_once_and_are_delivered_once_from_postgresql(tmp_path, smtp, postgres_url):
    config = alerts.write_config(tmp_path, smtp.port, database=postgres_url)
    first = alerts.add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster it")
    alerts.add_article(config, "https://en.yna.co.kr/view/AEN2", "Seoul stocks", "Stocks.")
    matched, sent = alerts.alert_pass(config)
    assert matched.alerts == {"deterrence": 1} and sent.sent == 1
    alerts.add_article(config, "http://127.0.0.2/article/1", "Allies bolster it", alerts.BODY,
                       source="partner", story_id=first)  # fmt: skip
    matched, sent = alerts.alert_pass(config)
    assert matched.alerts == {} and sent.sent == 0
    [message] = smtp.inbox.messages
    assert message["Subject"] == "[newswatch] deterrence: 1 new story"
    assert "https://en.yna.co.kr/view/AEN1" in alerts.parts(message)["text/plain"]
    assert alerts.outbox(config) == [("analyst@example.org", "sent", 1)]


def test_delivery_from_postgresql_retries_until_the_server_is_up(tmp_path, postgres_url):
    server = SmtpServer()  # not started: connection refused
    config = alerts.write_config(tmp_path, server.port, database=postgres_url)
    alerts.add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    assert alerts.alert_pass(config)[1].retrying == 1
    assert alerts.outbox(config) == [("analyst@example.org", "pending", 1)]
    server.start()
    try:
        assert alerts.alert_pass(config)[1].sent == 1
        assert alerts.alert_pass(config)[1].sent == 0
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_two_workers_claiming_the_outbox_at_once_never_take_one_row_twice(postgres_url):
    archive = db.open_db(postgres_url)
    rows = [{"rule": "r", "recipient": f"a{i}@example.org", "message_id": f"<{i}@x>",
             "message": b"Subject: x\r\n\r\nx", "story_ids": [1], "status": "pending",
             "attempts": 0, "next_attempt_at": ""} for i in range(200)]  # fmt: skip
    store.add_outbox(archive, rows)
    claimed: list[list[int]] = [[], []]

    def worker(n: int) -> None:
        mine = db.open_db(postgres_url)
        while taken := store.claim_due_outbox(mine, "2030", "2031", f"w{n}"):
            claimed[n] += [row["id"] for row in taken[:3]]
            for row in taken[3:]:  # hand the rest back, as a worker that takes few would
                mine.execute("UPDATE outbox SET status = 'pending' WHERE id = ?", [row["id"]])
        mine.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = claimed[0] + claimed[1]
    assert len(both) == len(set(both)) == 200
    archive.close()


def test_db_copy_moves_the_archive_and_sends_only_what_was_pending(
    tmp_path, smtp, run_cli, postgres_url
):
    config = alerts.write_config(tmp_path, smtp.port)  # SQLite
    first = alerts.add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster it")
    alerts.add_article(config, "https://en.yna.co.kr/view/AEN1-1", "(LEAD) Allies bolster it",
                       alerts.BODY + "\n\nMore.", story_id=first)  # fmt: skip
    assert alerts.alert_pass(config)[1].sent == 1
    alerts.add_article(config, "https://en.yna.co.kr/view/AEN9", "Extended deterrence again",
                       "Talks on extended deterrence resumed.")  # fmt: skip
    archive = db.open_db(config.database)
    assert match_new_articles(archive, config).alerts == {"deterrence": 1}  # queued, not sent
    # What SQLite keeps and PostgreSQL's columns refuse: NUL in text, text in a number.
    db.record_failure(archive, "http://x/f", "wire", "ValueError", False, "2023", "a\x00b")
    archive.execute("UPDATE failed_urls SET attempts = 'many'")
    archive.close()

    result = run_cli("db", "copy", "--to", postgres_url, config=config.path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "copied 3 articles" in result.stdout and "failed_urls            1" in result.stdout
    again = run_cli("db", "copy", "--to", postgres_url, config=config.path)
    assert again.returncode == 2 and "has rows already" in again.stderr

    (tmp_path / "pg").mkdir()
    moved = alerts.write_config(tmp_path / "pg", smtp.port, database=postgres_url)
    statuses = pg_rows(postgres_url, "SELECT status FROM outbox ORDER BY id")
    assert [r["status"] for r in statuses] == ["sent", "pending"]
    matched, sent = alerts.alert_pass(moved)
    assert matched.alerts == {} and sent.sent == 1
    assert alerts.alert_pass(moved)[1].sent == 0
    assert [m["Subject"] for m in smtp.inbox.messages] == [
        "[newswatch] deterrence: 1 new story"
    ] * 2
    assert "AEN9" in alerts.parts(smtp.inbox.messages[1])["text/plain"]
    stories = pg_rows(postgres_url, "SELECT id, story_id FROM articles ORDER BY id")
    assert [(r["id"], r["story_id"]) for r in stories] == [(1, 1), (2, 1), (3, 3)]
    failed = pg_rows(postgres_url, "SELECT message, attempts FROM failed_urls")
    assert failed == [{"message": "ab", "attempts": None}]
    pg = db.open_db(postgres_url)
    hits = db.search_articles(pg, parse_query('"extended deterrence" NOT resumed').fts())
    assert sorted(h["url"] for h in hits) == ["https://en.yna.co.kr/view/AEN1",
                                              "https://en.yna.co.kr/view/AEN1-1"]  # fmt: skip
    assert db.insert_article(pg, {"url": "http://x/new", "source": "wire"}, [], None) == 4
    pg.close()


# Texts where tokenizers differ: PostgreSQL's own parser would keep URLs, e-mail addresses,
# hyphenated words and decimals whole; FTS5 unicode61 splits them and folds diacritics.
TRICKY = {
    "url": ("See https://www.mofa.go.kr/eng/brief.do?id=42", "Briefing text at mofa.go.kr."),
    "mail": ("Contact", "Write to press_office@yna.co.kr or call 02-398-3114 today."),
    "hyphen": ("North-Korea talks", "The U.S.-ROK alliance and the Seoul-Washington summit."),
    "accents": ("Café talks in Zürich", "Naïve résumé of the coöperation, São Paulo."),
    "numbers": ("GDP grew 3.5%", "Exports rose 12,000 units; the K-9 howitzer and 2nd LD."),
    "mixed": ("서울2030 계획", "이재명's plan for Seoul-부산 rail (KTX-이음)."),
    "quotes": ("He said \"no\"", "It's the ministry's view; O'Brien's 'final' word."),
    "long": ("Long", " ".join(["filler"] * 250) + " tail phrase at the end"),  # db.pg.text: < 256
}  # fmt: skip
TRICKY_QUERIES = [
    "mofa", "go", "kr", "https", '"mofa go kr"', '"www mofa"', "brief*", "press_office",
    "press", "office", "yna", "3114", "02", '"02 398 3114"', "north", '"north korea"',
    "U.S.", '"U.S. ROK"', "rok", "seoul", "washington", "cafe", "café", "zurich", "naive",
    "resume", "cooperation", "sao", "3", "5", '"3.5"', "12", "000", "k-9", '"K 9"', "9",
    "2nd", "ld", "서울", "2030", "서울2030", "계획", "이재명", "부산", "ktx", "이음",
    '"he said no"', "it", "s", "O'Brien", "obrien", "brien", "final", "filler",
    '"tail phrase"', '"filler tail"', "rai*", "KTX*", "ca*", "zü*", "서*",
    "north -korea", '("mofa" OR zurich) NOT cafe', "seoul AND (rail OR summit)",
]  # fmt: skip


def _urls(archive: Any, query: str) -> set[str]:
    return {h["url"] for h in db.search_articles(archive, parse_query(query).fts(), limit=100)}


def test_the_query_language_finds_the_same_articles_on_both_engines(tmp_path, postgres_url):
    from test_query import DOCS, SEARCH_TABLE

    sqlite, pg = db.open_db(tmp_path / "news.db"), db.open_db(postgres_url)
    for key, (title, body) in (DOCS | TRICKY).items():
        row = {"url": f"http://x/{key}", "source": "x", "title": title, "body": body,
               "published_at": "2023-02-01T00:00:00Z"}  # fmt: skip
        for archive in (sqlite, pg):
            db.insert_article(archive, row, [], None)
    queries = [query for query, _ in SEARCH_TABLE] + TRICKY_QUERIES
    differ = {
        q: (_urls(sqlite, q), _urls(pg, q)) for q in queries if _urls(sqlite, q) != _urls(pg, q)
    }
    assert not differ
    for query, expected in SEARCH_TABLE:
        keys = {u.rsplit("/", 1)[1] for u in _urls(pg, query)}
        assert keys - set(TRICKY) == expected, query
    sqlite.close()
    pg.close()


def _story_body(n: int) -> str:
    pick = random.Random(n)
    words = [f"w{pick.randrange(100_000)}" for _ in range(80)]
    return f"SEOUL, Feb. {n % 28 + 1} -- " + " ".join(words) + ", officials said."


def test_two_writers_storing_copies_of_one_story_at_once_give_it_one_story(postgres_url):
    """Each writer's batch is one transaction, both open at once: without the story lock
    neither would see the other's copies, and every story would be stored twice."""
    db.open_db(postgres_url).close()  # migrated before the writers race
    writers = {source: ArchiveWriter(postgres_url, None, wait=3600) for source in ("a", "b")}
    futures = [
        writer.submit(Article(f"https://{source}.example/{n}", source, title=f"Story {n} told",
                              body=_story_body(n)))
        for n in range(30) for source, writer in writers.items()
    ]  # fmt: skip
    threads = [threading.Thread(target=w.close) for w in writers.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [f.result(timeout=0) for f in futures if f.result(timeout=0).error]
    rows = pg_rows(postgres_url, "SELECT url, story_id FROM articles")
    stories: dict[int, list[str]] = {}
    for row in rows:
        stories.setdefault(row["story_id"], []).append(row["url"].split("/")[-1])
    assert len(rows) == 60 and len(stories) == 30, stories
    # each story: the two copies of one n
    assert all(len(set(ns)) == 1 and len(ns) == 2 for ns in stories.values())


@pytest.mark.slow
def test_the_service_on_postgresql_crawls_alerts_once_and_stops_cleanly(
    site, workdir, smtp, postgres_url
):
    rules = [{"name": "drill", "query": '"drone-defense exercise"', "to": ["a@example.org"]}]
    source = news_site.yonhap_source(site.base, schedule="every 1s")
    config = news_site.write_config(
        workdir / "config.yaml",
        news_site.config_dict([source], database=postgres_url,
                              alerts={"smtp": smtp_block(smtp), "rules": rules}),
    )  # fmt: skip
    service = Service(config)
    try:
        wait_for(lambda: site.count("/news/1") >= 3, 60, "three crawls of /news/1")
        wait_for(lambda: len(smtp.inbox.messages) >= 1, 20, "the alert")
    finally:
        code, err, _ = service.stop()
    assert [str(m["Subject"]) for m in smtp.inbox.messages] == ["[newswatch] drill: 1 new story"]
    assert code == 0 and "Traceback" not in err, err[-3000:]
    runs = pg_rows(postgres_url, "SELECT status FROM crawl_runs")
    statuses = [r["status"] for r in runs]  # the last one may be 'interrupted' by the stop
    assert statuses.count("ok") >= 2 and set(statuses) <= {"ok", "interrupted"}, statuses


def test_a_read_only_database_is_one_line_and_exit_2_before_any_request(
    site, write_config, run_cli, postgres_url
):
    db.open_db(postgres_url).close()
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    result = run_cli("crawl", config=write_config(database=postgres_url))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "read-only" in result.stderr, result.stderr
    assert not site.requests


SOURCES = "sources: [{name: a, start_urls: ['http://x/'], article_url_pattern: v}]\n"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("postgresql://nw@db.example.org:5432", "a PostgreSQL URL naming its database"),
        ("mysql://nw@db.example.org/news", "a file path or a postgresql:// URL"),
    ],
)
def test_a_database_url_that_is_not_one_is_named_in_one_line(tmp_path, value, message):
    path = tmp_path / "config.yaml"
    path.write_text(f"database: '{value}'\n{SOURCES}")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"database: expected {message}" in str(caught.value)


def test_a_postgresql_url_keeps_the_files_beside_the_config(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(f"database: postgresql://nw@db.example.org/news\n{SOURCES}")
    config = load_config(path)
    assert config.database == "postgresql://nw@db.example.org/news"
    assert config.maildir == tmp_path / "data" / "maildir"


def test_every_sqlite_migration_has_its_postgresql_number():
    """A migration added to db/schema.py needs its twin in db/pg/schema.py (same number)."""
    from db.pg.schema import MIGRATIONS as PG
    from db.schema import MIGRATIONS as SQLITE

    assert max(PG) == len(SQLITE), "db/pg/schema.py lacks a migration db/schema.py has"


def test_without_smtp_alerts_go_to_data_maildir_beside_the_config(tmp_path, postgres_url):
    config = alerts.write_config(tmp_path, None, database=postgres_url)
    alerts.add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    assert alerts.alert_pass(config)[1].sent == 1
    box = mailbox.Maildir(tmp_path / "data" / "maildir", create=False)
    assert [m["Subject"] for m in box] == ["[newswatch] deterrence: 1 new story"]


def test_a_nul_character_sqlite_keeps_is_dropped_not_refused(postgres_url):
    archive = db.open_db(postgres_url)
    row = {"url": "http://x/nul", "source": "x", "title": "Ferry\x00 docks", "body": "At\x00 noon."}
    db.insert_article(archive, row, [], None)
    db.record_failure(archive, "http://x/f", "x", "ValueError", False, "2023", "bad\x00byte")
    [hit] = db.search_articles(archive, parse_query("ferry").fts())
    assert (hit["title"], hit["body"]) == ("Ferry docks", "At noon.")
    archive.close()


def test_write_transactions_take_turns_as_on_sqlite_and_a_long_wait_is_busy(postgres_url):
    first, second = db.open_db(postgres_url), db.open_db(postgres_url)
    order: list[str] = []

    def write() -> None:
        with db.write_transaction(second):
            order.append("second")

    with db.write_transaction(first):
        thread = threading.Thread(target=write)
        thread.start()
        thread.join(0.5)
        assert order == [] and thread.is_alive(), "the second writer waits for the first"
        order.append("first")
    thread.join(10)
    assert order == ["first", "second"]
    db.wait_for_locks(second, 200)
    with db.write_transaction(first), pytest.raises(db.DatabaseError) as caught:
        write()
    assert not db.archive_unwritable(caught.value), "busy is not the archive refusing writes"
    first.close()
    second.close()


def test_portable_statements_are_read_in_postgresqls_dialect():
    from db.pg.handle import translate

    assert translate("SELECT '?:x%' || ? FROM t WHERE a = :now AND b::text LIKE '50%'") == (
        "SELECT '?:x%%' || %s FROM t WHERE a = %(now)s AND b::text LIKE '50%%'"
    )
    assert translate("INSERT OR IGNORE INTO s (k) VALUES (?)") == (
        "INSERT INTO s (k) VALUES (%s) ON CONFLICT DO NOTHING"
    )


def test_db_copy_refuses_what_it_cannot_copy(tmp_path, run_cli, postgres_url):
    on_pg = alerts.write_config(tmp_path, None, database=postgres_url).path
    result = run_cli("db", "copy", "--to", postgres_url, config=on_pg)
    assert result.returncode == 2 and "reads an SQLite archive" in result.stderr
    (tmp_path / "lite").mkdir()
    lite = alerts.write_config(tmp_path / "lite", None).path
    result = run_cli("db", "copy", "--to", str(tmp_path / "x.db"), config=lite)
    assert result.returncode == 2 and "expected a postgresql:// URL" in result.stderr
    result = run_cli("db", "copy", "--to", postgres_url, config=lite)
    assert result.returncode == 2 and "no such archive" in result.stderr
