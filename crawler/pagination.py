"""The next list page, found the way real news sites link it.

In this order: `rel="next"` (`<link>` or `<a>`); the source's `next_page` selector; a link
whose text, image alt, `aria-label`, `title` or class says "next" in the languages of the
sites users watch; a link that differs from this page's URL in one number only, the page
number plus one (`/news/2`, `latest-2.html`, `_2.html`, `/page/2/`, `?page=2`, `?p=2`,
`?pg=2`) or the next offset (`?start=20`, `?offset=20`). Links to articles, to other
origins and to list pages already read are never the next page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.discovery import page_hrefs
from crawler.selectors import SelectorError, select
from crawler.urls import canonical_url, on_origins

NEXT_WORDS = frozenset(
    {
        "next", "next page", "older", "older posts", "older entries", "older articles",
        "older stories", "다음", "다음 페이지", "다음페이지", "다음 목록", "次へ", "次のページ",
        "次", "下一页",
        "下一頁", "下页", "weiter", "nächste", "nächste seite", "suivant", "suivante",
        "page suivante", "siguiente", "página siguiente", "avanti", "successiva", "successivo",
        "pagina successiva", "próxima", "próxima página", "seguinte", "следующая",
        "следующая страница", "далее", "volgende", "następna",
    }
)  # fmt: skip
# "More" often links a section rather than the next page: tried after the rest.
MORE_WORDS = frozenset({"more", "more stories", "more articles", "more news", "load more"})
NEXT_SYMBOLS = frozenset("›»→>▶▸≫")
# Around a word: "Next »", "« Older", "[다음]", "Next page >".
_EDGES = " \t\n·|[](){}<>«»‹›→←▶◀▸◂≫≪.,:;-_!'\"…"
_NEXT_IN_LABEL = re.compile(r"\b(?:next|older)\b|다음|次|下一|nächste|suivant|siguiente", re.I)
_NEXT_CLASS = re.compile(r"next|older", re.I)
_BACK_CLASS = re.compile(r"prev|newer|first|last|disabled", re.I)
# Parameters whose value counts items, not pages: the next page is the next larger value.
_OFFSETS = frozenset({"start", "offset", "from", "skip", "begin", "first", "startindex", "s"})
_PAGES = ("page", "p", "pg", "page_no", "pageno", "pagenum", "pageindex", "paged", "pn", "cp",
          "currentpage", "curpage", "page_num")  # fmt: skip
_INSERTED = r"(?:[-_/]|/page/|/pages/|/p/|/page-|/page_)?(\d{1,4})/?"
# Compiled once, on lxml directly: parsel would wrap every link and every text node of a
# list page in a Selector of its own (~4 ms a list page, on the reactor thread).
_LINKS = etree.XPath("//a[@href]")
_LINK_WORDS = etree.XPath(".//text() | .//img/@alt", smart_strings=False)


def next_page(
    page: Selector,
    url: str,
    pattern: re.Pattern[str] | None = None,
    origins: Iterable[str] = (),
    selector: str = "",
    seen: Iterable[str] = (),
) -> tuple[str, str]:
    """(URL of the list page after `url`, how it was found), or ("", "") if none is linked."""
    done = {_page_key(u) for u in (*seen, url)}
    allowed = tuple(origins) or (url,)

    def usable(href: str) -> str:
        return _usable(href, url, done, allowed, pattern)

    says, more = _labelled(page)
    candidates = [("rel=next", h) for h in _rel_next(page)]
    candidates += [(f"next_page selector {selector}", h) for h in _selected_hrefs(page, selector)]
    for how, href in candidates + says:
        if found := usable(href):
            return found, how
    links = [u for h in page_hrefs(page.root) if (u := usable(h))]
    found, how = numbered_next(url, links)
    if found:
        return found, how
    return next(((u, how) for how, href in more if (u := usable(href))), ("", ""))


def _usable(
    href: str, url: str, done: set[str], allowed: tuple[str, ...], pattern: re.Pattern[str] | None
) -> str:
    """The absolute URL (as linked: list URLs keep every parameter) if it may be next."""
    if not href or href.strip().startswith(("#", "javascript:", "mailto:")):
        return ""
    absolute = urljoin(url, href.strip()).split("#", 1)[0]
    known = canonical_url(absolute)
    if not known or _page_key(absolute) in done or not on_origins(known, allowed):
        return ""
    return "" if pattern is not None and pattern.search(known) else absolute


def _page_key(url: str) -> str:
    """A list page's identity: every parameter counts (`?section=` picks the list)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}?{parts.query}"


def _rel_next(page: Selector) -> list[str]:
    return page.css('link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)').getall()


