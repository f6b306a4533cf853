"""Many sources on one box (issue 20): the service with batches against one process per source.

N sources, each its own small site: source i is served on its own loopback address
(127.0.1.1 upward; every 127.x.y.z reaches this script's one HTTP server), with one list page
and a new article on --new-share of the list page's fetches. Each source is crawled
--every seconds; the service runs for --minutes, once with batches (the defaults:
crawl.batch_size 50, crawl.max_batches 2) and once with a process per source
(crawl.batch_size 1, crawl.max_batches 10: the old design ran each crawl in one of
APScheduler's 10 threads). Prints, for each:

- crawls started within 60 s of their due time, of those due until a minute before the end
  (a due time the service coalesced away, because the source was still waiting, is late);
- the CPU the service and all its children used, as a share of the machine's cores;
- the peak memory of the service and its children (summed RSS, sampled every second);
- the articles the sites linked (one per source at the start, and those published during
  the run), and those stored (each URL once).

The full issue's run is 2,000 sources every 10 minutes for 30 minutes; the defaults are scaled
down to about 3.5 minutes per design. Asserts nothing.
"""

from __future__ import annotations

import argparse
import http.server
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl_site import rss_mb, tree  # noqa: E402

from newswatch.schedule import Schedule  # noqa: E402
from scheduler.service import START_SPREAD_SECONDS, START_SPREAD_SHARE, trigger_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NEWSWATCH = [sys.executable, "-m", "newswatch.cli"]
LATE_SECONDS = 60


class Sites:
    """Every source's list page and articles; a list fetch publishes a new article at times."""

    def __init__(self, share: float) -> None:
        self.share = share
        self.lock = threading.Lock()
        self.reset()

    def reset(self, seed: int = 20) -> None:
        """A new run: every source has one article (not counted as published)."""
        self.random = random.Random(seed)
        self.articles: dict[int, int] = {}  # source -> articles published
        self.published = 0

    def list_page(self, source: int) -> bytes:
        with self.lock:
            count = self.articles.get(source, 1)
            if self.random.random() < self.share:
                count += 1
                self.published += 1
            self.articles[source] = count
        links = "".join(f'<li><a href="/s{source}/a{n}">Story {n}</a></li>'
                        for n in range(max(count - 5, 0), count))  # fmt: skip
        return f"<html><body><ul>{links}</ul></body></html>".encode()

    def article(self, source: int, n: int) -> bytes:
        title = f"Council {source} approves plan number {n} for the harbour district"
        body = "".join(
            f"<p>The council of district {source} voted on plan {n} on Tuesday; paragraph {i}"
            f" explains the budget line {source * 1000 + n * 10 + i} in detail.</p>"
            for i in range(5)
        )
        return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                f"<time datetime='2026-11-29T10:00:00Z'>2026-11-29</time>{body}</article>"
                "</body></html>").encode()  # fmt: skip


