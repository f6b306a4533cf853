"""Page furniture dropped from a copy of the page before its main text is looked for.

Judged by markup, not by wording: navigation, sidebars, footers, forms and figures;
blocks whose class or id names a related/share/newsletter box, a gallery, a caption, a
paywall or sign-up prompt, a tip box, an author profile or a video player; teaser cards
(a list item whose heading is a link to another story); link clusters inside a paragraph
(hover cards that list a person's other stories); boxes with an input field (sign-up
forms written without <form>); hidden print and mobile copies of the body. A block holding
much of the page's text is always spared: an ASP.NET page wraps the whole page in one
<form>, and a body shown by script may sit in a hidden container.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree
from lxml.html import HtmlElement

from crawler.mainrules import key, link_density

_SEMANTIC_FURNITURE = frozenset({"nav", "aside", "footer"})
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "figure", "figcaption", "form", "iframe"})
_FURNITURE_NAME = re.compile(
    r"(?:^|[\s_-])(?:related|share|sharing|sns|social|most|popular|recommend|newsletter|"
    r"breadcrumbs?|keywords?|tags|comments?|advert|promo|subscribe|subscription|gallery|"
    r"captions?|paywall|regwall|signup|sign-up|regist|login|abo|tips?|tipbox|bio|"
    r"author-(?:box|bio|profile|info|card)|profile|video-?box|video-?player|"
    r"sidebar|side-bar|side_bar|side|aside|rail|wing|contact|"
    r"(?:col|content|area)[_-]?right|right[_-]?(?:col|area))"
    r"(?:$|[\s_\d-])",
    re.IGNORECASE,
)
# Copies of the body for print or small screens, hidden on the page as shown.
_PRINT_COPY = re.compile(
    r"(?:^|[\s_-])(?:print[_-]?(?:only|area|version|copy|body|content|view|box)|printonly|"
    r"printarea|(?:only|visible|show)[_-]?print|d-print-(?:block|inline|flex))(?:$|[\s_\d-])",
    re.IGNORECASE,
)
_MAYBE_HIDDEN = (
    "//*[@hidden] | //*[@style][contains(@style, 'none') or contains(@style, 'hidden')] | "
    "//*[@class][contains(@class, 'rint')] | //*[@id][contains(@id, 'rint')]"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LINK_CLUSTERS = "//p//*[self::span or self::div][count(.//a) >= 3]"
_INPUT_BOXES = "//input[@type='email' or @type='text' or not(@type)] | //textarea"
PROMPT_BOX_MAX_ELEMENTS = 12
_PROMPT = re.compile(
    r"\b(?:subscri(?:be|ption)|sign (?:up|in)|log ?in|register|continue reading|unlimited "
    r"access|free trial|abonnier\w*|abo|weiterlesen|registrier\w*|abonne[rz]|abonnez-vous|"
    r"suscr[ií]b\w*|assine|abbonati)\b|有料会員|会員登録|会員限定|ログイン|購読|続きを読む|"
    r"구독|로그인|회원가입|유료\s?회원|订阅|訂閱|登录|登入|注册|註冊|подпи[сш]\w*",
    re.IGNORECASE,
)
PROMPT_MAX_CHARS = 200
MEDIA_BOX_MAX_CHARS = 200
CLUSTER_MIN_LINKS = 3
# A cluster is this much link text (hover cards also hold a photo and "MORE").
CLUSTER_LINK_SHARE = 0.9
# Furniture is spared when it holds more than this share of the page's paragraph text.
SPARE_SHARE = 0.4
# A box around an input field is a sign-up form when it holds at most this much text.
INPUT_BOX_MAX_CHARS = 300


def prune_furniture(tree: HtmlElement) -> None:
    """Drops page furniture from `tree` in place (tails, the text after an element, stay)."""
    total = paragraph_chars(tree)
    _drop_media_boxes(tree)
    stack = list(reversed(tree))
    while stack:  # parents before children; a dropped element's children are not visited
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        charset = element.tag == "meta" and (element.get("charset") or element.get("http-equiv"))
        named = len(names) > 1 and _FURNITURE_NAME.search(names)
        furniture = element.tag in _FURNITURE_TAGS or named
        if charset or (furniture and not _spared(element, total)):
            element.drop_tree()
        else:
            stack.extend(reversed(element))
    for card in _teaser_cards(tree):
        if paragraph_chars(card) <= SPARE_SHARE * total:
            _drop(card)
    # innermost first: a hover card goes, the linked name it hangs from stays
    for cluster in reversed(tree.xpath(_LINK_CLUSTERS)):
        links = sum(1 for _ in cluster.iter("a"))
        if links >= CLUSTER_MIN_LINKS and link_density(cluster) >= CLUSTER_LINK_SHARE:
            _drop(cluster)
    _drop_input_boxes(tree)
    _drop_prompt_boxes(tree)


def prune_hidden(tree: HtmlElement) -> None:
    """Drops hidden copies of the body (print-only or display:none containers, `hidden`).
    A hidden block is kept when it holds much of the page's text and that text is nowhere
    else: some pages ship the body hidden and show it by script."""
    hidden = [e for e in tree.xpath(_MAYBE_HIDDEN) if e.getparent() is not None and _is_hidden(e)]
    if not hidden:
        return
    total = paragraph_chars(tree)
    page_key = ""
    for element in hidden:
        if element.getparent() is None or _gone(element):
            continue  # inside a block dropped already
        if paragraph_chars(element) > SPARE_SHARE * total:
            page_key = page_key or key(tree.text_content())
            if not _shown_elsewhere(element, page_key):
                continue
        element.drop_tree()


# The two searches below walk the page in Python: the XPath searches they replace
# ("//li[.//h1//a or .//a//h1]", "//div[.//a or .//button][count(.//*) <= 12]") cost more.
# Each finds the same elements, in page order. (A walk for _MAYBE_HIDDEN cost more than it.)


def _teaser_cards(tree: HtmlElement) -> list[HtmlElement]:
    """List items holding a heading with a link in it, or a link with a heading in it."""
    return [
        item
        for item in tree.getroottree().iter("li")
        if any(next(h.iter("a"), None) is not None for h in item.iter(*_HEADINGS))
        or any(next(a.iter(*_HEADINGS), None) is not None for a in item.iter("a"))
    ]


def _prompt_box_candidates(tree: HtmlElement) -> list[HtmlElement]:
    """<div>s, <section>s and <aside>s with a link or button, of at most
    PROMPT_BOX_MAX_ELEMENTS elements inside."""
    return [
        box
        for box in tree.getroottree().iter("div", "section", "aside")
        if next(box.iter("a", "button"), None) is not None
        and len(list(islice(box.iter(etree.Element), PROMPT_BOX_MAX_ELEMENTS + 2)))
        <= PROMPT_BOX_MAX_ELEMENTS + 1  # the box itself and its elements
    ]


def _is_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None:
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_PRINT_COPY.search(names) or _HIDDEN_STYLE.search(element.get("style", "")))


def _gone(element: HtmlElement) -> bool:
    root = element.getroottree().getroot()
    return not any(a is root for a in element.iterancestors()) and element is not root


def _shown_elsewhere(element: HtmlElement, page_key: str) -> bool:
    """True when the hidden block's longest paragraph is in the page a second time."""
    texts = [p.text_content() for p in element.iter("p", "li")]
    longest = key(max(texts, key=len, default="")) or key(element.text_content())[:200]
    return bool(longest) and page_key.count(longest) >= 2


