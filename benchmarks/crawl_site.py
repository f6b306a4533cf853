"""Crawl benchmark: how fast, and how big, is a newswatch crawl next to a bare Scrapy spider?

    .venv/bin/python benchmarks/crawl_site.py [--articles N | --quick] [--server auto|nginx|python]

What it does, in one run:

1. Generates a static Yonhap-like site in a temp dir: list pages /news/1..K (20 items each,
   `div.smain-list-type01 ul li article h2.tit a`, numbered pagination and a Next link) and N
   article pages in Yonhap's 2023 layout (title header, time line, `article.story-news > p`
   paragraphs, photo and video boxes, "Related Articles", "Most Viewed" sidebars, footer). The
   text is made up from word lists with a seeded RNG, so no two articles are near-duplicates.
2. Serves it on 127.0.0.1: nginx (2 workers) if /usr/sbin/nginx exists, else Python's
   ThreadingHTTPServer in a thread. Either way every request is logged (status, path), so the
   figures below count what the server saw, not what the crawler says it did.
3. Byte-compiles newswatch's modules (as installed; Scrapy's are), then times, each in a
   fresh subprocess, with the same Scrapy settings (newswatch's own, for a
   config with download_delay 0, autothrottle off, 16 requests per domain, robots.txt obeyed):
     (a) benchmarks/bare_spider.py: list pages + every article, yields only the URL;
     (b) `newswatch --config CFG crawl` with the Yonhap CSS selectors;
     (c) the same without selectors (generic extraction: structured data + trafilatura);
     (d) a second `newswatch crawl` of (b)'s unchanged site: it should fetch no article.
   For (a)-(c): requests, wall seconds (process start to exit, imports included), pages/s,
   articles/s and the peak RSS of the crawl process; for (b) and (c) the rows stored in
   `articles` and how many have the expected title, published time and exact body.

It prints figures and never asserts on timings; it exits 1 only when a crawl fails outright.
"""

from __future__ import annotations

import argparse
import compileall
import html
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from string import Template
from typing import Any, Protocol

import yaml

HERE = Path(__file__).resolve().parent
BARE_SPIDER = HERE / "bare_spider.py"
NGINX = Path("/usr/sbin/nginx")
KST = timezone(timedelta(hours=9))
NEWEST = datetime(2023, 2, 1, 2, 35, tzinfo=KST)  # the newest article; older ones every 11 min
PER_LIST_PAGE = 20
SEED = 20230201

YONHAP_SELECTORS: dict[str, Any] = {
    "title": "header.title-article01 h1.tit",
    "body": "article.story-news > p",
    "published": "header.title-article01 .info-con span.txt",
    "exclude": [".related-group", ".photo-group", ".youtube-group"],
}
# Page furniture that must never end up in a stored body.
CHROME_PHRASES = (
    "Most Viewed", "Most Liked", "Most Saved", "Related Articles", "Main Article Right Now",
    "Issue Keywords", "Go to Contents", "Copyright", "(END)", "@yna.co.kr", "ATTN",
    "PHOTO NOT FOR SALE",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Made-up text
# ---------------------------------------------------------------------------------------------

SUBJECTS = (
    "The unification ministry", "North Korea", "South Korea's military", "Officials in Seoul",
    "The Joint Chiefs of Staff", "Ruling party lawmakers", "The finance ministry", "Analysts",
    "The Bank of Korea", "President Yoon Suk Yeol", "The foreign ministry", "Prosecutors",
    "The defense ministry", "Exporters", "The presidential office", "Local governments",
    "Health authorities", "The National Assembly", "Opposition leaders", "Industry officials",
    "The trade ministry", "Seoul and Washington", "Police", "The weather agency", "Economists",
)  # fmt: skip
VERBS = (
    "said", "announced", "warned", "stressed", "noted", "reported", "expects", "plans",
    "confirmed", "denied", "urged", "proposed", "rejected", "reviewed", "approved", "discussed",
    "pledged", "estimated", "criticized", "welcomed",
)  # fmt: skip
CONNECTORS = (
    "while", "as", "after", "because", "although", "and", "but", "since", "before", "even as",
    "amid", "despite", "following", "with",
)  # fmt: skip
_WORD_TEXT = """
    alliance allies annual assembly authorities ballistic bank basic bilateral border budget
    cabinet capital ceasefire central chairman channel chief civilian coastal committee
    community conference consumer cooperation corridor council crisis currency data deal debt
    defense delegation demand deployment deputy dialogue diplomat diplomatic district drill
    drone economy election electricity emergency energy envoy exchange exercise export factory
    family farm festival fiscal fleet forecast foreign freight fuel funding game goods growth
    harbor health highway household housing humanitarian import income index industry
    inflation inspection interest investment island joint judge labor launch law lawmaker
    leader lending loan logistics maritime market measure medical meeting memory military
    minister missile mission monitoring monthly national naval negotiation network nuclear
    offensive office official operation output overseas panel parliament partner patrol
    payment peninsula pension plant policy political port power president price production
    program project province public quarter railway rate record recovery reform regional
    report research reserve resident response review rice route rural safety sanction
    satellite school season security semiconductor senior service settlement shipment ship
    shipping signal smartphone special spending stability standard statement steel strategy
    subsidy summit supply support surplus survey talks tariff tax team technology tension
    test tourism tourist trade traffic training transport treaty troops tuition unemployment
    union university urban vaccine vessel village volume wage water weapon weekly winter
    worker youth zone agreed broader careful closer earlier extended fresh further gradual
    higher joint key large latest lower major modest new nearby northern possible quick rapid
    recent record remote rising sharp southern stable steady strong sudden urgent western
"""
WORDS = tuple(_WORD_TEXT.split())
TITLE_SUBJECTS = (
    "N. Korea", "S. Korea", "Yoon", "Seoul", "Gov't", "Military", "Exports", "BOK", "Samsung",
    "Unification minister", "Top diplomat", "Ruling party", "Opposition", "Police", "Court",
)  # fmt: skip
TITLE_VERBS = (
    "vows", "eyes", "seeks", "mulls", "fires", "rejects", "backs", "warns of", "pushes for",
    "hits", "resumes", "halts", "expands", "cuts", "signs",
)  # fmt: skip
SURNAMES = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han")
GIVEN = ("Soo-jin", "Min-ho", "Ji-won", "Hyun-woo", "Eun-ji", "Dong-hyun", "Seo-yeon", "Tae-gyu")
KOREAN_NAMES = ("김시험", "이기자", "박현우", "최은지", "정동현", "국제뉴스부")
CITIES = ("SEOUL", "SEJONG", "WASHINGTON", "BUSAN", "TOKYO", "BEIJING", "INCHEON", "DAEJEON")
SECTIONS = (("315", "national/national", "National"), ("320", "economy/economy", "Economy"),
            ("325", "nk/nk", "North Korea"))  # fmt: skip
MONTHS_AP = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
             "Nov.", "Dec.")  # fmt: skip


def phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))


def sentence(rng: random.Random) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} the {phrase(rng, 3, 8)}"
    text += f" {rng.choice(CONNECTORS)} {phrase(rng, 4, 10)}"
    if rng.random() < 0.3:
        text += f" by {rng.randint(2, 98)} percent"
    return text + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def headline(rng: random.Random) -> str:
    prefix = rng.choice(("(LEAD) ", "(2nd LD) ", "", "", "", ""))
    return f"{prefix}{rng.choice(TITLE_SUBJECTS)} {rng.choice(TITLE_VERBS)} {phrase(rng, 3, 6)}"


# ---------------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """One made-up article: what its page shows and what newswatch should store."""

    cid: str
    title: str
    published: datetime  # KST
    paragraphs: tuple[str, ...]  # as stored: the first starts with the dateline
    byline: str = ""
    attn: str = ""
    caption: str = ""
    video: str = ""
    korean_name: str = ""
    section: tuple[str, str, str] = SECTIONS[0]
    keywords: tuple[str, ...] = ()

    @property
    def timeline(self) -> str:
        return self.published.strftime("%H:%M %B %d, %Y")  # "02:35 February 01, 2023"

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def make_story(rng: random.Random, published: datetime, serial: int) -> Story:
    section = rng.choice(SECTIONS)
    cid = f"AEN{published:%Y%m%d}{serial:04d}00{section[0]}"
    city = rng.choice(CITIES)
    dateline = f"{city}, {MONTHS_AP[published.month - 1]} {published.day} (Yonhap) -- "
    paragraphs = [paragraph(rng) for _ in range(6)]
    paragraphs[0] = dateline + paragraphs[0]
    has_byline = rng.random() < 0.67
    return Story(
        cid=cid, title=headline(rng), published=published, paragraphs=tuple(paragraphs),
        byline=f"By {rng.choice(SURNAMES)} {rng.choice(GIVEN)}" if has_byline else "",
        attn="(ATTN: ADDS details in paras 4-6)" if rng.random() < 0.15 else "",
        caption=f"{sentence(rng)} (PHOTO NOT FOR SALE) (Yonhap)" if rng.random() < 0.6 else "",
        video=phrase(rng, 4, 8).capitalize() if rng.random() < 0.1 else "",
        korean_name=rng.choice(KOREAN_NAMES), section=section,
        keywords=tuple(w.capitalize() for w in rng.sample(WORDS, 3)),
    )  # fmt: skip


def make_stories(count: int, seed: int = SEED) -> list[Story]:
    """`count` stories, newest first, 11 minutes apart; ids numbered per day like Yonhap's."""
    rng = random.Random(seed)
    serials: dict[str, int] = {}
    stories = []
    for i in range(count):
        published = NEWEST - timedelta(minutes=11 * i)
        day = f"{published:%Y%m%d}"
        serials[day] = serials.get(day, 0) + 1
        stories.append(make_story(rng, published, serials[day]))
    return stories


def esc(text: str) -> str:
    return html.escape(text, quote=True)


NAV_SECTIONS = (
    "nk/index", "national/index", "national/politics", "national/defense", "national/diplomacy",
    "economy-finance/index", "industry/index", "market/index", "culture/index", "sports/index",
    "news/1", "photo/index", "video/index", "opinion/index", "mostviewed/index", "image/index",
)  # fmt: skip


def nav_html(host: str) -> str:
    items = "".join(
        f'<li><a href="//{host}/{path}">{esc(path.split("/")[0].replace("-", " ").title())}</a>'
        "</li>"
        for path in NAV_SECTIONS
    )
    return (
        f'<header id="header" class="wrap-header"><nav id="nav"><ul class="gnb">{items}</ul>'
        f'</nav><div id="allMenu"><ul>{items}</ul></div><form class="search" '
        f'action="//{host}/search/index"><input name="query" type="text"></form></header>'
    )


FOOTER = """<footer id="footer"><div class="footer-links"><a href="/about">About Us</a>
<a href="/contact">Contact Us</a><a href="/privacy">Privacy Policy</a><a href="/terms">Terms</a>
</div><address>Yonhap News Agency, 25 Yulgok-ro 2-gil, Jongno-gu, Seoul</address>
<span class="copyright">Copyright (c) Yonhap News Agency. All Rights Reserved.</span></footer>"""

PHOTO = Template("""<div class="comp-box photo-group">
       <figure class="image-zone" data-mapping-filename="PYH${pid}_P2.jpg">
        <div class="img-con"><span class="img"><img src="${image}" alt="${caption}"></span></div>
        <figcaption class="desc-con">
         <strong class="tit-cap"></strong>
         <p class="txt-desc">${caption}</p>
         <p class="txt-link" data-mapping-link=""><a href="" target="_blank" title="Opening new web browser window"></a></p>
        </figcaption>
       </figure>
      </div>""")  # noqa: E501

