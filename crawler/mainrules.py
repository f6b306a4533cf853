"""Rules that clean up an extracted article body, judged on the page's own structure.

Each works on Blocks (see mainbody.py) and the pruned page tree they were extracted from;
none names a site, a class or a phrase. An extracted paragraph is found again in the page
by its letters and digits alone, so spacing and punctuation differences do not matter.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

if TYPE_CHECKING:
    from crawler.mainbody import Block

_NON_WORD = re.compile(r"\W+")
# What \W matches among ASCII characters: an ASCII text loses them and its capitals in one
# bytes.translate, 20 times faster than the regex (most keys are taken of English text).
_ASCII_NON_WORD = bytes(i for i in range(128) if not (chr(i).isalnum() or chr(i) == "_"))
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
WIDE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # Hangul, kana, Han
_INDEXED = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "td", "blockquote", "pre")
_BARE_URL = re.compile(r"(?:https?://|www\.)\S+")
# A block is link-dense when links hold this share of its letters; only short blocks are
# judged (a long paragraph with many inline links is still prose).
LINK_DENSITY = 0.7
LINK_DENSE_MAX_CHARS = 250
# A headline echo must be this long to be matched inside a longer title or standfirst.
ECHO_MIN_CHARS = 20
# The headline's <article> must hold this much extracted text before other <article>s go.
HOME_MIN_CHARS = 200
_LIVE_BLOG = "//script[contains(@type, 'ld+json')][contains(., 'LiveBlogPosting')]"
# Continuation containers: paragraphs of at least this many letters, together this many.
CONTINUATION_MIN_PARAGRAPH = 40
CONTINUATION_MIN_TOTAL = 200
# Paragraphs shorter than this are not looked for inside longer boxes.
LOCATE_MIN_CHARS = 20
# A paragraph of at least this many letters is never kept twice.
REPEAT_MIN_CHARS = 40


def key(text: str) -> str:
    """Letters and digits only, case-folded: how a paragraph is recognized in the page."""
    if text.isascii():  # casefold() is lower() in ASCII
        return text.encode().translate(_ASCII_LOWER, _ASCII_NON_WORD).decode()
    return _NON_WORD.sub("", text).casefold()


class PageIndex:
    """The page's text blocks (p, li, headings, cells) by their key; the first wins.
    `order` numbers them in document order."""

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree
        self.elements: dict[str, HtmlElement] = {}
        self.boxes: dict[str, HtmlElement] | None = None
        self._order: dict[HtmlElement, int] | None = None
        for element in tree.iter(*_INDEXED):
            text_key = key(element.text_content())
            if text_key:
                self.elements.setdefault(text_key, element)

    @property
    def order(self) -> dict[HtmlElement, int]:
        """Every element's number in document order (counted on first use)."""
        if self._order is None:
            self._order = {element: n for n, element in enumerate(self.tree.iter())}
        return self._order

    def find(self, text: str) -> HtmlElement | None:
        return self.elements.get(key(text))

    def find_box(self, text: str) -> HtmlElement | None:
        """The text block, or else the innermost <div>/<span>/<section> with exactly its
        text (text set without <p>); the boxes are indexed on the first miss only."""
        found = self.find(text)
        if found is not None:
            return found
        if self.boxes is None:
            self.boxes = {}
            for box in self.tree.iter("div", "span", "section", "td", "strong", "b"):
                self.boxes[key(box.text_content())] = box  # the innermost wins
        return self.boxes.get(key(text))

    def locate(self, text: str) -> HtmlElement | None:
        """The element showing the text, or the innermost box that holds it among more text
        (a paragraph set between <br>s)."""
        found = self.find_box(text)
        text_key = key(text)
        if found is not None or len(text_key) < LOCATE_MIN_CHARS or self.boxes is None:
            return found
        holders = [box for box_key, box in self.boxes.items() if text_key in box_key]
        return max(holders, key=lambda box: self.order.get(box, -1), default=None)


def link_density(element: HtmlElement) -> float:
    """Share of the element's letters and digits that are link text."""
    total = len(key(element.text_content()))
    linked = sum(len(key(link.text_content())) for link in element.iter("a"))
    return linked / total if total else 0.0


def drop_link_dense(blocks: list[Block], index: PageIndex) -> list[Block]:
    """Drops short blocks that are mostly link text (teasers, "Read more: ...", app
    prompts); a paragraph that shows a bare URL as its own text is kept."""
    kept = []
    for block in blocks:
        element = index.find(block.text)
        dense = element is not None and link_density(element) >= LINK_DENSITY
        if dense and len(block.text) < LINK_DENSE_MAX_CHARS and not _BARE_URL.fullmatch(block.text):
            continue
        kept.append(block)
    return kept


def drop_own_address(blocks: list[Block], url: str) -> list[Block]:
    """Drops a paragraph that is just the page's own address (a print header's)."""
    own = key(url.split("#")[0])
    return [block for block in blocks if not own or key(block.text) != own]


