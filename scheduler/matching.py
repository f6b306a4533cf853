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
from functools import cached_property

from newswatch.query import And, Node, Not, Or, Query, Term, tokens_of

_GAP = "\x00"  # between title and body: a phrase never spans the two


class TokenDoc:
    """An article's title and body as index tokens, with positions for phrases.

    The positions and the sorted vocabulary are built when a phrase or a prefix asks for
    them: most rules are words, and most articles trigger no rule (issue 21)."""

    def __init__(self, title: str, body: str) -> None:
        self.tokens = [*tokens_of(title), _GAP, *tokens_of(body)]
        self.vocabulary = frozenset(self.tokens)

    @cached_property
    def positions(self) -> dict[str, set[int]]:
        positions: dict[str, set[int]] = defaultdict(set)
        for i, token in enumerate(self.tokens):
            positions[token].add(i)
        return positions

    @cached_property
    def sorted(self) -> list[str]:
        return sorted(self.vocabulary)

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.sorted, prefix)
        return i < len(self.sorted) and self.sorted[i].startswith(prefix)

    def has_term(self, term: Term) -> bool:
        words = list(term.words)
        if term.prefix:
            words, last = words[:-1], words[-1]
            if not words:
                return self.has_prefix(last)
        else:
            last = ""
        if len(words) == 1 and not last:
            return words[0] in self.vocabulary
        starts = self.positions.get(words[0], []) if words else []
        return any(self._phrase_at(start, words, last) for start in starts)

    def _phrase_at(self, start: int, words: list[str], last_prefix: str) -> bool:
        for offset, word in enumerate(words[1:], start=1):
            if start + offset not in self.positions.get(word, ()):
                return False
        if not last_prefix:
            return True
        after = start + len(words)
        return any(after in self.positions[t] for t in self._prefixed(last_prefix))

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


Trigger = tuple[str, str]  # ("word", token) or ("prefix", start of a token)


def triggers(node: Node) -> set[Trigger] | None:
    """Tokens (or token prefixes) one of which a matching text must contain.

    None when that can't be said (only under NOT, which never stands alone)."""
    if isinstance(node, Term):
        words = node.words
        if node.prefix and len(words) == 1:
            return {("prefix", words[0])}
        return {("word", words[0])}
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        out: set[Trigger] = set()
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
    by_prefix: dict[str, tuple[str, ...]]
    always: tuple[str, ...]

    @classmethod
    def build(cls, queries: dict[str, Query]) -> Matcher:
        index: dict[Trigger, list[str]] = defaultdict(list)
        always = []
        for name, query in queries.items():
            found = triggers(query.root)
            if found is None:
                always.append(name)
            for trigger in found or ():
                index[trigger].append(name)
        by_token = {t: tuple(v) for (kind, t), v in index.items() if kind == "word"}
        by_prefix = {t: tuple(v) for (kind, t), v in index.items() if kind == "prefix"}
        return cls(queries, by_token, by_prefix, tuple(always))

    def matches(self, title: str, body: str, names: Iterable[str] | None = None) -> list[str]:
        """Names of the queries the text matches (restricted to `names` when given)."""
        doc = TokenDoc(title, body)
        candidates = set(self.always)
        for token in doc.vocabulary & self.by_token.keys():
            candidates.update(self.by_token[token])
        for prefix, names_ in self.by_prefix.items():
            if doc.has_prefix(prefix):
                candidates.update(names_)
        if names is not None:
            candidates &= set(names)
        return sorted(n for n in candidates if evaluate(self.queries[n].root, doc))