VIDEO = Template("""<div class="comp-box youtube-group">
       <figure class="video-zone" data-mapping-desc="${title}">
        <div class="vid-con"><iframe class="ifm-youtube" src="https://www.youtube.com/embed/Xq3fiXt0Yy8" frameborder="0" allowfullscreen></iframe></div>
        <figcaption class="desc-con"><p class="txt-desc">${title}</p><a href="https://youtu.be/Xq3fiXt0Yy8" class="txt-link">Youtube</a><p class="txt-link02">https://youtu.be/Xq3fiXt0Yy8</p></figcaption>
       </figure>
      </div>""")  # noqa: E501


def image_path(story: Story) -> str:
    c = story.cid
    return f"//img7.yna.co.kr/photo/yna/YH/{c[3:7]}/{c[7:9]}/{c[9:11]}/PYH{c[3:]}_P4.jpg"


def inline_link(text: str, target: Story, host: str) -> str:
    """The paragraph with its last sentence as a link to another story, as Yonhap links them."""
    head, dot, tail = text.rpartition(". ")
    if not dot:
        return esc(text)
    return (
        f'{esc(head)}. <span class="txt-hyper"><a href="//{host}/view/{target.cid}" '
        f'target="_blank" title="Opening new web browser window"> {esc(tail)}</a></span>'
    )


def body_html(story: Story, related: Sequence[Story], host: str) -> str:
    """article.story-news: intro, paragraphs, photo and video boxes, (END), related box."""
    intro = [x for x in (story.attn, story.byline) if x]
    parts = ["<p>" + "<br/>".join(esc(x) for x in intro) + "</p>"] if intro else []
    for i, text in enumerate(story.paragraphs):
        inner = inline_link(text, related[0], host) if i == 1 and related else esc(text)
        parts.append(f"<p> {inner}</p>")
        if i == 1 and story.caption:
            caption = esc(story.caption)
            parts.append(
                PHOTO.substitute(pid=story.cid[3:], image=image_path(story), caption=caption)
            )
        if i == 3 and story.video:
            parts.append(VIDEO.substitute(title=esc(story.video)))
    parts.append("<p> reporter@yna.co.kr<br/>(END)</p>")
    links = "".join(f'<li><a href="//{host}/view/{r.cid}">{esc(r.title)}</a></li>' for r in related)
    parts.append(
        '<div class="related-group"><div class="related-zone rel"><strong class="tit">'
        f'Related Articles</strong><div class="article-list"><ul id="moreArticleNews">{links}'
        "</ul></div></div></div>"
    )
    return "\n      ".join(parts)


def sidebar_html(label: str, stories: Sequence[Story], host: str) -> str:
    items = "".join(
        f'<li><article><a href="//{host}/view/{s.cid}"><figure class="img-cover">'
        f'<img src="//img9.yna.co.kr/photo/yna/YH/{s.cid[3:]}_T2.jpg" alt="{esc(s.title)}">'
        f'</figure><div class="txt-con01"><strong class="tit01">{esc(s.title)}</strong></div>'
        "</a></article></li>"
        for s in stories
    )
    return (
        '<section class="most-news-zone right-list-zone"><div class="section-tit">'
        f'<span class="tit">{label}</span></div><ul class="list-box02 number01">{items}</ul>'
        "</section>"
    )


def content_json(story: Story) -> str:
    """The inline CONTENT_DATA object Yonhap pages carry."""
    intro = [x for x in (story.attn, story.byline) if x]
    data = {
        "CID": story.cid, "TITLE": story.title,
        "BODY": "\n".join([*intro, *("   " + p for p in story.paragraphs)]) + "\n",
        "IMG": image_path(story)[len("//img7.yna.co.kr"):] if story.caption else "",
        "LINK_PHOTO_PATH": "", "SECTION": f"{story.section[1]};{story.section[2]}",
        "SECTION_NAME": story.section[2], "KEYWORD": ";".join(story.keywords),
        "DATETIME": story.published.strftime("%Y%m%d%H%M%S"), "REGIST_DATETIME": "",
    }  # fmt: skip
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


