"""Site profiles: golden pages per registered profile, Yonhap identity rules, the spider hook.

Golden tests: every tests/golden/<profile>/<name>.html is extracted by that profile and
compared field by field with <name>.json. After a deliberate change, regenerate with
    NEWSWATCH_REGENERATE=1 .venv/bin/python -m pytest tests/test_profiles.py -k golden
and review `git diff tests/golden` before committing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fixtures import news_site as ns

from crawler.discovery import feed_entries
from crawler.profiles import get_profile, profile_names
from crawler.profiles.base import split_version
from crawler.urls import canonical_url
from newswatch.config import ConfigError, load_config

GOLDEN = Path(__file__).parent / "golden"
YNA = "https://en.yna.co.kr/view/"
REGENERATE = os.environ.get("NEWSWATCH_REGENERATE") == "1"
HOW_TO_REGENERATE = (
    "if the change is deliberate, regenerate the expected files with\n"
    "    NEWSWATCH_REGENERATE=1 .venv/bin/python -m pytest tests/test_profiles.py -k golden\n"
    "and review `git diff tests/golden`"
)


def golden_pages() -> list[Any]:
    return [
        pytest.param(name, page, id=f"{name}/{page.stem}")
        for name in profile_names()
        for page in sorted((GOLDEN / name).glob("*.html"))
    ]


def extracted(name: str, page: Path) -> dict[str, Any]:
    """Every field the profile gives for a golden page, as JSON-ready values."""
    profile = get_profile(name)
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<link rel="canonical"[^>]*href="([^"]+)"', html)
    url = found.group(1) if found else f"https://example.org/{page.stem}"
    fields = dataclasses.asdict(profile.extract(html, url, timezone=profile.timezone))
    fields.pop("selector_report", None)  # how configured selectors fared: none are configured
    return {"url": url, "story_key": profile.story_key(url), **fields}


def differences(expected: dict[str, Any], got: dict[str, Any]) -> str:
    lines = []
    for key in sorted(set(expected) | set(got)):
        if expected.get(key) != got.get(key):
            lines.append(f"  {key}: expected {expected.get(key)!r:.300}\n{'':>{len(key) + 4}}"
                         f"got      {got.get(key)!r:.300}")  # fmt: skip
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "page"), golden_pages())
def test_golden(name: str, page: Path) -> None:
    expected_file = page.with_suffix(".json")
    got = extracted(name, page)
    if REGENERATE:  # rewrite, and fail showing what changed: a new golden is reviewed
        old = (
            json.loads(expected_file.read_text(encoding="utf-8")) if expected_file.exists() else {}
        )
        text = json.dumps(got, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        expected_file.write_text(text, encoding="utf-8")
        assert old == json.loads(text), (
            f"rewrote {expected_file.name}:\n{differences(old, json.loads(text))}\n"
            f"review `git diff {expected_file}` before committing"
        )
        return
    where = f"{page.relative_to(GOLDEN.parent)}"
    assert expected_file.exists(), (
        f"{where} has no expected {expected_file.name}: {HOW_TO_REGENERATE}"
    )
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert got == expected, (
        f"profile {name!r} extracts {where} differently from {expected_file.name}:\n"
        f"{differences(expected, got)}\n{HOW_TO_REGENERATE}"
    )


def test_every_profile_has_golden_pages() -> None:
    for name in profile_names():
        pages = list((GOLDEN / name).glob("*.html"))
        assert pages, f"profile {name!r} has no golden page: add tests/golden/{name}/<page>.html"


# -- Yonhap: what the golden files pin, said in words -------------------------------------------


def test_yonhap_sample_fields() -> None:
    got = extracted("yonhap", GOLDEN / "yonhap" / "sample.html")
    assert got["title"] == ns.SAMPLE_TITLE, "no ' | Yonhap News Agency' suffix"
    assert (got["version"], got["headline"]) == ("", ns.SAMPLE_TITLE)
    assert got["body"].startswith(ns.SAMPLE_BODY_START) and got["body"].endswith("said Cho.")
    assert len(got["body"].split("\n\n")) == ns.SAMPLE_PARAGRAPHS
    for furniture in ("By Byun", "bdk@yna.co.kr", "(END)", "Related Articles", "file photo"):
        assert furniture not in got["body"], furniture
    assert got["authors"] == [ns.SAMPLE_AUTHOR] and got["dateline"] == "WASHINGTON, Jan. 31"
    assert got["published_at"] == "2023-01-31T17:35:11Z", "article:published_time, KST"
    assert got["updated_at"] == "2023-02-01T00:12:40Z", "article:modified_time, KST"
    assert got["tags"] == ["Cho Tae-yong", "extended deterrence", "N. Korean human rights"]
    assert [i["caption"][: len(ns.SAMPLE_CAPTION_START)] for i in got["images"]] == [
        ns.SAMPLE_CAPTION_START
    ]
    assert got["story_key"] == "AEN20230201-315-0004"


def test_yonhap_lead_with_attn_photo_and_video() -> None:
    got = extracted("yonhap", GOLDEN / "yonhap" / "lead-attn-photo-video.html")
    assert got["version"] == "LEAD" and not got["headline"].startswith("(")
    assert "ATTN" not in got["body"] and "Military tightens watch" not in got["body"]
    assert "youtu" not in json.dumps(got["images"]), "a video is not an image"
    assert got["authors"] == ["Kim Soo-jin"]


def test_yonhap_page_without_byline_or_photo() -> None:
    got = extracted("yonhap", GOLDEN / "yonhap" / "original-no-byline.html")
    assert got["authors"] == [] and got["images"] == [], "the logo og:image is not a photo"
    assert got["origins"]["authors"] == "profile", "no byline is an answer, not a fallback"


def test_yonhap_time_line_keyword_data_and_repeated_captions() -> None:
    got = extracted("yonhap", GOLDEN / "yonhap" / "2nd-ld-two-photos.html")
    assert got["published_at"] == "2024-03-12T08:45:00Z", "the time line, read as KST"
    assert got["tags"] == ["N. Korea missile", "Freedom Shield"], "CONTENT_DATA KEYWORD"
    captions = [i["caption"] for i in got["images"]]
    assert len(captions) == 3 and captions[1] == "", "each caption once"
    assert captions[2].startswith("People watch"), "an empty figcaption falls back to alt"
    assert got["authors"] == ["Kim Soo-jin", "Park Han-sol"] and got["version"] == "2nd LD"


@pytest.mark.parametrize(
    ("title", "version", "headline"),
    [
        ("(URGENT) N. Korea fires missile", "URGENT", "N. Korea fires missile"),
        ("(LEAD) Allies hold talks", "LEAD", "Allies hold talks"),
        ("(2nd LD) Allies hold talks", "2nd LD", "Allies hold talks"),
        ("(4TH LD) Allies hold talks", "4th LD", "Allies hold talks"),
        ("(3rd LD-Yonhap Interview) Envoy speaks", "3rd LD", "(Yonhap Interview) Envoy speaks"),
        ("(News Focus) Allies hold talks", "", "(News Focus) Allies hold talks"),
        ("Allies hold talks (LEAD)", "", "Allies hold talks (LEAD)"),
    ],
)
def test_version_labels(title: str, version: str, headline: str) -> None:
    assert split_version(title) == (version, headline)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://en.yna.co.kr/view/AEN20230301003800320", "AEN20230301-320-0038"),
        (YNA + "AEN20230301003851320?section=news&input=rss", "AEN20230301-320-0038"),
        ("https://m-en.yna.co.kr/view/AEN20230301003852320", "AEN20230301-320-0038"),
        ("https://yna.kr/AEN20230301003853320", "AEN20230301-320-0038"),
        ("http://127.0.0.1:8080/view/AEN20230301000400320", "AEN20230301-320-0004"),
        ("https://en.yna.co.kr/nk/index", ""),
        ("https://en.yna.co.kr/view/PYH20230131023900325", ""),
    ],
)  # fmt: skip
def test_yonhap_story_key_drops_the_version_digits(url: str, key: str) -> None:
    assert get_profile("yonhap").story_key(url) == key


def test_yonhap_neighbourhood_is_the_desk_around_the_day() -> None:
    yonhap = get_profile("yonhap")
    assert yonhap.neighbourhood("AEN20240301-325-0004") == (
        "AEN20240229-325-", "AEN20240301-325-", "AEN20240302-325-",
    )  # fmt: skip
    assert yonhap.neighbourhood("AEN20241340-325-0004") == ()
    assert yonhap.neighbourhood("") == ()


def test_profile_falls_back_to_generic_extraction_for_what_it_cannot_read() -> None:
    html = (
        '<html lang="en"><head><title>Allies agree on drills | Yonhap News Agency</title>'
        '<meta property="article:published_time" content="2023-03-01T14:20:00+09:00"></head>'
        "<body><main><h1>Allies agree on drills</h1><div class='text'>"
        + "".join(f"<p>Paragraph {i} of a page in an unknown layout, long.</p>" for i in range(6))
        + "</div></main></body></html>"
    )  # fmt: skip
    got = get_profile("yonhap").extract(html, "https://en.yna.co.kr/view/AEN20230301003800320")
    assert got.title == "Allies agree on drills" and got.origins["title"] == "profile"
    assert got.body.startswith("Paragraph 0") and got.origins["body"] != "profile"
    assert got.published_at == "2023-03-01T05:20:00Z"


def test_unknown_profile_is_a_config_error_naming_key_and_known_profiles(tmp_path: Path) -> None:
    source = ns.yonhap_source("https://en.yna.co.kr", profile="korea-herald")
    path = ns.write_config(tmp_path / "config.yaml", ns.config_dict([source]))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert "sources[0].profile" in message and "yonhap" in message and "korea-herald" in message
    with pytest.raises(KeyError, match="yonhap"):
        get_profile("korea-herald")


def test_shipped_config_uses_the_yonhap_profile() -> None:
    config = load_config(Path(__file__).parent.parent / "config.yaml")
    assert {s.profile for s in config.sources} == {"yonhap"}


def test_yonhap_feed_shapes_give_article_urls_with_their_story_keys() -> None:
    """<id> not <guid>, zone-less pubDates (bare and RFC 822) in KST, "(END)", enclosures."""
    site = type("Site", (), {"netloc": "en.yna.co.kr", "pages": {}})()
    site.set = lambda path, body, **_: site.pages.__setitem__(path, body)
    ns.install_yonhap(site)
    entries = feed_entries(
        site.pages["/RSS/news.xml"].encode(), "https://en.yna.co.kr/", "Asia/Seoul"
    )
    yonhap = get_profile("yonhap")
    got = {canonical_url(e.url): (e.published_at, yonhap.story_key(e.url)) for e in entries}
    feed_only, lead = (f"http://en.yna.co.kr{s.path}" for s in (ns.FEED_ONLY, ns.LEAD_UPDATE))
    assert got[feed_only] == ("2023-03-02T00:30:00Z", "AEN20230302-315-0001")
    assert got[lead] == (ns.LEAD_UPDATE.published_at, "AEN20230301-320-0038")
    assert len(got) == 3, f"the enclosure is not an article: {got}"


# -- the spider hook, end to end over HTTP -------------------------------------------------------


def test_crawl_with_the_yonhap_profile(site, write_config, run_cli) -> None:
    config = write_config(profile="yonhap")
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    with closing(sqlite3.connect(config.parent / "news.db")) as con:
        con.row_factory = sqlite3.Row
        rows = {
            r["url"].split("/view/")[-1]: dict(r) for r in con.execute("select * from articles")
        }
    lead, original = rows[ns.LEAD_UPDATE.cid], rows[ns.LEAD_ORIGINAL.cid]
    assert (lead["version"], original["version"]) == ("LEAD", "")
    assert lead["story_key"] == original["story_key"] == "AEN20230301-320-0038"
    assert lead["story_id"] == original["story_id"]
    for story in (ns.LEAD_UPDATE, ns.SYNDICATED, ns.PHOTO_VIDEO, ns.PAGE2_ONLY):
        row = rows[story.cid]
        assert (row["title"], row["body"]) == (story.headline, story.body), story.cid
        assert json.loads(row["authors"]) == story.authors, story.cid
    sample = rows[ns.SAMPLE_CID]
    assert (
        sample["dateline"] == "WASHINGTON, Jan. 31"
        and sample["published_at"] == "2023-01-31T17:35:11Z"
    )
    assert len({r["story_id"] for r in rows.values()}) == len(rows) - 1, "only the LEAD joins"
