"""Archive scale: does newswatch stay flat as the archive grows to 10k, 100k, 1M articles?

Builds one synthetic archive with the real store path (db.insert_article, with MinHash
bands from crawler.similarity) and, each time it reaches a checkpoint size, measures:
  - the insert rate of the last 10,000 articles (articles/s), against the first 10,000;
  - the database size per article;
  - `search` latency, p50 and p95 over 40 queries each of a word, a phrase, a boolean query;
  - the near-duplicate lookup the pipeline makes per new article (candidates + decision).
Prints a table, and with --plot writes docs/images/archive-scale.png (matplotlib).
Asserts nothing. Articles: 250 words from a Zipf distribution over 20,000 words.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from matching import make_article, vocabulary, zipf_weights  # noqa: E402

import db  # noqa: E402
from crawler import stories  # noqa: E402
from crawler.items import Article  # noqa: E402
from crawler.similarity import fingerprint  # noqa: E402
from newswatch.query import parse_query  # noqa: E402

CHUNK = 10_000


class Corpus:
    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng, 20_000)
        self.weights = zipf_weights(len(self.vocab))

    def article(self) -> tuple[str, str]:
        return make_article(self.rng, self.vocab, self.weights)

    def queries(self) -> dict[str, list[str]]:
        mid = self.vocab[200:3000]
        pick = self.rng.choice
        return {
            "word": [pick(mid) for _ in range(40)],
            "phrase": [f'"{pick(self.vocab[:300])} {pick(self.vocab[:300])}"' for _ in range(40)],
            "boolean": [f"({pick(mid)} OR {pick(mid)}) AND {pick(self.vocab[:500])} NOT {pick(mid)}"
                        for _ in range(40)],
        }  # fmt: skip


def insert_chunk(archive, corpus: Corpus, start: int, count: int, batch: int = 1) -> float:
    """Inserts `count` articles, `batch` per transaction (1: each its own; a crawl's writer
    thread commits up to 100, each article a savepoint inside); returns articles/s of the
    store path alone (the synthetic text is made first, the fingerprint is counted: the
    pipeline computes it too)."""
    texts = [corpus.article() for _ in range(count)]
    began = time.perf_counter()
    for first in range(0, count, batch):
        # batch 1: insert_article's own transaction only, as the figures before issue 21
        with db.write_transaction(archive) if batch > 1 else contextlib.nullcontext():
            for i, (title, body) in enumerate(texts[first : first + batch], start=start + first):
                insert_one(archive, i, title, body)
    return count / (time.perf_counter() - began)


def insert_one(archive, i: int, title: str, body: str) -> None:
    found = fingerprint(f"{title}\n\n{body}")
    day = f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
    row = {"url": f"https://example.org/a/{i}", "source": f"s{i % 5}", "title": title,
           "body": body, "published_at": day, "signature": found.signature,
           "shingles": found.shingles}  # fmt: skip
    db.insert_article(archive, row, found.bands, None)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def search_latency(archive, queries: list[str]) -> tuple[float, float]:
    times = []
    for text in queries:
        fts = parse_query(text).fts()
        began = time.perf_counter()
        db.search_articles(archive, fts, 20)
        times.append((time.perf_counter() - began) * 1000)
    return percentiles(times)


def dedup_latency(archive, corpus: Corpus, n: int = 200) -> tuple[float, float]:
    times = []
    for i in range(n):
        title, body = corpus.article()
        item = Article(url=f"https://example.org/new/{i}", source="s0", title=title, body=body,
                       published_at="2023-06-01T00:00:00Z")  # fmt: skip
        found = fingerprint(f"{title}\n\n{body}")
        began = time.perf_counter()
        new = stories.evidence_of(item, found, None)
        stories.best_story(new, stories.candidates(archive, new, found.bands), None)
        times.append((time.perf_counter() - began) * 1000)
    return percentiles(times)


def measure(archive, path: Path, corpus: Corpus, size: int, rate: float) -> dict:
    archive.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    row = {"size": size, "rate": rate, "bytes": path.stat().st_size / size}
    for kind, queries in corpus.queries().items():
        row[kind] = search_latency(archive, queries)
    row["dedup"] = dedup_latency(archive, corpus)
    return row


def show(row: dict, first_rate: float) -> None:
    cells = [f"{row['size']:>9,}", f"{row['rate']:>8.0f}", f"{row['rate'] / first_rate:>5.2f}",
             f"{row['bytes'] / 1024:>6.1f}"]  # fmt: skip
    for kind in ("word", "phrase", "boolean", "dedup"):
        cells.append("{:>6.1f} {:>6.1f}".format(*row[kind]))
    print("  ".join(cells), flush=True)


def plot(rows: list[dict], out: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    sizes = [r["size"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(sizes, [r["rate"] for r in rows], marker="o")
    left.set(xscale="log", xlabel="articles in the archive", ylabel="inserts/s (last 10k)",
             title="Insert rate", ylim=(0, None))  # fmt: skip
    for kind in ("word", "phrase", "boolean"):
        right.plot(sizes, [r[kind][1] for r in rows], marker="o", label=f"{kind} p95")
    right.plot(sizes, [r["dedup"][1] for r in rows], marker="o", label="near-dup lookup p95")
    right.set(xscale="log", xlabel="articles in the archive", ylabel="ms", title="Latency")
    right.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"plot: {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--plot", action="store_true")
    parser.add_argument("--dir", help="where to build the archive (default: a temp dir)")
    parser.add_argument("--batch", type=int, default=1,
                        help="articles per transaction (default 1; a crawl commits up to 100)")  # fmt: skip
    args = parser.parse_args()
    checkpoints = sorted(int(s) for s in args.sizes.split(","))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}")  # fmt: skip
    print(
        "  articles  inserts/s  ratio  KB/art  word p50 p95  phrase p50 p95  boolean p50 p95"
        "  near-dup p50 p95 (ms)"
    )
    folder = Path(args.dir or tempfile.mkdtemp(prefix="nw-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scale.db"
    archive, corpus, rows, size, first = db.open_db(path), Corpus(), [], 0, 0.0
    while size < checkpoints[-1]:
        rate = insert_chunk(archive, corpus, size, CHUNK, args.batch)
        first = first or rate
        size += CHUNK
        if size in checkpoints:
            rows.append(measure(archive, path, corpus, size, rate))
            show(rows[-1], first)
    archive.close()
    if args.plot:
        plot(rows, ROOT / "docs" / "images" / "archive-scale.png")
    print(f"archive: {path} ({path.stat().st_size / 1e9:.2f} GB); delete it when done")


if __name__ == "__main__":
    main()
