"""crawler.stories in process: URGENT flashes and their stories, the choice among candidates,
the candidates an archive gives, and the headline words compared. A Yonhap-like summit story
on desk 315 (AEN + date + serial + version + desk); see test_stories.py for key and text.
support.evidence prepares each article as the writer does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fixtures import story_corpus as m
from fixtures.story_corpus import YNA, Doc
from support.evidence import YONHAP, evidence, prepared, row_of

import db
from crawler.stories import best_story, candidates, evidence_from_row, match_score, words
from crawler.writer import store

FLASH = Doc(
    YNA + "AEN20230316001000315",
    "(URGENT) Yoon, Kishida agree in Tokyo to resume shuttle diplomacy, expand chip cooperation",
    ("TOKYO, March 16 (Yonhap) -- South Korea and Japan agreed Thursday to put their leaders' "
     "visits back on a regular footing, officials of both sides said.",),
    "2023-03-16T08:00:00Z",
)  # fmt: skip
MET = "The two leaders met at the prime minister's office, the first bilateral summit in Japan "
MET += "by a South Korean president in 12 years."
LATER = "They also agreed to expand cooperation on defense and supply chains."
RESTORE = (  # the flash's Tokyo, diplomacy and chips; its "resume" is in title T5 only
    "TOKYO, March 16 (Yonhap) -- President Yoon Suk Yeol and Japanese Prime Minister Fumio "
    "Kishida agreed Thursday to restore their shuttle diplomacy, suspended since 2011, and to "
    "work together on chips."
)
T5 = "(LEAD) Yoon, Kishida agree to resume shuttle visits after 12-year hiatus"  # 5 of 10
T4 = "(LEAD) Yoon, Kishida agree to end 12-year hiatus in shuttle visits"  # 4 of 10


def story(serial: int, title: str = T5, lead: str = RESTORE, at: str = "2023-03-16T09:00:00Z",
          day: str = "20230316", desk: str = "315") -> Doc:  # fmt: skip
    """The full story, filed under `serial` of the desk's day."""
    return Doc(f"{YNA}AEN{day}{serial:04d}51{desk}", title, (lead, MET, LATER), at)


def test_a_story_with_half_the_flash_headline_in_its_title_and_most_in_its_lead_joins() -> None:
    """8 of the flash's 10 headline words in title + first two paragraphs, 5 in the title:
    1 + 0.8 either way round; the third paragraph (expand, cooperation) does not count."""
    full = evidence(story(30))
    assert match_score(full, evidence(FLASH)) == 1.8
    assert match_score(evidence(FLASH), full) == 1.8


def test_fewer_headline_words_in_the_story_keep_it_apart() -> None:
    assert match_score(evidence(story(30, title=T4)), evidence(FLASH)) == 0.0  # 7 of 10
    resumed = RESTORE.replace("restore", "resume")
    assert match_score(evidence(story(30, title=T4, lead=resumed)), evidence(FLASH)) == 0.0


@pytest.mark.parametrize(("serial", "joins"), [(11, True), (18, True), (19, False), (9, False)])
def test_a_story_filed_right_after_the_flash_needs_less_of_the_headline_in_its_title(
    serial: int, joins: bool
) -> None:
    """4 of 10 in the title, 8 with the lead: enough within 8 filings after the flash."""
    resumed = RESTORE.replace("restore", "resume")
    full = evidence(story(serial, title=T4, lead=resumed))
    assert match_score(full, evidence(FLASH)) == (1.8 if joins else 0.0)


def test_filing_numbers_count_only_within_one_desks_day() -> None:
    resumed = RESTORE.replace("restore", "resume")
    next_day = evidence(story(12, title=T4, lead=resumed, day="20230317"))
    assert match_score(next_day, evidence(FLASH)) == 0.0
    unnumbered = replace(evidence(story(12, title=T4, lead=resumed)), series="")
    assert match_score(unnumbered, replace(evidence(FLASH), series="")) == 0.0


