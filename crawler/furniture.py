"""Page furniture dropped from a copy of the page before its main text is looked for.

Judged by markup, not by wording: navigation, sidebars, footers, forms and figures;
blocks whose class or id names a related/share/newsletter box, a gallery or a caption;
teaser cards (a list item whose heading is a link to another story); and link clusters
inside a paragraph (hover cards that list a person's other stories). A block holding
most of the page's paragraph text is always spared.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.mainrules import link_density

_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "figure", "figcaption", "form", "iframe"})
_FURNITURE_NAME = re.compile(
    r"(?:^|[\s_-])(?:related|share|sharing|sns|social|most|popular|recommend|newsletter|"
    r"breadcrumbs?|keywords?|tags|comments?|advert|promo|subscribe|gallery|captions?)"
    r"(?:$|[\s_\d-])",
    re.IGNORECASE,
)
_HEADING = "*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
_TEASER_CARDS = f"//li[.//{_HEADING}//a or .//a//{_HEADING}]"
_LINK_CLUSTERS = "//p//*[self::span or self::div][count(.//a) >= 3]"
CLUSTER_MIN_LINKS = 3
# A cluster is this much link text (hover cards also hold a photo and "MORE").
CLUSTER_LINK_SHARE = 0.9
# Furniture is spared when it holds more than this share of the page's paragraph text.
SPARE_SHARE = 0.4


def prune_furniture(tree: HtmlElement) -> None:
    """Drops page furniture from `tree` in place (tails, the text after an element, stay)."""
    total = _paragraph_chars(tree)
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        charset = element.tag == "meta" and (element.get("charset") or element.get("http-equiv"))
        furniture = element.tag in _FURNITURE_TAGS or _FURNITURE_NAME.search(names)
        if charset or (furniture and _paragraph_chars(element) <= SPARE_SHARE * total):
            element.drop_tree()
    for card in tree.xpath(_TEASER_CARDS):
        if _paragraph_chars(card) <= SPARE_SHARE * total:
            _drop(card)
    # innermost first: a hover card goes, the linked name it hangs from stays
    for cluster in reversed(tree.xpath(_LINK_CLUSTERS)):
        links = sum(1 for _ in cluster.iter("a"))
        if links >= CLUSTER_MIN_LINKS and link_density(cluster) >= CLUSTER_LINK_SHARE:
            _drop(cluster)


def _drop(element: HtmlElement) -> None:
    if element.getparent() is not None:  # not already gone with an ancestor
        element.drop_tree()


def _paragraph_chars(element: HtmlElement) -> int:
    return sum(len(" ".join(p.text_content().split())) for p in element.iter("p"))
