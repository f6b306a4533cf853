"""Golden pages for generic extraction (sources without selectors or profile): one small
made-up page per class of failure of issue 16, each compared with the title, date and body
a reader of the page expects (tests/golden/generic/<page>.json).

The expected files were written by hand from the pages, not copied from the extractor's
output. After a deliberate change of behaviour, rewrite them with
    NEWSWATCH_REGENERATE=1 .venv/bin/python -m pytest tests/test_golden_generic.py
which fails for every page whose expected file changed, printing the difference: review it
with `git diff tests/golden/generic` before committing (a regeneration never passes silently).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract_article

GOLDEN = Path(__file__).parent / "golden" / "generic"
REGENERATE = os.environ.get("NEWSWATCH_REGENERATE") == "1"
FIELDS = ("title", "published_at", "body")
# Pages whose source is configured with a time zone (dates printed without an offset).
TIMEZONES = {"date-naive-structured": "Asia/Seoul", "nuxt-state": "Asia/Tokyo"}
# What each class of page tests, by file name prefix (issue 16's items).
CLASSES = {
    "aspnet-form": "1. the article lives in a <form> (text in <div>s with <br>)",
    "nextjs-data": "2. the article is only in a script (__NEXT_DATA__)",
    "initial-state": "2. the article is only in a script (window.__INITIAL_STATE__)",
    "nuxt-state": "2. the article is only in a script (Nuxt's window.__NUXT__)",
    "arc-fusion": "2. the article is only in a script (Fusion.globalContent)",
    "jsonld-": "3. structured data repeats the text (JSON-LD articleBody)",
    "hidden-": "3b. hidden print or mobile copies of the body",
    "second-story": "4. a second story on the same page",
    "furniture-": "5. furniture inside the article column",
    "title-": "6. titles: the headline the page displays",
    "date-": "7. dates",
    "short-": "8. short articles",
}
HOW_TO_REGENERATE = (
    "if the change is deliberate, rewrite the expected files with\n"
    "    NEWSWATCH_REGENERATE=1 .venv/bin/python -m pytest tests/test_golden_generic.py\n"
    "and review `git diff tests/golden/generic`"
)


def page_class(name: str) -> str:
    return next((what for prefix, what in CLASSES.items() if name.startswith(prefix)), "?")


def golden_pages() -> list[Any]:
    return [pytest.param(page, id=page.stem) for page in sorted(GOLDEN.glob("*.html"))]


def extracted(page: Path) -> dict[str, str]:
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<link[^>]*rel="canonical"[^>]*href="([^"]+)"', html)
    url = found.group(1) if found else f"https://example.org/{page.stem}"
    got = extract_article(html, url, timezone=TIMEZONES.get(page.stem, "UTC"))
    return {name: getattr(got, name) for name in FIELDS}


def differences(expected: dict[str, Any], got: dict[str, Any]) -> str:
    lines = []
    for name in FIELDS:
        if expected.get(name) == got.get(name):
            continue
        if name == "body":
            want, have = expected.get(name, "").split("\n\n"), got[name].split("\n\n")
            lines.append("  body:")
            lines.extend(f"    missing  {p!r:.160}" for p in want if p not in have)
            lines.extend(f"    extra    {p!r:.160}" for p in have if p not in want)
            if set(want) == set(have):
                lines.append(f"    same paragraphs, different order or count: {len(have)} got")
        else:
            lines.append(f"  {name}: expected {expected.get(name)!r}\n{'':>{len(name) + 4}}"
                         f"got      {got[name]!r}")  # fmt: skip
    return "\n".join(lines)


@pytest.mark.parametrize("page", golden_pages())
def test_generic_golden(page: Path) -> None:
    expected_file = page.with_suffix(".json")
    got = extracted(page)
    where = page.relative_to(GOLDEN.parent.parent)
    old = json.loads(expected_file.read_text(encoding="utf-8")) if expected_file.exists() else {}
    if REGENERATE:
        text = json.dumps(got, indent=1, ensure_ascii=False) + "\n"
        expected_file.write_text(text, encoding="utf-8")
        assert old == got, (
            f"rewrote {expected_file.name} ({page_class(page.stem)}):\n"
            f"{differences(old, got)}\nreview `git diff {expected_file}` before committing"
        )
        return
    assert old, f"{where} has no expected {expected_file.name}: {HOW_TO_REGENERATE}"
    assert got == old, (
        f"generic extraction of {where} ({page_class(page.stem)}) differs from "
        f"{expected_file.name}:\n{differences(old, got)}\n{HOW_TO_REGENERATE}"
    )


def test_every_class_has_a_golden_page() -> None:
    names = [page.stem for page in GOLDEN.glob("*.html")]
    for prefix, what in CLASSES.items():
        assert any(name.startswith(prefix) for name in names), (
            f"class {what!r} has no golden page: add tests/golden/generic/{prefix}….html "
            "and its expected .json"
        )
    for name in names:
        assert page_class(name) != "?", f"{name}.html matches no class prefix in CLASSES"
