"""The SQL that Datasette runs for `newswatch serve`, kept here with the rest of the SQL.

Canned queries are SQL by nature: Datasette runs them itself (HTML, JSON, CSV, Atom), so
they are strings, not functions. They call SQL functions that newswatch.web.plugin registers
on every connection of the archive:

    newswatch_fts(q)    the query in newswatch's language as an FTS5 expression (an
                        expression that matches nothing when q is not a valid query)
    nw_local_time(iso)  '2023-03-01 15:10 KST', in the configured timezone
    nw_opening(text, n) the first n words of text
    nw_rule_page(name)  the path of rule `name`'s page

The time an article is listed at is its publication time, else when it was fetched: the
expression of the index articles_newest (migration v5), so "newest first" walks that index.
"""

from __future__ import annotations

from collections.abc import Sequence

WHEN = "COALESCE(NULLIF({t}.published_at, ''), {t}.fetched_at)"
STORIES_PAGE = 30
# Stories are read off the newest this many articles: enough for a page of stories unless
# a single story has hundreds of versions and copies.
_STORY_WINDOW = 1000
_MAX_ID = 9223372036854775807

# The newest stories, one row each: the story's first article (its original), and the
# others (updates and copies) as a JSON array, oldest first. Ordered by the story's newest
# article, then story_id; ?before=ISO&before_id=STORY continues after a story so ordered.
STORIES = f"""
WITH recent AS (
  SELECT a.story_id, {WHEN.format(t="a")} AS at FROM articles a
  WHERE {WHEN.format(t="a")} <= COALESCE(NULLIF(:before, ''), '9999')
  ORDER BY {WHEN.format(t="a")} DESC, a.id DESC LIMIT {_STORY_WINDOW}
), windowed AS (
  SELECT story_id, MAX(at) AS latest FROM recent GROUP BY story_id
), page AS (
  SELECT w.story_id, w.latest FROM windowed w
  WHERE (w.latest < COALESCE(NULLIF(:before, ''), '9999') OR (w.latest = :before
         AND w.story_id < COALESCE(CAST(NULLIF(:before_id, '') AS INTEGER), {_MAX_ID})))
    AND (SELECT MAX({WHEN.format(t="x")}) FROM articles x WHERE x.story_id = w.story_id)
        = w.latest
  ORDER BY w.latest DESC, w.story_id DESC LIMIT {STORIES_PAGE}
)
SELECT p.story_id, p.latest, o.id, o.title, o.source, o.url, o.version, o.published_at,
  o.fetched_at, nw_opening(o.body, 40) AS opening,
  (SELECT json_group_array(json_object('id', v.id, 'title', v.title, 'source', v.source,
     'url', v.url, 'version', v.version, 'published_at', v.published_at,
     'fetched_at', v.fetched_at))
   FROM (SELECT x.* FROM articles x WHERE x.story_id = p.story_id AND x.id != o.id
         ORDER BY {WHEN.format(t="x")}, x.id) v) AS others
FROM page p JOIN articles o ON o.id = (
  SELECT f.id FROM articles f WHERE f.story_id = p.story_id
  ORDER BY {WHEN.format(t="f")}, f.id LIMIT 1)
ORDER BY p.latest DESC, p.story_id DESC
"""

