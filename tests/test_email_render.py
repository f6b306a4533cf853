"""The alert email as a reader sees it: the HTML part in headless Chromium at a phone's
390 px (mobile emulation, so the viewport meta counts) and a desktop's 1024 px; the text
part as a plain-text mail client shows it. Screenshots go to the test's tmp folder
(scripts/email_images.py makes the ones in docs/images/).
"""

from __future__ import annotations

import base64
import mailbox
import re
import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from support.alerts import BODY, add_article, alert_pass, parts, write_config

from newswatch.config import Config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
RULE = "    - {name: korea-defense, query: 'deterrence OR 탄도미사일 OR \"drone defense\"', to: [k@example.org]}\n"  # noqa: E501
KOREAN = '북한, 동해상으로 탄도미사일 발사…합참 "비행거리 등 분석 중"'
KOREAN_BODY = (
    "북한이 5일 오전 동해상으로 탄도미사일을 발사했다고 합동참모본부가 밝혔다. "
    '합참은 "우리 군은 감시와 경계를 강화하면서 미국 측과 관련 정보를 '
    '긴밀히 공유하고 있다"고 전했다.'
)
LONG_URL = "https://en.yna.co.kr/view/AEN20230301003800320?" + "utm_source=newsletter&x=" * 6
STORIES = {  # url -> title, as the reader must find them
    "https://en.yna.co.kr/view/AEN1": "Allies bolster extended deterrence against North Korea",
    "https://en.yna.co.kr/view/AEN2": KOREAN,
    LONG_URL: "S. Korea, U.S. to stage joint drone defense drills near the border",
    "https://en.yna.co.kr/view/AEN4": "Supercalifragilistic" * 6 + " deterrence",
    "https://en.yna.co.kr/view/AEN5": 'Defense chief: <b>deterrence</b> & "readiness" first',
}


def alert_email(tmp_path: Path):
    """A real alert (Maildir transport) of five stories: one updated and carried by another
    site, one in Korean, one with a long URL, one long word, one with markup in its title."""
    config: Config = write_config(tmp_path, None, RULE)
    first = None
    for url, title in STORIES.items():
        story = add_article(config, url, title, KOREAN_BODY if title == KOREAN else BODY)
        first = first or story
    add_article(config, "https://en.yna.co.kr/view/AEN1-LEAD", "(LEAD) Allies bolster",
                BODY + " More.", story_id=first)  # fmt: skip
    add_article(config, "http://127.0.0.2/article/1", "Allies bolster", BODY, source="partner",
                story_id=first)  # fmt: skip
    alert_pass(config)
    box = mailbox.Maildir(tmp_path / "maildir", create=False)
    emails = [box.get_message(k) for k in box.iterkeys()]
    [email] = [m for m in emails if m["X-Newswatch-Rule"] == "korea-defense"]
    from email import message_from_bytes, policy

    return message_from_bytes(email.as_bytes(), policy=policy.default), config


@pytest.fixture(scope="module")
def alert(tmp_path_factory):
    return alert_email(tmp_path_factory.mktemp("alert"))


def chrome(tmp_path: Path, width: int):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium: pip install '.[test]'")
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromedriver are not installed (make test installs them as root)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-sync", "--hide-scrollbars"]  # fmt: skip
    flags += [f"--user-data-dir={tmp_path / f'chrome{width}'}", f"--window-size={width},900"]
    for flag in flags:
        options.add_argument(flag)
    if width < 600:  # a phone: the viewport meta applies, as in a mobile mail app
        metrics = {"width": width, "height": 844, "pixelRatio": 2.0}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))


TEXT_SIZES = """
const sizes = [];
for (const el of document.body.querySelectorAll('*')) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (own) sizes.push([el.tagName, parseFloat(getComputedStyle(el).fontSize)]);
}
return sizes;
"""


