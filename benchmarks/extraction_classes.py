"""Generic extraction per class of issue 16: the golden pages (tests/golden/generic/) and a
second, independent set of synthetic pages with varied markup (benchmarks/classpages.py).

    .venv/bin/python benchmarks/extraction_classes.py [--per-class N] [--seed S] [--show-misses]

For every page: body F1 against the expected paragraphs (the shared benchmark's metric, word
4-gram shingles; on Hangul, kana and Han text character bigrams, as Korean sets are scored),
whether the body is exact (same tokens), the title and the published time (to the second,
UTC), and whether the body is empty. Printed per class; `make bench-extract` runs it.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
GOLDEN = REPO / "tests" / "golden" / "generic"
_WIDE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_TOKEN = re.compile(r"\w+")
GOLDEN_CLASSES = {
    "aspnet": "1-form", "nextjs": "2-script", "initial": "2-script", "nuxt": "2-script",
    "arc": "2-script", "jsonld": "3-jsonld", "hidden": "3b-hidden", "second": "4-second-story",
    "furniture": "5-furniture", "title": "6-title", "date": "7-date", "short": "8-short",
}  # fmt: skip
FLAGS = ("exact", "title", "date")
GOLDEN_TIMEZONES = {"date-naive-structured": "Asia/Seoul", "nuxt-state": "Asia/Tokyo"}


@dataclass
class Outcome:
    cls: str
    name: str
    f1: float
    exact: bool
    title: bool
    date: bool
    empty: bool


def units(text: str) -> Counter[tuple[str, ...]]:
    """Word 4-gram shingles, or character bigrams for text in Hangul, kana or Han."""
    if len(_WIDE.findall(text)) > len(text) / 4:
        chars = "".join(text.split())
        return Counter((chars[i : i + 2],) for i in range(len(chars) - 1))
    words = _TOKEN.findall(text)
    if len(words) < 4:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def body_f1(got: str, expected: str) -> float:
    pred, ref = units(got), units(expected)
    tp = sum((pred & ref).values())
    if not tp:
        return 0.0
    p, r = tp / sum(pred.values()), tp / sum(ref.values())
    return 2 * p * r / (p + r)


def judge(cls: str, name: str, html: str, url: str, tz: str, want: dict[str, str]) -> Outcome:
    from crawler.extract import extract_article

    got = extract_article(html, url, timezone=tz)
    return Outcome(
        cls,
        name,
        body_f1(got.body, want["body"]),
        _TOKEN.findall(got.body) == _TOKEN.findall(want["body"]),
        " ".join(got.title.split()) == " ".join(want["title"].split()),
        got.published_at == want["published_at"],
        not got.body.strip(),
    )


def golden_outcomes() -> list[Outcome]:
    outcomes = []
    for page in sorted(GOLDEN.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        found = re.search(r'<link[^>]*rel="canonical"[^>]*href="([^"]+)"', html)
        url = found.group(1) if found else f"https://example.org/{page.stem}"
        want = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        cls = next(c for prefix, c in GOLDEN_CLASSES.items() if page.stem.startswith(prefix))
        tz = GOLDEN_TIMEZONES.get(page.stem, "UTC")
        outcomes.append(judge(cls, page.stem, html, url, tz, want))
    return outcomes


def synthetic_outcomes(seed: int, per_class: int) -> list[Outcome]:
    from classpages import class_pages

    outcomes = []
    for page in class_pages(seed, per_class):
        want = {"title": page.title, "published_at": page.published,
                "body": "\n\n".join(page.paragraphs)}  # fmt: skip
        name = f"{page.url.rsplit('/', 2)[-2]}/{page.url.rsplit('/', 1)[-1]} {page.variant}"
        outcomes.append(judge(page.cls, name, page.html, page.url, page.timezone, want))
    return outcomes


def print_table(title: str, outcomes: list[Outcome]) -> None:
    print(title)
    print(
        f"  {'class':<16}{'pages':>6}{'body F1':>9}{'exact':>7}{'titles':>8}{'dates':>7}{'empty':>7}"
    )
    for cls in sorted({o.cls for o in outcomes}) + ["all"]:
        rows = [o for o in outcomes if cls in ("all", o.cls)]
        exact, title, date = (f"{sum(getattr(o, f) for o in rows)}/{len(rows)}" for f in FLAGS)
        f1 = statistics.fmean(o.f1 for o in rows)
        print(f"  {cls:<16}{len(rows):>6}{f1:>9.3f}{exact:>9}{title:>9}{date:>9}"
              f"{sum(o.empty for o in rows):>7}")  # fmt: skip
    print()


def print_misses(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        if not (o.exact and o.title and o.date):
            wrong = [
                w for w, ok in (("body", o.exact), ("title", o.title), ("date", o.date)) if not ok
            ]
            print(f"  {o.cls:<16}{o.name:<48} F1 {o.f1:.3f}  wrong: {', '.join(wrong)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-class", type=int, default=16, metavar="N")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    golden = golden_outcomes()
    print_table(f"golden pages per class ({GOLDEN.relative_to(REPO)}):", golden)
    synthetic = synthetic_outcomes(args.seed, args.per_class)
    print_table(f"synthetic pages per class (seed {args.seed}, varied markup):", synthetic)
    if args.show_misses:
        print_misses(golden + synthetic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
