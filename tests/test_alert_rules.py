"""Alert rules with the whole query language: NOT, AND/OR, word* and Korean, as emails.

Search has its own tests (test_query.py); these check that the alert matcher, a separate
back end (scheduler/matching.py), sends exactly the stories each rule names, and no others.
"""

from __future__ import annotations

import re

import pytest
from support.alerts import add_article, alert_pass, parts, write_config

MISSILE_JAPAN = (
    "SEOUL, Feb. 1 (Yonhap) -- North Korea fired a ballistic missile into the sea between "
    "Korea and Japan, the Joint Chiefs of Staff said Wednesday."
)
MISSILE_ONLY = (
    "SEOUL, Feb. 2 (Yonhap) -- North Korea fired a cruise missile off its west coast, "
    "the Joint Chiefs of Staff said Thursday."
)
SUMMIT_SEOUL = "SEOUL, Feb. 3 (Yonhap) -- The leaders will meet at a summit in Seoul next month."
SUMMIT_PARIS = "PARIS, Feb. 3 (Yonhap) -- The leaders will meet at a summit in Paris next month."
TALKS_SEOUL = "SEOUL, Feb. 3 (Yonhap) -- Officials held talks in Seoul on trade on Friday."
DRONES = "SEOUL, Feb. 4 (Yonhap) -- Several drones crossed the border, the military said."
DRONE_WORD = "SEOUL, Feb. 4 (Yonhap) -- A drone was spotted over the border, the army said."
DRONING = "SEOUL, Feb. 4 (Yonhap) -- Droning engines kept residents awake, the city said."
KOREAN_MISSILE = (
    "북한이 동해상으로 탄도미사일을 발사했다고 합동참모본부가 밝혔다."  # 미사일 inside a word
)
KOREAN_OTHER = "정부는 내일 경제 정책 방향을 발표할 예정이라고 밝혔다."
EXPORTS = "SEOUL, Feb. 5 (Yonhap) -- South Korea's exports rose for a third month in January."
STORM = "SEOUL, Feb. 5 (Yonhap) -- The storm moved north toward the coast of Korea, they said."
TROOPS = "North Korean troops were seen near the border with South Korea, officials said."
PARTNER = "A missile launch was reported off the coast on Thursday, the partner paper said."

ARTICLES = {  # path -> (title, body[, source]); the source is `wire` unless given
    "A1": ("North Korea fires missile toward Japan", MISSILE_JAPAN),
    "A2": ("North Korea fires cruise missile", MISSILE_ONLY),
    "A3": ("Leaders to meet in Seoul", SUMMIT_SEOUL),
    "A4": ("Leaders to meet in Paris", SUMMIT_PARIS),
    "A5": ("Trade talks in Seoul", TALKS_SEOUL),
    "A6": ("Drones cross border", DRONES),
    "A7": ("Drone spotted", DRONE_WORD),
    "A8": ("Night noise complaints", DRONING),
    "K1": ("북한, 동해상으로 탄도미사일 발사", KOREAN_MISSILE),
    "K2": ("정부, 경제 정책 방향 발표 예정", KOREAN_OTHER),
    "A9": ("Exports rise again", EXPORTS),
    "A10": ("Storm heads for the coast", STORM),
    "A11": ("Troops seen at the border", TROOPS),
    "P1": ("Launch reported", PARTNER, "partner"),
}


def rule_line(name: str, query: str) -> str:
    sources = ", sources: [partner]" if name.startswith("partner") else ""
    return f"    - {{name: {name}, query: '{query}', to: [{name}@example.org]{sources}}}\n"


def alerted(smtp, name: str) -> set[str]:
    """The article ids (A1, K2, ...) the emails sent to rule `name`'s recipient list."""
    found: set[str] = set()
    for message in smtp.inbox.to(f"{name}@example.org"):
        found |= set(
            re.findall(r"https://en\.yna\.co\.kr/view/(\w+)", parts(message)["text/plain"])
        )
    return found


RULES = {  # name -> (query, the articles it must alert, exactly)
    "missile": ("missile", {"A1", "A2", "P1"}),
    "partnermissile": ("missile", {"P1"}),  # the rule names its sources: partner only
    "notjapan": ("missile NOT Japan", {"A2", "P1"}),
    "minusjapan": ("missile -Japan", {"A2", "P1"}),
    "andor": ("summit AND (Seoul OR Tokyo)", {"A3"}),
    "or": ("summit OR talks", {"A3", "A4", "A5"}),
    "implicitand": ("leaders Paris", {"A4"}),
    "nested": ("(missile OR summit) NOT (Japan OR Paris)", {"A2", "A3", "P1"}),
    "prefix": ("drone*", {"A6", "A7"}),
    "whole": ("drone", {"A7"}),
    "phrase": ('"ballistic missile"', {"A1"}),
    "phrase2": ('"korea fires"', {"A1", "A2"}),  # not "South Korea's exports"
    # "north" then "kor…": not A10's "north toward … Korea"; A11's "Korean" (not "Korea")
    "hyphenprefix": ("north-kor*", {"A1", "A2", "A11"}),
    "korean": ("미사일", {"K1"}),
    "koreanphrase": ('"탄도미사일 발사"', {"K1"}),
    "koreanprefix": ("탄도*", {"K1"}),
    "koreannot": ("밝혔다 NOT 미사일", {"K2"}),
}


@pytest.fixture
def sent(tmp_path, smtp):
    config = write_config(
        tmp_path, smtp.port, "".join(rule_line(n, q) for n, (q, _) in RULES.items())
    )
    for path, (title, body, *source) in ARTICLES.items():
        add_article(config, f"https://en.yna.co.kr/view/{path}", title, body, *source)
    matched, delivered = alert_pass(config)
    assert delivered.failed == delivered.retrying == 0, delivered.errors
    return smtp


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_alerts_exactly_the_stories_it_names(sent, name):
    query, expected = RULES[name]
    assert alerted(sent, name) == expected, f"rule {query!r}"
