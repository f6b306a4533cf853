"""The query language of rules and `newswatch search`: one parser, two back ends.

    words  "exact phrases"  AND (also implicit)  OR  NOT / -word  (parentheses)  word*

Operators are upper-case; matching is case-insensitive, on title and body only. English
words match whole (`missile` is not `missiles`; say `missile*`); Hangul matches inside
words, since Korean particles attach to nouns. A parsed query renders as an FTS5 query
(search) and evaluates against a tokenized article in Python (alert matching).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from db.text import index_text, term_query

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)("?)|(-)(?=[\w"(])|([^\s()"]+))')
_WORD = re.compile(r"\w+")


class QueryError(ValueError):
    """A malformed query; the message gives the position (1-based column)."""


def tokens_of(text: str) -> list[str]:
    """The tokens of a text as the index sees them (lower case, Hangul as bigrams)."""
    return _WORD.findall(index_text(text).lower())


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The term's index tokens, lower case (computed once: rules are matched often)."""
        return tuple(tokens_of(self.text))


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items = self._lex(text)
        self.i = 0

    def _lex(self, text: str) -> list[tuple[str, str, int]]:
        items, pos = [], 0
        while pos < len(text) and text[pos:].strip():
            m = _TOKEN.match(text, pos)
            if not m:  # only an unmatched quote can get here
                raise QueryError(f"unexpected character at position {pos + 1}")
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            if m.group(3) is not None and not m.group(4):
                raise QueryError(f"unclosed quote at position {start + 1}")
            kind, value = self._kind(m)
            items.append((kind, value, start + 1))
            pos = m.end()
        return items

    @staticmethod
    def _kind(m: re.Match[str]) -> tuple[str, str]:
        if m.group(1):
            return "(", "("
        if m.group(2):
            return ")", ")"
        if m.group(3) is not None:
            return "phrase", m.group(3)
        if m.group(5):
            return "-", "-"
        word = m.group(6)
        return (word, word) if word in ("AND", "OR", "NOT") else ("word", word)

    def peek(self) -> tuple[str, str, int]:
        return self.items[self.i] if self.i < len(self.items) else ("end", "", len(self.text) + 1)

    def take(self) -> tuple[str, str, int]:
        item = self.peek()
        self.i += 1
        return item

    def parse(self) -> Node:
        if not self.items:
            raise QueryError("empty query")
        node = self.or_expr()
        kind, value, pos = self.peek()
        if kind != "end":
            raise QueryError(f"unexpected {value!r} at position {pos}")
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.peek()[0] == "OR":
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while self.peek()[0] not in ("OR", ")", "end"):
            if self.peek()[0] == "AND":
                self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        if self.peek()[0] in ("NOT", "-"):
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        kind, value, pos = self.take()
        if kind == "(":
            node = self.or_expr()
            if self.take()[0] != ")":
                raise QueryError(f"unclosed parenthesis opened at position {pos}")
            return node
        if kind in ("word", "phrase"):
            prefix = kind == "word" and value.endswith("*")
            term = Term(value.rstrip("*") if prefix else value, prefix)
            if not term.words:
                raise QueryError(f"nothing to search for in {value!r} at position {pos}")
            return term
        shown = "the end of the query" if kind == "end" else repr(value)
        raise QueryError(f"expected a word or phrase but found {shown} at position {pos}")


@dataclass(frozen=True)
class Query:
    text: str
    root: Node

    def fts(self) -> str:
        """The query as an FTS5 MATCH expression."""
        return _fts(self.root)

    def terms(self) -> list[Term]:
        """The positive terms, for highlighting."""
        return _positive_terms(self.root)


def parse_query(text: str) -> Query:
    root = _Parser(text).parse()
    _check_negation(root)
    return Query(text, root)


def _check_negation(node: Node) -> None:
    """FTS5 has only binary NOT: every NOT needs a positive partner in its AND."""
    if isinstance(node, Not):
        raise QueryError("NOT needs something to subtract from, as in 'missile NOT Japan'")
    children = node.children if isinstance(node, (And, Or)) else ()
    if isinstance(node, And):
        if all(isinstance(c, Not) for c in children):
            raise QueryError("NOT needs something to subtract from, as in 'missile NOT Japan'")
        children = tuple(c.child if isinstance(c, Not) else c for c in children)
    for child in children:
        _check_negation(child)


def _fts(node: Node) -> str:
    if isinstance(node, Term):
        return term_query(node.text + ("*" if node.prefix else ""))
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts(c) for c in node.children) + ")"
    if isinstance(node, And):
        positive = [_fts(c) for c in node.children if not isinstance(c, Not)]
        negative = [_fts(c.child) for c in node.children if isinstance(c, Not)]
        text = "(" + " AND ".join(positive) + ")"
        return "(" + text + "".join(f" NOT {n}" for n in negative) + ")" if negative else text
    raise QueryError("NOT needs something to subtract from")


def _positive_terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [t for c in node.children for t in _positive_terms(c)]
