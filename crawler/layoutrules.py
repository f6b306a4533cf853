"""Rules that judge an extracted paragraph by where the page sets it relative to its
headline (see mainbody.py): the article follows its headline, inside the container that
holds both; what precedes the headline (a kicker, a menu), what sits beside it (a
sidebar's text box) and what follows another story's headline (a teaser run below the
article) is not the article. Like crawler.mainrules, no rule names a site or a phrase.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

from crawler.mainrules import (
    ECHO_MIN_CHARS,
    LINK_DENSITY,
    WIDE,
    PageIndex,
    chars,
    key,
    link_density,
    main_container,
    within,
)

if TYPE_CHECKING:
    from crawler.mainbody import Block

# A teaser is cut off when it is shorter than this many times the text before it (a
# heading linked to another story above the whole body is no teaser).
TEASER_MAX_RATIO = 2
# Text outside the headline's container goes when it is at most this share of the body.
OUTSIDE_MAX_SHARE = 0.5
# A line before the headline this short is a kicker or a label; the headline is looked
# for in the first KICKER_SEARCH blocks.
KICKER_MAX_CHARS = 80
KICKER_SEARCH = 6
# A headline this long is looked for inside a line that glues it to other text.
KICKER_GLUED_MIN = 10


def stop_at_other_story(blocks: list[Block], index: PageIndex, tree: HtmlElement) -> list[Block]:
    """Drops a full teaser of another story run below the article: the paragraphs after a
    heading that links to another page, set outside the container of the body before it
    (a related card inside the body, followed by more of the article, stays). Only when
    the teaser is not much longer than the text before it."""
    headlines = _story_headlines(tree, index)
    if not headlines:
        return blocks
    elements = [index.locate(block.text) for block in blocks]
    positions = [index.order.get(e, -1) if e is not None else -1 for e in elements]
    for i in range(len(positions) - 2, -1, -1):  # a line not found takes the next one's place
        positions[i] = positions[i] if positions[i] >= 0 else positions[i + 1]
    start = next((p for p in positions if p >= 0), -1)
    cut = next((h for h in headlines if h > start >= 0), None)
    if cut is None:
        return blocks
    split = next((i for i, p in enumerate(positions) if p > cut), len(blocks))
    weights: Counter[HtmlElement] = Counter()
    for block, element in zip(blocks[:split], elements[:split], strict=True):
        if element is not None and element.getparent() is not None:
            weights[element.getparent()] += len(block.text)
    if not weights or chars(blocks[split:]) >= TEASER_MAX_RATIO * chars(blocks[:split]):
        return blocks
    home = weights.most_common(1)[0][0]
    after = [
        block
        for block, element in zip(blocks[split:], elements[split:], strict=True)
        if element is not None and element.getparent() is home
    ]
    return blocks[:split] + after


def drop_outside_home(
    blocks: list[Block], index: PageIndex, heading: HtmlElement | None
) -> list[Block]:
    """Drops the blocks set outside the container that holds both the headline and most of
    the body (a sidebar's text box, a note in the footer), when they are a small part of
    the text: trafilatura's recall mode may take them in."""
    main = main_container(blocks, index)
    if main is None:
        main = main_container(blocks, index, boxes=True)
    if heading is None or main is None:
        return blocks
    home = main
    if not within(heading, main):
        home = next((a for a in main.iterancestors() if within(heading, a)), None)
    if home is None:
        return blocks
    inside = key(home.text_content())  # a text shown in a sidebar too is still the body's
    outside = [key(block.text) not in inside for block in blocks]
    dropped = sum(len(b.text) for b, out in zip(blocks, outside, strict=True) if out)
    if not dropped or dropped > OUTSIDE_MAX_SHARE * chars(blocks):
        return blocks
    return [block for block, out in zip(blocks, outside, strict=True) if not out]


def drop_kickers(blocks: list[Block], headlines: tuple[str, ...]) -> list[Block]:
    """Drops the short lines (a kicker, a section label, a menu) set before the headline
    when the extracted text starts with the page header: the article follows its headline.
    The headline may be a line of its own, or glued into one block with what precedes and
    follows it (trafilatura's fallback for pages with little text)."""
    keys = {k for k in map(key, headlines) if k}
    for number, block in enumerate(blocks[:KICKER_SEARCH]):
        lines = block.text.split("\n")
        at = next((i for i, line in enumerate(lines) if key(line) in keys), None)
        if at is None:
            at = next((i for i, line in enumerate(lines) if glued_rest(line, headlines)), None)
            if at is None:
                continue
            lines[at] = glued_rest(lines[at], headlines)
            lines.insert(at, "")
            at += 1
        before = [*blocks[:number], *(replace(block, text=line) for line in lines[:at])]
        rest = replace(block, text="\n".join(lines[at:]))
        kept = [b for b in before if len(b.text) > KICKER_MAX_CHARS]
        return [*kept, rest, *blocks[number + 1 :]]
    return blocks


def drop_before_headline(
    blocks: list[Block], index: PageIndex, heading: HtmlElement | None
) -> list[Block]:
    """Drops the short lines at the start of the text that the page sets before its
    headline (a kicker or a section label, when trafilatura left the headline out)."""
    at = index.order.get(heading) if heading is not None else None
    if at is None:
        return blocks
    start = 0
    for block in blocks[:KICKER_SEARCH]:
        element = index.locate(block.text)
        if len(block.text) > KICKER_MAX_CHARS or element is None or index.order[element] > at:
            break
        start += 1
    return blocks[start:] if start < len(blocks) else blocks


def glued_rest(line: str, headlines: tuple[str, ...] | list[str]) -> str:
    """The text after a headline found near the start of a longer line, or ""."""
    line = " ".join(line.split())
    if key(line) in {key(h) for h in headlines}:
        return ""  # the headline itself (one title may be a shortened other)
    headlines = sorted(
        {" ".join(h.split()) for h in headlines if len(h) >= KICKER_GLUED_MIN}, key=len
    )
    for headline in reversed(headlines):  # the longest first
        at = line.find(headline)
        rest = line[at + len(headline) :].strip() if at >= 0 else ""
        if 0 <= at <= KICKER_MAX_CHARS and rest:
            return rest
    return ""


def _story_headlines(tree: HtmlElement, index: PageIndex) -> list[int]:
    """Document positions of headings that are links to another story."""
    found = []
    first_h1 = next(tree.iter("h1"), None)
    own = key(first_h1.text_content()) if first_h1 is not None else ""
    for heading in tree.iter("h1", "h2", "h3"):
        text_key = key(heading.text_content())
        if heading is first_h1 or not text_key or text_key == own or heading not in index.order:
            continue
        linked = [a for a in heading.iter("a") if (a.get("href") or "#")[0] != "#"]
        long_enough = len(text_key) + len(WIDE.findall(text_key)) >= ECHO_MIN_CHARS
        if linked and long_enough and link_density(heading) >= LINK_DENSITY:
            found.append(index.order[heading])
    return sorted(found)
