"""Generic extraction benchmark: newswatch's body extraction for sources without selectors,
scored on the article-extraction-benchmark pages (181 real news and blog pages).

    .venv/bin/python benchmarks/extraction.py [--data PATH] [--no-baseline] [--show-worst N]

For every page (gunzipped, decoded as UTF-8) it times one call of
`crawler.extract.extract_article(html, url, selectors=None)` and scores its `.body` with the
benchmark's metric (the data's README): tokens are Unicode `\\w+` matches, texts become
multisets of 4-token shingles, precision and recall are macro averages over pages (an empty
prediction costs recall only), F1 comes from the two averages, and accuracy is the share of
pages whose token sequence equals the reference. The baseline is plain
`trafilatura.extract(html, url=url)` with default settings, timed the same way (its defaults
keep comments; with include_comments=False it scores higher, e.g. the issue's F1 0.960).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "article-extraction"
_TOKEN = re.compile(r"\w+")


@dataclass
class Page:
    id: str
    url: str
    html: str
    reference: str


@dataclass
class Score:
    precision: float | None  # None when the prediction has no shingles
    recall: float | None  # None when the reference has no shingles
    exact: bool


@dataclass
class Result:
    name: str
    scores: list[Score]
    millis: list[float]
    empty: int
    cpu_millis: list[float]  # process CPU time: steadier than wall time on a busy machine

    def figures(self) -> dict[str, float]:
        precisions = [s.precision for s in self.scores if s.precision is not None]
        recalls = [s.recall for s in self.scores if s.recall is not None]
        p = statistics.fmean(precisions) if precisions else 0.0
        r = statistics.fmean(recalls) if recalls else 0.0
        return {
            "F1": 2 * p * r / (p + r) if p + r else 0.0,
            "precision": p,
            "recall": r,
            "accuracy": sum(s.exact for s in self.scores) / len(self.scores),
            "empty outputs": float(self.empty),
            "median ms/page": statistics.median(self.millis),
            "p90 ms/page": statistics.quantiles(self.millis, n=10)[-1],
            "median cpu ms": statistics.median(self.cpu_millis),
        }


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(words: list[str], n: int = 4) -> Counter[tuple[str, ...]]:
    if not words:
        return Counter()
    if len(words) < n:
        return Counter([tuple(words)])
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def score(predicted: str, reference: str) -> Score:
    pred_words, ref_words = tokens(predicted), tokens(reference)
    pred, ref = shingles(pred_words), shingles(ref_words)
    tp = sum((pred & ref).values())
    n_pred, n_ref = sum(pred.values()), sum(ref.values())
    precision = tp / n_pred if n_pred else None
    recall = tp / n_ref if n_ref else None
    return Score(precision, recall, pred_words == ref_words)


def load_pages(data: Path) -> list[Page]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(Page(page_id, entry["url"], raw.decode("utf-8"), entry["articleBody"]))
    return pages


def run(name: str, extract: Callable[[str, str], str], pages: list[Page]) -> Result:
    extract(pages[0].html, pages[0].url)  # warm-up: imports, caches
    scores, millis, cpu, empty = [], [], [], 0
    for page in pages:
        start, start_cpu = time.perf_counter(), time.process_time()
        text = extract(page.html, page.url) or ""
        millis.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        scores.append(score(text, page.reference))
        empty += not tokens(text)
    return Result(name, scores, millis, empty, cpu)


def newswatch_body(html: str, url: str) -> str:
    from crawler.extract import extract_article

    return extract_article(html, url, selectors=None).body


def trafilatura_body(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def print_header(data: Path, pages: list[Page]) -> None:
    versions = ", ".join(
        f"{pkg} {metadata.version(pkg)}" for pkg in ("trafilatura", "lxml", "htmldate")
    )
    print(f"machine:  {cpu_model()}, {os.cpu_count()} cores, {platform.system()}")
    print(f"versions: Python {platform.python_version()}, {versions}")
    hosts = {urlsplit(p.url).hostname for p in pages}
    print(f"data:     {data} ({len(pages)} pages, {len(hosts)} hosts)")
    print()


def print_table(results: list[Result]) -> None:
    rows = [r.figures() for r in results]
    print(f"{'':<16}" + "".join(f"{r.name:>14}" for r in results))
    for key in rows[0]:
        digits = 0 if key == "empty outputs" else 1 if "ms" in key else 3
        print(f"{key:<16}" + "".join(f"{row[key]:>14.{digits}f}" for row in rows))
    if len(rows) == 2:
        ratio = rows[0]["median ms/page"] / rows[1]["median ms/page"]
        print(f"{'median ratio':<16}{ratio:>14.2f}  ({results[0].name} / {results[1].name})")
        ratio = rows[0]["median cpu ms"] / rows[1]["median cpu ms"]
        print(f"{'cpu ratio':<16}{ratio:>14.2f}  (the same, in CPU time)")


def print_worst(result: Result, pages: list[Page], count: int) -> None:
    def f1(s: Score) -> float:
        p, r = s.precision or 0.0, s.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    ranked = sorted(zip(pages, result.scores, strict=True), key=lambda pair: f1(pair[1]))
    print(f"\nlowest F1 ({result.name}):")
    for page, s in ranked[:count]:
        host = urlsplit(page.url).hostname or ""
        p = "-" if s.precision is None else f"{s.precision:.3f}"
        r = "-" if s.recall is None else f"{s.recall:.3f}"
        print(f"  {page.id[:12]}  F1 {f1(s):.3f}  P {p:>5}  R {r:>5}  {host}")


def quiet_logs() -> None:
    for name in ("trafilatura", "htmldate", "courlan", "crawler", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    logging.basicConfig(level=logging.CRITICAL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark data dir")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--show-worst", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        parser.error(f"no benchmark data in {args.data} (expected ground-truth.json and html/)")
    quiet_logs()
    pages = load_pages(args.data)
    print_header(args.data, pages)
    results = [run("newswatch", newswatch_body, pages)]
    if args.baseline:
        results.append(run("trafilatura", trafilatura_body, pages))
    print_table(results)
    if args.show_worst:
        print_worst(results[0], pages, args.show_worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