@pytest.mark.parametrize("width", [390, 1024])
def test_the_html_part_reads_on_a_phone_and_a_desktop(alert, tmp_path, width):
    message, _ = alert
    page = tmp_path / "alert.html"
    page.write_text(parts(message)["text/html"], encoding="utf-8")
    driver = chrome(tmp_path, width)
    try:
        driver.get(page.as_uri())
        inner, scroll = driver.execute_script(
            "return [window.innerWidth, document.documentElement.scrollWidth]"
        )
        column = driver.execute_script(
            "return document.querySelector('h1').parentElement.getBoundingClientRect().width"
        )
        links = driver.execute_script(
            "return [...document.querySelectorAll('h2 a')].map(a => [a.href, a.textContent])"
        )
        sizes = driver.execute_script(TEXT_SIZES)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": inner, "height": height, "scale": 1},
        })  # fmt: skip
        (tmp_path / f"alert-{width}.png").write_bytes(base64.b64decode(shot["data"]))
    finally:
        driver.quit()

    assert inner == width and scroll <= inner, f"horizontal scroll: {scroll} > {inner}"
    assert column <= 640, column
    assert [text for _, text in links] == list(STORIES.values())
    assert [href for href, _ in links][:2] == list(STORIES)[:2]
    small = [(tag, size) for tag, size in sizes if size < 14]
    assert sizes and not small, small


def test_the_html_part_is_a_whole_document_with_inline_styles_only(alert):
    html = parts(alert[0])["text/html"]
    assert html.startswith('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<style" not in html and "<script" not in html and "<link" not in html
    assert "Defense chief: &lt;b&gt;deterrence&lt;/b&gt; &amp; &quot;readiness&quot;" in html


def test_the_text_part_says_the_same_in_lines_of_76(alert):
    message, config = alert
    text = parts(message)["text/plain"]
    long = [line for line in text.splitlines() if len(line) > 76]
    assert long == ["   " + LONG_URL], long  # only a URL too long for any line, unbroken
    flat, dense = " ".join(text.split()), "".join(text.split())
    for url, title in STORIES.items():
        assert "".join(title.split()) in dense, title  # a long word is broken across lines
        assert re.search(rf"^ +{re.escape(url)}$", text, re.M), url
    assert text.startswith("korea-defense: 5 new stories\nStories mentioning “deterrence”,")
    assert "updated 1 time" in text and "Also carried by partner:" in text
    assert "*탄도미사일*을" in text, text
    assert flat.endswith(
        f"See what the rule matches now: newswatch rules test korea-defense Change or remove "
        f"it: edit alerts.rules in {config.path.resolve()}"
    ), flat[-300:]


def test_header_and_footer_name_the_rule_query_time_and_install(alert):
    message, config = alert
    html = parts(message)["text/html"]
    for said in ("korea-defense: 5 new stories", f"Sent by newswatch on {config.alerts.hostname}",
                 "newswatch rules test korea-defense", str(config.path.resolve())):  # fmt: skip
        assert said in html, said
    assert re.search(r"Found by the crawl of \d{4}-\d\d-\d\d \d\d:\d\d KST\.", html)
    assert "Stories mentioning “deterrence”, “탄도미사일” or the phrase “drone defense”." in html


def test_an_update_reads_on_a_phone_with_each_new_sentence_marked(tmp_path):
    """Issue 19's update email, with a long unbroken word and markup in a new sentence."""
    rule = "    - {name: follow, query: deterrence, to: [f@example.org], updates: true}\n"
    config = write_config(tmp_path, None, rule)
    first = add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    alert_pass(config)
    added = [
        "Seoul and Washington will hold a tabletop exercise on " + "deterrence" * 8 + ".",
        'The ministry said <b>"readiness"</b> & vigilance come first, officials added.',
    ]
    add_article(config, "https://en.yna.co.kr/view/AEN1-LEAD", "(LEAD) Allies bolster deterrence",
                BODY + "\n\n" + "\n\n".join(added), story_id=first)  # fmt: skip
    alert_pass(config)
    box = mailbox.Maildir(tmp_path / "maildir", create=False)
    raw = [box.get_bytes(k) for k in box.iterkeys()]
    [update] = [message_from_bytes(m, policy=policy.default) for m in raw if b": update" in m]
    html = parts(update)["text/html"]
    assert html.count(">NEW</span>") == 2, html
    assert "&lt;b&gt;&quot;readiness&quot;&lt;/b&gt; &amp;" in html
    page = tmp_path / "update.html"
    page.write_text(html, encoding="utf-8")
    driver = chrome(tmp_path, 390)
    try:
        driver.get(page.as_uri())
        inner, scroll = driver.execute_script(
            "return [window.innerWidth, document.documentElement.scrollWidth]"
        )
        sizes = driver.execute_script(TEXT_SIZES)
    finally:
        driver.quit()
    assert scroll <= inner == 390, f"horizontal scroll: {scroll} > {inner}"
    small = [(tag, size) for tag, size in sizes if size < 14]
    assert sizes and not small, small
