"""crawler.stories in process: the evidence of an article and the score of each kind of
evidence, on the wire stories of fixtures/story_corpus.py, prepared as the writer prepares
them. Fast unit tests, so that `make mutate` can check every mutant of the module; the
end-to-end measure of clustering is test_clustering.py.
"""

from __future__ import annotations

import re
import struct
from dataclasses import replace

import pytest
from fixtures import story_corpus as m
from support.evidence import YONHAP, evidence, prepared

from crawler.similarity import Fingerprint, jaccard
from crawler.stories import Evidence, evidence_from_row, evidence_of, match_score, same_story


def test_a_new_yonhap_article_carries_its_key_neighbourhood_and_filing_number() -> None:
    """Without these a flash could not find its story on the desk's days, nor its serial."""
    item = prepared(m.M1_LEAD)
    found = Fingerprint(item.signature, item.shingles, item.bands)
    assert evidence_of(item, found, YONHAP) == Evidence(
        story_key="AEN20240312-325-0038",
        neighbourhood=("AEN20240311-325-", "AEN20240312-325-", "AEN20240313-325-"),
        version="LEAD",
        title=m.M1_LEAD.title,
        lead=f"{m.M1_P1}\n\n{m.M1_P2}",
        text=f"{m.M1_LEAD.title}\n\n{item.body}",
        series="AEN20240312-325",
        serial=38,
        published_at="2024-03-12T06:30:48Z",
        dateline="SEOUL, March 12",
        signature=item.signature,
        shingles=205,
    )


def test_an_article_without_profile_or_key_has_no_neighbourhood_nor_sequence() -> None:
    item = prepared(m.M1_PARTNER)
    found = Fingerprint(item.signature, item.shingles, item.bands)
    new = evidence_of(item, found, None)
    assert (new.story_key, new.neighbourhood, new.series, new.serial) == ("", (), "", -1)
    keyless = evidence_of(item, found, YONHAP)  # a partner page: Yonhap's profile knows no key
    assert (keyless.neighbourhood, keyless.series, keyless.serial) == ((), "", -1)
    keyed = replace(prepared(m.M1_LEAD), source="partner")  # a key, but judged without profile
    assert evidence_of(keyed, found, None).neighbourhood == ()


def test_a_stored_row_gives_every_field_of_its_evidence() -> None:
    body = f"{m.M1_P1}\n\n{m.M1_P2}\n\n{m.M1_P3}"
    row = {
        "id": 9, "story_id": 4, "story_key": "AEN20240312-325-0038", "version": "2nd LD",
        "title": m.M1_2LD.title, "body": body, "published_at": "2024-03-12T08:45:00Z",
        "dateline": "SEOUL, March 12", "signature": b"\x01" * 512, "shingles": 213,
    }  # fmt: skip
    assert evidence_from_row(row, YONHAP) == Evidence(
        story_key="AEN20240312-325-0038",
        version="2nd LD",
        title=m.M1_2LD.title,
        lead=f"{m.M1_P1}\n\n{m.M1_P2}",
        text=f"{m.M1_2LD.title}\n\n{body}",
        series="AEN20240312-325",
        serial=38,
        published_at="2024-03-12T08:45:00Z",
        dateline="SEOUL, March 12",
        signature=b"\x01" * 512,
        shingles=213,
        story_id=4,
    )
    assert evidence_from_row(row) == replace(evidence_from_row(row, YONHAP), series="", serial=-1)


@pytest.mark.parametrize("row", [{}, dict.fromkeys(
    ("story_key", "version", "title", "body", "published_at", "dateline", "signature",
     "shingles", "story_id"))], ids=["missing", "null"])  # fmt: skip
def test_missing_or_null_columns_read_as_no_evidence(row: dict) -> None:
    """A partner's row (no key, no version) or an undated one must not crash the decision."""
    assert evidence_from_row(row, YONHAP) == Evidence(text="\n\n")


