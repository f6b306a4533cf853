"""The main text of an article page, for sources without selectors.

trafilatura, in its recall mode, finds the article text: that mode rarely misses a
paragraph, but keeps some page furniture. Furniture and hidden copies of the body are
dropped from a copy of the page first (crawler.furniture); if that took the headline with
it (a page-wide <form>), the page is read as it is. Then rules that hold on any news site
clean up what comes out, judged on the page's own structure rather than on words
(crawler.mainrules, crawler.layoutrules):

- a short block that is mostly link text is a teaser or a prompt ("Read more: ...",
  "Get the app"), not article text;
- a paragraph that is the page's own address comes from a print header;
- paragraphs of <article>s other than the headline's are other stories, and so are the
  paragraphs after a heading that links to another story, outside the body's container;
- text outside the container that holds the headline and the body is a sidebar's;
- short lines before the headline are a kicker or a menu;
- a heading that repeats the page's headline or standfirst belongs to the page header;
- a date stamp on a line of its own is furniture (crawler.textrules);
- a paragraph repeated right after itself is shown once, a second copy of the body's
  opening paragraphs is dropped;
- a body split over sibling containers (around an ad slot, say) is read as a whole.

Then the best copy of the text is chosen: script data when the HTML has no body of its
own (crawler.scriptdata), the lines under the headline when the body is a short report
that trafilatura padded with other text (crawler.headline), JSON-LD's articleBody when
the visible text is clearly cut off (crawler.copies).
"""

from __future__ import annotations

import re
from copy import copy, deepcopy
from dataclasses import dataclass, field

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Extractor

from crawler.copies import agreement, fuller_copy
from crawler.furniture import prune_furniture, prune_hidden
from crawler.headline import headline_element, headline_lines, prose_chars
from crawler.layoutrules import (
    KICKER_SEARCH,
    drop_before_headline,
    drop_kickers,
    drop_outside_home,
    glued_rest,
    stop_at_other_story,
)
from crawler.mainrules import (
    PageIndex,
    continuation_blocks,
    drop_far_repeats,
    drop_headline_echoes,
    drop_link_dense,
    drop_other_stories,
    drop_own_address,
    drop_repeats,
    key,
)
from crawler.scriptdata import ScriptArticle, script_article
from crawler.textrules import is_date_line

# trafilatura's output elements that hold one paragraph each, and those that hold blocks
# (raw HTML tags too: trafilatura's fallbacks may hand back an unconverted subtree)
_PARAGRAPHS = frozenset(
    {"p", "head", "item", "row", "code", "pre", "quote", "h1", "h2", "h3", "h4", "h5", "h6",
     "li", "tr", "blockquote", "dd", "dt"}
)  # fmt: skip
_CONTAINERS = frozenset(
    {"body", "div", "list", "table", "quote", "section", "article", "main", "ul", "ol", "dl",
     "tbody", "thead", "blockquote"}
)  # fmt: skip
_LINE_BREAKS = frozenset({"lb", "br"})
_BREAK = "\x00"  # a line break while a block's text is put together
# Below this many letters of prose (Hangul, kana and Han count double) the page has no
# body of its own in the HTML: its text may be in script data.
THIN_BODY = 150
# Visible text sharing less than this with the headline's text in script data is other text.
# (and the data's text is not much shorter than the HTML's: a summary is no body).
OTHER_TEXT = 0.5
OTHER_TEXT_LONGER = 3
# Below this many, the body may be a short report that trafilatura padded with the sidebar.
SHORT_BODY = 400


# bare_extraction's options, as its arguments favor_recall=True, include_comments=False,
# include_tables=True, include_images=False would make them, built once: making them parses
# trafilatura's settings anew (about 10 times the cost of a copy). Only the body tree
# is read: "txt" spares bare_extraction the text rendering of it that its default "python"
# format adds (the format changes nothing else there).
_OPTIONS = Extractor(output_format="txt", recall=True, comments=False, tables=True, images=False)


@dataclass
class Block:
    """One paragraph of extracted text; `tag` is trafilatura's ("p", "head", "item", ...)."""

    text: str
    tag: str


