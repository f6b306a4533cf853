"""Text hygiene at the edge: what a hostile page puts in a title, a URL or a byline never
reaches the archive, a terminal or an email as a control or direction-override character.

C0 controls (but tab and line breaks), DEL, C1 controls (U+0080-U+009F, among them the 8-bit
CSI U+009B) and the bidi embedding, override and isolate characters (U+202A-U+202E,
U+2066-U+2069) are what can recolour a terminal or reverse the text a reader sees.
"""

from __future__ import annotations

import re

_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE_TEXT = re.compile(f"[{_UNSAFE}]")
_UNSAFE_SHOWN = re.compile(f"[{_UNSAFE}\t\n\r]")
_UNSAFE_URL = re.compile(f"[{_UNSAFE}\t\n\r ]")


def clean_text(text: str) -> str:
    """`text` without control and bidi override characters (tab and line breaks kept)."""
    return _UNSAFE_TEXT.sub("", text or "")


def url_safe(url: str) -> str:
    """Control, bidi and space characters of a URL percent-encoded (as UTF-8)."""
    return _UNSAFE_URL.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def printable(text: object) -> str:
    """One line for a terminal: each unsafe character and line break shown as its escape
    (`\\x1b`, `\\u202e`, `\\n`): the reader sees it is there, the terminal never acts on it."""
    return _UNSAFE_SHOWN.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text))


def json_printable(text: str) -> str:
    """JSON text with every unsafe character written as its \\u escape (still valid JSON)."""
    return _UNSAFE_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