def test_the_lead_is_the_first_two_paragraphs_of_the_body() -> None:
    row = {"title": "T", "body": f"\n\n{m.M1_P1}\n\n{m.M1_P2}\n\n{m.M1_P3}\n\n"}
    assert evidence_from_row(row).lead == f"{m.M1_P1}\n\n{m.M1_P2}"


@pytest.mark.parametrize(
    ("version", "key", "shingles", "flash"),
    [("URGENT", "", 300, True), ("", "AEN20240312-325-0035", 7, True),
     ("LEAD", "AEN20240312-325-0035", 8, False), ("", "", 0, False)],
)  # fmt: skip
def test_a_flash_is_urgent_or_a_keyed_filing_too_short_to_compare(
    version: str, key: str, shingles: int, flash: bool
) -> None:
    assert Evidence(story_key=key, version=version, shingles=shingles).is_flash is flash


def test_updates_of_one_filing_join_by_key_whatever_their_text() -> None:
    """The key beats everything: a LEAD with a new headline and text is the same story."""
    assert match_score(evidence(m.M1_ORIG), evidence(m.M1_2LD)) == 3.0
    assert match_score(evidence(m.M1_2LD), evidence(m.M1_LEAD)) == 3.0


def test_two_articles_without_key_never_join_by_key() -> None:
    """Two partner reprints of different stories: empty keys are equal, but no evidence."""
    assert match_score(evidence(m.M2_PARTNER), evidence(m.M1_PARTNER)) == 0.0
    assert not same_story(evidence(m.M2_PARTNER), evidence(m.M1_PARTNER))


def test_a_reprint_joins_by_text_scored_by_its_estimated_similarity() -> None:
    lead, partner = evidence(m.M1_LEAD), evidence(m.M1_PARTNER)
    assert match_score(partner, lead) == 2.0 + jaccard(partner.signature, lead.signature)
    assert match_score(partner, lead) == 2.6875
    assert same_story(partner, lead)


def test_a_full_story_joins_its_flash_by_text_before_by_headline() -> None:
    """The flash's text is in the story: text evidence (2 + estimate) beats flash (1 + share)."""
    assert match_score(evidence(m.M1_ORIG), evidence(m.M1_FLASH)) == 2.21875
    assert match_score(evidence(m.M2_FLASH), evidence(m.M2_ORIG)) == 2.1875


def test_the_same_text_days_apart_or_under_another_days_dateline_is_another_story() -> None:
    lead, partner = evidence(m.M1_LEAD), evidence(m.M1_PARTNER)
    three_days = replace(partner, published_at="2024-03-15T06:30:48Z")  # the window's edge
    assert match_score(three_days, lead) == 2.6875
    assert match_score(replace(partner, published_at="2024-03-15T06:30:49Z"), lead) == 0.0
    assert match_score(lead, replace(partner, published_at="2024-03-09T06:30:47Z")) == 0.0
    assert match_score(replace(partner, dateline="SEOUL, March 13"), lead) == 0.0
    assert match_score(replace(partner, dateline="WASHINGTON, March 12"), lead) == 2.6875
    assert match_score(replace(partner, dateline="SEOUL"), lead) == 2.6875  # says no day


@pytest.mark.parametrize(
    ("new", "old"),
    [("2024-03-12T06:30:48", "2024-03-20T06:30:48Z"), ("", "2024-03-20T06:30:48Z"),
     ("yesterday", "2024-03-20T06:30:48Z"), ("2024-03-20T06:30:48Z", "")],
)  # fmt: skip
def test_an_unknown_or_zoneless_time_is_no_evidence_against_a_copy(new: str, old: str) -> None:
    lead, partner = evidence(m.M1_LEAD), evidence(m.M1_PARTNER)
    new_copy = replace(partner, published_at=new)
    assert match_score(new_copy, replace(lead, published_at=old)) == 2.6875


