"""Markup pieces of the synthetic class pages (benchmarks/classpages.py): the script data
of script-rendered pages, as five frameworks ship it, and the furniture boxes set inside
the article column, each under several class names (some that no rule knows)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from classtext import Story, story

SITE = "Harbourside Daily"

SCRIPT_VARIANTS = ("next", "state", "nuxt2", "nuxt3", "arc")
# Variants whose data carries the publication time (the others rely on the page's meta).
DATED_VARIANTS = ("next", "state", "arc")
FURNITURE = {
    "newsletter": '<div class="{}"><h3>Get the briefing</h3><p>Our top stories every morning.</p><input type="email"><button>Sign up</button></div>',  # noqa: E501
    "paywall": '<div class="{}"><p>Subscribe to continue reading</p><a href="/subscribe">Subscribe now</a></div>',  # noqa: E501
    "tip": '<div class="{}"><h4>Got a story?</h4><p>Email <a href="mailto:news@news.example">news@news.example</a></p></div>',  # noqa: E501
    "author": '<div class="{}"><img src="/a.jpg" alt=""><p><b>Sam Reyes</b> covers the city council.</p><a href="/authors/sam">More from Sam Reyes</a></div>',  # noqa: E501
    "video": '<div class="{}"><video src="/v.mp4" controls></video><p>Pictures from the scene, 1 min</p></div>',  # noqa: E501
    "facts": '<div class="{}"><h3>More on this</h3><ul><li><a href="/n/1">Earlier: council votes</a></li><li><a href="/n/2">What the plan costs</a></li></ul></div>',  # noqa: E501
    "stamp": "<p>{}</p>",
}
FURNITURE_NAMES = {
    "newsletter": ["newsletter-box", "nl-signup", "inline-form"],
    "paywall": ["paywall", "abo-teaser", "offer-box"],
    "tip": ["story-tip", "tips", "contact-box"],
    "author": ["author-box", "author-bio", "byline-card"],
    "video": ["video-box", "videobox", "media-wrap"],
    "facts": ["infobox", "related-links", "more-box"],
    "stamp": [
        "Stand: 22.04.2024 10:15 Uhr",
        "Updated: April 2, 2024 3:15 pm",
        "입력 2024.06.03 14:05",
    ],
}


def script_tag(variant: str, story: Story, other: Story, stamp: str, plain: bool) -> str:
    """The page's data script: the story's text (HTML, or plain lines with `plain`) in the
    framework's shape, beside a related story whose summary may be longer."""
    html = "".join(f"<p>{t}</p>" for t in story.paragraphs)
    content = "\n".join(story.paragraphs) if plain else html
    related = [{"title": other.headline, "summary": " ".join(other.paragraphs)}]
    return _BUILDERS[variant](story.headline, content, html, stamp, related, other, story)


def _next(title: str, content: str, html: str, stamp: str, related: Any, *_: Any) -> str:
    data = {"props": {"pageProps": {"article": {"title": title, "publishedAt": stamp,
            "content": content}, "related": related}}}  # fmt: skip
    payload = json.dumps(data, ensure_ascii=False)
    return f'<script id="__NEXT_DATA__" type="application/json">{payload}</script>'


def _state(title: str, content: str, html: str, stamp: str, related: Any, *_: Any) -> str:
    data = {"article": {"headline": title, "firstPublished": stamp, "body": html},
            "mostRead": related}  # fmt: skip
    return f"<script>window.__INITIAL_STATE__ = {json.dumps(data)};</script>"


def _nuxt2(title: str, content: str, html: str, stamp: str, related: Any, *_: Any) -> str:
    body = json.dumps(html).replace("<", "\\u003C")  # Nuxt escapes "<" in its payload
    state = (f"{{data:[{{article:{{title:{json.dumps(title)},body:{body},"
             f'publishedAt:"{stamp}"}}}}],related:{json.dumps(related)}}}')  # fmt: skip
    return f"<script>window.__NUXT__=(function(a,b){{return {state}}}(null,true));</script>"