@pytest.mark.parametrize(
    ("at", "joins"),
    [("2023-03-16T14:00:00Z", True), ("2023-03-16T14:00:01Z", False),
     ("2023-03-16T02:00:00Z", True), ("2023-03-16T01:59:59Z", False)],
)  # fmt: skip
def test_a_flash_and_its_story_are_filed_within_six_hours(at: str, joins: bool) -> None:
    assert match_score(evidence(story(30, at=at)), evidence(FLASH)) == (1.8 if joins else 0.0)


@pytest.mark.parametrize(
    ("day", "desk", "joins"),
    [("20230317", "315", True), ("20230315", "315", True), ("20230318", "315", False),
     ("20230316", "325", False)],
)  # fmt: skip
def test_a_flash_looks_for_its_story_on_its_desk_the_day_before_to_the_day_after(
    day: str, desk: str, joins: bool
) -> None:
    full = evidence(story(30, day=day, desk=desk))
    assert match_score(full, evidence(FLASH)) == (1.8 if joins else 0.0)
    assert match_score(evidence(FLASH), full) == (1.8 if joins else 0.0)


def test_either_articles_neighbourhood_makes_them_neighbours() -> None:
    """A stored row knows no neighbourhood: the flash's own still finds the story."""
    stored_story = evidence_from_row(row_of(story(30), 2, 2), YONHAP)
    assert stored_story.neighbourhood == ()
    assert match_score(stored_story, evidence(FLASH)) == 1.8


def test_the_flash_headline_must_be_in_the_story_not_the_story_headline_in_the_flash() -> None:
    """The story's 6 headline words are all in the flash's, but only 7 of the flash's 10 are in
    the story's title and lead: a follow-up on the same subject is not the flash's story."""
    title = "(LEAD) Yoon, Kishida agree to resume shuttle diplomacy"
    lead = (
        "TOKYO, March 16 (Yonhap) -- President Yoon Suk Yeol and Japanese Prime Minister "
        "Fumio Kishida agreed Thursday to restore regular visits, suspended since 2011."
    )
    follow_up = evidence(story(30, title=title, lead=lead))
    assert match_score(follow_up, evidence(FLASH)) == 0.0
    assert match_score(evidence(FLASH), follow_up) == 0.0


def test_two_full_stories_never_join_by_headline() -> None:
    not_a_flash = replace(evidence(FLASH), version="")
    assert match_score(evidence(story(30)), not_a_flash) == 0.0


def test_a_flash_headline_needs_three_words() -> None:
    three = evidence(replace(FLASH, title="(URGENT) Yoon visits Tokyo"))
    assert match_score(evidence(story(30, title="Yoon visits Tokyo for summit")), three) == 2.0
    assert match_score(evidence(story(30, title="Yoon visits Tokyo")), three) == 2.0
    two = replace(FLASH, title="(URGENT) Yoon arrives")
    assert match_score(evidence(story(30, title="(LEAD) Yoon arrives")), evidence(two)) == 0.0


def test_two_flashes_join_when_either_headline_is_in_the_other() -> None:
    """The summit flash's 5 words: 3 in the agreement flash's title, 4 with its text."""
    summit = Doc(
        YNA + "AEN20230316002500315", "(URGENT) Yoon, Kishida hold summit in Tokyo",
        ("TOKYO, March 16 (Yonhap) -- The summit began in the afternoon at the prime "
         "minister's office, officials said.",),
        "2023-03-16T07:00:00Z",
    )  # fmt: skip
    agreement = replace(FLASH, paragraphs=(FLASH.paragraphs[0] + " It was a summit.",))
    assert match_score(evidence(summit), evidence(agreement)) == 1.8
    assert match_score(evidence(agreement), evidence(summit)) == 1.8


