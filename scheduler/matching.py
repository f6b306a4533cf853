"""Evaluating parsed queries against articles in memory, fast enough for many rules.

Each rule is reduced to trigger tokens: words at least one of which any matching text
must contain. An article is evaluated only against the rules one of its tokens
triggers, so 1,000 rules cost little more than the few that could match.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from newswatch.query import And, Node, Not, Or, Query, Term, tokens_of

_GAP = "\x00"  # between title and body: a phrase never spans the two


class TokenDoc:
    """An article's title and body as index tokens, with positions for phrases."""

    def __init__(self, title: str, body: str) -> None:
        tokens = [*tokens_of(title), _GAP, *tokens_of(body)]
        self.positions: dict[str, list[int]] = defaultdict(list)
        for i, token in enumerate(tokens):
            self.positions[token].append(i)
        self.sorted = sorted(self.positions)

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.sorted, prefix)
        return i < len(self.sorted) and self.sorted[i].startswith(prefix)

    def has_term(self, term: Term) -> bool:
        words = [w.lower() for w in term.words]
        if term.prefix:
            words, last = words[:-1], words[-1]
            if not words:
                return self.has_prefix(last)
        else:
            last = ""
        starts = self.positions.get(words[0], []) if words else []
        return any(self._phrase_at(start, words, last) for start in starts)

    def _phrase_at(self, start: int, words: list[str], last_prefix: str) -> bool:
        for offset, word in enumerate(words[1:], start=1):
            if start + offset not in self._set(word):
                return False
        if not last_prefix:
            return True
        after = start + len(words)
        return any(after in self.positions[t] for t in self._prefixed(last_prefix))

    def _set(self, word: str) -> set[int]:
        return set(self.positions.get(word, ()))

    def _prefixed(self, prefix: str) -> list[str]:
        i = bisect.bisect_left(self.sorted, prefix)
        out = []
        while i < len(self.sorted) and self.sorted[i].startswith(prefix):
            out.append(self.sorted[i])
            i += 1
        return out


def evaluate(node: Node, doc: TokenDoc) -> bool:
    if isinstance(node, Term):
        return doc.has_term(node)
    if isinstance(node, Not):
        return not evaluate(node.child, doc)
    if isinstance(node, And):
        return all(evaluate(c, doc) for c in node.children)
    return any(evaluate(c, doc) for c in node.children)


def triggers(node: Node) -> set[str] | None:
    """Tokens one of which a matching text must contain; None when that can't be said."""
    if isinstance(node, Term):
        words = [w.lower() for w in node.words]
        if node.prefix and len(words) == 1:
            return None
        return {words[0]}
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        out: set[str] = set()
        for child in node.children:
            sub = triggers(child)
            if sub is None:
                return None
            out |= sub
        return out
    options = [t for t in (triggers(c) for c in node.children) if t is not None]
    return min(options, key=len) if options else None


@dataclass(frozen=True)
class Matcher:
    """A set of named queries, indexed by their trigger tokens."""

    queries: dict[str, Query]
    by_token: dict[str, tuple[str, ...]]
    always: tuple[str, ...]

    @classmethod
    def build(cls, queries: dict[str, Query]) -> Matcher:
        by_token: dict[str, list[str]] = defaultdict(list)
        always = []
        for name, query in queries.items():
            found = triggers(query.root)
            if found is None:
                always.append(name)
            for token in found or ():
                by_token[token].append(name)
        return cls(queries, {k: tuple(v) for k, v in by_token.items()}, tuple(always))

    def matches(self, title: str, body: str, names: Iterable[str] | None = None) -> list[str]:
        """Names of the queries the text matches (restricted to `names` when given)."""
        doc = TokenDoc(title, body)
        candidates = set(self.always)
        for token in doc.positions:
            candidates.update(self.by_token.get(token, ()))
        if names is not None:
            candidates &= set(names)
        return sorted(n for n in candidates if evaluate(self.queries[n].root, doc))