def serve(sites: Sites) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:  # noqa: N802
            if not self.client_address[0].startswith("127."):
                self.close_connection = True  # bound to every address: loopback only
                return
            parts = self.path.strip("/").split("/")
            body, status = b"not found", 404
            if len(parts) == 2 and parts[0][1:].isdigit():
                source = int(parts[0][1:])
                if parts[1] == "news":
                    body, status = sites.list_page(source), 200
                elif parts[1][1:].isdigit():
                    body, status = sites.article(source, int(parts[1][1:])), 200
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("0.0.0.0", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def host(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def write_config(folder: Path, port: int, sources: int, every: int, crawl: dict) -> Path:
    config = {
        "database": "news.db",
        "crawl": {
            "download_delay": 0,
            "autothrottle": False,
            "timeout": 10,
            "time_limit": 60,
            **crawl,
        },  # fmt: skip
        "sources": [
            {
                "name": f"s{i}",
                "start_urls": [f"http://{host(i)}:{port}/s{i}/news"],
                "article_url_pattern": rf"/s{i}/a\d+",
                "max_list_pages": 1,
                "schedule": f"every {every}s",
            }
            for i in range(sources)
        ],  # fmt: skip
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_service(config: Path, seconds: float) -> dict[str, float]:
    """Run `newswatch run` for `seconds`; its CPU (with every child it waited for) and peak
    summed RSS."""
    cpu_before = children_cpu()
    started = time.monotonic()
    log = open(config.parent / "service.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([*NEWSWATCH, "--config", str(config), "run"], stderr=log, cwd=ROOT)
    peak = 0.0
    while time.monotonic() - started < seconds:
        peak = max(peak, rss_mb(tree(proc.pid)))
        time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    wall = time.monotonic() - started
    log.close()
    return {"cpu": children_cpu() - cpu_before, "wall": wall, "peak_mb": peak}


def lateness(database: Path, cutoff: float) -> tuple[int, int, float]:
    """(crawls due before `cutoff` (epoch) that started within LATE_SECONDS, crawls due before
    it, the worst lateness seen in seconds) from the runs' due_at and started_at."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT due_at, started_at FROM crawl_runs WHERE due_at != ''")
        pairs = [(_epoch(d), _epoch(s)) for d, s in rows.fetchall()]
    judged = [(d, s) for d, s in pairs if d <= cutoff]
    on_time = sum(1 for d, s in judged if s - d <= LATE_SECONDS)
    worst = max((s - d for d, s in judged), default=0.0)
    return on_time, len(judged), worst


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def due_count(sources: int, every: int, started: float, cutoff: float) -> int:
    """How many due times surely fall before `cutoff`: the service spreads the first ones over
    START_SPREAD_SHARE of an interval (at most START_SPREAD_SECONDS apart), then each source is
    due every `every` s plus APScheduler's jitter (0 to `jitter` s later), so a later due time
    counts only when it falls before `cutoff` even with the whole jitter."""
    gap = min(START_SPREAD_SECONDS, START_SPREAD_SHARE * every / sources)
    jitter = trigger_for(Schedule(interval_seconds=every)).jitter or 0
    total = 0
    for i in range(sources):
        due = started + i * gap
        total += due <= cutoff
        due += every
        while due + jitter <= cutoff:
            total += 1
            due += every
    return total


def stored(database: Path) -> tuple[int, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone()


def run_design(name: str, crawl: dict, args: argparse.Namespace, sites: Sites,
               port: int) -> dict:  # fmt: skip
    sites.reset()
    with tempfile.TemporaryDirectory(prefix="many-sources-") as tmp:
        folder = Path(tmp)
        config = write_config(folder, port, args.sources, args.every, crawl)
        started = time.time()
        figures = run_service(config, args.minutes * 60)
        database = folder / "news.db"
        cutoff = started + figures["wall"] - LATE_SECONDS
        on_time, ran, worst = lateness(database, cutoff)
        due = max(due_count(args.sources, args.every, started, cutoff), ran)
        rows, unique = stored(database)
        behind = (folder / "service.log").read_text().count("behind their schedule")
    return {"name": name, "on_time": on_time, "due": due, "worst": worst, "stored": rows,
            "unique": unique, "published": sites.published,
            "linked": sum(sites.articles.values()), "behind": behind,
            **figures}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--every", type=int, default=90, help="seconds between crawls")
    parser.add_argument("--minutes", type=float, default=3.6, help="service time per design")
    parser.add_argument("--new-share", type=float, default=0.05)
    parser.add_argument("--only", choices=["batches", "per-source"],
                        help="run one design (the full issue's scale takes 30 min each)")  # fmt: skip
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    sites = Sites(args.new_share)
    server = serve(sites)
    port = server.server_address[1]
    print(f"{args.sources} sources, each its own loopback host, every {args.every} s,"
          f" {args.minutes} min of service per design, {cores} cores")  # fmt: skip
    per_source = {"batch_size": 1, "max_batches": 10, "max_requests": 640}
    designs = [("batches (defaults)", {}), ("process per source", per_source)]
    if args.only:
        designs = designs[:1] if args.only == "batches" else designs[1:]
    for name, crawl in designs:
        result = run_design(name, crawl, args, sites, port)
        share = result["cpu"] / (result["wall"] * cores)
        print(f"\n{name}:")
        print(
            f"  crawls started within {LATE_SECONDS} s of due: {result['on_time']} of"
            f" {result['due']} ({100 * result['on_time'] / max(result['due'], 1):.1f} %),"
            f" latest {result['worst']:.0f} s; 'behind schedule' warnings: {result['behind']}"
        )
        print(
            f"  CPU of service and children: {result['cpu']:.0f} s in {result['wall']:.0f} s"
            f" = {100 * share:.1f} % of {cores} cores"
        )
        print(f"  peak memory (summed RSS): {result['peak_mb']:.0f} MB")
        print(f"  articles linked {result['linked']} (one per source at the start,"
              f" {result['published']} published during the run), stored {result['stored']}"
              f" ({result['unique']} distinct URLs)")  # fmt: skip
    server.shutdown()


if __name__ == "__main__":
    main()
