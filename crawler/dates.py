"""parse_date(): every date format newswatch meets, turned into one UTC string.

Pages, feeds and sitemaps print dates in many ways: ISO 8601 with or without an offset,
RFC 822 (RSS pubDate, sometimes without a zone), Yonhap's "02:35 February 01, 2023" behind
words like "All News", and bare "20230201023511". Times without an offset are read in the
source's time zone; the result is always "YYYY-MM-DDTHH:MM:SSZ", or "" when unparseable.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_COMPACT = re.compile(r"\d{8}(?:\d{4}(?:\d{2})?)?")  # YYYYMMDD[HHMM[SS]]
_RFC822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\b")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_MIN_YEAR, _MAX_YEAR = 1970, 2100
_DOTTED_DMY = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d\d)(?![\d.])")
_YMD = re.compile(r"((?:19|20)\d\d)\s*[年년./-]\s*(\d{1,2})\s*[月월./-]\s*(\d{1,2})\s*[日일.]?")
_HM = re.compile(r"(\d{1,2})\s*[時시]\s*(?:(\d{1,2})\s*[分분])?")
_PM = re.compile(r"오후|午後")
_NOISE = re.compile(
    r"[()（）]|\bUhr\b|오전|오후|午前|午後|입력|수정|등록|승인|기사입력|更新|配信|公開",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d\d)")
_DEFAULT = datetime(2000, 1, 1)  # fields a text leaves out never come from "today"
# Zone names seen on Korean, Japanese, US and European news sites, as hours from UTC.
_ZONE_HOURS = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "KST": 9, "JST": 9, "CST": -6, "EST": -5, "EDT": -4,
    "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2,
}  # fmt: skip


def parse_date(text: str, timezone: str = "UTC") -> str:
    """The date in `text` as "YYYY-MM-DDTHH:MM:SSZ"; naive times are read in `timezone`.

    Returns "" when nothing sensible can be read; never raises.
    """
    try:
        parsed = _parse(" ".join(str(text or "").split()))
    except Exception:  # a date string from the web must never break a crawl
        return ""
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return ""
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=_zone(timezone))
    return parsed.astimezone(UTC).strftime(UTC_FORMAT)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a bad zone name costs accuracy, not the article


def _parse(text: str) -> datetime | None:
    if not text:
        return None
    if _COMPACT.fullmatch(text):
        return _compact(text)
    text = _DOTTED_DMY.sub(r"\3-\2-\1", text)  # "03.04.2024" is 3 April wherever it is written
    for candidate in dict.fromkeys((text, _western(text))):
        for parse in (_iso, _rfc822, _words):
            parsed = parse(candidate)
            if parsed is not None:
                return parsed
    return None


def _western(text: str) -> str:
    """East Asian and German stamps in the order dateutil reads: "2024年2月10日 7時00分"
    and "2024년 2월 10일 오후 3:15" become "2024-2-10 7:00" and "2024-2-10 15:15",
    "입력 2024.06.03 (14:05)" becomes "2024-06-03 14:05", "10:15 Uhr" loses "Uhr"."""
    text = _YMD.sub(lambda m: "-".join(m.groups()) + " ", text)
    text = _HM.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", text)
    afternoon = _PM.search(text)
    text = _NOISE.sub(" ", text)
    if afternoon:
        text = _CLOCK.sub(lambda m: f"{int(m.group(1)) % 12 + 12}:{m.group(2)}", text, count=1)
    return " ".join(text.split())


def _compact(text: str) -> datetime | None:
    # Yonhap's feeds and CONTENT_DATA: "20230201023511", padded to seconds
    padded = text.ljust(14, "0")
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _iso(text: str) -> datetime | None:
    candidate = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text
    if not re.match(r"\d{4}-\d\d-\d\d", candidate):
        return None
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    if not _RFC822.match(text):
        return None
    zone = text.rsplit(" ", 1)[-1]
    if zone.upper() in _ZONE_HOURS:  # email.utils knows US zones only, not "KST"
        text = f"{text[: -len(zone)]}{_ZONE_HOURS[zone.upper()] * 100:+05d}"
    try:
        return parsedate_to_datetime(text)  # naive when the zone is missing or unknown
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _words(text: str) -> datetime | None:
    """Free-form dates, dropping leading words: "All News 02:35 February 01, 2023"."""
    tokens = text.split()
    for start in range(len(tokens)):
        candidate = " ".join(tokens[start:])
        if not _YEAR.search(candidate) or len(re.findall(r"\d+", candidate)) < 2:
            return None  # without a year and a day dateutil would fill in today's
        if _unreadable_word(tokens[start]):
            continue  # dateutil would refuse it (and parsing that costs as much as a date)
        parsed = _dateutil(candidate)
        if parsed is not None:
            return parsed
    return None


def _unreadable_word(token: str) -> bool:
    """A word dateutil's parser (not fuzzy) refuses at the start of a date: no weekday,
    month, am/pm or word it skips ("at", "of")."""
    info = dateutil_parser.DEFAULTPARSER.info
    if not token.isalpha() or info.jump(token):
        return False
    return info.weekday(token) is None and info.month(token) is None and info.ampm(token) is None


def _dateutil(text: str) -> datetime | None:
    try:
        return dateutil_parser.parse(text, default=_DEFAULT, tzinfos=_zone_for_name)
    except (ValueError, OverflowError, TypeError):
        return None


def _zone_for_name(name: str | None, offset: int | None) -> tzinfo | None:
    """Zones for dateutil; unknown names give a naive time (read in the source's zone)."""
    if offset is not None:
        return dt_timezone(timedelta(seconds=offset))
    hours = _ZONE_HOURS.get((name or "").upper())
    return None if hours is None else dt_timezone(timedelta(hours=hours))
