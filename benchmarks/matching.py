"""Matching benchmark: 1,000 rules against 1,000 new articles (goal: under 2 s).

Measures, in one process on a real temporary archive:
  (1) the in-memory matcher alone (trigger index + evaluation),
  (2) the same rules evaluated naively, every rule against every article (the baseline),
  (3) the whole after-crawl pass `match_new_articles`: reading the articles, matching,
      claiming (rule, story) rows and writing the outbox, in real SQLite transactions;
  (4) what the update pass (scheduler.updates) adds to the pass for a crawl of 1,000 new
      articles, 100 of them later versions (3 sentences added) of 100 stories alerted before,
      each story followed by its own rule: the same pass on copies of one archive, with the
      rules' `updates: true` and without, in CPU time (steadier than wall time on a shared
      machine), the best of 3 runs each.
Prints the figures and the ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import db  # noqa: E402
from newswatch.config import load_config  # noqa: E402
from newswatch.query import parse_query  # noqa: E402
from newswatch.sentences import content_words  # noqa: E402
from scheduler.alerts import match_new_articles  # noqa: E402
from scheduler.matching import Matcher, TokenDoc, evaluate  # noqa: E402

SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "su",
    "ne",
    "ta",
    "lo",
    "pi",
    "gu",
    "de",
    "an",
    "ye",
    "ho",
    "mi",
    "ju",
    "sa",
    "ko",
    "ne",
    "ba",
    "do",
]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


def zipf_weights(size: int) -> list[float]:
    """Cumulative Zipf weights (for random.choices(cum_weights=...): computed once)."""
    return list(itertools.accumulate(1 / (rank + 1) for rank in range(size)))


def make_rules(rng: random.Random, vocab: list[str], n: int) -> dict[str, str]:
    """Rules on mid-frequency words, as analysts write them: specific, a few hits a day."""
    mid = vocab[100:3000]

    def w() -> str:
        return rng.choice(mid)

    shapes = (
        lambda: w(),
        lambda: f'"{w()} {w()}"',
        lambda: f"{w()} AND {w()}",
        lambda: f"{w()} OR {w()} OR {w()}",
        lambda: f"{w()} NOT {w()}",
        lambda: f'("{w()} {w()}" OR {w()}) AND {w()}',
        lambda: f"{w()[:5]}*",
    )
    return {f"rule{i}": rng.choice(shapes)() for i in range(n)}


def make_article(rng: random.Random, vocab: list[str], weights: list[float]) -> tuple[str, str]:
    words = rng.choices(vocab, cum_weights=weights, k=250)
    title = " ".join(words[:8]).capitalize()
    body = "\n\n".join(" ".join(words[i : i + 40]) + "." for i in range(8, 248, 40))
    return title, body


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def write_config(folder: Path, rules: dict[str, str], name: str = "config.yaml",
                 database: str = "bench.db", follow: tuple[str, ...] = ()) -> Path:  # fmt: skip
    lines = [
        f"database: {database}",
        "sources:",
        "  - {name: wire, start_urls: ['http://127.0.0.1:9/'], article_url_pattern: 'x'}",
        "alerts:",
        "  rules:",
    ]
    for rule, query in rules.items():
        quoted = query.replace("'", "''")
        updates = ", updates: true" if rule in follow else ""
        lines.append(f"    - {{name: {rule}, query: '{quoted}', to: [a@example.org]{updates}}}")
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(7)
    vocab = vocabulary(rng, 20000)
    weights = zipf_weights(len(vocab))
    rules = make_rules(rng, vocab, args.rules)
    articles = [make_article(rng, vocab, weights) for _ in range(args.articles)]
    queries = {name: parse_query(q) for name, q in rules.items()}
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(
        f"{len(rules)} rules x {len(articles)} articles (250 words each, Zipf over 20,000 words;"
        " rules on words of rank 100-3000)"
    )

    t_build, matcher = timed(lambda: Matcher.build(queries))
    t_index, hits = timed(lambda: [matcher.matches(t, b) for t, b in articles])
    docs = [TokenDoc(t, b) for t, b in articles]
    t_naive, naive = timed(
        lambda: [sorted(n for n, q in queries.items() if evaluate(q.root, d)) for d in docs]
    )
    assert hits == naive, "the indexed matcher must agree with the naive one"
    matches = sum(len(h) for h in hits)
    print(
        f"(1) indexed matcher: build {t_build * 1000:.0f} ms, match {t_index:.2f} s, {matches} matches"
    )
    print(
        f"(2) naive baseline (tokenizing excluded): {t_naive:.2f} s; ratio {t_index / t_naive:.2f}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(write_config(Path(tmp), rules))
        archive = db.open_db(config.database)
        for i, (title, body) in enumerate(articles):
            row = {"url": f"http://x/{i}", "source": "wire", "title": title, "body": body}
            db.insert_article(archive, row, [], None)
        t_pass, report = timed(lambda: match_new_articles(archive, config))
        emails = archive.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        archive.close()
    print(
        f"(3) full pass match_new_articles: {t_pass:.2f} s (goal < 2 s): "
        f"{sum(report.alerts.values())} alerts claimed, {emails} emails queued"
    )
    with tempfile.TemporaryDirectory() as tmp:
        bench_updates(Path(tmp), vocab, weights)


def sentence(rng: random.Random, vocab: list[str], weights: list[float]) -> str:
    return " ".join(rng.choices(vocab, cum_weights=weights, k=25)).capitalize() + "."


def archive_with_alerted_stories(folder: Path, vocab: list[str],
                                 weights: list[float]) -> tuple[Path, dict[str, str]]:  # fmt: skip
    """An archive where 100 stories were alerted (rule follow<i> matches story i alone), then
    1,000 new articles: a new version of each story, and 900 others. Not matched yet."""
    rng = random.Random(11)
    follow = {f"follow{i}": f"storytag{i:03d}" for i in range(100)}
    config = load_config(write_config(folder, follow, "setup.yaml", "setup.db", tuple(follow)))
    archive = db.open_db(config.database)
    bodies = []
    for i, tag in enumerate(follow.values()):
        title, body = make_article(rng, vocab, weights)
        bodies.append(f"{tag} {body}")
        row = {"url": f"http://x/s{i}", "source": "wire", "title": title, "body": bodies[-1]}
        db.insert_article(archive, row, [], None)
    match_new_articles(archive, config)  # the alerts: not timed
    for i, body in enumerate(bodies):  # the versions: 3 sentences more, in the same story
        added = "\n\n".join(sentence(rng, vocab[5000:], weights[:15000]) for _ in range(3))
        row = {"url": f"http://x/s{i}-lead", "source": "wire", "title": f"(LEAD) story {i}",
               "body": f"{body}\n\n{added}"}  # fmt: skip
        db.insert_article(archive, row, [], i + 1)
    for i in range(900):
        title, body = make_article(rng, vocab, weights)
        db.insert_article(archive, {"url": f"http://x/n{i}", "source": "wire", "title": title,
                                    "body": body}, [], None)  # fmt: skip
    archive.close()
    return config.database, follow


def cpu_timed_pass(folder: Path, pristine: Path, follow: dict[str, str], updates: bool,
                   run: int) -> tuple[float, object, int]:  # fmt: skip
    """One matching pass over a fresh copy of `pristine`, in CPU seconds."""
    name = f"{'on' if updates else 'off'}{run}"
    shutil.copy(pristine, folder / f"{name}.db")
    path = write_config(folder, follow, f"{name}.yaml", f"{name}.db",
                        tuple(follow) if updates else ())  # fmt: skip
    config = load_config(path)
    archive = db.open_db(config.database)
    content_words.cache_clear()  # each run starts cold, as each crawl's pass does
    start = time.process_time()
    report = match_new_articles(archive, config)
    spent = time.process_time() - start
    emails = archive.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    archive.close()
    return spent, report, emails


def bench_updates(folder: Path, vocab: list[str], weights: list[float]) -> None:
    pristine, follow = archive_with_alerted_stories(folder, vocab, weights)
    best: dict[bool, float] = {}
    for run in range(3):
        for updates in (False, True):
            spent, report, emails = cpu_timed_pass(folder, pristine, follow, updates, run)
            best[updates] = min(best.get(updates, spent), spent)
    for updates in (False, True):
        print(f"    rules with updates: {str(updates).lower():5}  pass {best[updates]:.3f} s CPU")
    n = sum((report.updates or {}).values())  # of the last run: updates on
    extra = best[True] - best[False]
    print(f"(4) the update pass adds {extra:.3f} s CPU (x {best[True] / best[False]:.2f}) to the "
          f"pass over 1,000 new articles with 100 alerted stories: {n} updates queued "
          f"({emails} emails in the outbox with the 100 alerts), "
          f"{extra / max(n, 1) * 1000:.1f} ms per update")  # fmt: skip


if __name__ == "__main__":
    main()
