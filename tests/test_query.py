"""The query language, through the real FTS5 index of a temporary archive."""

import pytest

import db
from newswatch.query import QueryError, parse_query, tokens_of

DOCS = {
    "deterrence": ("Allies bolster extended deterrence",
                   "The allies agreed to bolster extended deterrence against North Korea."),
    "missiles": ("N. Korea fires missiles", "North Korea fired ballistic missiles toward Japan."),
    "missile": ("Missile test", "A single missile flew over the East Sea, officials said."),
    "stocks": ("Seoul stocks open higher", "Seoul shares opened higher, led by chipmakers."),
    "korean": ("북한 탄도미사일 발사", "북한이 동해상으로 탄도미사일을 발사했다고 합참이 밝혔다."),
    "rights": ("Envoy for human rights", "The envoy for North Korean human rights was nominated."),
}  # fmt: skip


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    archive = db.open_db(tmp_path_factory.mktemp("q") / "news.db")
    for key, (title, body) in DOCS.items():
        row = {"url": f"http://x/{key}", "source": "x", "title": title, "body": body,
               "published_at": "2023-02-01T00:00:00Z", "tags": ["missile deterrence"]}  # fmt: skip
        db.insert_article(archive, row, [], None)
    yield archive
    archive.close()


# The query language on DOCS: also run on PostgreSQL (tests/test_archive_pg.py).
SEARCH_TABLE = [
    ("missile", {"missile"}),
    ("missiles", {"missiles"}),
    ("missile*", {"missile", "missiles"}),
    ("MISSILE", {"missile"}),
    ('"extended deterrence"', {"deterrence"}),
    ('"deterrence extended"', set()),
    ("missiles NOT Japan", set()),
    ("missile* -Japan", {"missile"}),
    ("North Korea", {"deterrence", "missiles"}),  # "Korean" is another word
    ("North Korea*", {"deterrence", "missiles", "rights"}),
    ('"North Korea" AND (missiles OR deterrence)', {"deterrence", "missiles"}),
    ('("human rights" OR stocks) NOT envoy', {"stocks"}),
    ("탄도미사일", {"korean"}),
    ("미사일", {"korean"}),
    ("탄도미사일을", {"korean"}),
    ("북한 AND 합참", {"korean"}),
    ("chipmakers OR 합참", {"stocks", "korean"}),
    ('"extended deterrence" OR ("North Korea" AND nuclear)', {"deterrence"}),
    ("North NOT Japan NOT envoy", {"deterrence"}),  # two negatives in one AND
]


@pytest.mark.parametrize(("query", "expected"), SEARCH_TABLE)
def test_search_table(archive, query, expected):
    hits = db.search_articles(archive, parse_query(query).fts(), limit=50)
    assert {h["url"].rsplit("/", 1)[1] for h in hits} == expected, parse_query(query).fts()


def test_tags_are_not_searched(archive):
    # Every document is tagged "missile deterrence"; only "missile" has the word in its text.
    hits = db.search_articles(archive, parse_query("deterrence").fts(), limit=50)
    assert {h["url"] for h in hits} == {"http://x/deterrence"}


NO_PARTNER = "NOT needs something to subtract from, as in 'missile NOT Japan'"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(missile OR rocket", "unclosed parenthesis opened at position 1"),
        ('missile "extended', "unclosed quote at position 9"),
        ("missile OR", "expected a word or phrase but found the end of the query at position 11"),
        ("AND missile", "expected a word or phrase but found 'AND' at position 1"),
        ("", "empty query"),
        ("  ", "empty query"),
        ("NOT Japan", NO_PARTNER),
        ("-Japan -China", NO_PARTNER),  # an AND of negations only
        ("missile OR NOT Japan", NO_PARTNER),  # a NOT alone in an OR
        ('""', "nothing to search for in '' at position 1"),
        ("***", "nothing to search for in '***' at position 1"),
        ("missile AND", "expected a word or phrase but found the end of the query at position 12"),
        ("missile )", "unexpected ')' at position 9"),
    ],
)
def test_malformed_queries_say_exactly_what_is_wrong_and_where(query, message):
    """The whole message, as the user reads it, with the position (1-based column)."""
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("query", "fts", "terms"),
    [
        ("missile", '"missile"', [("missile", False)]),
        ("Missile drone", '("Missile" AND "drone")', [("Missile", False), ("drone", False)]),
        ("missile OR drone", '("missile" OR "drone")', [("missile", False), ("drone", False)]),
        ("missile -Japan", '(("missile") NOT "Japan")', [("missile", False)]),
        ("korea*", '"korea"*', [("korea", True)]),
        ("TEX*", '"TEX"*', [("TEX", True)]),  # only the star goes
        ('"extended deterrence"', '"extended deterrence"', [("extended deterrence", False)]),
        ("탄도미사일", '"탄도 도미 미사 사일"', [("탄도미사일", False)]),
        ("(a OR b) c -d -e", '((("a" OR "b") AND "c") NOT "d" NOT "e")',
         [("a", False), ("b", False), ("c", False)]),
    ],
)  # fmt: skip
def test_queries_become_these_fts5_expressions(query, fts, terms):
    """The FTS5 text each query compiles to, and the terms highlighted in results."""
    parsed = parse_query(query)
    assert parsed.text == query  # shown in `alerts test` mail
    assert parsed.fts() == fts
    assert [(t.text, t.prefix) for t in parsed.terms()] == terms


def test_both_search_strategies_list_the_same_articles_newest_first(tmp_path):
    archive = db.open_db(tmp_path / "order.db")
    for i in range(60):
        # Stored out of date order, some without a date (then the fetch time counts).
        day = "" if i % 7 == 0 else f"2023-03-{1 + (i * 13) % 28:02d}T00:00:{i:02d}Z"
        row = {"url": f"http://x/{i}", "source": "a" if i % 2 else "b", "title": f"Item {i}",
               "body": "talks on missiles", "published_at": day,
               "fetched_at": f"2023-04-01T00:00:{i:02d}Z"}  # fmt: skip
        db.insert_article(archive, row, [], None)
    fts = parse_query("missiles").fts()
    for sources in ((), ("a",)):
        sorted_all = db.search_articles(archive, fts, 25, sources, sort_at_most=1000)
        walked = db.search_articles(archive, fts, 25, sources, sort_at_most=0)
        assert [h["url"] for h in walked] == [h["url"] for h in sorted_all]
        keys = [h["published_at"] or "2023-04" for h in sorted_all]
        assert keys == sorted(keys, reverse=True)
    archive.close()


def test_text_is_tokenized_as_the_index_sees_it():
    assert tokens_of("North KOREA's 탄도미사일, 2 tests") == [
        "north", "korea", "s", "탄도", "도미", "미사", "사일", "2", "tests",
    ]  # fmt: skip
