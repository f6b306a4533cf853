"""Synthetic article pages for each class of issue 16, with varied markup: a second check of
generic extraction, independent of the golden pages (tests/golden/generic/) that the rules
were written against. Every page is built from a seeded random choice of layout (header,
<article> or not, sidebar left or right and how it is named), language and the variants
of its class; it comes with the title, date and paragraphs a reader expects.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from classparts import (
    DATED_VARIANTS,
    FURNITURE,
    FURNITURE_NAMES,
    SCRIPT_VARIANTS,
    SITE,
    Layout,
    meta_head,
    paragraphs_html,
    render,
    script_tag,
)
from classtext import Story, story

CLASSES = {
    "1-form": "article inside a page-wide <form>",
    "2-script": "article only in script data",
    "3-jsonld": "JSON-LD articleBody doubled, concatenated, or fuller (paywall)",
    "3b-hidden": "hidden print or mobile copy of the body",
    "4-second-story": "another story's teaser after the article",
    "5-furniture": "boxes and stamps inside the article column",
    "6-title": "displayed headline vs SEO title, kickers, logo <h1>",
    "7-date": "dates in markup other than article:published_time",
    "8-short": "one- or two-line reports beside a sidebar",
}


@dataclass
class ClassPage:
    cls: str
    url: str
    html: str
    title: str
    published: str  # "YYYY-MM-DDTHH:MM:SSZ" or ""
    paragraphs: list[str]
    timezone: str = "UTC"
    variant: str = ""


def class_pages(seed: int = 16, per_class: int = 12) -> list[ClassPage]:
    rng = random.Random(seed)
    builders = [_form, _script, _jsonld, _hidden, _second, _furniture, _title, _date, _short]
    return [build(rng, n) for build in builders for n in range(per_class)]


def _when(rng: random.Random) -> datetime:
    start = datetime(2023, 1, 1, tzinfo=UTC)
    return start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _start(rng: random.Random, cls: str, n: int, paragraphs: int) -> tuple[Story, datetime, str]:
    language = rng.choice(["en", "en", "de", "ko", "ja"])
    return story(rng, language, paragraphs), _when(rng), f"https://news.example/{cls}/{n}"


def _page(rng, cls, url, s, moment, layout, variant, expected=None) -> ClassPage:  # noqa: ANN001
    return ClassPage(cls, url, render(rng, layout), s.headline, _utc(moment),
                     expected if expected is not None else s.paragraphs, variant=variant)  # fmt: skip


# -- one builder per class ------------------------------------------------------------------------


def _form(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "1-form", n, rng.randint(3, 6))
    heading = rng.choice(
        [f"<h1>{s.headline}</h1>", f'<div class="title"><span>{s.headline}</span></div>']
    )
    texts = "<br /><br />".join(s.paragraphs)
    body = rng.choice([f'<div id="lblBody" class="articletext">{texts}</div>',
                       f"<table><tr><td>{texts}</td></tr></table>", paragraphs_html(rng, s.paragraphs)])  # fmt: skip
    layout = Layout(
        s.language, meta_head(s.headline, published=_utc(moment)), heading, body, form=True
    )
    return _page(rng, "1-form", url, s, moment, layout, "form")


def _script(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "2-script", n, rng.randint(2, 5))
    variant, stamp = rng.choice(SCRIPT_VARIANTS), _utc(moment)
    script = script_tag(variant, s, story(rng, s.language, 2), stamp, rng.random() < 0.3)
    dated = variant in DATED_VARIANTS or rng.random() < 0.5
    head = meta_head(s.headline, published=stamp if dated and variant not in DATED_VARIANTS else "")
    heading = f"<h1>{s.headline}</h1>" if rng.random() < 0.7 else ""
    shell = rng.choice(
        ['<div class="body"></div>', "<noscript><p>Enable JavaScript.</p></noscript>"]
    )
    page = _page(
        rng,
        "2-script",
        url,
        s,
        moment,
        Layout(s.language, [*head, script], heading, shell),
        variant,
    )
    page.published = page.published if dated else ""
    return page


def _jsonld(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "3-jsonld", n, rng.randint(4, 6))
    variant = rng.choice(["doubled", "concatenated", "paywall"])
    ld: dict = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.headline,
                "datePublished": _utc(moment)}  # fmt: skip
    visible, after = s.paragraphs, ""
    if variant == "doubled":
        joiner = rng.choice(["\n", " "])
        ld["articleBody"] = "\n".join(s.paragraphs) + joiner + "\n".join(s.paragraphs)
    elif variant == "concatenated":
        ld["articleBody"] = "\n".join(
            s.paragraphs + story(rng, s.language, rng.randint(1, 3)).paragraphs
        )
    else:
        ld["articleBody"] = "\n\n".join(s.paragraphs)
        ld["isAccessibleForFree"] = rng.choice([False, "False"])
        visible = s.paragraphs[: rng.randint(1, 2)]
        name = rng.choice(
            [
                "paywall",
                "article-paywall",
                "regwall",
                "subscriber-box",
                "premium-teaser",
                "plus-box",
            ]
        )
        after = (f'<div class="{name}"><p>Subscribe to continue reading.</p>'
                 '<a href="/subscribe">See offers</a></div>')  # fmt: skip
    script = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    layout = Layout(s.language, [*meta_head(s.headline), script], f"<h1>{s.headline}</h1>",
                    paragraphs_html(rng, visible) + after)  # fmt: skip
    return _page(rng, "3-jsonld", url, s, moment, layout, variant)


def _hidden(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "3b-hidden", n, rng.randint(3, 5))
    copy = "".join(f"<p>{t}</p>" for t in s.paragraphs)
    attrs = rng.choice(['class="print-only"', 'id="print_area"', 'class="visible-print"',
                        'class="d-none d-print-block"', 'style="display:none"', "hidden",
                        'class="printArea"'])  # fmt: skip
    hidden = f"<div {attrs}><h4>{s.headline}</h4>{copy}</div>"
    visible = paragraphs_html(rng, s.paragraphs)
    where = rng.choice(["inside", "after", "end"])
    body = (
        visible[:-6] + hidden + "</div>"
        if where == "inside"
        else visible + (hidden if where == "after" else "")
    )
    layout = Layout(s.language, meta_head(s.headline, published=_utc(moment)), f"<h1>{s.headline}</h1>",
                    body, after=hidden if where == "end" else "")  # fmt: skip
    return _page(rng, "3b-hidden", url, s, moment, layout, f"{attrs} {where}")


def _second(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "4-second-story", n, rng.randint(4, 6))
    other = story(rng, s.language, rng.randint(2, 3))
    level = rng.choice(["h2", "h3"])
    teaser = (f'<{level}><a href="/news/other-{n}">{other.headline}</a></{level}>'
              f'<div class="byline">By Staff</div>' + "".join(f"<p>{t}</p>" for t in other.paragraphs))  # fmt: skip
    box = rng.choice(["next-read", "teaser", "more", "module-12"])
    after = (
        f'<div class="{box}">{teaser}</div>'
        if rng.random() < 0.7
        else f"<article>{teaser}</article>"
    )
    layout = Layout(s.language, meta_head(s.headline, published=_utc(moment)), f"<h1>{s.headline}</h1>",
                    paragraphs_html(rng, s.paragraphs), after=after)  # fmt: skip
    return _page(rng, "4-second-story", url, s, moment, layout, box)


def _furniture(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "5-furniture", n, rng.randint(4, 6))
    parts = [f"<p>{t}</p>" for t in s.paragraphs]
    chosen = rng.sample(sorted(FURNITURE), rng.randint(2, 4))
    for kind in chosen:
        box = FURNITURE[kind].format(rng.choice(FURNITURE_NAMES[kind]))
        parts.insert(rng.randint(1, len(parts)), box)
    body = '<div class="article-body">' + "".join(parts) + "</div>"
    head = meta_head(s.headline, published=_utc(moment))
    layout = Layout(s.language, head, f"<h1>{s.headline}</h1>", body)
    return _page(rng, "5-furniture", url, s, moment, layout, ",".join(chosen))


def _title(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "6-title", n, rng.randint(3, 5))
    variant = rng.choice(["seo", "kicker-before", "kicker-inside", "logo-h1", "og-kicker"])
    og, heading, title = s.headline, f"<h1>{s.headline}</h1>", s.headline
    if variant == "seo":
        og = f"{s.headline.split(' ')[0]} {story(rng, s.language, 0).headline}"
    elif variant == "kicker-before":
        heading = f'<div class="kicker">Update</div>{heading}'
    elif variant == "kicker-inside":
        heading = f'<h1><span class="kicker">Update</span> {s.headline}</h1>'
        title = f"Update {s.headline}"
    elif variant == "logo-h1":
        heading = f'<h2 class="headline">{s.headline}</h2>'
    else:
        og = f"EXCLUSIVE: {s.headline}"
    head = meta_head(og, published=_utc(moment))
    head[0] = f"<title>{og if variant != 'logo-h1' else s.headline} | {SITE}</title>"
    layout = Layout(s.language, head, heading, paragraphs_html(rng, s.paragraphs))
    page = _page(rng, "6-title", url, s, moment, layout, variant)
    page.title = title
    return page


def _date(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "7-date", n, rng.randint(3, 4))
    zone = rng.choice(["UTC", "Asia/Seoul", "Europe/Berlin", "America/New_York"])
    local = moment.astimezone(ZoneInfo(zone))
    iso = local.isoformat()
    variant = rng.choice(["time-header", "testid", "parsely", "sailthru", "dc-issued", "dc-date",
                          "article.published", "dcsext", "naive-ld", "itemprop"])  # fmt: skip
    head, byline = meta_head(s.headline), ""
    metas = {"parsely": "parsely-pub-date", "sailthru": "sailthru.date", "dc-issued": "DC.date.issued",
             "dc-date": "dc.date", "article.published": "article.published", "dcsext": "DCSext.articleFirstPublished"}  # fmt: skip # noqa: E501
    if variant in metas:
        head.append(f'<meta name="{metas[variant]}" content="{iso}">')
    elif variant == "time-header":
        byline = (
            f'<div class="byline">By Ann Lee <time datetime="{iso}">{local:%d %B %Y}</time></div>'
        )
    elif variant == "testid":
        byline = f'<div data-testid="timestamp">Published {local:%I:%M %p} {local.tzname()}, {local:%a %B %d, %Y}</div>'  # noqa: E501
    elif variant == "itemprop":
        byline = f'<span itemprop="datePublished" content="{iso}">{local:%Y.%m.%d %H:%M}</span>'
    else:
        naive = local.replace(tzinfo=None).isoformat()
        head.append(
            f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{naive}"}}</script>'
        )  # noqa: E501
    layout = Layout(
        s.language, head, f"<h1>{s.headline}</h1>{byline}", paragraphs_html(rng, s.paragraphs)
    )
    page = _page(rng, "7-date", url, s, moment, layout, variant)
    page.timezone = zone if variant == "naive-ld" or rng.random() < 0.5 else "UTC"
    if variant == "testid" and zone not in ("UTC", "America/New_York"):
        page.timezone = zone  # "KST"/"CEST" abbreviations: read in the source's zone
    return page


def _short(rng: random.Random, n: int) -> ClassPage:
    s, moment, url = _start(rng, "8-short", n, rng.randint(1, 2))
    tag = rng.choice(["h1", "h3", "h2"])
    heading = f'<div class="view_top"><{tag} class="title">{s.headline}</{tag}><span class="date">{moment:%Y.%m.%d %H:%M}</span></div>'  # noqa: E501
    lines = rng.choice(["<br>", "<br><br>"]).join(s.paragraphs)
    body = f'<div class="vod"><div id="player"></div></div><div class="view_txt">{lines}</div>'
    copyright_line = rng.random() < 0.5
    if copyright_line:
        body += f'<div class="copy">ⓒ {SITE} 무단 전재 및 재배포 금지</div>'
    head = meta_head(s.headline, published=_utc(moment))
    expected = s.paragraphs + ([f"ⓒ {SITE} 무단 전재 및 재배포 금지"] if copyright_line else [])
    layout = Layout(s.language, head, heading, body)
    return _page(rng, "8-short", url, s, moment, layout, tag, expected)
