"""Hostile scraped content in alert emails: the email stays well-formed and inert."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from support.alerts import add_article, alert_pass, parts, write_config

RLO, ZWSP = "\u202e", "\u200b"
TRICKS = [
    "<script>alert(1)</script> deterrence",
    '<img src=x onerror="alert(1)"> deterrence',
    "deterrence\r\nSubject: forged\r\nBcc: victim@example.org",
    "=?utf-8?b?PHNjcmlwdD4=?= deterrence =?utf-8?q?=0D=0ABcc:_x@evil.org?=",
    f"deterrence {RLO}gnp.exe{ZWSP} hidden",
    "deterrence " + "A" * 10_000,
]


@pytest.mark.parametrize(
    "title", TRICKS, ids=["script", "img", "crlf", "encoded-word", "rtl", "long"]
)
def test_hostile_titles_and_bodies_stay_inert(tmp_path, smtp, title):
    config = write_config(tmp_path, smtp.port)
    frame = "<iframe src=javascript:alert(1)></iframe>"
    body = f"The allies bolster extended deterrence. {title} {frame}"
    add_article(config, 'https://en.yna.co.kr/view/AEN1?a=<b>&c="d"', title, body)
    assert alert_pass(config)[1].sent == 1
    [message] = smtp.inbox.messages
    raw = message.as_bytes()
    reparsed = message_from_bytes(raw, policy=policy.default)
    assert not reparsed.defects and all(not p.defects for p in reparsed.walk())
    assert str(reparsed["Subject"]) == "[newswatch] deterrence: 1 new story"
    assert reparsed["Bcc"] is None and smtp.inbox.envelopes[0][1] == ["analyst@example.org"]
    assert all(len(line) <= 998 for line in raw.splitlines()), "lines within RFC 5322"
    content = parts(reparsed)
    html, text = content["text/html"], content["text/plain"]
    for dangerous in ("<script", "<img", "<iframe", RLO, ZWSP):
        assert dangerous not in html, dangerous
    assert RLO not in text.splitlines()[0] and ZWSP not in text.splitlines()[0]
    assert len(text.splitlines()[0]) <= 500, "a 10,000-character title is cut"
    assert 'href="https://en.yna.co.kr/view/AEN1?a=&lt;b&gt;&amp;c=&quot;d&quot;"' in html


HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def test_no_control_or_direction_character_reaches_a_header_or_either_part(tmp_path, smtp):
    """Issue 14, finding 2 (email side): ESC sequences, 8-bit CSI (U+009B), NEL and bidi
    overrides and isolates in a title, body and link, and in a rule's name."""
    rule = '    - {name: "esc\\x1b[31m\\u202erule", query: deterrence, to: [b@example.org]}\n'
    config = write_config(tmp_path, smtp.port, rule)
    title = "Deterrence \x1b[31mRED\x1b[0m \x9b2J \u202egnp.exe\u202c \u2066iso\u2069 \x85next\x07"
    body = f"The allies bolster extended deterrence. {title} \x00\x1b]8;;http://evil/\x1b\\ end"
    add_article(config, "https://en.yna.co.kr/view/esc\x1b[31mRED\u202e", title, body)

    assert alert_pass(config)[1].sent == 2
    for raw, message in zip(smtp.inbox.raw, smtp.inbox.messages, strict=True):
        assert b"\x1b" not in raw and not message.defects
        for name, value in message.items():
            assert not HIDDEN.search(str(value)), (name, str(value))
        content = parts(message)
        for kind, text in content.items():
            assert not HIDDEN.search(text), (kind, HIDDEN.findall(text))
        assert "Deterrence [31mRED [0m 2J gnp.exe iso next" in " ".join(
            content["text/plain"].split()
        ), content["text/plain"]
        assert 'href="https://en.yna.co.kr/view/esc%1B[31mRED%E2%80%AE"' in content["text/html"]
    subjects = sorted(str(m["Subject"]) for m in smtp.inbox.messages)
    assert subjects == [
        "[newswatch] deterrence: 1 new story",
        "[newswatch] esc [31mrule: 1 new story",
    ]
