"""A Datasette facet and filter by local day: `{"day": "published_at"}` in the metadata.

Datasette's own date facet counts UTC dates, most articles first; a reader wants the days of
the configured timezone, newest first. Choosing a day adds `?_day=YYYY-MM-DD`, which the
filter turns into a range of UTC times (the published_at index walks it).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args
from datasette.utils.asgi import BadRequest

from db.canned import any_before, day_facet, day_filter, newest
from newswatch.web.days import day_bounds, local_date, utc_spans

DAY_ARG = "_day"
DAY_COLUMN = "published_at"
OLDEST_DAYS = 366 * 60  # read back no further than this from the newest article


class LocalDayFacet(Facet):
    """Counts per local day, newest day first. `timezone` is set by a subclass."""

    type = "day"
    timezone = "UTC"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results, timed_out = [], []
        for found in self.get_configs():
            column = found["config"].get("column") or found["config"]["simple"]
            try:
                results.append(await self._one(column, found["source"]))
            except QueryInterrupted:
                timed_out.append(column)
        return results, timed_out

    async def _one(self, column: str, source: str) -> dict[str, Any]:
        size = self.get_facet_size()
        top = (await self._run(newest(self.sql, column), self.params)).rows[0][0]
        rows = await self._newest_days(column, top, size) if top else []
        chosen = self.request.args.get(DAY_ARG)
        values = [self._value(row["value"], row["count"], chosen) for row in rows[:size]]
        return {
            "name": column,
            "type": self.type,
            "results": values,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {DAY_ARG})),
            "truncated": len(rows) > size,
        }

    async def _newest_days(self, column: str, top: str, size: int) -> list[Any]:
        """The counts of the size + 1 newest days, reading back from the newest row only as
        far as needed: a day's count is then a range of the published_at index, not a scan
        of every row."""
        spans, last = utc_spans(self.timezone), local_date(top, self.timezone)
        back = size + 1
        while True:
            since = day_bounds((last - timedelta(days=back)).isoformat(), self.timezone)[0]
            params = {**dict(self.params or {}), "nw_since": since}
            rows = (await self._run(day_facet(self.sql, column, spans, size + 1), params)).rows
            if len(rows) > size or back > OLDEST_DAYS:
                return rows
            if not (await self._run(any_before(self.sql, column), params)).rows[0][0]:
                return rows
            back *= 4

    async def _run(self, sql: str, params: Any) -> Any:
        return await self.ds.execute(
            self.database, sql, params, truncate=False,
            custom_time_limit=self.ds.setting("facet_time_limit_ms"),
        )  # fmt: skip

    def _value(self, day: str, count: int, chosen: str | None) -> dict[str, Any]:
        if day == chosen:
            path = path_with_removed_args(self.request, {DAY_ARG: day})
        else:
            path = path_with_added_args(self.request, {DAY_ARG: day})
        return {
            "value": day,
            "label": day,
            "count": count,
            "toggle_url": self.ds.absolute_url(self.request, path),
            "selected": day == chosen,
        }


def day_filter_arguments(request: Any, timezone: str) -> FilterArguments | None:
    """`?_day=YYYY-MM-DD` as a WHERE clause on published_at, or None without one."""
    day = request.args.get(DAY_ARG)
    if not day:
        return None
    try:
        start, end = day_bounds(day, timezone)
    except ValueError:
        raise BadRequest(f"{DAY_ARG}: expected a day as YYYY-MM-DD, got {day!r}") from None
    return FilterArguments(
        [day_filter(DAY_COLUMN)],
        params={"nw_day_from": start, "nw_day_to": end},
        human_descriptions=[f"published on {day}"],
    )
