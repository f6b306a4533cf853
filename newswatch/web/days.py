"""Local days in the configured timezone, for SQL that only knows UTC strings.

The archive stores times as UTC ISO strings ('2023-03-01T05:20:00Z'), which compare as
text. A timezone is a list of spans of constant UTC offset; with them a local date is
`date(t, '+540 minutes')` in SQL, exact across daylight-saving changes, and one local day is
a range of UTC strings that the published_at index can walk.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from newswatch.clock import iso_utc

# Spans are computed over these years; older articles get the offset of the first span.
FIRST_YEAR = 1990
YEARS_AHEAD = 2


def _minutes(zone: ZoneInfo, moment: datetime) -> int:
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def _change_after(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first minute in (before, after] whose offset differs from `before`'s."""
    start = _minutes(zone, before)
    low, high = before, after
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        low, high = (middle, high) if _minutes(zone, middle) == start else (low, middle)
    return high


@lru_cache(maxsize=8)
def utc_spans(timezone: str, until_year: int | None = None) -> tuple[tuple[str, int], ...]:
    """(first UTC instant as ISO, UTC offset in minutes) for each span, oldest first."""
    zone = ZoneInfo(timezone)
    end_year = until_year or datetime.now(UTC).year + YEARS_AHEAD
    moment = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    end = datetime(end_year, 1, 1, tzinfo=UTC)
    spans = [(iso_utc(moment), _minutes(zone, moment))]
    step = timedelta(days=1)
    while moment < end:
        following = moment + step
        if _minutes(zone, following) != spans[-1][1]:
            change = _change_after(zone, moment, following)
            spans.append((iso_utc(change), _minutes(zone, change)))
        moment = following
    return tuple(spans)


def local_date(iso: str, timezone: str) -> date:
    """The local date of an ISO UTC time ('2023-02-28T15:00:00Z' in Asia/Seoul: March 1)."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(timezone)).date()


def day_bounds(day: str, timezone: str) -> tuple[str, str]:
    """The UTC range [from, to) of local day 'YYYY-MM-DD'; ValueError if it is not one."""
    local = date.fromisoformat(day)
    zone = ZoneInfo(timezone)
    start = datetime(local.year, local.month, local.day, tzinfo=zone)
    end = datetime.combine(local + timedelta(days=1), start.timetz())
    return iso_utc(start), iso_utc(end)