ARTICLE = Template("""<!doctype html>
<html lang="en" class="en">
<head itemscope>
<meta charset="utf-8">
<meta name="robots" content="max-image-preview:large, max-video-preview:0">
<link rel="canonical" id="canonical" href="${url}" />
<meta property="og:url" content="${url}" />
<meta name="twitter:url" content="${url}" /><meta itemprop="url" content="${url}" />
<meta property="og:type" content="article" /><meta name="resource-type" content="article" />
<meta name="copyright" content="Yonhapnews" />
<meta property="og:site_name" content="Yonhap News Agency" />
<meta property="article:publisher" content="https://www.facebook.com/yonhapenglish" />
<meta property="og:locale" content="en" /><meta itemprop="inLanguage" content="en" />
<title>${full_title}</title>
<meta property="og:title" content="${full_title}">
<meta name="title" content="${full_title}"><meta name="twitter:title" content="${full_title}">
<meta itemprop="name" content="${full_title}"><meta itemprop="headline" content="${full_title}" />
<meta property="og:description" content="${description}" />
<meta name="description" content="${description}" /><meta name="twitter:description" content="${description}" />
<meta property="og:image" content="https:${image}" />
<meta property="yna:content_id" content="${cid}">
<meta property="yna:mobile_url" content="https://m-en.yna.co.kr/view/${cid}">
<meta property="article:section" content="${section}" /><meta itemprop="genre" content="${section}" />
<meta property="article:author" content="https://www.facebook.com/yonhapenglish" />
<meta property="article:author" content="${korean_name}" />
<meta name="author" content="${korean_name}" /><meta itemprop="publisher" content="${korean_name}" />
<meta property="article:published_time" content="${iso}" />
<meta property="article:modified_time" content="${iso}" />
<link rel="alternate" media="only screen and (max-width: 640px)" href="https://m-en.yna.co.kr/view/${cid}" />
<script type="application/ld+json">{ "@context":"https://schema.org","@type":"Organization","name":"Yonhap News Agency","url":"https://en.yna.co.kr/","logo":"https://r.yna.co.kr/global/home/v01/img/yonhapnews_logo_600x600_en01.jpg" }</script>
<script type="application/ld+json">
{ "@context": "https://schema.org", "@type": "Person", "name": "Yonhap News Agency", "url": "https://en.yna.co.kr/",
  "sameAs": [ "https://www.facebook.com/yonhapenglish", "https://twitter.com/YonhapNews",
    "https://www.youtube.com/channel/UCbjFPHqkXWqfYt_2MR2oYqw", //comment in the middle of JSON
    "https://www.youtube.com/channel/UCwXcRMkA2ibP0Sn8NVR0aTw" //another
  ] }
</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":[
 {"@type":"ListItem","position":1,"item":{"@id":"https://en.yna.co.kr/","name":"Yonhap News Agency"}},
 {"@type":"ListItem","position":2,"item":{"@id":"https://en.yna.co.kr/news","name":"All News"}}]}</script>
<script type="text/javascript" src="//rd.yna.co.kr/global/js/redirect.js?v=20230201"></script>
<script>Redirect.check('https://m-en.yna.co.kr/view/{cid}?{param}', '');</script>
</head>
<body class="page-view page-article page-headlines body-${cid}" data-depth01="headlines">
<input type="hidden" id="cid" value="${cid}"/>
<script id="contentJsonData">
(function(){
	CONTENT_DATA = JSON.stringify(${content_json});
})();
</script>
<div id="skipNav"><a href="#container">Go to Contents</a><a href="#nav">Go to Navigation</a></div>
${nav}
<div class="wrap-container"><div id="container" class="container">
 <section class="contents">
  <article class="story-view-zone article-view-zone">
   <div class="sns-flying dis-opacity"><button class="btn-sns-fb" data-snslink="${url}?input=fb">Facebook</button><button class="btn-sns-tw" data-snslink="${url}?input=tw">Twitter</button><button class="btn-share">Share</button></div>
   <header class="title-article01">
    <h1 class="tit" data-cid="">${title}</h1>
    <div class="info-box">
     <div class="info-con">
      <span class="txt">
<strong>
<a href="//${host}/news/1">All News</a>
</strong>
${timeline}</span>
     </div>
     <div class="social-btns social-type02"><button class="btn-like" data-likeid="${cid}">Like</button><button class="btn-save">Save</button><button class="btn-print">Print</button><button class="btn-fontsize">Font size</button></div>
    </div>
   </header>
   <div class="view-body">
    <div class="sub-content">
     <article class="story-news">
      ${body}
     </article>
     <div class="aside-box01"><ins class="adsbygoogle" data-ad-slot="1234567890"></ins></div>
     <div class="keyword-zone01"><strong class="tit">Keywords</strong>
      <div class="list">${keywords}</div></div>
     <div id="taboola-below-article-thumbnails"></div>
    </div>
    <div class="right-area">
     <section class="keyword-zone right-list-zone">
      <div class="section-tit"><span class="tit">Issue Keywords</span></div>
      <div class="keyword">
      </div>
      <ul class="list-box01">
      </ul>
     </section>
     ${most_liked}
     ${most_saved}
     ${most_viewed}
    </div>
   </div>
   <div class="btn-a-prev dis-opacity"><a href="//${host}/view/${prev_cid}"><h2 class="tit">${prev_title}</h2></a></div>
   <div class="btn-a-next dis-opacity"><a href="//${host}/view/${next_cid}"><h2 class="tit">${next_title}</h2></a></div>
  </article>
 </section>
 <div class="path"><div class="con"><span class="home"><a href="//${host}/index">HOME</a></span>
  <strong class="current"><a href="//${host}/news/1">All News</a></strong></div></div>
</div></div>
${footer}
<script id="siteJsonData">(function(){ SITE_DATA = JSON.stringify({ "SITE_ID":"000100010000", "LANG":"EN", "PAGE_NAME":"news", }); })();</script>
<input type="hidden" id="domainId" value="1201"/>
</body></html>
""")  # noqa: E501


def article_page(story: Story, others: Sequence[Story], host: str) -> str:
    """The article page; `others` (15 stories) fill the related box, sidebars and prev/next."""
    title = esc(story.title)
    keywords = "".join(
        f'<span><a href="//{host}/search/index?query={esc(k)}&amp;lang=EN">#{esc(k)}</a></span>'
        for k in story.keywords
    )
    return ARTICLE.substitute(
        url=f"http://{host}/view/{story.cid}", cid=story.cid, host=host, title=title,
        full_title=f"{title} | Yonhap News Agency", description=esc(story.body[:150]),
        image=image_path(story), section=story.section[2], korean_name=story.korean_name,
        iso=story.published.isoformat(), content_json=content_json(story), nav=nav_html(host),
        timeline=story.timeline, body=body_html(story, others[:2], host), keywords=keywords,
        most_liked=sidebar_html("Most Liked", others[2:7], host),
        most_saved=sidebar_html("Most Saved", others[7:12], host),
        most_viewed=sidebar_html(
            f'<a href="//{host}/mostviewed/index">Most Viewed</a>', others[12:15], host
        ),
        prev_cid=others[0].cid, prev_title=esc(others[0].title),
        next_cid=others[1].cid, next_title=esc(others[1].title), footer=FOOTER,
    )  # fmt: skip