def _selected_hrefs(page: Selector, selector: str) -> list[str]:
    if not selector:
        return []
    hrefs = []
    try:
        items = select(page.root, selector)
    except SelectorError:  # checked when the config loaded; this page defeats it
        return []
    for item in items:
        if isinstance(item, etree._Element):
            link = item if item.get("href") else next(iter(item.xpath(".//a[@href]")), None)
            hrefs.append(link.get("href", "") if link is not None else "")
        else:
            hrefs.append(str(item))
    return hrefs


def says_next(label: str) -> bool:
    """True when a link's visible text reads "next" ("Next »", "다음", "›")."""
    text = " ".join(label.split()).casefold()
    core = text.strip(_EDGES)
    return core in NEXT_WORDS or (not core and text.replace(" ", "") in NEXT_SYMBOLS)


def _labelled(page: Selector) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(how, href) of the links saying "next", by their text (or image alt), then aria-label
    or title, then class; and of those saying only "More"."""
    by_text, by_label, by_class, more = [], [], [], []
    for link in _LINKS(page.root):
        attrib = link.attrib
        href = attrib["href"]
        text = " ".join(" ".join(_LINK_WORDS(link)).split())
        label = " ".join(f"{attrib.get('aria-label', '')} {attrib.get('title', '')}".split())
        classes = " ".join(f"{attrib.get('class', '')} {attrib.get('id', '')}".split())
        if says_next(text):
            by_text.append((f'link "{text}"', href))
        elif _NEXT_IN_LABEL.search(label) and not _BACK_CLASS.search(label):
            by_label.append((f'link labelled "{label}"', href))
        elif _NEXT_CLASS.search(classes) and not _BACK_CLASS.search(classes):
            by_class.append((f'link of class "{classes}"', href))
        elif text.casefold().strip(_EDGES) in MORE_WORDS:
            more.append((f'link "{text}"', href))
    return by_text + by_label + by_class, more


def numbered_next(url: str, links: Iterable[str]) -> tuple[str, str]:
    """The link that is this URL with its page number plus one, or its offset the next
    larger; a changed query parameter before a changed path."""
    best: tuple[int, int, str, str] | None = None
    for link in links:
        step = number_step(url, link)
        if step is None:
            continue
        name, old, new = step
        offset = name.lower() in _OFFSETS
        if offset and not old < new <= old + 1000:
            continue
        if not offset and (new != old + 1 or old >= 1000):  # not a year, not an id
            continue
        kind = 2 if name == "path" else 0 if offset or name.lower() in _PAGES else 1
        rank = (kind, new, link, "offset" if offset else "page number")
        best = min(best, rank) if best else rank
    return (best[2], best[3]) if best else ("", "")


def number_step(url: str, link: str) -> tuple[str, int, int] | None:
    """(where, this page's number, the link's) when `link` is `url` with one number changed
    or added (in a query parameter, or in the path); None otherwise."""
    a, b = urlsplit(url), urlsplit(link)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        return None
    qa, qb = dict(parse_qsl(a.query)), dict(parse_qsl(b.query))
    if a.path.rstrip("/") == b.path.rstrip("/"):
        return _query_step(qa, qb)
    return _path_step(a.path, b.path) if qa == qb else None


def _query_step(qa: dict[str, str], qb: dict[str, str]) -> tuple[str, int, int] | None:
    changed = [k for k in qa.keys() & qb.keys() if qa[k] != qb[k]]
    added = qb.keys() - qa.keys()
    if qa.keys() - qb.keys():
        return None
    if len(changed) == 1 and not added:
        key = changed[0]
        if qa[key].isdigit() and qb[key].isdigit():
            return key, int(qa[key]), int(qb[key])
    if len(added) == 1 and not changed:
        key = added.pop()
        if qb[key].isdigit() and (key.lower() in _PAGES or key.lower() in _OFFSETS):
            return key, 0 if key.lower() in _OFFSETS else 1, int(qb[key])
    return None


def _path_step(pa: str, pb: str) -> tuple[str, int, int] | None:
    ta, tb = re.split(r"(\d+)", pa), re.split(r"(\d+)", pb)
    if len(ta) == len(tb):
        diffs = [i for i, (x, y) in enumerate(zip(ta, tb, strict=True)) if x != y]
        if len(diffs) == 1 and diffs[0] % 2 == 1:  # odd tokens are the numbers
            return "path", int(ta[diffs[0]]), int(tb[diffs[0]])
        return None
    stem, ext = re.match(r"^(.*?)((?:\.[A-Za-z0-9]{2,5})?)/?$", pa).groups()  # type: ignore[union-attr]
    stems = {stem}
    if re.search(r"/(?:index|list|default)$", stem):  # /news/index.html -> /news/page/2/
        stems.add(stem.rsplit("/", 1)[0])
    for base in stems:
        found = re.fullmatch(re.escape(base) + _INSERTED + f"(?:{re.escape(ext)})?/?", pb)
        if found:
            return "path", 1, int(found.group(1))
    return None
