"""`newswatch serve`: time to first byte of its pages on a 100,000-article archive.

Builds a synthetic archive through db.insert_article (as benchmarks/archive_scale.py does:
250 Zipf-distributed words each, 5 sources, one article every 5 minutes; every 7th article
an update of an earlier story, every 5th a copy on another source), plus a 1,000-article
archive built the same way as the baseline. Runs the real `newswatch serve` (uvicorn) on
each and times, over fresh loopback connections, the wait from sending a request to the
first byte of the answer (Datasette renders a page whole, so that is the page's work):
the front page, search pages (a common word, a rarer one, a phrase, a boolean query, a
malformed query), the article list, an article, a rule's Atom feed. Prints p50 and p95 per
page and the ratio to the same page on the baseline archive; the plain-Python search the
CLI makes (db.search_articles) is printed beside the search pages. Asserts nothing.

    .venv/bin/python benchmarks/serve_ttfb.py                 # builds in a temp dir, ~5 min
    .venv/bin/python benchmarks/serve_ttfb.py --dir /tmp/nw   # keeps and reuses the archives
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from archive_scale import Corpus  # noqa: E402

import db  # noqa: E402
from crawler.similarity import fingerprint  # noqa: E402
from db.alerts import claim_story  # noqa: E402
from newswatch.query import parse_query  # noqa: E402

NEWSWATCH = [str(Path(sys.executable).parent / "newswatch")]
START = datetime(2023, 1, 1, tzinfo=UTC)
RULE_EVERY = 40  # one matched story in this many, for the feed


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(path: Path, size: int) -> None:
    """The synthetic archive at `path`, unless it is there already."""
    if path.exists():
        return
    corpus, archive, began = Corpus(seed=29), db.open_db(path.with_suffix(".tmp")), time.time()
    stories: list[tuple[int, str]] = []  # (story_id, source) of recent originals
    for i in range(size):
        title, body = corpus.article()
        story_id, source = None, f"s{i % 5}"
        if i % 7 == 6 and stories:  # an update of a recent story, from its source
            story_id, source = stories[-3]
            title = f"(LEAD) {title}"
        elif i % 5 == 4 and stories:  # a copy of a recent story on another source
            story_id, source = stories[-2][0], f"s{(int(stories[-2][1][1:]) + 1) % 5}"
        moment = iso(START + timedelta(minutes=5 * i))
        found = fingerprint(f"{title}\n\n{body}")
        row = {"url": f"https://s{i % 5}.example.org/a/{i}", "source": source, "title": title,
               "body": body, "published_at": moment, "fetched_at": moment,
               "version": "LEAD" if title.startswith("(LEAD)") else "",
               "authors": ["Kim Min-su"], "tags": [], "signature": found.signature,
               "shingles": found.shingles}  # fmt: skip
        article_id = db.insert_article(archive, row, found.bands, story_id)
        if story_id is None:
            stories = [*stories[-9:], (article_id, source)]
            if i % RULE_EVERY == 0:
                claim_story(archive, "watch", article_id, article_id, moment, digest=False)
        if i and i % 10_000 == 0:
            print(f"  {path.name}: {i:,} articles, {time.time() - began:.0f} s", flush=True)
    archive.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    path.with_suffix(".tmp").rename(path)


def write_config(folder: Path, database: Path) -> Path:
    config = folder / f"{database.stem}.yaml"
    sources = "\n".join(
        f"  - {{name: s{i}, start_urls: ['http://127.0.0.1:9/'], article_url_pattern: 'x'}}"
        for i in range(5)
    )
    config.write_text(
        f"database: {database}\ntimezone: Asia/Seoul\nsources:\n{sources}\nalerts:\n"
        "  rules:\n    - {name: watch, query: 'anything', to: [a@example.org]}\n",
        encoding="utf-8",
    )
    return config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ttfb(port: int, path: str) -> tuple[float, int, int]:
    """(ms to the first byte of the answer, status, body bytes), on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.connect()
    began = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()  # returns once the status line has arrived
    waited = (time.perf_counter() - began) * 1000
    body = response.read()
    connection.close()
    return waited, response.status, len(body)


