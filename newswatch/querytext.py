"""A query in plain words, for people: `drone* OR "reserve forces"` reads as
'a word starting with "drone" or the phrase "reserve forces"'."""

from __future__ import annotations

from newswatch.query import Node, Not, Or, Query, Term


def describe(query: Query) -> str:
    return _words(query.root)


def _term(term: Term) -> str:
    if term.prefix:
        return f"a word starting with “{term.text}”"
    if len(term.words) > 1 and " " in term.text.strip():
        return f"the phrase “{term.text}”"
    return f"“{term.text}”"


def _join(parts: list[str], word: str) -> str:
    if len(parts) <= 2:
        return f" {word} ".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _words(node: Node, nested: bool = False) -> str:
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, Not):
        return "not " + _words(node.child, True)
    if isinstance(node, Or):
        text = _join([_words(c, True) for c in node.children], "or")
        return f"either {text}" if nested else text
    positive = [_words(c, True) for c in node.children if not isinstance(c, Not)]
    negative = [_words(c.child, True) for c in node.children if isinstance(c, Not)]
    text = _join(positive, "and")
    if any(" or " in p for p in positive):  # keep "either a or b, and c" unambiguous
        text = ", and ".join(positive)
    if negative:
        text += ", but not " + _join(negative, "or")
    return f"({text})" if nested else text
