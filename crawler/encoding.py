"""A page's text: the declared charset, unless the page plainly is UTF-8 declared as Latin-1."""

from __future__ import annotations

from typing import TYPE_CHECKING

from w3lib.encoding import html_to_unicode

if TYPE_CHECKING:  # the extraction workers import this module, and need no Scrapy
    from scrapy.http import TextResponse

# Servers that send no charset get Latin-1/windows-1252 by default from many stacks, so a
# UTF-8 page "declared" this way is common; UTF-8 decoding of real Latin-1 text fails.
_WESTERN = {"iso-8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "ascii", "us-ascii"}


def page_text(response: TextResponse) -> str:
    return body_text(response.body, response.encoding)


def body_text(body: bytes, encoding: str) -> str:
    """The text of `body` in `encoding` (the response's: a declared one or a guessed one),
    decoded as Scrapy's TextResponse.text does; callable without the response, so that an
    extraction worker decodes the page (the crawl process sends it the bytes)."""
    declared = (encoding or "").lower().replace("_", "-")
    if declared in _WESTERN and not body.isascii():
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return html_to_unicode(f"charset={encoding}", body)[1]
