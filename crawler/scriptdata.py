"""The article text that a script-rendered page ships only as data.

Next.js puts the page's data in <script id="__NEXT_DATA__" type="application/json">,
others assign it in a script (`window.__INITIAL_STATE__ = {...}`, Arc XP's
`Fusion.globalContent = {...}`), Nuxt 2 as a JavaScript function call (`window.__NUXT__ =
(function(a,b){return {...}}(...))`, not JSON: its string literals are read instead).
The body is the longest article-like text in that data: a string, or a list of paragraph
objects ({"type": "text", "content": ...}). Text inside the object that carries the page's
headline (the article object) is preferred to text elsewhere (related stories). HTML
inside it is cleaned as any body; the object's publication date comes with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from crawler.furniture import prune_furniture
from crawler.mainrules import WIDE, key

_JSON_SCRIPTS = "//script[@type='application/json' or @type='application/ld+json+state']"
_STATE_SCRIPTS = (
    "//script[not(@src)][contains(., '__NEXT_DATA__') or contains(., '_STATE__') or "
    "contains(., '__NUXT__') or contains(., 'globalContent') or contains(., '__DATA__')]"
)
_ASSIGNMENT = re.compile(r"(?:[\w$.\[\]'\"]+)\s*=\s*(?=[{\[])")
_JSON_PARSE = re.compile(r"JSON\.parse\(\s*(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')\s*\)")
_STRING = re.compile(r'"((?:\\.|[^"\\\n])*)"')
_MARKUP = re.compile(r"<(?:p|br|div|h[1-6]|ul|ol|li|blockquote|figure|span|a|strong|em|b|i)\b")
_PARAGRAPH_TYPES = frozenset({"text", "paragraph", "p", "par", "body", "html"})
_TEXT_KEYS = ("content", "text", "html", "value", "body")
_DATE_KEYS = re.compile(
    r"^(?:first_?publish(?:ed)?_?(?:date|at|time)?|date_?published|publish(?:ed)?_?"
    r"(?:date|at|time|datetime)?|pub_?date|display_?date|created_?at|reg_?date)$",
    re.IGNORECASE,
)
_TITLE_KEY = re.compile(r"headline|title", re.IGNORECASE)
_NOT_TEXT_KEYS = re.compile(r"css|style|script|svg|template|url|src|href|query|token|json|code")
_BLOCKS = frozenset({"p", "div", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr"})
# A text is article-like when it holds this many letters and reads as sentences.
MIN_LETTERS = 80
MAX_SCRIPT_CHARS = 3_000_000
# A literal this close to the headline's literal (in characters) belongs to its object.
LITERAL_NEAR = 2000


@dataclass
class ScriptArticle:
    paragraphs: list[str] = field(default_factory=list)
    published: str = ""  # as the data writes it; parse with the source's time zone
    anchored: bool = False  # found in the object that carries the page's headline


@dataclass
class _Candidate:
    text: str
    anchored: bool
    published: str
    distance: int = 0  # of a literal from the headline's literal (Nuxt 2), in characters


def script_article(
    root: HtmlElement, titles: tuple[str, ...], *, anchored_only: bool = False
) -> ScriptArticle | None:
    """The article text in the page's script data; None when there is none. With
    `anchored_only`, only scripts that hold one of the titles are read."""
    title_keys = {k for k in map(key, titles) if len(k) >= 4}
    json_scripts, state_scripts = root.xpath(_JSON_SCRIPTS), root.xpath(_STATE_SCRIPTS)
    if anchored_only:
        needles = {n for t in titles if len(t) >= 4 for n in (t, json.dumps(t)[1:-1])}
        json_scripts = [s for s in json_scripts if any(n in (s.text or "") for n in needles)]
        state_scripts = [s for s in state_scripts if any(n in (s.text or "") for n in needles)]
    candidates: list[_Candidate] = []
    for data in _script_data(json_scripts, state_scripts):
        try:
            candidates.extend(_candidates(data, title_keys, anchored=False, published=""))
        except RecursionError:  # data nested deeper than any article's: not an article
            continue
    if not candidates:
        candidates = _literal_strings(state_scripts, title_keys)
    anchored = [c for c in candidates if c.anchored]
    if anchored_only and not anchored:
        return None
    best = max(anchored or candidates, key=lambda c: (-c.distance, len(c.text)), default=None)
    if best is None:
        return None
    paragraphs = text_paragraphs(best.text)
    return ScriptArticle(paragraphs, best.published, best.anchored) if paragraphs else None


def _script_data(
    json_scripts: list[HtmlElement], state_scripts: list[HtmlElement]
) -> Iterator[Any]:
    for script in json_scripts:
        yield _loads(script.text or "")
    for script in state_scripts:
        text = (script.text or "")[:MAX_SCRIPT_CHARS]
        for literal in _JSON_PARSE.finditer(text):
            inner = _loads(f'"{literal.group(1)[1:-1]}"')
            yield _loads(inner) if isinstance(inner, str) else None
        decoder = json.JSONDecoder(strict=False)
        for match in _ASSIGNMENT.finditer(text):
            try:
                yield decoder.raw_decode(text, match.end())[0]
            except ValueError:
                continue


def _loads(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _candidates(
    node: Any, titles: set[str], anchored: bool, published: str
) -> Iterator[_Candidate]:
    """Article-like texts under `node`; `anchored` once inside the headline's object."""
    if isinstance(node, dict):
        anchored = anchored or _carries(node, titles)
        published = _published(node) or published
        for name, value in node.items():
            if isinstance(name, str) and _NOT_TEXT_KEYS.search(name.lower()):
                continue
            if isinstance(value, str):
                if _article_like(value):
                    yield _Candidate(value, anchored, published)
            else:
                yield from _candidates(value, titles, anchored, published)
    elif isinstance(node, list):
        # a flat list holding the headline (Nuxt 3's payload) anchors the texts beside it
        anchored = anchored or any(isinstance(i, str) and key(i) in titles for i in node)
        joined = _paragraph_list(node)
        if joined:
            yield _Candidate(joined, anchored, published)
        for item in node:
            if isinstance(item, str):
                if _article_like(item):
                    yield _Candidate(item, anchored, published)
            else:
                yield from _candidates(item, titles, anchored, published)