def drop_repeats(blocks: list[Block]) -> list[Block]:
    """Drops a paragraph that repeats the one right before it (a layout's second copy).
    Repeats further apart stay: recipes, Q&As and lists repeat lines on purpose."""
    kept: list[Block] = []
    for block in blocks:
        if not kept or key(kept[-1].text) != key(block.text):
            kept.append(block)
    return kept


def drop_far_repeats(blocks: list[Block]) -> list[Block]:
    """Drops a second copy of the body's opening paragraphs (a hidden or doubled copy of
    the body). A paragraph may repeat on its own further on (a meal plan, a question)."""
    keys = [key(block.text) for block in blocks]
    if not keys or len(keys[0]) < REPEAT_MIN_CHARS:
        return blocks
    start = next((i for i in range(1, len(keys)) if keys[i] == keys[0]), None)
    if start is None:
        return blocks
    length = 0
    while start + length < len(keys) and keys[start + length] == keys[length]:
        length += 1
    if length < min(2, start):
        return blocks
    return blocks[:start] + blocks[start + length :]


def chars(blocks: list[Block]) -> int:
    return sum(len(block.text) for block in blocks)


def drop_headline_echoes(blocks: list[Block], headlines: tuple[str, ...]) -> list[Block]:
    """Drops headings that repeat the page's headline or standfirst (the page header)."""
    keys = [k for k in map(key, headlines) if k]

    def echo(block: Block) -> bool:
        block_key = key(block.text)
        if block.tag != "head" or not block_key:
            return False
        long_enough = len(block_key) >= ECHO_MIN_CHARS
        return any(block_key == k or (long_enough and block_key in k) for k in keys)

    return [block for block in blocks if not echo(block)]


def drop_other_stories(blocks: list[Block], index: PageIndex, tree: HtmlElement) -> list[Block]:
    """Drops paragraphs of <article>s other than the one holding the page's <h1> (teasers,
    an appended next story), provided that one holds article text itself. Live blogs,
    whose updates may each be an <article>, are left alone."""
    headline = next(tree.iter("h1"), None)
    home = next(headline.iterancestors("article"), None) if headline is not None else None
    if home is None or tree.xpath(_LIVE_BLOG):
        return blocks
    stories = [_story(block, index) for block in blocks]
    at_home = [story is not None and within(story, home) for story in stories]
    if sum(len(b.text) for b, here in zip(blocks, at_home, strict=True) if here) < HOME_MIN_CHARS:
        return blocks
    return [b for b, s, here in zip(blocks, stories, at_home, strict=True) if here or s is None]


def _story(block: Block, index: PageIndex) -> HtmlElement | None:
    """The innermost <article> around the block's element in the page, if any."""
    element = index.find(block.text)
    return next(element.iterancestors("article"), None) if element is not None else None


def within(element: HtmlElement, container: HtmlElement) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def continuation_blocks(blocks: list[Block], index: PageIndex) -> list[str]:
    """Paragraphs of later containers that share the main container's tag and class (a body
    split around an ad slot). Earlier ones are left alone: those are header boxes."""
    main = main_container(blocks, index)
    if main is None or not main.get("class", "").strip():
        return []
    extracted = {key(block.text) for block in blocks}
    texts: list[str] = []
    following = False
    for other in main.getroottree().iter(main.tag):
        if other is main:
            following = True
        elif following and other.get("class") == main.get("class") and not _nested(other, main):
            texts.extend(_continuation_texts(other, extracted, index))
    return texts


def main_container(
    blocks: list[Block], index: PageIndex, *, boxes: bool = False
) -> HtmlElement | None:
    """The parent element that holds most of the extracted text (with `boxes`, text set in
    <div>s without <p> is looked for too)."""
    weights: Counter[HtmlElement] = Counter()
    for block in blocks:
        element = index.locate(block.text) if boxes else index.find(block.text)
        parent = element.getparent() if element is not None else None
        if parent is not None:
            weights[parent] += len(block.text)
    return weights.most_common(1)[0][0] if weights else None


def _nested(one: HtmlElement, other: HtmlElement) -> bool:
    return within(one, other) or within(other, one)


def _continuation_texts(container: HtmlElement, extracted: set[str], index: PageIndex) -> list[str]:
    """The container's paragraphs, if they read as prose and were not extracted already."""
    paragraphs = [
        text
        for child in container
        if child.tag in _INDEXED and (text := " ".join(child.text_content().split()))
    ]
    if any(key(text) in extracted for text in paragraphs):
        return []
    prose = [t for t in paragraphs if len(key(t)) >= CONTINUATION_MIN_PARAGRAPH]
    if sum(len(key(t)) for t in prose) < CONTINUATION_MIN_TOTAL:
        return []
    return [t for t in paragraphs if not _dense_in_page(t, index)]


def _dense_in_page(text: str, index: PageIndex) -> bool:
    element = index.find(text)
    return element is not None and link_density(element) >= LINK_DENSITY
