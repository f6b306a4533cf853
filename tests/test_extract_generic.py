"""Generic body extraction (sources without selectors) on small made-up pages: each rule
of crawler.mainbody / crawler.mainrules / crawler.furniture on a page built to need it."""

from __future__ import annotations

import json

import lxml.html
import pytest

from crawler.copies import fuller_copy, undoubled
from crawler.extract import Extracted, extract_article
from crawler.mainbody import Block
from crawler.mainrules import PageIndex, drop_far_repeats, drop_other_stories, drop_repeats
from crawler.textrules import is_date_line

URL = "https://www.test-gazette.example/news/2024/05/harbour-cranes-hydrogen"
TITLE = "Harbour cranes switch to hydrogen power"
STANDFIRST = "The port authority says the first cranes will run on fuel cells by next spring."
PARAGRAPHS = [
    "The port authority of Easthaven said on Tuesday that it would convert twelve of its "
    "container cranes to hydrogen fuel cells, the first such conversion at a European port.",
    "The cranes, which lift about four hundred containers a day each, currently run on "
    "diesel generators that the authority says account for a fifth of its emissions.",
    "Engineers will fit the first two cranes over the winter, and the remaining ten are "
    "scheduled for the following two years if the trial meets its targets for uptime.",
    "Dock workers' unions welcomed the plan but asked for training on handling hydrogen, "
    "which is stored under high pressure in tanks next to the crane rails.",
    "The project is funded in part by a regional climate grant of 18 million euros, with "
    "the remainder coming from the authority's own investment budget for the decade.",
    "Officials said that the results of the trial would be published next autumn, and "
    "that other ports in the region had already asked to see the data.",
]  # fmt: skip


def page(body: str, *, ld: dict | None = None, extra: str = "") -> str:
    """An article page: header navigation, the story in <article>, a footer."""
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    return f"""<!doctype html><html lang="en"><head>
<title>{TITLE} | The Test Gazette</title>
<meta property="og:title" content="{TITLE}">
<meta property="og:description" content="{STANDFIRST}">
{script}</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{TITLE}</h1>{body}</article>{extra}</main>
<footer><p>Copyright 2024 The Test Gazette. All rights reserved.</p></footer>
</body></html>"""