def _carries(node: dict[str, Any], titles: set[str]) -> bool:
    """True when the object (or an object right in it, {"headlines": {"basic": ...}})
    holds one of the page's titles."""
    values = [v for v in node.values() if isinstance(v, str)]
    values += [v for name, d in node.items() if _title_object(name, d) for v in d.values()]
    return any(key(v) in titles for v in values if isinstance(v, str) and len(v) < 400)


def _title_object(name: Any, value: Any) -> bool:
    """An object of strings that names the headline: Arc XP's "headlines": {"basic": ...},
    WordPress's "title": {"rendered": ...}."""
    return (
        isinstance(value, dict)
        and bool(_TITLE_KEY.search(str(name)))
        and all(isinstance(v, str) for v in value.values())
    )


def _published(node: dict[str, Any]) -> str:
    dates = [(k, v) for k, v in node.items() if isinstance(v, str) and _DATE_KEYS.match(str(k))]
    dates.sort(key=lambda kv: 0 if "first" in kv[0].lower() else 1 if "pub" in kv[0].lower() else 2)
    return dates[0][1] if dates else ""


def _paragraph_list(items: list[Any]) -> str:
    """Arc XP-style content elements: the texts of the items of a text type, as HTML."""
    texts = []
    for item in items:
        if isinstance(item, dict) and str(item.get("type", "")).lower() in _PARAGRAPH_TYPES:
            text = next((item[k] for k in _TEXT_KEYS if isinstance(item.get(k), str)), "")
            texts.append(f"<p>{text}</p>")
    return "".join(texts) if len(texts) >= 2 and _article_like("".join(texts)) else ""


def _article_like(text: str) -> bool:
    if len(text) < MIN_LETTERS or text.lstrip()[:1] in "{[" or "function(" in text:
        return False
    plain = re.sub(r"<[^>]+>", " ", text) if "<" in text else text
    letters = sum(ch.isalpha() for ch in plain)
    wide = len(WIDE.findall(plain))  # Hangul, kana and Han: dense, and not spaced in CJK
    spaced = plain.count(" ") + plain.count("\n") >= 5 or wide > letters / 2
    sentences = len(re.findall(r"[.!?。다]\s|[.!?。]$|[.。]<|。", text + " "))
    return (
        letters + wide >= MIN_LETTERS and letters >= 0.5 * len(plain) and spaced and sentences >= 1
    )


def _literal_strings(scripts: list[HtmlElement], titles: set[str]) -> list[_Candidate]:
    """String literals of the page's state scripts that are not JSON (Nuxt 2); one is
    anchored when the page's headline is a literal shortly before it (the same object),
    and the nearest is the article's."""
    found = []
    for script in scripts:
        source = (script.text or "")[:MAX_SCRIPT_CHARS]
        literals = [(m.start(), _loads(f'"{m.group(1)}"')) for m in _STRING.finditer(source)]
        texts = [(at, text) for at, text in literals if isinstance(text, str)]
        headline_at = [at for at, text in texts if len(text) < 400 and key(text) in titles]
        for at, text in texts:
            if _article_like(text):
                distance = min((at - h for h in headline_at if at > h), default=LITERAL_NEAR)
                found.append(_Candidate(text, distance < LITERAL_NEAR, "", distance))
    return found


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text from data: HTML cleaned as a page body, else its lines."""
    if not _MARKUP.search(text):
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    fragment = lxml.html.fragment_fromstring(text, create_parent="div")
    prune_furniture(fragment)
    for junk in fragment.xpath(".//script | .//style | .//iframe"):
        junk.drop_tree()
    parts: list[str] = []
    _text_parts(fragment, parts)
    return [" ".join(line.split()) for line in "".join(parts).split("\n") if line.split()]


def _text_parts(element: HtmlElement, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        if isinstance(child.tag, str):
            block = child.tag in _BLOCKS
            parts.append("\n" if block or child.tag == "br" else "")
            _text_parts(child, parts)
            parts.append("\n" if block else "")
        parts.append(child.tail or "")
