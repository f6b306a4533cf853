"""A page's text: the declared charset, unless the page plainly is UTF-8 declared as Latin-1."""

from __future__ import annotations

from scrapy.http import TextResponse

# Servers that send no charset get Latin-1/windows-1252 by default from many stacks, so a
# UTF-8 page "declared" this way is common; UTF-8 decoding of real Latin-1 text fails.
_WESTERN = {"iso-8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "ascii", "us-ascii"}


def page_text(response: TextResponse) -> str:
    declared = (response.encoding or "").lower().replace("_", "-")
    if declared in _WESTERN and not response.body.isascii():
        try:
            return response.body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return response.text
