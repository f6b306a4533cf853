"""Made-up article text for the synthetic class pages (benchmarks/classpages.py): sentences
put together from slot lists in English, German, Korean and Japanese, so that every page
has its own headline and paragraphs. No text here comes from a real article.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_EN = {
    "who": ["The city council", "The regional water board", "The port authority",
            "A group of parents", "The county health office", "The state rail operator",
            "Local fishermen", "The university hospital", "The town's library service",
            "A small bakery cooperative", "The transport ministry", "The farmers' union"],
    "did": ["said on {day} that it would", "announced on {day} plans to",
            "voted on {day} to", "agreed on {day} to", "confirmed on {day} that it intends to"],
    "what": ["replace the old footbridge over the river", "open two more night bus routes",
             "extend the opening hours of the swimming pool", "close the harbour car park",
             "plant four hundred trees along the ring road", "repair the flood wall by the mill",
             "hire twelve more school nurses", "move the weekly market to the square",
             "cut the price of a monthly ticket", "rebuild the sports hall roof"],
    "why": ["after complaints from residents", "because costs rose sharply last year",
            "following a survey of commuters", "as part of a five-year plan",
            "once a grant from the national fund was approved", "to meet new safety rules"],
    "quote": ["\"We have listened to people and this is the result,\" a spokeswoman said.",
              "\"It will take time, but the money is there,\" the chairman told reporters.",
              "Critics said the plan came too late and would not go far enough.",
              "Opposition members asked for an independent review of the figures.",
              "The work is expected to start in spring and to last about nine months.",
              "Residents will be able to comment on the plans at two public meetings."],
}  # fmt: skip
_DE = {
    "who": ["Der Stadtrat", "Die Kreisverwaltung", "Der Verkehrsverbund", "Die Hafenbehörde",
            "Das Klinikum", "Die Stadtwerke", "Der Landesbetrieb"],
    "did": ["hat am {day} beschlossen,", "kündigte am {day} an,", "teilte am {day} mit, man werde"],
    "what": ["die alte Fußgängerbrücke zu ersetzen", "zwei neue Nachtbuslinien einzurichten",
             "das Freibad länger zu öffnen", "vierhundert Bäume an der Ringstraße zu pflanzen",
             "die Hochwassermauer an der Mühle zu sanieren", "den Wochenmarkt zu verlegen"],
    "why": ["nach Beschwerden von Anwohnern", "weil die Kosten stark gestiegen waren",
            "nach einer Umfrage unter Pendlern", "als Teil eines Fünfjahresplans"],
    "quote": ["„Wir haben zugehört, und das ist das Ergebnis“, sagte eine Sprecherin.",
              "Kritiker bemängelten, der Plan komme zu spät.",
              "Die Arbeiten sollen im Frühjahr beginnen und etwa neun Monate dauern.",
              "Anwohner können sich bei zwei Bürgerversammlungen zu den Plänen äußern."],
}  # fmt: skip
_KO = {
    "who": ["서울시는", "부산시 교육청은", "국토교통부는", "지역 어민들은", "시립 도서관은",
            "한 대학병원은", "도 농업기술원은"],
    "did": ["{day} 밝혔다. 이에 따라", "{day} 발표했다. 계획에 따르면", "{day} 설명했다. 관계자는"],
    "what": ["낡은 보행교를 새로 짓기로 했다", "심야 버스 노선 두 개를 새로 만들기로 했다",
             "수영장 운영 시간을 늘리기로 했다", "순환도로를 따라 나무 사백 그루를 심기로 했다",
             "방파제 보수 공사를 앞당기기로 했다", "전통시장 주차장을 넓히기로 했다"],
    "why": ["주민 민원이 잇따랐기 때문이다", "지난해 비용이 크게 올랐기 때문이다",
            "통근자 설문 결과를 반영한 것이다", "오 개년 계획의 하나로 추진된다"],
    "quote": ["시 관계자는 \"시민 의견을 충분히 듣겠다\"고 말했다.",
              "공사는 봄에 시작해 아홉 달가량 걸릴 전망이다.",
              "일부에서는 대책이 너무 늦었다는 지적도 나왔다.",
              "주민 설명회는 다음 달 두 차례 열린다."],
}  # fmt: skip
_JA = {
    "who": ["市議会は", "県の教育委員会は", "港湾局は", "地元の漁協は", "市立図書館は",
            "大学病院は", "鉄道会社は"],
    "did": ["{day}、発表した。それによると", "{day}、明らかにした。計画では", "{day}、決めた。"],
    "what": ["古い歩道橋を架け替える", "深夜バスの路線を二つ増やす", "プールの営業時間を延ばす",
             "環状道路沿いに木を四百本植える", "防潮堤の補修を前倒しする", "朝市の会場を広場に移す"],
    "why": ["住民から苦情が相次いだためだ", "昨年、費用が大きく上がったためだ",
            "通勤客へのアンケートを受けたものだ", "五か年計画の一環だという"],
    "quote": ["担当者は「市民の声をよく聞きたい」と話した。", "工事は春に始まり、九か月ほどかかる見通しだ。",
              "計画が遅すぎるとの批判も出ている。", "住民説明会は来月、二回開かれる。"],
}  # fmt: skip
_BANKS = {"en": _EN, "de": _DE, "ko": _KO, "ja": _JA}
_DAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
    "ko": ["3일", "12일", "21일", "27일"],
    "ja": ["3日", "12日", "21日", "27日"],
}
_JOIN = {"en": " ", "de": " ", "ko": " ", "ja": ""}


@dataclass
class Story:
    language: str
    headline: str
    paragraphs: list[str]


def story(rng: random.Random, language: str, paragraphs: int) -> Story:
    """A made-up story: a headline and `paragraphs` paragraphs of two sentences each."""
    join = _JOIN[language]
    texts: list[str] = []
    while len(texts) < paragraphs:
        text = join.join(_sentence(rng, language) for _ in range(2))
        if text not in texts:
            texts.append(text)
    return Story(language, _headline(rng, language), texts)


def _sentence(rng: random.Random, language: str) -> str:
    bank = _BANKS[language]
    if rng.random() < 0.3:
        return rng.choice(bank["quote"])
    day = rng.choice(_DAYS[language])
    did = rng.choice(bank["did"]).format(day=day)
    what, why = rng.choice(bank["what"]), rng.choice(bank["why"])
    if language == "en":
        return f"{rng.choice(bank['who'])} {did} {what}, {why}."
    if language == "de":
        return f"{rng.choice(bank['who'])} {did} {what}, {why}."
    if language == "ko":
        return f"{rng.choice(bank['who'])} {did} {what}. {why}."
    return f"{rng.choice(bank['who'])}{did}{what}。{why}。"


def _headline(rng: random.Random, language: str) -> str:
    bank = _BANKS[language]
    what = rng.choice(bank["what"])
    who = rng.choice(bank["who"]).rstrip("는은")
    if language == "en":
        return f"{who.removeprefix('The ').removeprefix('A ')} to {what}"
    if language == "de":
        return f"{who}: Pläne, {what}"
    if language == "ko":
        return f"{who}, {what}"
    return f"{who.rstrip('は')}、{what}へ"