def pages(corpus: Corpus, article_id: int) -> dict[str, str]:
    vocab = corpus.vocab
    searches = {
        "search: common word": vocab[3],
        "search: rarer word": vocab[2000],
        "search: phrase": f'"{vocab[1]} {vocab[2]}"',
        "search: boolean": f"({vocab[300]} OR {vocab[400]}) AND {vocab[50]} NOT {vocab[600]}",
        "search: malformed": f"({vocab[300]} OR",
    }
    found = {"front page (/archive/stories)": "/archive/stories"}
    for name, query in searches.items():
        found[name] = "/archive/articles?" + urllib.parse.urlencode({"_search": query})
    found["articles, no search"] = "/archive/articles"
    found["an article"] = f"/archive/articles/{article_id}"
    found["rule feed (Atom)"] = "/archive/rule_feed.atom?rule=watch"
    return found


def measure(config: Path, paths: dict[str, str], repeat: int) -> dict[str, tuple]:
    """{page: (p50 ms, p95 ms, status, bytes)} from a `newswatch serve` on `config`."""
    port = free_port()
    command = [*NEWSWATCH, "--config", str(config), "serve", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ttfb(port, "/-/versions.json")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        results = {}
        for name, path in paths.items():
            ttfb(port, path)  # warm: the first request of a page fills SQLite's cache
            samples = [ttfb(port, path) for _ in range(repeat)]
            times = sorted(s[0] for s in samples)
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            results[name] = (statistics.median(times), p95, samples[0][1], samples[0][2])
        return results
    finally:
        server.terminate()
        server.wait(timeout=15)


def cli_search(database: Path, queries: dict[str, str]) -> dict[str, float]:
    """ms of db.search_articles (what `newswatch search` runs), median of 10."""
    archive, found = db.open_db(database), {}
    for name, path in queries.items():
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("_search", [""])[0]
        try:
            fts = parse_query(query).fts()
        except ValueError:
            continue
        times = []
        for _ in range(11):
            began = time.perf_counter()
            db.search_articles(archive, fts, 30)
            times.append((time.perf_counter() - began) * 1000)
        found[name] = statistics.median(times[1:])
    archive.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--dir", help="where to build (and reuse) the archives")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="nw-serve-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; archives in {folder}")  # fmt: skip
    big, small = folder / f"serve-{args.articles}.db", folder / f"serve-{args.baseline}.db"
    for path, size in ((small, args.baseline), (big, args.articles)):
        build(path, size)
    paths = pages(Corpus(seed=29), article_id=args.articles // 2)
    base = measure(write_config(folder, small), paths | {"an article": "/archive/articles/500"},
                   args.repeat)  # fmt: skip
    scale = measure(write_config(folder, big), paths, args.repeat)
    direct = cli_search(big, paths)
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"\ntime to first byte, ms, {args.repeat} requests each after one warm-up"
          f" ({args.articles:,} articles; baseline {args.baseline:,})")  # fmt: skip
    print(f"{'page':<32} {'p50':>7} {'p95':>7} {'status':>6} {'KB':>6}"
          f" {'baseline p50':>12} {'ratio':>6} {'db.search_articles':>18}")  # fmt: skip
    for name, (p50, p95, status, size) in scale.items():
        reference = base[name][0]
        cli = f"{direct[name]:.1f}" if name in direct else ""
        print(f"{name:<32} {p50:>7.1f} {p95:>7.1f} {status:>6} {size / 1024:>6.1f}"
              f" {reference:>12.1f} {p50 / reference:>6.2f} {cli:>18}")  # fmt: skip
    print(f"\narchive: {big} ({big.stat().st_size / 1e6:.0f} MB); delete it when done")


if __name__ == "__main__":
    main()
