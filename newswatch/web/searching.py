"""Search in the articles table page: `?_search=` in newswatch's query language.

Datasette's own search (metadata fts_table) would filter with `id IN (matches)`, which SQLite
answers by looking up every match and sorting them: 2.3 s for a word in every article of
100,000. This filter chooses, as db.search does for the CLI: few matches are looked up by
id; many are found by walking the articles newest first (see db.canned.search_hits).
A query that is not valid matches nothing; the page shows the CLI's error for it.
"""

from __future__ import annotations

from typing import Any

from datasette.filters import FilterArguments

from db import canned

SEARCH_ARG = "_search"
# Walking the whole archive costs about as much as looking up a twentieth of it.
FEW_MATCHES_SHARE = 20
FEW_MATCHES_AT_LEAST = 500


async def search_filter_arguments(request: Any, database: Any) -> FilterArguments | None:
    """The WHERE clause for `?_search=`, or None without one."""
    query = request.args.get(SEARCH_ARG)
    if query is None:
        return None
    params = {"nw_search": query}
    many = await _many(database, query)
    return FilterArguments(
        [canned.search_hits(walk=many)],
        params=params,
        human_descriptions=[f'search matches "{query}"'],
        extra_context={"search": query},
    )


async def _many(database: Any, query: str) -> bool:
    """Whether more articles match than are worth looking up one by one."""
    biggest = (await database.execute(canned.ARTICLES_SIZE)).rows[0][0] or 0
    few = max(FEW_MATCHES_AT_LEAST, biggest // FEW_MATCHES_SHARE)
    found = await database.execute(canned.SEARCH_SIZE, {"nw_search": query, "many": few})
    return found.rows[0][0] > few