def test_two_naive_times_days_apart_are_compared() -> None:
    lead, partner = evidence(m.M1_LEAD), evidence(m.M1_PARTNER)
    later = replace(partner, published_at="2024-03-20T06:30:48")
    assert match_score(later, replace(lead, published_at="2024-03-12T06:30:48")) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [("SEOUL, March 12", "WASHINGTON, Mar. 12", True),
     ("SEOUL, March 12", "SEOUL, April 12", False),
     ("SEOUL, Sept. 5", "SEOUL, Sep 5", True), ("SEOUL, March 12", "SEOUL, March 2", False),
     ("SEOUL, Tuesday 12", "SEOUL, March 2", True), ("", "SEOUL, March 2", True),
     ("SEOUL, Dec. 31", "", True)],
)  # fmt: skip
def test_datelines_naming_different_days_keep_copies_apart(a: str, b: str, same: bool) -> None:
    """Only two datelines that both name a day (month and number) can say "another day"."""
    lead, partner = evidence(m.M1_LEAD), evidence(m.M1_PARTNER)
    score = match_score(replace(partner, dateline=a), replace(lead, dateline=b))
    assert score == (2.6875 if same else 0.0)


WORDS = re.findall(r"\w+", " ".join((m.M1_P1, m.M1_P2, m.M1_P3, m.M1_P4, m.FREEDOM_SHIELD)))


def text(*spans: tuple[int, int]) -> str:
    """Wire words taken from WORDS: n words without a repeated run make n - 4 shingles."""
    return " ".join(w for start, end in spans for w in WORDS[start:end])


def minima(equal: int) -> bytes:
    """A MinHash signature sharing its first `equal` of 64 minima with minima(64)."""
    return struct.pack("<64Q", *(i if i < equal else i + 1000 for i in range(64)))


def estimated(text_: str, shingles: int, equal: int = 64) -> Evidence:
    """An article whose MinHash estimate against minima(64) is equal / 64."""
    return Evidence(text=text_, signature=minima(equal), shingles=shingles)


@pytest.mark.parametrize(
    ("new", "old", "same"),
    [(text((0, 12)), text((0, 12)), True),  # 8 shingles: long enough to compare
     (text((0, 11)), text((0, 11)), False),  # 7: too short to call a copy
     (text((0, 34)), text((0, 24), (40, 50)), True),  # 20 of 40 shared: Jaccard 0.5
     (text((0, 33)), text((0, 23), (40, 50)), False),  # 19 of 39 shared
     (text((0, 14)), text((0, 11), (60, 70)), True),  # 7 of the smaller's 10 contained
     (text((0, 14)), text((0, 10), (60, 70)), False),  # 6 of 10
     (text((0, 14)), text((40, 54)), False)],  # nothing shared
)  # fmt: skip
def test_a_promising_estimate_is_checked_on_the_exact_shingles(
    new: str, old: str, same: bool
) -> None:
    """Jaccard >= 0.5 or containment >= 0.7 of the exact 5-word shingles, as similarity says."""
    score = match_score(estimated(new, 40), estimated(old, 40))
    assert score == (3.0 if same else 0.0)


def test_an_estimated_containment_of_0_45_is_enough_to_compare_the_texts() -> None:
    """16 of 64 minima equal, 40 and 50 shingles: containment estimated at exactly 0.45."""
    same = text((0, 30))
    assert match_score(estimated(same, 40, equal=16), estimated(same, 50)) == 2.25
    assert match_score(estimated(same, 40, equal=15), estimated(same, 50)) == 0.0


def test_evidence_without_text_is_judged_on_its_fingerprint_alone() -> None:
    assert match_score(estimated("", 40), estimated("", 40)) == 3.0
    assert match_score(estimated("", 40, equal=32), estimated("", 40)) == 2.5  # Jaccard 0.5
    assert match_score(estimated("", 40, equal=31), estimated("", 40)) == 0.0
    assert match_score(estimated("", 7), estimated("", 40)) == 0.0  # too short
    assert match_score(estimated(text((0, 30)), 0), estimated(text((0, 30)), 40)) == 0.0
