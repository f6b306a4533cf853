"""How text is written into and looked up in the full-text index.

FTS5's unicode61 tokenizer keeps English words whole (`missile` does not match
`missiles`), but Korean particles attach to nouns (`탄도미사일을`), so Hangul runs are
indexed as overlapping bigrams and a Hangul term is searched as the phrase of its bigrams.
"""

from __future__ import annotations

import re

_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]{2,}")


def _bigrams(match: re.Match[str]) -> str:
    run = match.group(0)
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def index_text(text: str) -> str:
    """The text as stored in the FTS index."""
    if not text or text.isascii():  # no Hangul: the scan would find nothing (most articles)
        return text or ""
    return _HANGUL_RUN.sub(_bigrams, text)


def term_query(term: str) -> str:
    """An FTS5 query string for one user term or phrase, safely quoted."""
    prefix = term.endswith("*")
    term = term.rstrip("*")
    tokens = index_text(term).split()
    if not tokens:
        return ""
    phrase = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
    return phrase + ("*" if prefix else "")
