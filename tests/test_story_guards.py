"""When near-identical text is not the same story: a week apart, or datelines naming other days.

Wire services repeat whole background paragraphs in every story on a topic, so text alone
would fold a new development into last week's story. Each test crawls a real site and reads
the story_id of the stored rows, as `newswatch story` and the alerts do.
"""

from __future__ import annotations

import pytest
from support.pages import config_for, query, serve

BACKGROUND = (
    "The launch is the latest in a series of weapons tests this year, which the allies "
    "condemned as a clear violation of Security Council resolutions.",
    "Pyongyang has said the tests are a response to joint military drills by Seoul and "
    "Washington, which it denounces as rehearsals for an invasion.",
    "The North's leader has vowed to expand the country's nuclear arsenal exponentially and "
    "has ordered the mass production of tactical nuclear weapons this year.",
    "Analysts say the regime may be preparing for a seventh nuclear test, its first since "
    "September 2017, at its Punggye-ri site in the northeast of the country.",
    "The United Nations has imposed eleven rounds of sanctions on the North since its first "
    "nuclear test in 2006, restricting its exports of coal, textiles and seafood.",
)


def page(title: str, dateline: str, published: str, wire: str = " (Yonhap)") -> bytes:
    """`wire=""`: a reprint, the dateline without the agency (a body of its own)."""
    lead = f"{dateline}{wire} -- North Korea fired a ballistic missile into the East Sea."
    paragraphs = "".join(f"<p>{p}</p>" for p in (lead, *BACKGROUND))
    return (
        f'<html><head><title>{title}</title><meta property="article:published_time" '
        f'content="{published}"></head><body><article><h1>{title}</h1>{paragraphs}</article>'
        "</body></html>"
    ).encode()


def stories(make_site, workdir, run_cli, pages: dict[str, bytes]) -> dict[str, int]:
    """path -> story_id after one crawl of a site with `pages`."""
    site = make_site()
    serve(site, pages)
    result = run_cli("crawl", config=config_for(workdir, site))
    assert result.returncode == 0, result.stderr[-2000:]
    rows = query(workdir / "news.db", "SELECT url, story_id FROM articles")
    assert len(rows) == len(pages), rows
    return {r["url"].split(site.base, 1)[1]: r["story_id"] for r in rows}


def test_a_copy_the_next_day_joins_the_story(make_site, workdir, run_cli):
    """The control: the same text a day later, same dateline, is one story."""
    found = stories(make_site, workdir, run_cli, {
        "/view/1": page("N. Korea fires missile", "SEOUL, March 12", "2023-03-12T09:00:00+09:00"),
        "/view/2": page("North fires missile", "SEOUL, March 12", "2023-03-13T08:00:00+09:00",
                        wire=""),
    })  # fmt: skip
    assert found["/view/1"] == found["/view/2"], found


@pytest.mark.parametrize("days", [4, 10])
def test_the_same_text_days_later_is_a_new_story(make_site, workdir, run_cli, days):
    """A copy appears within three days (TEXT_WINDOW); later, the same text is news again."""
    found = stories(make_site, workdir, run_cli, {
        "/view/1": page("N. Korea fires missile", "SEOUL, March 2", "2023-03-02T09:00:00+09:00"),
        "/view/2": page("N. Korea fires missile", "SEOUL, March 2",
                        f"2023-03-{2 + days:02d}T09:00:00+09:00", wire=""),
    })  # fmt: skip
    assert found["/view/1"] != found["/view/2"], f"{days} days apart: news again, not a copy"


def test_datelines_naming_other_days_are_other_stories(make_site, workdir, run_cli):
    """Filed hours apart, but the datelines say March 12 and March 13: two launches."""
    found = stories(make_site, workdir, run_cli, {
        "/view/1": page("N. Korea fires missile", "SEOUL, March 12", "2023-03-12T22:00:00+09:00"),
        "/view/2": page("N. Korea fires missile", "SEOUL, March 13", "2023-03-13T07:00:00+09:00"),
    })  # fmt: skip
    assert found["/view/1"] != found["/view/2"], "the datelines name two days"
