"""Scale-out benchmark: crawl throughput of `newswatch worker`s, one against two (issue 22).

    .venv/bin/python benchmarks/workers.py [--articles 2000] [--sources 8] [--queue URL]

Generates benchmarks/crawl_site.py's Yonhap-like site (`--articles` pages) and serves it on
127.0.0.1; splits its list pages into `--sources` sources (a crawl task is a batch of sources:
one source is crawled by one worker, so more workers only help with more sources); then, for
one worker and for two (each `--concurrency 1`: one crawl child process at a time), runs
`newswatch run` as the scheduler and the workers as processes, on a fresh SQLite archive and a
flushed Redis db, until every source's first crawl has ended. Prints wall seconds, articles
stored and articles per second. It never asserts on timings.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl_site import (  # noqa: E402 (a script beside this one)
    CRAWL_SETTINGS,
    PER_LIST_PAGE,
    YONHAP_SELECTORS,
    free_port,
    list_pages_for,
    newswatch_command,
    print_machine,
    start_server,
    write_site,
)

LIMIT_SECONDS = 300  # per run, at most


def write_config(folder: Path, base: str, pages: int, sources: int, queue: str) -> Path:
    """`sources` sources, each starting from its share of the list pages (no pagination)."""
    folder.mkdir(parents=True)
    shares = [list(range(1 + i, pages + 1, sources)) for i in range(sources)]
    config: dict[str, Any] = {
        "database": "news.db", "timezone": "Asia/Seoul", "queue": queue,
        "crawl": {**CRAWL_SETTINGS, "batch_size": 1},
        "sources": [{
            "name": f"part{i + 1}", "start_urls": [f"{base}/news/{p}" for p in share],
            "max_list_pages": 1, "article_url_pattern": r"/view/AEN\d+",
            "timezone": "Asia/Seoul", "schedule": "every 1h", "selectors": YONHAP_SELECTORS,
        } for i, share in enumerate(shares)],
        "alerts": {"rules": [{"name": "nuclear", "query": "nuclear", "to": ["a@example.org"]}]},
    }  # fmt: skip
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def finished_runs(db: Path) -> tuple[int, int]:
    """(crawl runs ended, articles stored), (0, 0) until the archive is there."""
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            runs = conn.execute("SELECT COUNT(*) FROM crawl_runs WHERE finished_at != ''")
            ended = runs.fetchone()[0]
            return ended, conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0, 0


def flush(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(queue)
    client.flushdb()
    client.close()


def one_run(work: Path, base: str, pages: int, args: argparse.Namespace, workers: int) -> dict:
    folder = work / f"workers{workers}"
    config = write_config(folder, base, pages, args.sources, args.queue)
    flush(args.queue)
    command = [*newswatch_command(), "--config", str(config)]
    procs = [subprocess.Popen([*command, "worker", "--concurrency", "1"], cwd=folder,
                              stdout=subprocess.DEVNULL,
                              stderr=(folder / f"worker{i}.log").open("w"))
             for i in range(workers)]  # fmt: skip
    started = time.perf_counter()
    procs.append(subprocess.Popen([*command, "run"], cwd=folder,
                                  stderr=(folder / "run.log").open("w")))  # fmt: skip
    ended, stored = 0, 0
    try:
        while ended < args.sources and time.perf_counter() - started < LIMIT_SECONDS:
            time.sleep(0.5)
            ended, stored = finished_runs(folder / "news.db")
            if all(proc.poll() is not None for proc in procs):  # see run.log, worker*.log
                print(f"every process has exited; their logs are in {folder}")
                break
    finally:
        took = time.perf_counter() - started
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
    return {"workers": workers, "seconds": took, "articles": stored, "ended": ended}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument("--queue", default=os.environ.get("NEWSWATCH_BENCH_REDIS",
                                                          "redis://127.0.0.1:6379/15"))  # fmt: skip
    parser.add_argument("--server", default="auto", choices=["auto", "nginx", "python"])
    args = parser.parse_args()
    pages = list_pages_for(args.articles)
    if not 1 <= args.sources <= pages:  # each source starts from list pages of its own
        parser.error(f"--sources must be between 1 and the {pages} list pages of"
                     f" --articles {args.articles}, got {args.sources}")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="newswatch-workers-"))
    work.chmod(0o755)  # nginx's workers read the site
    port = free_port()
    site = write_site(work / "site", args.articles, f"127.0.0.1:{port}")
    server = start_server(args.server, site.root, work, port)
    print("newswatch workers benchmark")
    print_machine()
    print(f"site: {args.articles} articles, {site.list_pages} list pages of {PER_LIST_PAGE},"
          f" {server.description}; {args.sources} sources, one per task (batch_size 1)")  # fmt: skip
    try:
        results = [one_run(work, f"http://127.0.0.1:{port}", site.list_pages, args, n)
                   for n in (1, 2)]  # fmt: skip
    finally:
        server.stop()
    print(f"{'workers':>8} {'seconds':>8} {'articles':>9} {'articles/s':>11} {'crawls':>7}")
    for r in results:
        rate = r["articles"] / r["seconds"] if r["seconds"] else 0.0
        print(f"{r['workers']:>8} {r['seconds']:>8.1f} {r['articles']:>9} {rate:>11.1f}"
              f" {r['ended']:>4}/{args.sources}")  # fmt: skip
    if results[0]["seconds"]:
        print(f"two workers: {results[0]['seconds'] / results[1]['seconds']:.2f}x one worker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
