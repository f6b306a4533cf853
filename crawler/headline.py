"""The headline a reader sees, and the short text that stands under it.

The headline is the article's <h1>: the first one inside <article> or <main>, else the
first on the page, skipping a logo or site name set as <h1>. When the page's own titles
(og:title, <title>) share no word with it, it is a section label, not the headline.

A short article (a one- or two-line video report) gives trafilatura too little text to
tell the article from the sidebar; it then returns whatever text the page has. The short
text is read instead from the headline's own container: the smallest element around the
<h1> that holds text besides it, grown over the containers right after it that carry the
extracted text (a header box followed by the body).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.mainrules import WIDE, key
from crawler.textrules import is_date_line

_WORD = re.compile(r"\w+")
_NON_LETTER = re.compile(r"[\W\d_]")
_ASCII_NON_LETTERS = bytes(i for i in range(128) if not chr(i).isalpha())  # what it takes
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
     "table", "tr", "td", "th", "blockquote", "header", "footer", "main", "dd", "dt", "figure",
     "pre", "address"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})
# A line of at least this many letters (Hangul, kana and Han count double) is prose.
PROSE_MIN_CHARS = 12


def headline_element(
    root: HtmlElement, titles: tuple[str, ...], site_names: list[str]
) -> HtmlElement | None:
    """The <h1> the reader sees as the article's headline, or None."""
    sites = {key(name) for name in site_names} - {""}
    candidates = root.xpath("(//article//h1 | //main//h1)[position() <= 3]") or []
    candidates += [h for h in root.xpath("(//h1)[position() <= 5]") if h not in candidates]
    title_words = set().union(*(_words(t) for t in titles if t)) if any(titles) else set()
    for heading in candidates:
        text = heading_text(heading)
        if not text or key(text) in sites or _is_logo(heading):
            continue
        if title_words and not (_words(text) & title_words):
            continue  # a section label such as "World news"
        return heading
    return _titled_element(root, {key(t) for t in titles} - {""})


def _titled_element(root: HtmlElement, title_keys: set[str]) -> HtmlElement | None:
    """A heading or title-classed element showing one of the page's titles (sites that
    set the headline in an <h3> or a <div class="title">)."""
    if not title_keys:
        return None
    xpath = (
        "//body//*[self::h2 or self::h3 or self::h4 or self::strong or "
        "contains(@class, 'tit') or contains(@class, 'head')]"
    )
    for element in root.xpath(xpath):
        if key(element.text_content()) in title_keys:
            return element
    return None


def heading_text(heading: HtmlElement) -> str:
    """The heading's text; a kicker in its own element stays, spaced from the headline."""
    parts: list[str] = []
    _spaced_text(heading, parts)
    return " ".join("".join(parts).split())


def _spaced_text(element: HtmlElement, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        if child.tag == "br":
            parts.append(" ")
        elif isinstance(child.tag, str) and child.tag not in _SKIP:
            spaced = child.tag != "a" and (child.get("class") or child.tag in _BLOCKS)
            parts.append(" " if spaced else "")
            _spaced_text(child, parts)
            parts.append(" " if spaced else "")
        parts.append(child.tail or "")


def _is_logo(heading: HtmlElement) -> bool:
    links = heading.xpath(".//a/@href")
    return any(href.strip() in ("/", "./", "#") for href in links) and not heading.xpath(
        "ancestor::article | ancestor::main"
    )


def _words(text: str) -> set[str]:
    """Words of a title, for overlap: Latin words of 3+ letters, and Hangul/Han bigrams."""
    words = {w.casefold() for w in _WORD.findall(WIDE.sub(" ", text)) if len(w) >= 3}
    wide = "".join(WIDE.findall(text))
    return words | {wide[i : i + 2] for i in range(len(wide) - 1)}


def prose_chars(lines: list[str]) -> int:
    """Letters in the lines that read as prose (furniture such as dates does not count)."""
    total = 0
    for line in lines:
        letters = _letters(line)
        if letters >= PROSE_MIN_CHARS and not is_date_line(line):
            total += letters
    return total


def _letters(line: str) -> int:
    """Letters in the line; Hangul, kana and Han count double."""
    if line.isascii():  # the same count, without a regex match per other character
        return len(line.encode().translate(None, _ASCII_NON_LETTERS))
    return len(_NON_LETTER.sub("", line)) + len(WIDE.findall(line))


def headline_lines(heading: HtmlElement, extracted: list[str]) -> tuple[list[str], bool]:
    """The text lines under the headline in its container, and whether all `extracted`
    lines come from there (then trafilatura's text is the container's)."""
    scope = heading.getparent()
    while scope is not None and not _has_prose(scope, heading):
        scope = scope.getparent()
    if scope is None:
        return [], False
    keys = [k for line in extracted if len(k := key(line)) >= PROSE_MIN_CHARS]
    scope = _grow(scope, heading, keys)
    inside = key(scope.text_content())
    lines = [line for line in _lines_after(scope, heading) if _keep(line, scope)]
    return lines, all(k in inside for k in keys)


def _has_prose(scope: HtmlElement, heading: HtmlElement) -> bool:
    return prose_chars(_lines_after(scope, heading)) > 0


def _grow(scope: HtmlElement, heading: HtmlElement, keys: list[str]) -> HtmlElement:
    """The scope, grown over the containers right after it that hold extracted text (a
    header box with a standfirst, followed by the body), and to the <article> or <main>
    around the headline when that holds all of the extracted text."""
    landmark = next(heading.iterancestors("article", "main"), None)
    if landmark is not None and all(k in key(landmark.text_content()) for k in keys):
        return landmark
    while scope.getparent() is not None:
        following = scope.getnext()
        while following is not None and not key(following.text_content()):
            following = following.getnext()  # an empty ad slot or image between them
        text = key(following.text_content()) if following is not None else ""
        if not text or not any(k in text for k in keys):
            return scope
        scope = scope.getparent()
    return scope


def _lines_after(scope: HtmlElement, heading: HtmlElement) -> list[str]:
    """The scope's text after the heading, one line per block or <br>."""
    parts: list[str] = []
    state = {"after": False}
    _collect(scope, heading, parts, state)
    return [" ".join(line.split()) for line in "".join(parts).split("\n") if line.split()]


def _collect(element: HtmlElement, heading: HtmlElement, parts: list[str], state: dict) -> None:
    if element is heading:
        state["after"] = True
        return
    if element.tag in _HEADINGS and state["after"]:
        return  # a standfirst or a box title, not the text
    block = element.tag in _BLOCKS
    if state["after"]:
        parts.append(("\n" if block else "") + (element.text or ""))
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _SKIP:
            pass
        elif child.tag == "br":
            parts.append("\n" if state["after"] else "")
        else:
            _collect(child, heading, parts, state)
        if state["after"]:
            parts.append(child.tail or "")
    if block and state["after"]:
        parts.append("\n")


def _keep(line: str, scope: HtmlElement) -> bool:
    if is_date_line(line):
        return False
    return _letters(line) >= PROSE_MIN_CHARS and not _linked(line, scope)


def _linked(line: str, scope: HtmlElement) -> bool:
    """True when the line is a link's text (a menu item, a "more" link)."""
    line_key = key(line)
    return any(key(a.text_content()) == line_key for a in scope.iter("a"))