def paras(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def extract(html: str) -> Extracted:
    return extract_article(html, URL)


def body_paragraphs(got: Extracted) -> list[str]:
    return got.body.split("\n\n") if got.body else []


def test_plain_article_body_is_its_paragraphs() -> None:
    got = extract(page(paras(PARAGRAPHS)))
    assert body_paragraphs(got) == PARAGRAPHS
    assert got.origins["body"] == "generic"


def test_json_ld_body_used_when_it_agrees_with_the_page() -> None:
    # the page shows the first two paragraphs (a cut-off page); JSON-LD has the whole story
    ld = {"@type": "NewsArticle", "headline": TITLE, "articleBody": "\n".join(PARAGRAPHS)}
    got = extract(page(paras(PARAGRAPHS[:2]), ld=ld))
    assert body_paragraphs(got) == PARAGRAPHS
    assert got.origins["body"] == "structured"


def test_json_ld_body_ignored_when_it_does_not_agree() -> None:
    other = "A different story entirely: the city council voted to close the old ferry pier. " * 8
    ld = {"@type": "NewsArticle", "headline": TITLE, "articleBody": other}
    got = extract(page(paras(PARAGRAPHS), ld=ld))
    assert body_paragraphs(got) == PARAGRAPHS
    assert got.origins["body"] == "generic"


def test_json_ld_body_ignored_when_it_is_only_a_teaser() -> None:
    ld = {"@type": "NewsArticle", "headline": TITLE, "articleBody": PARAGRAPHS[0]}
    got = extract(page(paras(PARAGRAPHS), ld=ld))
    assert body_paragraphs(got) == PARAGRAPHS


def test_link_dense_blocks_dropped_inline_links_kept() -> None:
    teaser = '<p><a href="/news/ferry-pier">COUNCIL VOTES TO CLOSE THE OLD FERRY PIER</a></p>'
    read_more = (
        '<p>Read more: <a href="/news/tram-line">New tram line to open in the harbour '
        "district next year</a></p>"
    )
    inline = (
        'The plan follows a <a href="/news/study">feasibility study</a> published in March '
        'and a <a href="/news/vote">council vote</a> in April, both of which backed the move.'
    )
    body = (
        paras(PARAGRAPHS[:3]) + teaser + f"<p>{inline}</p>" + paras(PARAGRAPHS[3:5])
        + read_more + paras(PARAGRAPHS[5:])
    )  # fmt: skip
    got = extract(page(body))
    assert "FERRY PIER" not in got.body and "tram line" not in got.body, got.body
    assert "The plan follows a feasibility study published in March" in got.body


def test_repeated_paragraph_kept_once() -> None:
    body = paras(PARAGRAPHS[:2]) + paras([PARAGRAPHS[2], PARAGRAPHS[2]]) + paras(PARAGRAPHS[3:])
    got = extract(page(body))
    assert body_paragraphs(got) == PARAGRAPHS


def test_repeats_further_apart_stay() -> None:
    blocks = [Block("Portion: one cup", "p"), Block("Rice", "p"), Block("Portion: one cup", "p")]
    assert drop_repeats(blocks) == blocks
    assert drop_repeats([blocks[0], Block("Portion:  one cup.", "p")]) == [blocks[0]]


def test_heading_repeating_the_standfirst_dropped() -> None:
    got = extract(page(f"<h2>{STANDFIRST}</h2>" + paras(PARAGRAPHS)))
    assert STANDFIRST not in got.body
    assert body_paragraphs(got) == PARAGRAPHS


def test_body_split_around_an_ad_slot_read_whole() -> None:
    body = (
        f'<div class="grid"><div class="entry-content">{paras(PARAGRAPHS[:3])}</div>'
        '<div class="rail"><div class="ad"></div></div></div>'
        '<div class="row wide-ad"><div class="ad"><span>Advertisement</span></div></div>'
        f'<div class="grid"><div class="entry-content">{paras(PARAGRAPHS[3:])}</div></div>'
    )
    got = extract(page(body))
    assert body_paragraphs(got) == PARAGRAPHS


TEASERS = [
    "The ferry company said that it would add two evening crossings over the summer months, "
    "after passenger numbers rose by a third last year and the queues grew long.",
    "A new cycle path along the river will open in June, linking the old town with the "
    "university campus and the main railway station, the city said on Monday.",
    "The harbour museum will reopen after a two-year renovation, with a new hall for the old "
    "lifeboat and a cafe that looks out over the inner basin and the locks.",
]


def test_other_articles_on_the_page_are_other_stories() -> None:
    teasers = "".join(
        f'<article class="post"><a href="/news/story-{n}"><img src="/{n}.jpg"></a>'
        f"<p>{text}</p></article>"
        for n, text in enumerate(TEASERS)
    )
    html = f"""<html><head><title>{TITLE}</title></head><body><div id="primary">
<article class="post single"><h1>{TITLE}</h1>{paras(PARAGRAPHS[:3])}</article>
<article class="post list"><h3>You may also like</h3>{teasers}</article></div></body></html>"""
    assert body_paragraphs(extract(html)) == PARAGRAPHS[:3]


@pytest.mark.parametrize("live", [False, True], ids=["article", "live-blog"])
def test_other_articles_rule_spares_live_blogs(live: bool) -> None:
    ld = {"@type": "LiveBlogPosting" if live else "NewsArticle", "headline": TITLE}
    updates = "".join(f'<article class="update"><p>{t}</p></article>' for t in PARAGRAPHS[2:])
    tree = lxml.html.fromstring(page(paras(PARAGRAPHS[:2]), ld=ld, extra=updates))
    blocks = [Block(text, "p") for text in PARAGRAPHS]
    kept = drop_other_stories(blocks, PageIndex(tree), tree)
    assert [b.text for b in kept] == (PARAGRAPHS if live else PARAGRAPHS[:2])


def test_teaser_cards_and_link_clusters_dropped() -> None:
    cards = (
        '<ul class="latest">'
        '<li><h3><a href="/news/a">Lighthouse keeper retires after forty years</a></h3>'
        "<p>The last keeper of the north light hands over the keys</p></li>"
        '<li><h3><a href="/news/b">Fishing quotas cut again</a></h3>'
        "<p>Skippers say the new limits will cost jobs along the coast</p></li></ul>"
    )
    hover = (
        'Harbour master <span><a href="/people/jo">Jo Berg</a><span class="card">'
        '<a href="/news/c">Berg warns of winter storms</a> '
        '<a href="/news/d">Berg on pilot shortages</a> <a href="/people/jo">MORE</a>'
        "</span></span> said the cranes would be quieter than the diesel ones."
    )
    got = extract(page(paras(PARAGRAPHS) + f"<p>{hover}</p>" + cards))
    for unwanted in ("Lighthouse keeper", "Fishing quotas", "winter storms", "pilot shortages"):
        assert unwanted not in got.body, f"{unwanted!r} in {got.body!r}"
    assert "Harbour master Jo Berg said the cranes would be quieter" in got.body


def test_own_address_dropped_but_other_urls_kept() -> None:
    sources = "https://www.eastport-authority.example/reports/hydrogen-trial-2024"
    got = extract(page(f"<p>{URL}</p>" + paras(PARAGRAPHS) + f"<p>{sources}</p>"))
    assert URL not in got.body
    assert body_paragraphs(got) == [*PARAGRAPHS, sources]


@pytest.mark.parametrize("markup", [True, False], ids=["html-in-ld", "plain"])
def test_fuller_copy_rule(markup: bool) -> None:
    full = "".join(f"<p>{t}</p>" for t in PARAGRAPHS) if markup else "\n".join(PARAGRAPHS)
    assert fuller_copy(PARAGRAPHS[:2], full) == PARAGRAPHS
    assert fuller_copy(PARAGRAPHS, full) is None  # not longer: page text stands
    assert fuller_copy(PARAGRAPHS[:2], "") is None


# -- issue 16: the rules behind the golden pages (tests/golden/generic/), one case each ------


def test_hidden_copy_dropped_but_a_hidden_only_body_kept() -> None:
    copy = f'<div class="print-only">{paras(PARAGRAPHS)}</div>'
    assert body_paragraphs(extract(page(paras(PARAGRAPHS) + copy))) == PARAGRAPHS
    # a body shipped hidden (shown by script) is the only copy: it stays
    hidden_only = f'<div style="display:none">{paras(PARAGRAPHS)}</div>'
    assert body_paragraphs(extract(page(hidden_only))) == PARAGRAPHS


def test_second_copy_of_the_opening_run_dropped_single_repeats_kept() -> None:
    blocks = [Block(t, "p") for t in PARAGRAPHS[:3]]
    assert drop_far_repeats(blocks + blocks[:2]) == blocks
    meal = [Block(PARAGRAPHS[0], "p"), Block(PARAGRAPHS[1], "p"), Block(PARAGRAPHS[2], "p"),
            Block(PARAGRAPHS[1], "p")]  # fmt: skip
    assert drop_far_repeats(meal) == meal


def test_copy_written_twice_over_is_taken_once() -> None:
    assert undoubled(PARAGRAPHS + PARAGRAPHS) == PARAGRAPHS
    glued = [*PARAGRAPHS[:-1], f"{PARAGRAPHS[-1]} {PARAGRAPHS[0]}", *PARAGRAPHS[1:]]
    assert undoubled(glued) == PARAGRAPHS


def test_fuller_copy_needs_a_paywall_or_a_clearly_cut_page() -> None:
    story_text = "\n".join(PARAGRAPHS)
    assert fuller_copy(PARAGRAPHS[:4], story_text) is None, "4 of 6 paragraphs: not cut off"
    assert fuller_copy(PARAGRAPHS[:4], story_text, paywalled=True) == PARAGRAPHS
    concatenated = story_text + "\n" + TEASERS[0]
    assert fuller_copy(PARAGRAPHS, concatenated) is None


def test_related_card_inside_the_body_does_not_cut_it() -> None:
    card = '<h2><a href="/news/ferry-pier">Council votes to close the old ferry pier</a></h2>'
    got = extract(page(paras(PARAGRAPHS[:3]) + card + paras(PARAGRAPHS[3:])))
    assert body_paragraphs(got) == PARAGRAPHS


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("Stand: 22.04.2024 10:15 Uhr", True),
        ("Updated 3:15 PM EST, April 2, 2024", True),
        ("입력 2024.06.03 (14:05)", True),
        ("— The Harbour Board (@harbourboard) May 2, 2024", False),
        ("The council met on 22.04.2024.", False),
        ("2024年2月10日、朝市が再開された。", False),
    ],
)
def test_date_stamp_lines(line: str, stamp: bool) -> None:
    assert is_date_line(line) is stamp


def test_script_text_of_the_headline_object_preferred_to_related_text() -> None:
    related = " ".join(TEASERS) * 2  # longer than the article, but another story's
    data = {"page": {"article": {"title": TITLE, "body": "\n".join(PARAGRAPHS)},
                     "related": [{"title": "Ferry pier", "summary": related}]}}  # fmt: skip
    html = (
        f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1><div id='app'></div>"
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'
        "</body></html>"
    )
    got = extract(html)
    assert body_paragraphs(got) == PARAGRAPHS
    assert got.origins["body"] == "structured"


def test_video_report_without_text_gets_an_empty_body_not_the_sidebar() -> None:
    sidebar = f"<aside><h3>About us</h3><p>{TEASERS[1]}</p><p>{TEASERS[2]}</p></aside>"
    html = (
        f"<html><head><title>{TITLE}</title></head><body><div class='view'><h1>{TITLE}</h1>"
        f"<div class='vod'><video src='/v.mp4'></video></div></div>{sidebar}</body></html>"
    )
    assert extract(html).body == "", "counted in no_body by the pipeline, not filled"