LIST = Template("""<!doctype html>
<html lang="en" class="en"><head><meta charset="utf-8">
<title>All News | Yonhap News Agency</title>
<meta property="og:title" content="All News | Yonhap News Agency">
</head>
<body class="page-list page-headlines">
<div id="skipNav"><a href="#container">Go to Contents</a></div>
${nav}
<div class="wrap-container"><div id="container" class="container">
 <section class="sub-section"><div class="sub-content">
  <div class="section-tit"><h1 class="tit">All News</h1></div>
  <div class="smain-list-type01"><ul>
   ${items}
  </ul></div>
  <div class="paging paging-type01">${paging}</div>
 </div></section>
</div></div>
${footer}
</body></html>
""")


def list_item(story: Story, host: str, figure: bool) -> str:
    href = f"//{host}/view/{story.cid}"
    image = (
        f'<figure class="img-cover"><a href="{href}"><img src="//img3.yna.co.kr/photo/yna/YH/'
        f'{story.cid[3:]}_T2.jpg" alt="{esc(story.title)}"></a></figure>'
        if figure
        else ""
    )
    return (
        f'<li><article>{image}<div class="txt-con"><h2 class="tit"><a href="{href}">'
        f'{esc(story.title)}</a></h2><span class="lead">{esc(story.paragraphs[0][:120])}</span>'
        f'<span class="date datefm-EN01">{story.published:%H:%M} '
        f"{story.published.strftime('%b')}. {story.published:%d}</span></div></article></li>"
    )


def paging_html(page: int, pages: int, host: str) -> str:
    """Numbered links in blocks of ten, with Prev and Next, as Yonhap's list pages have."""
    first = (page - 1) // 10 * 10 + 1
    numbers = [
        f'<a href="//{host}/news/{n}" class="num{" on" if n == page else ""}">{n}</a>'
        for n in range(first, min(first + 9, pages) + 1)
    ]
    prev_link = f'<a href="//{host}/news/{page - 1}" class="prev">Prev</a>' if page > 1 else ""
    next_link = f'<a href="//{host}/news/{page + 1}" class="next">Next</a>' if page < pages else ""
    return " ".join([prev_link, *numbers, next_link])


def list_page(stories: Sequence[Story], page: int, pages: int, host: str) -> str:
    items = "\n   ".join(list_item(s, host, figure=i != 3) for i, s in enumerate(stories))
    return LIST.substitute(
        nav=nav_html(host), items=items, paging=paging_html(page, pages, host), footer=FOOTER
    )


@dataclass(frozen=True)
class Site:
    root: Path
    stories: list[Story]
    list_pages: int
    bytes_per_article: int