def _nuxt3(title: str, content: str, html: str, stamp: str, related: Any, other: Story,
           *_: Any) -> str:  # fmt: skip
    payload = [{"data": 1}, {"title": 2, "body": 3}, title, html, other.headline]
    return f'<script type="application/json" id="__NUXT_DATA__">{json.dumps(payload)}</script>'


def _arc(title: str, content: str, html: str, stamp: str, related: Any, other: Story,
         story: Story) -> str:  # fmt: skip
    elements = [{"type": "text", "content": t} for t in story.paragraphs]
    data = {"headlines": {"basic": title}, "first_publish_date": stamp,
            "content_elements": elements}  # fmt: skip
    return f"<script>Fusion.globalContent={json.dumps(data)};Fusion.x=1;</script>"


_BUILDERS = {"next": _next, "state": _state, "nuxt2": _nuxt2, "nuxt3": _nuxt3, "arc": _arc}


@dataclass
class Layout:
    """The page around the article; `body` is the article column's inner HTML."""

    language: str
    head: list[str] = field(default_factory=list)
    heading: str = ""
    body: str = ""
    after: str = ""
    form: bool = False


# -- the page around the article (header, sidebar, footer) ---------------------------------------------------------------


def render(rng: random.Random, layout: Layout) -> str:
    nav = "".join(f'<li><a href="/{s}">{s.title()}</a></li>' for s in ("news", "sport", "money"))
    logo = (
        f'<h1 class="logo"><a href="/"><img src="/logo.png" alt="{SITE}"></a></h1>'
        if rng.random() < 0.2
        else f'<a class="logo" href="/">{SITE}</a>'
    )
    header = f'<div id="header">{logo}<ul class="gnb">{nav}</ul></div>'
    article_tag = "article" if rng.random() < 0.4 else "div"
    article = (
        f'<{article_tag} class="{rng.choice(["news_view", "story", "post", "content-main"])}">'
        f"{layout.heading}{layout.body}</{article_tag}>{layout.after}"
    )
    side = _sidebar(rng, layout.language) if rng.random() < 0.6 else ""
    columns = side + article if rng.random() < 0.3 else article + side
    body = f'{header}<div id="container">{columns}</div><div id="footer"><p>© {SITE}</p></div>'
    if layout.form:
        hidden = '<input type="hidden" name="__VIEWSTATE" value="/wEPDwUKMTY3NzE5">'
        body = f'<form method="post" id="aspnetForm">{hidden}{body}</form>'
    head = "\n".join(layout.head)
    return f'<!DOCTYPE html><html lang="{layout.language}"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'  # noqa: E501


def _sidebar(rng: random.Random, language: str) -> str:
    other = story(rng, language, 1)
    links = "".join(f'<li><a href="/news/{n}">{story(rng, language, 0).headline}</a></li>'
                    for n in range(3))  # fmt: skip
    name = rng.choice(["aside", "side", "col-right", "rightcol", "box-r", "wing", "extra"])
    tag = "aside" if rng.random() < 0.3 else "div"
    return (f'<{tag} class="{name}"><div class="rank"><strong>Most read</strong><ol>{links}</ol>'
            f'</div><div class="about"><strong>About</strong><div>{other.paragraphs[0]}</div>'
            f"</div></{tag}>")  # fmt: skip


def meta_head(title: str, *, og: str | None = None, published: str = "") -> list[str]:
    head = [f"<title>{title} | {SITE}</title>", f'<meta property="og:title" content="{og or title}">',
            f'<meta property="og:site_name" content="{SITE}">']  # fmt: skip
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    return head


def paragraphs_html(rng: random.Random, texts: list[str]) -> str:
    style = rng.choice(["p", "br", "p"])
    if style == "p":
        return '<div class="article-body">' + "".join(f"<p>{t}</p>" for t in texts) + "</div>"
    return '<div class="article-txt">' + "<br><br>".join(texts) + "</div>"
