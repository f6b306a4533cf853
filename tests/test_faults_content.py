"""Hostile scraped content in alert emails: the email stays well-formed and inert."""

from __future__ import annotations

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
