"""Full-text search on PostgreSQL with the tokens of SQLite's FTS5 index.

The text is tokenized here, as FTS5's unicode61 tokenizer does (runs of letters and digits,
lower case, Latin diacritics removed), after db.text.index_text (Hangul as bigrams), and
written as a tsvector literal: PostgreSQL's own parser splits differently (URLs, hyphens,
numbers), and the `simple` configuration would still not remove diacritics. A query of the
query language arrives as the FTS5 expression newswatch.query renders; its phrases are
tokenized the same way into a tsquery, so both engines find the same articles.

Known limits of tsvector: positions stop at 16383 and a word keeps its first 256 positions,
so a phrase deep inside a very long article may not be found.
"""

from __future__ import annotations

import re
import unicodedata

from db.text import index_text

_TOKEN = re.compile(r"[^\W_]+")
_FTS5 = re.compile(r'\s*(?:(\()|(\))|"((?:[^"]|"")*)"(\*?)|(AND|OR|NOT)\b)')
_MAX_LEXEME = 2000  # bytes; PostgreSQL refuses a word longer than 2047


def _fold(char: str) -> str:
    if char.isascii():
        return char
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) > 1 and all(unicodedata.category(c) == "Mn" for c in decomposed[1:]):
        return decomposed[0]
    return char


def tokens(indexed: str) -> list[str]:
    """The tokens FTS5 unicode61 makes of an already indexed text (index_text)."""
    found = []
    for token in _TOKEN.findall(indexed.lower()):
        folded = token if token.isascii() else "".join(map(_fold, token))
        if len(folded.encode()) <= _MAX_LEXEME:
            found.append(folded)
    return found


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(title: str, body: str) -> str:
    """A tsvector literal of the indexed title and body (index_text); a gap of one position
    between them, so no phrase runs from the title into the body, as in FTS5's columns."""
    positions: dict[str, list[int]] = {}
    title_tokens = tokens(title)
    for i, token in enumerate(title_tokens, 1):
        positions.setdefault(token, []).append(i)
    start = len(title_tokens) + 2
    for i, token in enumerate(tokens(body), start):
        positions.setdefault(token, []).append(i)
    # Ascending as appended. PostgreSQL keeps a word's first 256 and makes any past 16383 one
    # 16383: sending more is sending for nothing.
    return " ".join(_lexeme(t) + ":" + ",".join(map(str, p[:256])) for t, p in positions.items())


def article_tsvector(title: str, body: str) -> str:
    """tsvector() of a raw title and body."""
    return tsvector(index_text(title), index_text(body))


def tsquery(fts5: str) -> str:
    """A tsquery literal for an FTS5 expression as newswatch.query.Query.fts() renders it:
    phrases ("a b", "a b"*), parentheses, AND, OR and binary NOT."""
    out, pos = [], 0
    while pos < len(fts5) and fts5[pos:].strip():
        m = _FTS5.match(fts5, pos)
        if not m:
            raise ValueError(f"not an FTS5 expression of newswatch.query: {fts5!r}")
        pos = m.end()
        if m.group(5):
            out.append({"AND": "&", "OR": "|", "NOT": "& !"}[m.group(5)])
        elif m.group(3) is not None:
            out.append(_phrase(m.group(3).replace('""', '"'), bool(m.group(4))))
        else:
            out.append(m.group(1) or m.group(2))
    return " ".join(out)


def _phrase(text: str, prefix: bool) -> str:
    words = [_lexeme(t) for t in tokens(text)]
    if not words:  # FTS5 matches nothing for an empty phrase; no token is "-"
        return "('-')"
    if prefix:
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"