@dataclass
class PageHints:
    """What the page says about itself (crawler.structured), to judge the text by."""

    titles: tuple[str, ...] = ()  # headline candidates: og:title, <title>, ...
    summary: str = ""
    site_names: list[str] = field(default_factory=list)
    structured_body: str = ""  # JSON-LD articleBody
    paywalled: bool = False  # JSON-LD isAccessibleForFree: false


@dataclass
class MainText:
    paragraphs: list[str]
    origin: str = "generic"  # "structured": JSON-LD's articleBody; "script": script data
    published: str = ""  # the script data's publication time, as written there


def main_text(root: HtmlElement, url: str, hints: PageHints | None = None) -> MainText | None:
    """The article's paragraphs (<br> breaks kept as "\\n"); None when the page has no text."""
    hints = hints or PageHints()
    tree = deepcopy(root)
    prune_hidden(tree)
    prune_furniture(tree)
    found = _extracted(tree, url)
    if not found and headline_element(tree, hints.titles, hints.site_names) is None:
        # the furniture filter took the article with it (a page-wide <form>, say): read the
        # page as it is. A headline that survived with no text is a report without text.
        tree = deepcopy(root)
        prune_hidden(tree)
        found = _extracted(tree, url)
    texts, glued = _cleaned(found, tree, url, hints, root) if found else ([], False)
    return _best_copy(texts, tree, root, hints, glued)


def _extracted(tree: HtmlElement, url: str) -> list[Block]:
    document = trafilatura.bare_extraction(tree, options=_options(url))
    body = getattr(document, "body", None)
    return body_blocks(body) if body is not None else []


def _cleaned(
    found: list[Block], tree: HtmlElement, url: str, hints: PageHints, root: HtmlElement
) -> tuple[list[str], bool]:
    """The extracted text after the rules, and whether trafilatura glued the page header
    (menu, headline) into the text: its fallback for pages with little text."""
    index = PageIndex(tree)
    blocks = drop_link_dense(found, index)
    blocks = drop_own_address(blocks, url)
    blocks = drop_other_stories(blocks, index, tree)
    blocks = stop_at_other_story(blocks, index, tree)
    heading = headline_element(tree, hints.titles, hints.site_names)
    blocks = drop_outside_home(blocks, index, heading)
    headlines = (*hints.titles, *page_headlines(root))
    glued = any(
        glued_rest(line, headlines) for b in blocks[:KICKER_SEARCH] for line in b.text.split("\n")
    )
    blocks = drop_before_headline(drop_kickers(blocks, headlines), index, heading)
    blocks = drop_headline_echoes(blocks, (*headlines, hints.summary))
    blocks = [block for block in blocks if not is_date_line(block.text)]
    blocks = drop_far_repeats(drop_repeats(blocks)) or found  # rules never empty a body
    return [block.text for block in blocks] + continuation_blocks(blocks, index), glued


def _best_copy(
    texts: list[str], tree: HtmlElement, root: HtmlElement, hints: PageHints, glued: bool
) -> MainText | None:
    """The visible paragraphs, or a fuller copy: script data when the HTML has no body,
    the text under the headline when the body is a short report padded with other text,
    or JSON-LD's articleBody when the visible text is cut off."""
    titles = {key(t) for t in hints.titles} - {""}
    lines = [line for text in texts for line in text.split("\n")]
    prose = prose_chars([line for line in lines if key(line) not in titles])
    script = script_article(root, hints.titles, anchored_only=prose >= THIN_BODY)
    if script is not None and _script_wins(texts, prose, script, hints.paywalled):
        return MainText(script.paragraphs, "script", script.published)
    if prose < SHORT_BODY or glued:
        texts = _short_report(texts, lines, tree, hints, glued)
    fuller = fuller_copy(texts, hints.structured_body, paywalled=hints.paywalled)
    if fuller is not None:
        return MainText(fuller, "structured")
    return MainText(texts) if texts else None