def _spared(element: HtmlElement, total: int) -> bool:
    """Furniture holding much of the page's text is spared (a page-wide <form>), but a
    sidebar or footer is not the article when the headline stands outside it."""
    if paragraph_chars(element) <= SPARE_SHARE * total:
        return False
    if element.tag not in _SEMANTIC_FURNITURE or next(element.iter("h1"), None) is not None:
        return True
    root = element.getroottree().getroot()
    return next(root.iter("h1"), None) is None


def _drop_media_boxes(tree: HtmlElement) -> None:
    """A video or an embed goes with the small box around it: the player and its caption."""
    for player in list(tree.iter("video", "audio", "iframe", "object", "embed")):
        box = None
        for ancestor in player.iterancestors():
            if len(" ".join(ancestor.text_content().split())) > MEDIA_BOX_MAX_CHARS:
                break
            if next(ancestor.iter("h1", "h2", "h3"), None) is not None:
                break  # the player's box does not reach the headline
            box = ancestor
        target = box if box is not None else player
        if target.getparent() is not None and target.tag not in ("body", "html"):
            _drop(target)


def _drop_prompt_boxes(tree: HtmlElement) -> None:
    """A small box whose words ask the reader to subscribe, sign up or log in, next to its
    link or button (the call to action); paragraphs of the article are never boxes."""
    for box in _prompt_box_candidates(tree):
        text = " ".join(box.text_content().split())
        if box.getparent() is not None and len(text) <= PROMPT_MAX_CHARS and _PROMPT.search(text):
            _drop(box)


def _drop_input_boxes(tree: HtmlElement) -> None:
    """A small box around an input field or button is a sign-up or search form."""
    for field in tree.xpath(_INPUT_BOXES):
        box = field.getparent()
        while box is not None and box.tag in ("label", "span", "p", "a"):
            box = box.getparent()
        if box is None or box.getparent() is None or box.tag in ("body", "html", "article"):
            continue
        if len(" ".join(box.text_content().split())) <= INPUT_BOX_MAX_CHARS:
            _drop(box)


def _drop(element: HtmlElement) -> None:
    if element.getparent() is not None:  # not already gone with an ancestor
        element.drop_tree()


def paragraph_chars(element: HtmlElement) -> int:
    """Characters of the element's prose: its <p>s, and text set between <br>s (pages
    written without <p>, such as old ASP.NET and Korean news pages)."""
    chars = sum(len(" ".join(p.text_content().split())) for p in element.iter("p"))
    holders = {id(br.getparent()): br.getparent() for br in element.iter("br")}
    for holder in holders.values():
        if holder.tag == "p" or any(a.tag == "p" for a in holder.iterancestors()):
            continue
        loose = [holder.text or ""] + [child.tail or "" for child in holder]
        chars += len(" ".join(" ".join(loose).split()))
    return chars
