"""The PostgreSQL archive beside SQLite: insert rate and search latency as the archive grows.

The same synthetic corpus (archive_scale.Corpus: 250 Zipf words per article) is stored on
both engines through the real store path (db.insert_article with MinHash bands), as the
crawler's writer stores it: `--batch` articles per transaction (crawler.writer.MAX_BATCH).
At each checkpoint: the insert rate of the last 10,000 articles, bytes per article, `search`
latency p50/p95 over 40 queries each of a word, a phrase and a boolean query, and the
near-duplicate lookup per new article. Prints a table; asserts nothing.

PostgreSQL: a new database made on the server of --postgres (default: $NEWSWATCH_TEST_POSTGRES,
else postgresql://postgres@127.0.0.1:5432/test) and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from archive_scale import CHUNK, Corpus, dedup_latency, search_latency  # noqa: E402

import db  # noqa: E402
from crawler.similarity import fingerprint  # noqa: E402

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def insert_chunk(archive, corpus: Corpus, start: int, count: int, batch: int) -> float:
    """Stores `count` articles, `batch` per transaction; articles/s of the store path."""
    texts = [corpus.article() for _ in range(count)]
    began = time.perf_counter()
    for first in range(0, count, batch):
        with db.write_transaction(archive):
            for i, (title, body) in enumerate(texts[first : first + batch], start + first):
                found = fingerprint(f"{title}\n\n{body}")
                day = f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
                row = {"url": f"https://example.org/a/{i}", "source": f"s{i % 5}",
                       "title": title, "body": body, "published_at": day,
                       "signature": found.signature, "shingles": found.shingles}  # fmt: skip
                db.insert_article(archive, row, found.bands, None)
    return count / (time.perf_counter() - began)


def size_of(archive, target: str | Path) -> int:
    if isinstance(target, Path):
        archive.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return target.stat().st_size
    archive.execute("VACUUM ANALYZE")  # fresh statistics for the planner, as autovacuum would
    return archive.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def measure(archive, target, corpus: Corpus, size: int, rate: float) -> dict:
    row = {"size": size, "rate": rate, "bytes": size_of(archive, target) / size}
    for kind, queries in corpus.queries().items():
        row[kind] = search_latency(archive, queries)
    row["dedup"] = dedup_latency(archive, corpus)
    return row


def run(engine: str, target, sizes: list[int], batch: int) -> None:
    archive, corpus, size = db.open_db(target), Corpus(), 0
    while size < sizes[-1]:
        rate = insert_chunk(archive, corpus, size, CHUNK, batch)
        size += CHUNK
        if size in sizes:
            show(engine, measure(archive, target, Corpus(seed=size), size, rate))
    archive.close()


def show(engine: str, row: dict) -> None:
    cells = [f"{engine:<10}", f"{row['size']:>9,}", f"{row['rate']:>9.0f}",
             f"{row['bytes'] / 1024:>6.1f}"]  # fmt: skip
    for kind in ("word", "phrase", "boolean", "dedup"):
        cells.append("{:>6.1f} {:>6.1f}".format(*row[kind]))
    print("  ".join(cells), flush=True)


def scratch_database(server: str) -> str:
    import psycopg

    name = f"nw_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def drop_database(server: str, url: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')


def time_copy(path: Path, server: str) -> None:
    """`newswatch db copy` of the SQLite archive just built, into a scratch database."""
    from db.pg.copy import copy_archive

    url = scratch_database(server)
    try:
        source, target = db.open_db(path), db.open_db(url)
        began = time.perf_counter()
        counts = copy_archive(source, target)
        took = time.perf_counter() - began
        source.close()
        target.close()
        print(f"db copy: {counts['articles']:,} articles (and {counts['article_bands']:,} bands)"
              f" in {took:.1f} s: {counts['articles'] / took:,.0f} articles/s")  # fmt: skip
    finally:
        drop_database(server, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--batch", type=int, default=100, help="articles per transaction")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("NEWSWATCH_TEST_POSTGRES",
                                                            DEFAULT_SERVER))  # fmt: skip
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {args.batch} articles per transaction")  # fmt: skip
    print("engine       articles  inserts/s  KB/art  word p50 p95  phrase p50 p95"
          "  boolean p50 p95  near-dup p50 p95 (ms)")  # fmt: skip
    engines = args.engines.split(",")
    with tempfile.TemporaryDirectory(prefix="nw-pg-bench-") as folder:
        if "sqlite" in engines:
            run("sqlite", Path(folder) / "bench.db", sizes, args.batch)
            time_copy(Path(folder) / "bench.db", args.postgres)
    if "postgresql" in engines:
        url = scratch_database(args.postgres)
        try:
            archive = db.open_db(url)
            version = archive.execute("SHOW server_version").fetchone()[0]
            archive.close()
            print(f"PostgreSQL {version}")
            run("postgresql", url, sizes, args.batch)
        finally:
            drop_database(args.postgres, url)


if __name__ == "__main__":
    main()
