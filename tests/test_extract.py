"""extract_article() on static pages: the Yonhap 2023 layout (with and without the
source's selectors), generic news pages, an EUC-KR Korean page and broken input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.extract import Extracted, extract_article, parse_date
from crawler.jsonld import loads_tolerant
from crawler.structured import clean_title
from crawler.wire import clean_wire
from newswatch.config import Selectors

PAGES = Path(__file__).parent / "fixtures" / "pages"
YONHAP_GOLDEN = Path(__file__).parent / "golden" / "yonhap"
YONHAP = Selectors(
    title="header.title-article01 h1.tit",
    body="article.story-news > p",
    published="header.title-article01 .info-con span.txt",
    exclude=(".related-group", ".photo-group", ".youtube-group"),
)
SAMPLE_URL = "https://en.yna.co.kr/view/AEN20230201000452315"
SAMPLE_TITLE = (
    "U.S., S. Korea to enhance joint deterrence, improve N. Korean human rights: Amb. Cho"
)
SAMPLE_FIRST = (
    "WASHINGTON, Jan. 31 (Yonhap) -- South Korea and the United States will seek to "
    "strengthen their joint deterrence against North Korea while also working to improve "
    "human rights conditions in the reclusive North, South Korea's ambassador to the U.S., "
    "Cho Tae-yong, said Tuesday."
)
SAMPLE_LAST = (
    '"(We) are also looking at ways to expand the South Korea-U.S. alliance from traditional '
    'areas of defense, security and economic relations to science technology and space," '
    "said Cho."
)
SAMPLE_PARAGRAPHS = 11  # from the dateline paragraph to the last quote
SAMPLE_CAPTION = (
    "This Yonhap file photo shows South Korean Ambassador to the United States Cho Tae-yong "
    "speaking to reporters in Washington. (Yonhap)"
)
SAMPLE_IMAGE = "https://img7.yna.co.kr/photo/yna/YH/2023/02/01/PYH2023020100120031500_P4.jpg"
# Words of the made-up sidebar, related-box and "Right Now" headlines: never in the article.
SIDEBAR_WORDS = [
    "hypersonic", "Kaesong", "satellite launch", "ICBM", "Pyongyang parade", "submarine",
    "Yongbyon", "drone", "torpedo", "Kim Yo-jong", "Sinpo", "marathon",
]  # fmt: skip
PAGE_FURNITURE = [
    "Related Articles", "(END)", "@yna.co.kr", "Most Viewed", "Most Liked", "Most Saved",
    "Main Article Right Now", "Issue Keywords", "Go to Contents", "All News", "Copyright",
    "Share on", "Send Feedback", "By Byun Duk-kun", SAMPLE_CAPTION,
]  # fmt: skip
ORIGINS = {"selector", "structured", "generic"}


def read_page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def read_yonhap(name: str) -> str:
    """A Yonhap page: the profile's golden pages serve these tests too."""
    return (YONHAP_GOLDEN / name).read_text(encoding="utf-8")


def paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


@pytest.fixture(scope="module", params=["selector", "generic"])
def sample(request: pytest.FixtureRequest) -> tuple[str, Extracted]:
    selectors = YONHAP if request.param == "selector" else None
    html = read_yonhap("sample.html")
    return request.param, extract_article(
        html, SAMPLE_URL, selectors=selectors, timezone="Asia/Seoul"
    )


@pytest.fixture(scope="module")
def lead() -> Extracted:
    url = "https://en.yna.co.kr/view/AEN20240312003851325"
    return extract_article(
        read_yonhap("lead-attn-photo-video.html"), url, selectors=YONHAP, timezone="Asia/Seoul"
    )


@pytest.fixture(scope="module")
def original() -> Extracted:
    url = "https://en.yna.co.kr/view/AEN20240312003800325"
    html = read_yonhap("original-no-byline.html")
    return extract_article(html, url, selectors=YONHAP, timezone="Asia/Seoul")


# --- the real Yonhap sample article, both paths ---------------------------------------