def _script_wins(texts: list[str], prose: int, script: ScriptArticle, paywalled: bool) -> bool:
    """Script data is the body when the HTML has none, when the HTML's text is something
    else (a sidebar) beside the headline's own longer text in the data, or when the HTML
    shows a truncated part of it."""
    if prose < THIN_BODY:
        return script.anchored or not texts
    if not script.anchored:
        return False
    shared, script_prose = agreement(texts, script.paragraphs), prose_chars(script.paragraphs)
    if shared < OTHER_TEXT and script_prose >= max(THIN_BODY, prose / OTHER_TEXT_LONGER):
        return True  # the HTML's text is a sidebar's, the article's is in the data

    return fuller_copy(texts, "\n".join(script.paragraphs), paywalled=paywalled) is not None


def _short_report(
    texts: list[str], lines: list[str], tree: HtmlElement, hints: PageHints, glued: bool
) -> list[str]:
    """The lines under the headline, for a short body that trafilatura padded with text
    from elsewhere or glued to the page header (it includes the short text and more), or
    replaced by other text (it has none of it, and the text under the headline is not
    just the standfirst)."""
    heading = headline_element(tree, hints.titles, hints.site_names)
    if heading is None:
        return texts
    scoped, contained = headline_lines(heading, lines)
    if not scoped or (contained and lines and not glued):
        return texts
    found = key("".join(lines))
    padded = all(key(line) in found for line in scoped)
    echoes = {key(hints.summary), *map(key, hints.titles)}
    replaced = not any(key(line) in found for line in scoped) and not all(
        key(line) in echoes for line in scoped
    )
    return scoped if padded or replaced or not lines else texts


def page_headlines(root: HtmlElement) -> tuple[str, ...]:
    """The page's <title> and its first <h1> headings, as the page shows them."""
    titles = root.xpath("(//title)[1] | (//h1)[position() <= 3]")
    return tuple(_normalized(element.text_content()) for element in titles)


def _options(url: str) -> Extractor:
    """The options for one page: only its address differs (trafilatura never changes them)."""
    options = copy(_OPTIONS)
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")  # as Extractor does
    return options


def body_blocks(body: HtmlElement) -> list[Block]:
    """trafilatura's output as paragraphs: one per p, heading, list item or table row;
    loose text between blocks is a paragraph of its own."""
    blocks: list[Block] = []
    _collect(body, blocks)
    return [block for block in blocks if block.text]


def _collect(element: HtmlElement, blocks: list[Block]) -> None:
    if element.text and element.text.strip():
        blocks.append(Block(_normalized(element.text), "text"))
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _LINE_BREAKS:
            if _holds_blocks(child):
                _collect(child, blocks)
            else:
                texts = block_text(child).split("\n\n")
                blocks.extend(Block(text, child.tag) for text in texts)
        if child.tail and child.tail.strip():
            blocks.append(Block(_normalized(child.tail), "text"))


def _holds_blocks(element: HtmlElement) -> bool:
    if element.tag not in _CONTAINERS:
        return False
    return any(child.tag in _PARAGRAPHS or child.tag in _CONTAINERS for child in element)


def block_text(element: HtmlElement) -> str:
    """Whitespace-normalized text; a line break stays "\\n" and two or more in a row (the
    paragraphs of a page written without <p>) become "\\n\\n"; nested blocks and cells
    are spaced."""
    parts: list[str] = []
    _text_parts(element, parts)
    lines = [" ".join(line.split()) for line in "".join(parts).split(_BREAK)]
    text = "\n".join(line if line else "\n" for line in lines)
    return "\n\n".join(p.strip("\n") for p in re.split(r"\n{3,}", text) if p.strip("\n"))


def _text_parts(element: HtmlElement, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        if child.tag in _LINE_BREAKS:
            parts.append(_BREAK)
        elif isinstance(child.tag, str):
            spaced = child.tag in _PARAGRAPHS or child.tag in _CONTAINERS or child.tag == "cell"
            gap = _BREAK if child.tag == "head" else " " if spaced else ""  # a heading: own line
            parts.append(gap)
            _text_parts(child, parts)
            parts.append(gap)
        parts.append(child.tail or "")


def _normalized(text: str) -> str:
    return " ".join(text.split())
