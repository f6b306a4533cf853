"""What a version added: sentences in no earlier version (newswatch.sentences), one class of
change per test; and the labelled wire stories of the clustering tests, version by version."""

from __future__ import annotations

import pytest
from fixtures import story_corpus as m
from fixtures import story_corpus_more as more

from newswatch.sentences import known_words, new_sentences, split_sentences
from newswatch.versions import ordered_versions

LEAD = (
    "SEOUL, March 12 (Yonhap) -- North Korea fired two short-range ballistic missiles into the "
    "East Sea on Tuesday, South Korea's Joint Chiefs of Staff (JCS) said.\n\n"
    "The missiles flew about 350 kilometers before splashing into waters off the east coast, "
    "according to the JCS.\n\n"
    '"Our military has strengthened its surveillance," the JCS said in a text message.'
)


def added(body: str, *earlier: str) -> list[str]:
    return new_sentences(body, known_words(earlier))


def test_sentences_end_at_stops_not_at_abbreviations_initials_or_decimals():
    text = (
        "SEOUL, Jan. 31 (Yonhap) -- U.S. Ambassador Philip Goldberg met N. Korea experts at "
        '8:40 a.m. The won fell 1.5 percent. He said, "We will respond." Did they? Yes!\n\n'
        "Gen. Kim Myung-soo met Lt. Col. J. Park at 3 p.m. Tuesday.\n\n"
        "북한이 14일 발사했다. 합참은 밝혔다."
    )
    assert split_sentences(text) == [
        "SEOUL, Jan. 31 (Yonhap) -- U.S. Ambassador Philip Goldberg met N. Korea experts at "
        "8:40 a.m.",
        "The won fell 1.5 percent.",
        'He said, "We will respond."',
        "Did they?",
        "Yes!",
        "Gen. Kim Myung-soo met Lt. Col. J. Park at 3 p.m. Tuesday.",
        "북한이 14일 발사했다.",
        "합참은 밝혔다.",
    ]


def test_rewrapped_paragraphs_and_changed_spacing_or_punctuation_add_nothing():
    rewrapped = (
        LEAD.replace("\n\nThe missiles", "  The missiles")  # two paragraphs run together
        .replace("ballistic missiles into", "ballistic\nmissiles  into")  # a line break
        .replace("East Sea on Tuesday, South", "East Sea on Tuesday -- South")
        .replace('"Our', "“Our").replace('surveillance,"', "surveillance,”")
    )  # fmt: skip
    split = LEAD.replace("about 350 kilometers before", "about 350 kilometers\n\nbefore")
    assert added(rewrapped, LEAD) == [] and added(split, LEAD) == []


def test_a_new_dateline_a_copy_without_the_agency_and_a_restated_lead_add_nothing():
    next_day = LEAD.replace("SEOUL, March 12 (Yonhap) --", "SEOUL, March 13 (Yonhap) --")
    copy = LEAD.replace(" (Yonhap) --", " --")
    restated = (
        "SEOUL, March 12 (Yonhap) -- The two short-range ballistic missiles North Korea fired "
        "into the East Sea on Tuesday flew about 350 km, the JCS said, adding that the military "
        "has strengthened its surveillance."
    )
    assert added(next_day, LEAD) == [] and added(copy, LEAD) == [] and added(restated, LEAD) == []


def test_bylines_captions_credits_emails_and_end_marks_are_not_news():
    furniture = (
        "By Kim Soo-jin\n\nThis photo, provided by the JCS, shows a missile launch. (Yonhap)\n\n"
        "A missile is seen in the sky. (AP Photo/Ahn Young-joon)\n\n"
        "sjkim@yna.co.kr\n\n(END)"
    )
    assert added(f"{LEAD}\n\n{furniture}", LEAD) == []


def test_new_facts_are_new_a_changed_number_too_and_a_repeat_within_a_version_once():
    fact = "President Yoon Suk Yeol ordered a thorough readiness posture, his office said."
    again = "Yoon ordered a thorough readiness posture, his office said."
    changed = LEAD.replace("about 350 kilometers", "about 600 kilometers")
    assert added(f"{LEAD}\n\n{fact}\n\n{again}", LEAD) == [fact]
    assert added(changed, LEAD) == [
        "The missiles flew about 600 kilometers before splashing into waters off the east "
        "coast, according to the JCS."
    ]


def test_a_sentence_of_one_new_word_is_no_news():
    assert added(f"{LEAD}\n\nThe JCS did not elaborate.", LEAD) == []


def test_korean_text_compares_by_bigrams_without_its_dateline_and_reporter():
    first = "(서울=연합뉴스) 김민수 기자 = 북한이 14일 오전 동해상으로 탄도미사일을 발사했다."
    update = (
        "(서울=연합뉴스) 이지원 기자 = 북한이 14일 오전 동해상으로 탄도미사일을 발사했다고 "
        "합참이 밝혔다.\n\n미사일은 약 350㎞를 비행한 뒤 일본 배타적경제수역 밖에 떨어졌다."
    )
    assert added(update, first) == [
        "미사일은 약 350㎞를 비행한 뒤 일본 배타적경제수역 밖에 떨어졌다."
    ]


def _doc(doc) -> dict:
    return {"id": abs(hash(doc.url)) % 10**9, "url": doc.url, "source": doc.source,
            "title": doc.title, "body": "\n\n".join(doc.paragraphs),
            "published_at": doc.published_at, "version": ""}  # fmt: skip


@pytest.mark.parametrize(
    ("family", "counts"),
    [
        # flash, flash, story, LEAD (rewrites the lead, adds 5 paragraphs), partner copy,
        # 2nd LD (restated lead, one new paragraph: the president's order)
        ((m.M1_FLASH, m.M1_FLASH2, m.M1_ORIG, m.M1_LEAD, m.M1_PARTNER, m.M1_2LD),
         [1, 1, 2, 6, 0, 1]),
        ((more.A1_ORIG, more.A1_LEAD, more.A1_PARTNER, more.A1_PARTNER2), [5, 2, 0, 0]),
        ((more.E1_FLASH, more.E1_ORIG, more.E1_LEAD, more.E1_PARTNER), [1, 4, 2, 0]),
        ((more.D1_ORIG, more.D1_LEAD), [4, 2]),
        ((more.SYN, more.SYN_PARTNER), [4, 0]),
    ],
)  # fmt: skip
def test_the_labelled_wire_stories_version_by_version(family, counts):
    versions = ordered_versions(_doc(d) for d in family)
    by_url = {v.url: len(v.added) for v in versions}
    assert [by_url[d.url] for d in family] == counts