def test_sample_title_is_the_headline_without_site_name(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    assert got.title == SAMPLE_TITLE, f"{path} path: wrong title {got.title!r}"


def test_sample_body_runs_from_dateline_to_last_quote(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    paras = paragraphs(got.body)
    assert paras[0] == SAMPLE_FIRST, f"{path} path: body starts with {paras[0][:120]!r}"
    assert paras[-1] == SAMPLE_LAST, f"{path} path: body ends with {paras[-1][-120:]!r}"
    assert len(paras) == SAMPLE_PARAGRAPHS, f"{path} path: {len(paras)} paragraphs: {paras}"


def test_sample_paragraphs_are_separated_by_one_blank_line(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    assert "\n\n\n" not in got.body, f"{path} path: more than one blank line between paragraphs"
    for para in paragraphs(got.body):
        assert para == para.strip() and para, f"{path} path: untrimmed/empty paragraph {para!r}"
        assert "  " not in para, f"{path} path: whitespace not normalized in {para!r}"


@pytest.mark.parametrize("unwanted", SIDEBAR_WORDS + PAGE_FURNITURE)
def test_sample_body_has_no_page_furniture(sample: tuple[str, Extracted], unwanted: str) -> None:
    path, got = sample
    assert unwanted.lower() not in got.body.lower(), f"{path} path: {unwanted!r} leaked into body"


def test_sample_both_paths_agree_on_the_body() -> None:
    html = read_yonhap("sample.html")
    by_selector = extract_article(html, SAMPLE_URL, selectors=YONHAP, timezone="Asia/Seoul")
    generic = extract_article(html, SAMPLE_URL, timezone="Asia/Seoul")
    assert by_selector.body == generic.body, "selector and generic bodies differ"


def test_sample_byline_becomes_authors(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    # the Korean name in meta[name=author] must not be taken for an English page
    assert got.authors == ["Byun Duk-kun"], f"{path} path: authors {got.authors}"


def test_sample_dateline(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    assert got.dateline == "WASHINGTON, Jan. 31", f"{path} path: dateline {got.dateline!r}"


def test_sample_published_and_updated_times_in_utc(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    # selector: "02:35 February 01, 2023" KST; generic: article:published_time with seconds
    expected = "2023-01-31T17:35:00Z" if path == "selector" else "2023-01-31T17:35:11Z"
    assert got.published_at == expected, f"{path} path: published_at {got.published_at!r}"
    assert got.origins["published_at"] == ("selector" if path == "selector" else "structured")
    assert got.updated_at == "2023-02-01T00:12:40Z", f"{path} path: updated_at {got.updated_at!r}"


def test_sample_tags_language_and_summary(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    assert got.tags == ["Cho Tae-yong", "extended deterrence", "N. Korean human rights"], (
        f"{path} path: tags {got.tags}"
    )
    assert got.language == "en", f"{path} path: language {got.language!r}"
    assert got.summary.startswith("WASHINGTON, Jan. 31 (Yonhap) -- South Korea and"), (
        f"{path} path: summary keeps wire furniture: {got.summary[:80]!r}"
    )


def test_sample_image_with_its_caption_once(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    assert got.images == [{"url": SAMPLE_IMAGE, "caption": SAMPLE_CAPTION}], (
        f"{path} path: images {got.images}"
    )


def test_sample_origins(sample: tuple[str, Extracted]) -> None:
    path, got = sample
    assert set(got.origins.values()) <= ORIGINS, f"unknown origin in {got.origins}"
    if path == "selector":
        assert got.origins["title"] == got.origins["body"] == "selector", got.origins
        assert got.origins["updated_at"] == "structured", got.origins
    else:
        assert got.origins["title"] == "structured", got.origins
        assert got.origins["body"] == "generic", got.origins


def test_missing_selector_fields_fall_back_to_generic() -> None:
    partial = Selectors(body="article.story-news > p", published="span.no-such-thing")
    got = extract_article(read_yonhap("sample.html"), SAMPLE_URL, selectors=partial)
    assert got.title == SAMPLE_TITLE, f"title fallback gave {got.title!r}"
    assert got.origins["title"] == "structured", got.origins
    assert got.published_at == "2023-01-31T17:35:11Z", f"published fallback {got.published_at!r}"
    assert got.origins["published_at"] == "structured", got.origins
    assert got.origins["body"] == "selector", got.origins


def test_invalid_selector_falls_back_instead_of_raising() -> None:
    broken = Selectors(title="h1[[[", body="::::", published="!!", exclude=("..bad",))
    got = extract_article(read_yonhap("sample.html"), SAMPLE_URL, selectors=broken)
    assert got.title == SAMPLE_TITLE, f"title {got.title!r}"
    assert paragraphs(got.body)[0] == SAMPLE_FIRST, f"body starts {got.body[:80]!r}"


def test_bad_exclude_selector_does_not_stop_the_others() -> None:
    selectors = Selectors(
        body="article.story-news > p, .related-group li", exclude=("..bad", ".related-group")
    )
    got = extract_article(read_yonhap("sample.html"), SAMPLE_URL, selectors=selectors)
    assert "Kaesong" not in got.body, "the related box was not excluded after a bad selector"
    assert len(paragraphs(got.body)) == SAMPLE_PARAGRAPHS, paragraphs(got.body)


def test_body_selector_may_name_the_container() -> None:
    html = read_yonhap("sample.html")
    container = Selectors(body="article.story-news", exclude=YONHAP.exclude)
    by_container = extract_article(html, SAMPLE_URL, selectors=container)
    by_paragraphs = extract_article(html, SAMPLE_URL, selectors=YONHAP)
    assert by_container.body == by_paragraphs.body, by_container.body[:300]
    assert by_container.origins["body"] == "selector", by_container.origins


# --- (LEAD) and original versions of a made-up story ----------------------------------


def test_lead_version_drops_attn_note_and_byline(lead: Extracted) -> None:
    assert lead.title == (
        "(LEAD) N. Korea fires 2 short-range ballistic missiles into East Sea: JCS"
    ), f"title {lead.title!r}"
    assert lead.body.startswith("SEOUL, March 12 (Yonhap) -- North Korea fired two"), (
        f"body starts {lead.body[:80]!r}"
    )
    assert "ATTN" not in lead.body and "By Kim Soo-jin" not in lead.body, lead.body[:200]
    assert lead.authors == ["Kim Soo-jin"], f"authors {lead.authors}"
    assert lead.dateline == "SEOUL, March 12", f"dateline {lead.dateline!r}"
    assert lead.published_at == "2024-03-12T06:30:00Z", f"published {lead.published_at!r}"
    assert len(paragraphs(lead.body)) == 7, paragraphs(lead.body)


def test_lead_version_keeps_photo_and_video_out_of_body(lead: Extracted) -> None:
    caption = (
        "This file photo, carried by North Korea's official Korean Central News Agency, shows "
        "a North Korean ballistic missile being launched. (For Use Only in the Republic of "
        "Korea. No Redistribution) (Yonhap)"
    )
    url = "https://img8.yna.co.kr/photo/yna/YH/2024/03/12/PYH2024031204120031500_P4.jpg"
    assert lead.images == [{"url": url, "caption": caption}], f"images {lead.images}"
    for unwanted in ("file photo", "Military tightens watch", "youtu", "Related Articles", "ksj@"):
        assert unwanted not in lead.body, f"{unwanted!r} leaked into body"


def test_original_version_has_no_byline_and_fewer_paragraphs(
    original: Extracted, lead: Extracted
) -> None:
    assert original.title == "N. Korea fires short-range ballistic missile into East Sea: JCS"
    # meta[name=author] holds a Korean desk name: not an English byline
    assert original.authors == [], f"authors {original.authors}"
    assert original.dateline == "SEOUL, March 12", f"dateline {original.dateline!r}"
    assert original.published_at == "2024-03-12T05:05:00Z", original.published_at
    assert len(paragraphs(original.body)) == 3, paragraphs(original.body)
    assert len(paragraphs(original.body)) < len(paragraphs(lead.body))
    assert original.images == [], f"the site logo is not an article image: {original.images}"


def test_lead_version_generic_path() -> None:
    url = "https://en.yna.co.kr/view/AEN20240312003851325"
    got = extract_article(read_yonhap("lead-attn-photo-video.html"), url, timezone="Asia/Seoul")
    assert got.title.startswith("(LEAD) N. Korea fires 2"), f"title {got.title!r}"
    assert got.body.startswith("SEOUL, March 12 (Yonhap) --"), f"body {got.body[:80]!r}"
    assert got.authors == ["Kim Soo-jin"], f"authors {got.authors}"
    for unwanted in ("ATTN", "(END)", "Related Articles", "Most Viewed", "hypersonic"):
        assert unwanted not in got.body, f"{unwanted!r} leaked into body"


# --- generic pages --------------------------------------------------------------------

JSONLD_URL = "https://www.peninsula-ledger.example/2024/05/02/busan-hydrogen-cranes/"


@pytest.fixture(scope="module")
def jsonld_page() -> Extracted:
    return extract_article(read_page("generic-jsonld.html"), JSONLD_URL, timezone="UTC")


def test_jsonld_block_needs_tolerant_parsing() -> None:
    html = read_page("generic-jsonld.html")
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(block)  # the fixture really has a comment and trailing commas
    graph = loads_tolerant(block)["@graph"]
    assert graph[2]["headline"] == "Busan port to pilot hydrogen-powered cranes by 2026"


def test_jsonld_page_fields(jsonld_page: Extracted) -> None:
    got = jsonld_page
    assert got.title == "Busan port to pilot hydrogen-powered cranes by 2026", got.title
    assert got.authors == ["Jane Holloway", "Park Min-ho"], f"authors {got.authors}"
    assert got.published_at == "2024-05-01T23:15:00Z", f"published {got.published_at!r}"
    assert got.updated_at == "2024-05-02T01:40:00Z", f"updated {got.updated_at!r}"
    assert got.tags == ["hydrogen", "Busan", "shipping"], f"tags {got.tags}"
    assert got.language == "en", f"language {got.language!r}"
    assert got.dateline == "BUSAN", f"dateline {got.dateline!r}"
    assert got.origins["title"] == got.origins["authors"] == "structured", got.origins


def test_jsonld_page_body(jsonld_page: Extracted) -> None:
    paras = paragraphs(jsonld_page.body)
    assert paras[0].startswith("BUSAN (AP) — Busan's main container terminal"), paras[0]
    assert paras[-1].startswith("The authority plans to publish the first results"), paras[-1]
    assert len(paras) == 6, f"{len(paras)} paragraphs: {paras}"


@pytest.mark.parametrize(
    "unwanted",
    [
        "Most Viewed", "K-pop", "lottery", "typhoon", "Baseball", "Related stories",
        "Share on Facebook", "Post on X", "Email this story", "All rights reserved", "Politics",
        "Subscribe", "Tags:", "Skip to content", "Gantry cranes at Busan New Port",
    ],
)  # fmt: skip
def test_jsonld_page_body_has_no_page_furniture(jsonld_page: Extracted, unwanted: str) -> None:
    assert unwanted not in jsonld_page.body, f"{unwanted!r} leaked into body"


def test_jsonld_page_images(jsonld_page: Extracted) -> None:
    caption = "Gantry cranes at Busan New Port's container terminal. (The Peninsula Ledger)"
    base = "https://cdn.peninsula-ledger.example/uploads/2024/05/"
    assert jsonld_page.images == [
        {"url": base + "busan-cranes-800.jpg", "caption": caption},
        {"url": base + "busan-cranes-1200.jpg", "caption": ""},  # same caption only once
    ], f"images {jsonld_page.images}"


def test_og_only_page() -> None:
    url = "https://news.harbour-times.example/world/harbour-night-lanes-review"
    got = extract_article(read_page("generic-og.html"), url, timezone="Asia/Seoul")
    assert got.title == "Harbour authority orders review of night shipping lanes", got.title
    # article:published_time without an offset is read in the source's time zone
    assert got.published_at == "2024-06-10T05:00:00Z", f"published {got.published_at!r}"
    assert got.updated_at == "2024-06-10T07:30:00Z", f"updated {got.updated_at!r}"
    assert got.language == "en", f"language {got.language!r} (og:locale en_GB)"
    assert got.tags == ["shipping", "Thames", "maritime safety"], f"tags {got.tags}"
    assert got.authors == ["Alex Moreno", "Priya Natarajan"], f"authors {got.authors}"
    assert got.dateline == "LONDON, June 10", f"dateline {got.dateline!r}"
    assert got.summary.startswith("LONDON, June 10 (Reuters) - Britain's"), got.summary
    paras = paragraphs(got.body)
    assert paras[0].startswith("LONDON, June 10 (Reuters) - Britain's harbour authority"), paras
    assert "in a statement.\nIt expects to report" in got.body, "a <br> is a line break"
    assert len(paras) == 5, f"{len(paras)} paragraphs: {paras}"
    leftovers = ("By Alex", "More stories", "Cricket", "Volcano", "Cookie", "Sign in", "Photo:")
    for unwanted in leftovers:
        assert unwanted not in got.body, f"{unwanted!r} leaked into body"


def test_og_only_page_images_are_absolute() -> None:
    url = "https://news.harbour-times.example/world/harbour-night-lanes-review"
    got = extract_article(read_page("generic-og.html"), url)
    assert got.images == [
        {
            "url": "https://cdn.harbour-times.example/img/2024/06/estuary-at-night.jpg",
            "caption": "A container ship passes through the estuary at night. Photo: Harbour Times",
        },
        {
            "url": "https://news.harbour-times.example/images/2024/06/thames-lanes.jpg",
            "caption": "",
        },
    ], f"images {got.images}"


def test_authors_selector() -> None:
    url = "https://news.harbour-times.example/world/harbour-night-lanes-review"
    selectors = Selectors(authors="article > p:first-of-type")
    got = extract_article(read_page("generic-og.html"), url, selectors=selectors)
    assert got.authors == ["Alex Moreno", "Priya Natarajan"], f"authors {got.authors}"
    assert got.origins["authors"] == "selector", got.origins


def test_euc_kr_page_decoded_as_scrapy_does() -> None:
    raw = (PAGES / "korean-euckr.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is EUC-KR bytes
    response = HtmlResponse(url="http://www.hanbando-ilbo.example/nk/1000", body=raw)
    got = extract_article(response.text, response.url, timezone="Asia/Seoul")
    assert got.title == "북한, 동해상으로 단거리 탄도미사일 발사", f"title {got.title!r}"
    assert "단거리 탄도미사일을 발사했다고" in got.body, f"body {got.body[:120]!r}"
    assert got.language == "ko", f"language {got.language!r}"
    assert got.authors == ["김수진"], f"a Korean byline is fine on a Korean page: {got.authors}"
    assert got.published_at == "2024-03-12T05:05:00Z", got.published_at
    assert got.dateline == "서울", f"dateline {got.dateline!r}"
    assert len(paragraphs(got.body)) == 5, paragraphs(got.body)
    for unwanted in ("많이 본 뉴스", "정찰위성", "잠수함", "무단 전재", "정치"):
        assert unwanted not in got.body, f"{unwanted!r} leaked into body"


# --- structured data, titles, wire copy ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('{"a": [1, 2,], }', {"a": [1, 2]}),
        ('{"u": "https://x.example/a", // note\n "b": 2}', {"u": "https://x.example/a", "b": 2}),
        ('{"s": "no // note, ]", /* block */ "t": "x,}"}', {"s": "no // note, ]", "t": "x,}"}),
        ('<!-- {"a": 1} -->', {"a": 1}),
        ('{"a": "line\nbreak"}', {"a": "line\nbreak"}),
        ('{"a": ', None),
        ("not json at all", None),
    ],
)  # fmt: skip
def test_loads_tolerant(text: str, expected: object) -> None:
    assert loads_tolerant(text) == expected


def test_broken_jsonld_block_is_skipped_and_the_next_one_used() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>
    <script type="application/ld+json">[{"@type": "WebPage"}, {"@graph": [
      {"@type": ["NewsArticle"], "headline": "Graph headline", // comment
       "datePublished": "2024-01-02T03:04:05+09:00",
       "author": {"@type": "Person", "name": "Ann Lee"},}
    ]}]</script></head><body><p>Short.</p></body></html>"""
    got = extract_article(html, "https://example.org/a")
    assert got.title == "Graph headline", f"title {got.title!r}"
    assert got.published_at == "2024-01-01T18:04:05Z", f"published {got.published_at!r}"
    assert got.authors == ["Ann Lee"], f"authors {got.authors}"


@pytest.mark.parametrize(
    ("title", "site_names", "url", "expected"),
    [
        ("Headline | Yonhap News Agency", ["Yonhap News Agency"], "", "Headline"),
        ("Headline - The Peninsula Ledger", ["The Peninsula Ledger"], "", "Headline"),
        ("Headline – The Korea Herald", [], "https://www.koreaherald.com/article/1", "Headline"),
        ("Harbour Times | Headline", ["Harbour Times"], "", "Headline"),
        ("U.S. - S. Korea ties | Yonhap News Agency", ["Yonhap News Agency"], "",
         "U.S. - S. Korea ties"),
        ("N. Korea - U.S. talks resume", ["Yonhap"], "", "N. Korea - U.S. talks resume"),
        ("Headline | Other Paper", ["Yonhap News Agency"], "", "Headline | Other Paper"),
        ("  Spaced   out | Site ", ["Site"], "", "Spaced out"),
    ],
)  # fmt: skip
def test_clean_title(title: str, site_names: list[str], url: str, expected: str) -> None:
    assert clean_title(title, site_names, url) == expected


def test_title_tag_suffix_stripped_in_generic_path() -> None:
    html = (
        '<html><head><meta property="og:site_name" content="Daily Bugle">'
        "<title>Spider sighting downtown - Daily Bugle</title></head>"
        "<body><p>Text.</p></body></html>"
    )
    got = extract_article(html, "https://bugle.example/a")
    assert got.title == "Spider sighting downtown", f"title {got.title!r}"
    assert got.origins["title"] == "generic", got.origins


def test_clean_wire_conventions() -> None:
    got = clean_wire(
        [
            "(ATTN: UPDATES with details (adds quote) in paras 3-5)\nBy Kim A, Lee B and Park C",
            "PANMUNJOM, March 3 (Yonhap) -- First.\nSecond line.",
            "Last paragraph.",
            "kima@yna.co.kr leeb@yna.co.kr\n(END)",
            "Related Articles",
        ]
    )
    assert got.paragraphs == [
        "PANMUNJOM, March 3 (Yonhap) -- First.\nSecond line.",
        "Last paragraph.",
    ], got.paragraphs
    assert got.authors == ["Kim A", "Lee B", "Park C"]
    assert got.dateline == "PANMUNJOM, March 3"


@pytest.mark.parametrize(
    ("paragraph", "dateline"),
    [
        ("SEOUL, April 19 (Yonhap) -- Text", "SEOUL, April 19"),
        ("NEW YORK, Sept. 5 (Yonhap) -- Text", "NEW YORK, Sept. 5"),
        ("WASHINGTON (AP) — Text", "WASHINGTON"),
        ("Seoul (AFP) - Text", "Seoul"),
        ("TOKYO, Feb 1 (Reuters) - Text", "TOKYO, Feb 1"),
        ("Kim Jong-un (left) - said", ""),
        ("The minister said (on Monday) that", ""),
    ],
)
def test_dateline(paragraph: str, dateline: str) -> None:
    assert clean_wire([paragraph]).dateline == dateline


def test_byline_lookalike_is_kept() -> None:
    got = clean_wire(["By Tuesday", "By the river, the talks went on."])
    assert got.paragraphs == ["By Tuesday", "By the river, the talks went on."], got
    assert got.authors == []


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "timezone", "expected"),
    [
        ("All News 02:35 February 01, 2023", "Asia/Seoul", "2023-01-31T17:35:00Z"),
        ("02:35 February 01, 2023", "Asia/Seoul", "2023-01-31T17:35:00Z"),
        ("2023-02-01T02:35:11+09:00", "UTC", "2023-01-31T17:35:11Z"),
        ("2023-02-01T02:35:11+09:00", "America/New_York", "2023-01-31T17:35:11Z"),
        ("2023-01-31T17:35:11Z", "Asia/Seoul", "2023-01-31T17:35:11Z"),
        ("2023-02-01T02:35:11.250+09:00", "UTC", "2023-01-31T17:35:11Z"),
        ("2023-02-01T02:35:11", "Asia/Seoul", "2023-01-31T17:35:11Z"),
        ("2023-02-01 02:35", "Asia/Seoul", "2023-01-31T17:35:00Z"),
        ("2024-07-01T12:00:00", "America/New_York", "2024-07-01T16:00:00Z"),
        ("20230201023511", "Asia/Seoul", "2023-01-31T17:35:11Z"),
        ("20250118080005", "Asia/Seoul", "2025-01-17T23:00:05Z"),
        ("Wed, 01 Feb 2023 02:35:11", "Asia/Seoul", "2023-01-31T17:35:11Z"),
        ("Wed, 01 Feb 2023 02:35:11 +0900", "UTC", "2023-01-31T17:35:11Z"),
        ("Wed, 01 Feb 2023 02:35:11 GMT", "Asia/Seoul", "2023-02-01T02:35:11Z"),
        ("Wed, 01 Feb 2023 02:35:11 KST", "UTC", "2023-01-31T17:35:11Z"),
        ("  Updated : 2023.02.01 09:12 ", "Asia/Seoul", "2023-02-01T00:12:00Z"),
        ("All News 02:35 February 01, 2023", "No/Such_Zone", "2023-02-01T02:35:00Z"),
        ("02:35", "UTC", ""),
        ("yesterday", "UTC", ""),
        ("", "UTC", ""),
        ("9999-99-99", "UTC", ""),
        ("99999999999999", "UTC", ""),
        ("\x00\xff garbage 2023", "UTC", ""),
    ],
)
def test_parse_date(text: str, timezone: str, expected: str) -> None:
    assert parse_date(text, timezone) == expected, f"parse_date({text!r}, {timezone!r})"


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "\x00\x01\x02binary\xff\xfe\x00",
        bytes(range(256)).decode("latin-1") * 20,
        "<html><head><title>Only a title</title></head></html>",
        "<p>a fragment</p>",
        "<<<<>>>> </div></p></html>",
        "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>",
        '<html><head><script type="application/ld+json">{{{{</script></head><body></body></html>',
        '<html><head><meta property="article:published_time" content="not a date"></head></html>',
    ],
    ids=[
        "empty", "blank", "binary", "bytes", "no-body", "fragment", "tags", "deep", "bad-ld",
        "bad-date",
    ],
)  # fmt: skip
@pytest.mark.parametrize("selectors", [None, YONHAP], ids=["generic", "selector"])
def test_bad_html_never_raises(html: str, selectors: Selectors | None) -> None:
    got = extract_article(html, "https://example.org/x", selectors=selectors, timezone="Asia/Seoul")
    assert isinstance(got, Extracted)
    assert got.published_at == "", f"no date in {html[:40]!r}, got {got.published_at!r}"
    assert "\x00" not in got.body and "\x00" not in got.title
