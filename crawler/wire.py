"""Wire-copy conventions shared by news agencies (Yonhap, AP, AFP, Reuters).

An agency story is framed by lines that are not article text: an editor's note
"(ATTN: UPDATES with ...)", a byline "By Kim Soo-jin", and a sign-off of reporter
emails and "(END)". The dateline "SEOUL, April 19 (Yonhap) --" is article text,
but worth knowing on its own. Paragraphs here are strings whose lines ("\n")
come from <br> line breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ATTN = re.compile(r"^\(ATTN:[^()]*(?:\([^()]*\)[^()]*)*\)\s*", re.IGNORECASE)
_NAME_WORD = r"[A-Z][\w'’.\-]*"
_PARTICLE = r"(?:de|del|della|der|di|da|du|dos|la|le|van|von|bin|al|el)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_NAME_WORD}){{0,4}}"
_NAME_SEP = r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)"
_BYLINE = re.compile(rf"By\s+({_NAME}(?:{_NAME_SEP}{_NAME})*)\.?")
_NOT_NAMES = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    r"March|April|June|July|August|September|October|November|December|The|This|Then)\b"
)
_EMAIL_LINE = re.compile(r"(?:[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+[\s,;/]*)+")
_END = re.compile(r"\(END\)|/END/")
_END_SUFFIX = re.compile(r"\s*\(END\)$")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_PLACE_WORD = r"[A-Z][A-Za-z.'’\-]*"
_DATELINE = re.compile(
    rf"\s*(?P<place>{_PLACE_WORD}(?:(?:\s+|,\s*){_PLACE_WORD}){{0,3}}?)"
    rf"(?:,\s*(?P<date>{_MONTH}\s+\d{{1,2}}))?"
    r"\s*\((?P<agency>[A-Z][^()\n]{1,40})\)\s*(?:--|—|–|-)\s*"
)

# Korean agencies: "(서울=연합뉴스) 김기자 기자 = ..." names the city before the "="
_KOREAN_DATELINE = re.compile(r"\s*\((?P<place>[^=()\s]{1,12})=[^()=]{1,20}\)")


@dataclass
class WireCopy:
    paragraphs: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    dateline: str = ""


def clean_wire(paragraphs: list[str]) -> WireCopy:
    """Drops the ATTN note, byline and sign-off from article paragraphs; finds the dateline."""
    body, authors = _strip_leading([p.strip() for p in paragraphs if p.strip()])
    body = _strip_trailing(_cut_after_end(body))
    dateline = next((d for p in body[:2] if (d := find_dateline(p))), "")
    return WireCopy(paragraphs=body, authors=authors, dateline=dateline)


def byline_names(line: str) -> list[str]:
    """["A", "B"] for a whole line "By A and B"; [] when the line is anything else."""
    match = _BYLINE.fullmatch(" ".join(line.split()))
    if not match or _NOT_NAMES.search(match.group(1)):
        return []
    names = re.split(_NAME_SEP, match.group(1))
    return [name.strip() for name in names if name.strip()]


def find_dateline(paragraph: str) -> str:
    """ "WASHINGTON, Jan. 31" for " WASHINGTON, Jan. 31 (Yonhap) -- South Korea ...",
    "SEOUL" for AP's "SEOUL (AP) — ...", "서울" for "(서울=연합뉴스) ..."."""
    match = _DATELINE.match(paragraph)
    if not match:
        korean = _KOREAN_DATELINE.match(paragraph)
        return korean.group("place") if korean else ""
    date = match.group("date")
    return f"{match.group('place')}, {date}" if date else match.group("place")


def without_dateline(paragraph: str) -> str:
    """The paragraph after its dateline: "South Korea ..." for "SEOUL, Jan. 31 (Yonhap) --
    South Korea ...", "북한이 ..." for "(서울=연합뉴스) 북한이 ..."; unchanged without one."""
    match = _DATELINE.match(paragraph) or _KOREAN_DATELINE.match(paragraph)
    return paragraph[match.end() :].lstrip() if match else paragraph


def clean_summary(text: str) -> str:
    """A description without the wire furniture Yonhap copies into it from the body."""
    text = _ATTN.sub("", " ".join(text.split()))
    words = text.split(" ")
    if words[0] == "By":  # "By Kim Test WASHINGTON, Jan. 31 (Yonhap) -- ...": the byline ends
        for cut in range(2, min(len(words), 14)):  # where an upper-case dateline starts
            rest = " ".join(words[cut:])
            upper = words[cut].rstrip(",").isupper()
            if upper and byline_names(" ".join(words[:cut])) and find_dateline(rest):
                text = rest
                break
    return _END_SUFFIX.sub("", text).strip()


def _strip_leading(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Removes leading ATTN notes and bylines, line by line, until real text starts."""
    body, authors = list(paragraphs), []
    while body:
        kept: list[str] = []
        removed = False
        for raw in body[0].split("\n"):
            line = _ATTN.sub("", raw.strip())
            names = byline_names(line) if not kept else []
            authors = authors or names
            removed = removed or bool(names) or line != raw.strip()
            if line and not names:
                kept.append(line.strip())
        if not removed:
            break
        if kept:
            body[0] = "\n".join(kept)
            break
        body.pop(0)
    return body, authors


def _cut_after_end(paragraphs: list[str]) -> list[str]:
    # "(END)" on a line of its own closes agency copy: what follows is page furniture
    for index, paragraph in enumerate(paragraphs):
        lines = paragraph.split("\n")
        for line_no, line in enumerate(lines):
            if _END.fullmatch(line.strip()):
                head = "\n".join(lines[: line_no + 1])
                return [*paragraphs[:index], head]
    return paragraphs


def _strip_trailing(paragraphs: list[str]) -> list[str]:
    """Removes the sign-off: reporter emails and "(END)", as lines or a suffix."""
    body = list(paragraphs)
    while body:
        lines = [line.strip() for line in body[-1].split("\n")]
        while lines and (_END.fullmatch(lines[-1]) or _EMAIL_LINE.fullmatch(lines[-1])):
            lines.pop()
        if lines:
            lines[-1] = _END_SUFFIX.sub("", lines[-1])
        lines = [line for line in lines if line]
        if lines:
            body[-1] = "\n".join(lines)
            return body
        body.pop()
    return body