def test_the_best_candidate_wins_and_the_oldest_on_a_tie() -> None:
    """The key (3) beats the reprint's text (2.4); two equal candidates: the lowest id."""
    lead, partner, other = row_of(m.M1_LEAD, 3, 1), row_of(m.M1_PARTNER, 5, 2), row_of(m.M3, 4, 4)
    new = evidence(m.M1_2LD)
    assert best_story(new, [partner, other, lead]) == 1
    assert best_story(new, [other, partner]) == 2
    twins = [row_of(m.M1_PARTNER, 8, 8), row_of(m.M1_PARTNER, 6, 6), row_of(m.M1_PARTNER, 7, 7)]
    assert best_story(new, twins) == 6
    assert best_story(new, twins[1:] + twins[:1]) == 6


def test_no_candidate_with_evidence_means_a_new_story() -> None:
    assert best_story(evidence(m.M2_ORIG), [row_of(m.M1_LEAD, 3, 1), row_of(m.M3, 4, 4)]) is None
    assert best_story(evidence(m.M2_ORIG), []) is None


def test_the_profile_reads_the_candidates_filing_numbers() -> None:
    resumed = RESTORE.replace("restore", "resume")
    row = row_of(story(12, title=T4, lead=resumed), 2, 2)
    assert best_story(evidence(FLASH), [row]) is None  # without the profile: no numbers
    assert best_story(evidence(FLASH), [row], YONHAP) == 2


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[db.Database]:
    """M1's flash, original and LEAD, two other stories of the desk's day, one a week later,
    and a partner's reprint, each stored as its own story."""
    archive = db.open_db(tmp_path / "news.db")
    for doc in (m.M1_FLASH, m.M1_ORIG, m.M1_LEAD, m.M3, m.M4_FLASH, m.M2_ORIG, m.M1_PARTNER):
        store(archive, prepared(doc))
    yield archive
    archive.close()


def test_a_full_story_finds_its_versions_and_the_desks_flashes(archive: db.Database) -> None:
    found = candidates(archive, evidence(m.M1_2LD), ())
    assert [r["url"] for r in found] == [m.M1_ORIG.url, m.M1_LEAD.url, m.M1_FLASH.url,
                                         m.M4_FLASH.url]  # fmt: skip


def test_a_flash_finds_every_filing_of_its_desk_around_its_day(archive: db.Database) -> None:
    found = candidates(archive, evidence(m.M1_FLASH2), ())
    assert sorted(r["id"] for r in found) == [1, 2, 3, 4, 5]


def test_each_candidate_is_given_once_whatever_found_it(archive: db.Database) -> None:
    found = candidates(archive, evidence(m.M1_2LD), prepared(m.M1_2LD).bands)
    assert sorted(r["id"] for r in found) == [1, 2, 3, 5, 7]  # not M3: no band shared
    partner = candidates(archive, evidence(m.M2_PARTNER), prepared(m.M2_PARTNER).bands)
    assert sorted(r["id"] for r in partner) == [2, 6]  # M2_ORIG, and M1_ORIG by a band
    assert candidates(archive, evidence(m.M2_PARTNER), ()) == []


@pytest.mark.parametrize(
    ("headline", "found"),
    [("N. Korea fires 2 missiles, U.S. says", {"north", "korea", "fir", "2", "missil", "us"}),
     ("S. Korean, U.N. mark two mln jobs, 5 pct more", {"south", "korea", "un", "mark", "2",
      "million", "job", "5", "percent", "mor"}),
     ("Plan B: 300 km, 3 bln or 4 tln won", {"plan", "300", "kilometer", "3", "billion", "4",
      "trillion", "won"})],
)  # fmt: skip
def test_headline_words_unify_wire_spellings_and_drop_stopwords(headline: str, found: set) -> None:
    assert words(headline) == found


@pytest.mark.parametrize(
    ("word", "stem"),
    [("launching", "launch"), ("string", "str"), ("bring", "bring"), ("fired", "fir"),
     ("bred", "bred"), ("fires", "fir"), ("uses", "use"), ("gets", "get"), ("gas", "gas"),
     ("fire", "fir"), ("ice", "ice"), ("drills", "drill")],
)  # fmt: skip
def test_one_suffix_comes_off_words_long_enough(word: str, stem: str) -> None:
    """fires/fired/fire meet; a short word keeps its ending (gas is not "ga")."""
    assert words(word) == {stem}