# A rule's matched stories, newest match first, in the columns datasette-atom renders as an
# Atom feed. A rule that has matched nothing yet gets one entry saying so: an Atom feed
# needs an update time, and datasette-atom takes it from the rows.
RULE_FEED = f"""
WITH recent AS (
  SELECT m.article_id, m.story_id, m.matched_at FROM alert_matches m WHERE m.rule = :rule
  ORDER BY m.matched_at DESC, m.article_id DESC LIMIT 50
), matched AS (
  SELECT a.url AS atom_id, a.title AS atom_title, {WHEN.format(t="a")} AS atom_updated,
    a.url AS atom_link,
    a.source || ' · ' || nw_local_time({WHEN.format(t="a")}) || char(10) || char(10)
      || nw_opening(a.body, 80) AS atom_content,
    a.source AS atom_author_name, r.matched_at, a.id AS article_id, r.story_id
  FROM recent r JOIN articles a ON a.id = r.article_id
)
SELECT * FROM matched
UNION ALL
SELECT 'newswatch:rule:' || :rule || ':nothing-yet',
  'No story has matched rule ' || :rule || ' yet',
  COALESCE((SELECT fetched_at FROM articles ORDER BY id DESC LIMIT 1), '2000-01-01T00:00:00Z'),
  nw_rule_page(:rule),
  'newswatch lists here the stories that rule ' || :rule || ' matches, newest first.',
  'newswatch', NULL, NULL, NULL
WHERE NOT EXISTS (SELECT 1 FROM matched)
ORDER BY matched_at DESC, article_id DESC
"""


def local_day(column: str, spans: Sequence[tuple[str, int]]) -> str:
    """An SQL expression: the local date (YYYY-MM-DD) of an ISO UTC `column`.

    `spans` are (first UTC instant, offset in minutes) from oldest to newest, as
    newswatch.web.days computes them for the timezone; the newest is tested first, since
    most articles are recent."""
    col = f"[{column}]"
    offset = "".join(
        f" WHEN {col} >= '{start}' THEN '{minutes:+d} minutes'"
        for start, minutes in reversed(spans[1:])
    )
    first = f"'{spans[0][1]:+d} minutes'" if spans else "'+0 minutes'"
    modifier = f"CASE{offset} ELSE {first} END" if offset else first
    return f"date({col}, {modifier})"


def day_facet(inner_sql: str, column: str, spans: Sequence[tuple[str, int]], limit: int) -> str:
    """Counts per local day of the rows of `inner_sql` since :nw_since (an ISO UTC time),
    newest day first."""
    day = local_day(column, spans)
    return (
        f"SELECT {day} AS value, COUNT(*) AS count FROM ({inner_sql})"
        f" WHERE [{column}] >= :nw_since GROUP BY value ORDER BY value DESC LIMIT {int(limit)}"
    )


def newest(inner_sql: str, column: str) -> str:
    """The newest non-empty `column` among the rows of `inner_sql`."""
    return f"SELECT MAX([{column}]) FROM ({inner_sql}) WHERE [{column}] > ''"


def any_before(inner_sql: str, column: str) -> str:
    """1 if a row of `inner_sql` has a non-empty `column` before :nw_since."""
    return (
        f"SELECT EXISTS (SELECT 1 FROM ({inner_sql})"
        f" WHERE [{column}] > '' AND [{column}] < :nw_since)"
    )


def day_filter(column: str) -> str:
    """A WHERE clause for a local day given as its UTC bounds :nw_day_from, :nw_day_to."""
    return f"[{column}] >= :nw_day_from AND [{column}] < :nw_day_to"


# Search in the articles table page (?_search=): the matching ids as a subquery. How the
# page's queries (the newest matches, their count, the facets) should use it depends on how
# many match: a few, look each up by id; many, walk an index of articles and test each
# against the set ("+id": SQLite may not look up by id), which stops early for the newest.
SEARCH_HITS = (
    "{plus}[id] IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH"
    " newswatch_fts(:nw_search))"
)
# How many articles match, counting no further than :many + 1.
SEARCH_SIZE = (
    "SELECT COUNT(*) FROM (SELECT rowid FROM articles_fts"
    " WHERE articles_fts MATCH newswatch_fts(:nw_search) LIMIT :many + 1)"
)
# About the number of articles (the highest id), at once.
ARTICLES_SIZE = "SELECT MAX(id) FROM articles"


def search_hits(walk: bool) -> str:
    """The WHERE clause for search; `walk` when many articles match."""
    return SEARCH_HITS.format(plus="+" if walk else "")
