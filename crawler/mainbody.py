"""The main text of an article page, for sources without selectors.

trafilatura, in its recall mode, finds the article text: that mode rarely misses a
paragraph, but keeps some page furniture. Furniture is dropped from a copy of the page
first (crawler.furniture), then rules that hold on any news site clean up what comes
out, judged on the page's own structure rather than on words (crawler.mainrules):

- a short block that is mostly link text is a teaser or a prompt ("Read more: ...",
  "Get the app"), not article text;
- a paragraph that is the page's own address comes from a print header;
- paragraphs of <article>s other than the headline's are other stories;
- a heading that repeats the page's headline or standfirst belongs to the page header;
- a paragraph repeated right after itself is shown once;
- a body split over sibling containers (around an ad slot, say) is read as a whole;
- a JSON-LD articleBody that holds the extracted text and is clearly longer is the
  fuller copy of the same article (a cut-off or script-rendered page).
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

from crawler.furniture import prune_furniture
from crawler.mainrules import (
    PageIndex,
    continuation_blocks,
    drop_headline_echoes,
    drop_link_dense,
    drop_other_stories,
    drop_own_address,
    drop_repeats,
    fuller_structured_body,
)

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


@dataclass
class Block:
    """One paragraph of extracted text; `tag` is trafilatura's ("p", "head", "item", ...)."""

    text: str
    tag: str


@dataclass
class MainText:
    paragraphs: list[str]
    structured: bool = False  # the paragraphs are the JSON-LD articleBody's


def main_text(
    root: HtmlElement, url: str, *, headlines: tuple[str, ...] = (), structured_body: str = ""
) -> MainText | None:
    """The article's paragraphs; None when trafilatura finds no text at all.
    `headlines` are the page's own title and standfirst, `structured_body` its JSON-LD text."""
    tree = deepcopy(root)
    prune_furniture(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_recall=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
    )
    body = getattr(document, "body", None)
    if body is None:
        return None
    index = PageIndex(tree)
    found = body_blocks(body)
    blocks = drop_link_dense(found, index)
    blocks = drop_own_address(blocks, url)
    blocks = drop_other_stories(blocks, index, tree)
    blocks = drop_headline_echoes(blocks, headlines + page_headlines(root))
    blocks = drop_repeats(blocks) or found  # the rules never empty a body on their own
    texts = [block.text for block in blocks] + continuation_blocks(blocks, index)
    fuller = fuller_structured_body(texts, structured_body)
    return MainText(fuller, structured=True) if fuller is not None else MainText(texts)


def page_headlines(root: HtmlElement) -> tuple[str, ...]:
    """The page's <title> and its first <h1> headings, as the page shows them."""
    titles = root.xpath("(//title)[1] | (//h1)[position() <= 3]")
    return tuple(_normalized(element.text_content()) for element in titles)


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
                blocks.append(Block(block_text(child), child.tag))
        if child.tail and child.tail.strip():
            blocks.append(Block(_normalized(child.tail), "text"))


def _holds_blocks(element: HtmlElement) -> bool:
    if element.tag not in _CONTAINERS:
        return False
    return any(child.tag in _PARAGRAPHS or child.tag in _CONTAINERS for child in element)


def block_text(element: HtmlElement) -> str:
    """Whitespace-normalized text; line breaks stay, nested blocks and cells are spaced."""
    parts: list[str] = []
    _text_parts(element, parts)
    lines = "".join(parts).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.split())


def _text_parts(element: HtmlElement, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        if child.tag in _LINE_BREAKS:
            parts.append("\n")
        elif isinstance(child.tag, str):
            spaced = child.tag in _PARAGRAPHS or child.tag in _CONTAINERS or child.tag == "cell"
            parts.append(" " if spaced else "")
            _text_parts(child, parts)
            parts.append(" " if spaced else "")
        parts.append(child.tail or "")


def _normalized(text: str) -> str:
    return " ".join(text.split())