def list_pages_for(count: int) -> int:
    """How many list pages the site of `count` stories has (PER_LIST_PAGE to a page)."""
    return -(-count // PER_LIST_PAGE)


def write_site(root: Path, count: int, host: str) -> Site:
    """robots.txt, news/1..K.html and view/<cid>.html for `count` stories."""
    stories = make_stories(count)
    pages = list_pages_for(count)
    (root / "news").mkdir(parents=True)
    (root / "view").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    for page in range(1, pages + 1):
        chunk = stories[(page - 1) * PER_LIST_PAGE : page * PER_LIST_PAGE]
        (root / "news" / f"{page}.html").write_text(list_page(chunk, page, pages, host))
    rng = random.Random(SEED + 1)
    size = 0
    for story in stories:
        others = rng.sample(stories, min(15, len(stories)))
        others += [story] * (15 - len(others))  # tiny sites: pad (a page links to itself)
        page_html = article_page(story, others, host).encode("utf-8")
        (root / "view" / f"{story.cid}.html").write_bytes(page_html)
        size += len(page_html)
    return Site(root, stories, pages, size // max(count, 1))


# ---------------------------------------------------------------------------------------------
# The server: every request is logged as (status, path)
# ---------------------------------------------------------------------------------------------


class Server(Protocol):
    description: str

    def mark(self) -> int: ...
    def since(self, mark: int) -> list[tuple[int, str, int]]: ...
    def stop(self) -> None: ...


NGINX_CONF = Template("""daemon off;
worker_processes 2;
pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log warn;
events { worker_connections 1024; }
http {
    types { text/html html; text/plain txt; }
    default_type text/html;
    # Unbuffered, tiny lines: one write() per request, the same cost for every crawl measured.
    log_format bench '$$status $$body_bytes_sent $$request_uri';
    access_log ${work}/access.log bench;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path ${work}/tmp/body;
    proxy_temp_path ${work}/tmp/proxy;
    fastcgi_temp_path ${work}/tmp/fastcgi;
    uwsgi_temp_path ${work}/tmp/uwsgi;
    scgi_temp_path ${work}/tmp/scgi;
    server {
        listen 127.0.0.1:${port};
        root ${site};
        location / { try_files $$uri $$uri.html =404; }
    }
}
""")


class NginxServer:
    """nginx in the foreground (`daemon off`), with its own config, pid and logs in `work`."""

    def __init__(self, site: Path, work: Path, port: int) -> None:
        (work / "tmp").mkdir(exist_ok=True)
        conf = work / "nginx.conf"
        conf.write_text(NGINX_CONF.substitute(work=work, port=port, site=site))
        self.log = work / "access.log"
        self.log.touch()
        self.proc = subprocess.Popen(
            [str(NGINX), "-p", str(work), "-c", str(conf), "-e", str(work / "nginx-error.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_for_port(port, self.proc)
        version = subprocess.run([str(NGINX), "-v"], capture_output=True, text=True).stderr
        self.description = f"{version.strip().split(': ')[-1]} (2 workers, {NGINX})"

    def mark(self) -> int:
        return self.log.stat().st_size

    def since(self, mark: int) -> list[tuple[int, str, int]]:
        time.sleep(0.2)  # nginx writes its log line just after the response: let it land
        with self.log.open("rb") as log:
            log.seek(mark)
            lines = log.read().decode("utf-8", "replace").splitlines()
        fields = (line.split(" ", 2) for line in lines)
        return [(int(status), path, int(size)) for status, size, path in fields]

    def stop(self) -> None:
        self.proc.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as nginx
    records: list[tuple[int, str, int]] = []
    lock = threading.Lock()

    def translate_path(self, path: str) -> str:
        local = super().translate_path(path)
        if not os.path.exists(local) and os.path.exists(local + ".html"):
            return local + ".html"  # /news/1 -> news/1.html, like nginx's try_files
        return local

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        with self.lock:
            status = int(code) if str(code).isdigit() else 0
            self.records.append((status, self.path, int(size) if str(size).isdigit() else 0))

    def log_message(self, format: str, *args: Any) -> None:
        pass


class PythonServer:
    """http.server.ThreadingHTTPServer in a daemon thread of this process."""

    def __init__(self, site: Path, port: int) -> None:
        self.records: list[tuple[int, str, int]] = []
        handler = type("Handler", (_Handler,), {"records": self.records, "lock": threading.Lock()})
        ThreadingHTTPServer.request_queue_size = 128  # 16 connections at once: no SYN drops
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=site))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.description = f"Python {platform.python_version()} http.server.ThreadingHTTPServer"

    def mark(self) -> int:
        return len(self.records)

    def since(self, mark: int) -> list[tuple[int, str, int]]:
        time.sleep(0.2)
        return list(self.records[mark:])

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"nginx exited with {proc.returncode}: {err.strip()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {limit} s")


def ensure_nginx() -> bool:
    """nginx is there, or one attempt to install it with apt-get (as root) succeeded."""
    if NGINX.exists():
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    for package in ("nginx-light", "nginx"):
        if subprocess.run(["apt-get", "install", "-y", package], **quiet).returncode == 0:
            break
        subprocess.run(["apt-get", "update"], **quiet)
        if subprocess.run(["apt-get", "install", "-y", package], **quiet).returncode == 0:
            break
    return NGINX.exists()


def start_server(kind: str, site: Path, work: Path, port: int) -> Server:
    if kind in ("auto", "nginx") and ensure_nginx():
        try:
            return NginxServer(site, work, port)
        except (OSError, RuntimeError) as exc:
            if kind == "nginx":
                raise
            print(f"nginx failed to start ({exc}); falling back to Python's server")
    elif kind == "nginx":
        raise RuntimeError(f"{NGINX} is not installed and could not be installed")
    return PythonServer(site, port)


# ---------------------------------------------------------------------------------------------
# Measuring one crawl
# ---------------------------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    tree_rss_mb: float = 0.0  # the process and its children (extraction workers), sampled


class TreeRss:
    """The peak of the summed RSS of a process and its descendants, sampled every 50 ms from
    /proc; and the process's own peak, its VmHWM, which the kernel keeps (read at each sample).

    Not wait4()'s ru_maxrss: the kernel counts in it the memory the child had before its
    exec, which is this benchmark's own (Popen forks it), 87 MB here: the bare spider, which
    peaks at 73-77 MB, was reported at 87 MB."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self.own_peak_mb = pid, 0.0, 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(0.05):
            self.peak_mb = max(self.peak_mb, rss_mb(tree(self.pid)))
            # the last reading, not the largest: before its exec the child reads as this one
            self.own_peak_mb = rss_mb([self.pid], "VmHWM:") or self.own_peak_mb

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak_mb


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def rss_mb(pids: list[int], field: str = "VmRSS:") -> float:
    """The summed resident set of `pids` (or another field), from /proc (gone: 0)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def run_measured(cmd: list[str], cwd: Path, name: str, limit: float) -> Measured:
    """Runs `cmd` in a fresh child process; its wall time and its peak RSS (TreeRss: its
    own VmHWM, and with its children). Wall time runs from spawn to exit, so it includes
    interpreter start-up and imports (about a second; it matters for --quick).
    """
    out, err = cwd / f"{name}.stdout", cwd / f"{name}.stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
        )
        timer = threading.Timer(limit, proc.kill)  # a hung crawl must not hang the benchmark
        timer.start()
        whole = TreeRss(proc.pid)
        _, status = os.waitpid(proc.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    tree_peak = whole.stop()
    return Measured(
        seconds, whole.own_peak_mb, proc.returncode,
        out.read_text(errors="replace"), err.read_text(errors="replace"), tree_peak,
    )  # fmt: skip


@dataclass
class Traffic:
    """What the server saw during one crawl."""

    requests: int = 0
    robots: int = 0
    lists: int = 0
    articles: int = 0
    other: int = 0
    errors: int = 0  # status >= 400
    not_modified: int = 0  # 304
    bytes: int = 0  # response bodies

    @classmethod
    def of(cls, records: list[tuple[int, str, int]]) -> Traffic:
        t = cls(requests=len(records))
        for status, path, size in records:
            t.errors += status >= 400
            t.not_modified += status == 304
            t.bytes += size
            if path.startswith("/view/"):
                t.articles += 1
            elif path.startswith("/news/"):
                t.lists += 1
            elif path == "/robots.txt":
                t.robots += 1
            else:
                t.other += 1
        return t


@dataclass
class Run:
    label: str
    measured: Measured
    traffic: Traffic
    quality: dict[str, int] = field(default_factory=dict)
    summary: str = ""


def measured_crawl(label: str, cmd: list[str], cwd: Path, server: Server, limit: float) -> Run:
    mark = server.mark()
    measured = run_measured(cmd, cwd, label.split()[0].strip("()"), limit)
    return Run(label, measured, Traffic.of(server.since(mark)))


# ---------------------------------------------------------------------------------------------
# The crawls
# ---------------------------------------------------------------------------------------------

CRAWL_SETTINGS: dict[str, Any] = {
    "download_delay": 0, "autothrottle": False, "concurrency_per_domain": 16,
}  # fmt: skip


def write_config(folder: Path, base: str, pages: int, selectors: bool) -> Path:
    """A newswatch config with one Yonhap-like source, with or without CSS selectors."""
    folder.mkdir(parents=True, exist_ok=True)
    source: dict[str, Any] = {
        "name": "yonhap", "start_urls": [f"{base}/news/1"], "max_list_pages": pages,
        "article_url_pattern": r"/view/AEN\d+", "timezone": "Asia/Seoul",
    }  # fmt: skip
    if selectors:
        source["selectors"] = YONHAP_SELECTORS
    config = {
        "database": "news.db", "timezone": "Asia/Seoul", "crawl": CRAWL_SETTINGS,
        "sources": [source],
        "alerts": {"rules": [{"name": "nuclear", "query": "nuclear", "to": ["a@example.org"]}]},
    }  # fmt: skip
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def bare_settings(config_path: Path) -> dict[str, Any]:
    """newswatch's Scrapy settings for `config_path`, minus what only newswatch has."""
    from crawler.settings import scrapy_settings
    from newswatch.config import load_config

    settings = scrapy_settings(load_config(config_path))
    # Scrapy's own extensions as newswatch sets them (EXTENSIONS_BASE, without RemoteControl),
    # not newswatch's (EXTENSIONS).
    for key in ("ITEM_PIPELINES", "EXTENSIONS", "BOT_NAME"):
        settings.pop(key, None)
    return {k: v for k, v in settings.items() if not k.startswith("NEWSWATCH_")}


def newswatch_command() -> list[str]:
    beside = Path(sys.executable).parent / "newswatch"
    return [str(beside) if beside.exists() else shutil.which("newswatch") or "newswatch"]


def read_archive(db_path: Path, site: Site) -> dict[str, int]:
    """Rows in `articles`, and how many have the page's title, published time and body."""
    expected = {s.cid: s for s in site.stories}
    counts = dict.fromkeys(("rows", "title ok", "published ok", "body exact", "chrome"), 0)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT url, title, body, published_at FROM articles").fetchall()
        stories = conn.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone()[0]
    conn.close()
    counts["stories"] = stories  # distinct story_id: no two made-up articles are one story
    for url, title, body, published in rows:
        story = expected.get(url.rstrip("/").rsplit("/", 1)[-1])
        counts["rows"] += 1
        if story is None:
            continue
        counts["title ok"] += title == story.title
        counts["published ok"] += same_instant(published, story.published)
        counts["body exact"] += " ".join((body or "").split()) == " ".join(story.body.split())
        counts["chrome"] += any(p in (body or "") for p in CHROME_PHRASES)
    return counts


def same_instant(iso: str | None, moment: datetime) -> bool:
    try:
        return datetime.fromisoformat((iso or "").replace("Z", "+00:00")) == moment
    except ValueError:
        return False


def last_run_summary(db_path: Path) -> str:
    """newswatch's own record of its latest crawl (crawl_runs)."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT status, pages, new_articles, duplicates, undated, errors"
                " FROM crawl_runs ORDER BY id DESC LIMIT 1"
            ).fetchone()
            matches = conn.execute("SELECT count(*) FROM alert_matches").fetchone()[0]
        conn.close()
    except sqlite3.Error as exc:
        return f"(no crawl_runs: {exc})"
    if row is None:
        return "(no crawl_runs row)"
    status, pages, new, dupes, undated, errors = row
    return (
        f"{status}, pages {pages}, new {new}, duplicates {dupes}, undated {undated},"
        f" errors {errors}; alert matches in the archive {matches}"
    )


def crawl_bare(work: Path, base: str, site: Site, server: Server, limit: float) -> Run:
    settings = bare_settings(write_config(work / "settings-only", base, site.list_pages, True))
    cmd = [sys.executable, str(BARE_SPIDER), base, str(site.list_pages), json.dumps(settings)]
    run = measured_crawl("(a) bare Scrapy spider", cmd, work, server, limit)
    run.summary = run.measured.stdout.strip().splitlines()[-1] if run.measured.stdout else ""
    return run


def crawl_newswatch(label: str, folder: Path, site: Site, server: Server, limit: float) -> Run:
    cmd = [*newswatch_command(), "--config", str(folder / "config.yaml"), "crawl"]
    run = measured_crawl(label, cmd, folder, server, limit)
    if (folder / "news.db").exists():
        run.quality = read_archive(folder / "news.db", site)
        run.summary = last_run_summary(folder / "news.db")
    return run


def compile_newswatch() -> None:
    """newswatch's modules byte-compiled, as an installed package has them (pip compiles at
    install; an editable install does not). Scrapy's already are. Without this, with
    PYTHONDONTWRITEBYTECODE set, every newswatch crawl and its worker compiled our modules
    from source: about 0.5 G instructions that bare Scrapy never pays."""
    for package in ("crawler", "db", "newswatch", "scheduler"):
        compileall.compile_dir(HERE.parent / package, quiet=1)


def run_all(work: Path, base: str, site: Site, server: Server) -> list[Run]:
    """(a), (b), (d) (the recrawl of (b)'s archive), then (c)."""
    limit = 600 + 0.5 * len(site.stories)
    compile_newswatch()
    runs = [crawl_bare(work, base, site, server, limit)]
    with_selectors = work / "selectors"
    write_config(with_selectors, base, site.list_pages, selectors=True)
    runs.append(crawl_newswatch("(b) newswatch, selectors", with_selectors, site, server, limit))
    runs.append(crawl_newswatch("(d) newswatch, recrawl", with_selectors, site, server, limit))
    generic = work / "generic"
    write_config(generic, base, site.list_pages, selectors=False)
    runs.append(crawl_newswatch("(c) newswatch, generic", generic, site, server, limit))
    return runs


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def print_machine() -> None:
    from crawler.pool import usable_cores

    usable = usable_cores()
    print(f"machine:  {cpu_model()}, {os.cpu_count()} logical CPUs ({usable} usable), "
          f"{platform.system()} {platform.release()}")  # fmt: skip
    print(f"versions: Python {platform.python_version()}, Scrapy {version('scrapy')}, "
          f"trafilatura {version('trafilatura')}, lxml {version('lxml')}, "
          f"newswatch {version('newswatch')}")  # fmt: skip


def print_table(runs: list[Run]) -> None:
    head = ("run", "requests", "articles", "seconds", "pages/s", "articles/s", "peak RSS MB",
            "+workers MB")  # fmt: skip
    print(f"{head[0]:<31}" + "".join(f"{h:>12}" for h in head[1:]))
    for run in runs:
        m, t = run.measured, run.traffic
        per_second = (t.requests / m.seconds, t.articles / m.seconds)
        cells = (
            str(t.requests), str(t.articles), f"{m.seconds:.2f}",
            *(f"{x:.1f}" for x in per_second), f"{m.peak_rss_mb:.1f}", f"{m.tree_rss_mb:.1f}",
        )  # fmt: skip
        print(f"{run.label:<31}" + "".join(f"{c:>12}" for c in cells))


def print_details(runs: list[Run], expected: int) -> None:
    for run in runs:
        t = run.traffic
        print(f"{run.label}: exit {run.measured.returncode}; server saw {t.requests} requests "
              f"(robots {t.robots}, list {t.lists}, article {t.articles}, other {t.other}, "
              f"status>=400 {t.errors})")  # fmt: skip
        if run.summary:
            print(f"    crawler's own summary: {run.summary}")
        if run.quality:
            q = run.quality
            print(f"    articles table: {q['rows']} rows (expected {expected}), "
                  f"{q['stories']} stories; title ok {q['title ok']}, published ok "
                  f"{q['published ok']}, body exact {q['body exact']}, "
                  f"body with page chrome {q['chrome']}")  # fmt: skip


def print_ratios(runs: dict[str, Run]) -> None:
    a = runs["a"].measured
    for key in ("b", "c"):
        m = runs[key].measured
        rss, whole = m.peak_rss_mb / a.peak_rss_mb, m.tree_rss_mb / a.tree_rss_mb
        print(f"{key}/a: time x{m.seconds / a.seconds:.2f}, "
              f"throughput x{a.seconds / m.seconds:.2f}, peak RSS x{rss:.2f} "
              f"(with its extraction workers x{whole:.2f})")  # fmt: skip


def print_recrawl(first: Run, second: Run) -> None:
    for name, run in (("crawl 1 = (b)", first), ("crawl 2 = (d)", second)):
        t = run.traffic
        print(f"{name}: {t.requests} requests ({t.not_modified} answered 304), "
              f"{t.bytes / 1e6:.2f} MB of bodies, {t.articles} article requests, "
              f"{t.lists} list pages, {run.measured.seconds:.2f} s")  # fmt: skip


def problems(runs: dict[str, Run], expected: int) -> list[str]:
    """Failed crawls and short archives, each with its command's stderr tail."""
    found = []
    for key, run in runs.items():
        m = run.measured
        short = key in ("b", "c", "d") and run.quality.get("rows", 0) != expected
        if m.returncode != 0 or short or (key == "a" and run.traffic.articles != expected):
            tail = "\n".join("      " + x for x in m.stderr.strip().splitlines()[-15:])
            rows = run.quality.get("rows", "-")
            found.append(
                f"{run.label}: exit {m.returncode}, rows {rows}, article requests "
                f"{run.traffic.articles}\n    stderr tail:\n{tail}"
            )
    return found


def report(runs: list[Run], site: Site) -> int:
    by_key = {run.label[1]: run for run in runs}
    ordered = [by_key[k] for k in ("a", "b", "c")]
    print()
    print_table(ordered)
    print()
    print_ratios(by_key)
    print()
    print("recrawl of the unchanged site, (b)'s archive:")
    print_recrawl(by_key["b"], by_key["d"])
    print()
    print_details([*ordered, by_key["d"]], len(site.stories))
    found = problems(by_key, len(site.stories))
    for problem in found:
        print(f"PROBLEM: {problem}")
    return 1 if any(run.measured.returncode != 0 for run in runs) else 0


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, metavar="N",
                        help="articles on the generated site (default 2000)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a fast check: 200 articles")
    parser.add_argument("--server", choices=("auto", "nginx", "python"), default="auto",
                        help="auto: nginx if installed or installable, else Python's")  # fmt: skip
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp dir (site, configs, databases, logs)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.articles = 200
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    return args


def benchmark(args: argparse.Namespace, work: Path) -> int:
    port = free_port()
    base, host = f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"
    started = time.perf_counter()
    site = write_site(work / "site", args.articles, host)
    os.sync()  # the 45 MB just written are flushed now, not while the first crawl is timed
    took = time.perf_counter() - started
    print(f"site:     {args.articles} articles ({site.bytes_per_article / 1024:.1f} KB each), "
          f"{site.list_pages} list pages, written in {took:.1f} s")  # fmt: skip
    server = start_server(args.server, site.root, work, port)
    print(f"server:   {server.description} on {base}")
    print("crawls:   CONCURRENT_REQUESTS 16, per domain 16, download delay 0, autothrottle off, "
          "robots.txt obeyed; each crawl a fresh process")  # fmt: skip
    try:
        runs = run_all(work, base, site, server)
    finally:
        server.stop()
    return report(runs, site)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newswatch-bench-"))
    work.chmod(0o755)  # nginx's workers run as an unprivileged user and must read the site
    print("newswatch crawl benchmark")
    print_machine()
    try:
        return benchmark(args, work)
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
