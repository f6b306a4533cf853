"""The HTML part of an alert: one column (≤ 640 px), inline CSS only, explicit colours.

Mail clients strip <style> blocks unevenly, so every rule is inline. Every element that
sets a text colour sits on one that sets a background, so a client's dark mode recolours
both or neither; text is 14 px or larger, and long words and URLs wrap instead of widening
the page. Everything scraped is escaped (html.escape) and cleaned (alert_email).
"""

from __future__ import annotations

import html

from scheduler.alert_email import AlertView, StoryView, VersionView, story_meta, version_meta
from scheduler.email import clean_line, safe_url

FONT = (
    "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
    "'Noto Sans', 'Apple SD Gothic Neo', 'Malgun Gothic', 'Noto Sans CJK KR', sans-serif"
)
INK, MUTED, LINK = "#1f2328", "#57606a", "#0a58ca"  # contrast on white 15.8, 6.4, 6.4 : 1
NEW = "#1a7f37"  # white on it, and it on white: 5.1 : 1
PAPER, PAGE, RULE = "#ffffff", "#eef1f4", "#d8dee4"
WRAP = "overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word;"
S = {
    "body": f"margin:0;padding:0;background-color:{PAGE};color:{INK};font-family:{FONT};",
    "column": f"max-width:640px;margin:0 auto;padding:16px 10px;background-color:{PAGE};",
    "card": f"background-color:{PAPER};color:{INK};border:1px solid {RULE};border-radius:8px;"
            f"padding:4px 20px;{WRAP}",
    "label": f"margin:16px 0 2px;font-size:14px;line-height:20px;color:{MUTED};"
             "letter-spacing:0.02em;",
    "h1": f"margin:0 0 8px;font-size:22px;line-height:28px;font-weight:700;color:{INK};",
    "lead": f"margin:0 0 6px;font-size:16px;line-height:24px;color:{INK};",
    "meta": f"margin:0 0 6px;font-size:14px;line-height:20px;color:{MUTED};",
    "story": f"border-top:1px solid {RULE};padding:14px 0 10px;",
    "h2": f"margin:0 0 4px;font-size:18px;line-height:25px;font-weight:600;color:{INK};",
    "a": f"color:{LINK};text-decoration:underline;",
    "title_a": f"color:{LINK};text-decoration:none;",
    "text": f"margin:8px 0 6px;font-size:16px;line-height:24px;color:{INK};",
    "mark": f"background-color:#ffe58f;color:{INK};border-radius:2px;",
    "h3": f"margin:12px 0 2px;font-size:16px;line-height:22px;font-weight:600;color:{INK};",
    "new": f"margin:8px 0 6px;padding:0 0 0 10px;border-left:3px solid {NEW};font-size:16px;"
           f"line-height:24px;color:{INK};background-color:{PAPER};",
    "badge": f"margin-right:6px;padding:0 4px;border-radius:3px;font-size:14px;font-weight:700;"
             f"color:#ffffff;background-color:{NEW};",
    "footer": f"padding:14px 10px 4px;font-size:14px;line-height:21px;color:{MUTED};"
              f"background-color:{PAGE};{WRAP}",
    "p": "margin:0 0 8px;",
    "code": f"font-family:Menlo, Consolas, 'DejaVu Sans Mono', monospace;font-size:14px;"
            f"background-color:{PAPER};color:{INK};padding:1px 4px;border-radius:3px;",
}  # fmt: skip


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str, label: str, style: str = "a") -> str:
    href = safe_url(url)
    if not href:
        return _e(label)
    return f'<a href="{_e(href)}" style="{S[style]}">{_e(label)}</a>'


def _story(alert: AlertView, story: StoryView, pieces: list[tuple[str, bool]]) -> str:
    title = _link(story.url, clean_line(story.title, 500) or "(no title)", "title_a")
    meta = [_e(part) for part in story_meta(story, alert.timezone)]
    if story.updates:  # "updated N times" links to the newest version
        meta[-1] = _link(story.latest_url, story_meta(story, alert.timezone)[-1])
    marked = "".join(
        f'<mark style="{S["mark"]}">{_e(t)}</mark>' if hit else _e(t) for t, hit in pieces
    )
    also = ", ".join(_link(url, clean_line(src, 100)) for src, url in story.also)
    return (
        f'<div style="{S["story"]}"><h2 style="{S["h2"]}">{title}</h2>'
        f'<p style="{S["meta"]}">{" · ".join(meta)}</p><p style="{S["text"]}">{marked}</p>'
        + (f'<p style="{S["meta"]}">Also carried by {also}</p>' if also else "")
        + "</div>"
    )


def _version(alert: AlertView, version: VersionView, heading: str = "h2") -> str:
    """A later version: its title, facts, the headline it replaced, each new sentence."""
    title = _link(version.url, clean_line(version.title, 500) or "(no title)", "title_a")
    meta = " · ".join(_e(part) for part in version_meta(version, alert.timezone))
    was = clean_line(version.headline_was, 500)
    new = "".join(
        f'<p style="{S["new"]}"><span style="{S["badge"]}">NEW</span>'
        f"{_e(clean_line(sentence, 2000))}</p>"
        for sentence in version.sentences
    )
    return (
        f'<{heading} style="{S[heading]}">{title}</{heading}><p style="{S["meta"]}">{meta}</p>'
        + (f'<p style="{S["meta"]}">Headline changed from: {_e(was)}</p>' if was else "")
        + new
    )


def _updates(alert: AlertView) -> str:
    """An update email's versions and its first alert; a digest's updated stories."""
    if alert.kind == "update":
        story = alert.updates[0]
        versions = "".join(
            f'<div style="{S["story"]}">{_version(alert, v)}</div>' for v in story.versions
        )
        first = _link(story.first_url, clean_line(story.first_title, 500) or "(no title)")
        return (
            versions + f'<div style="{S["story"]}"><p style="{S["meta"]}">First alerted as '
            f"{first}</p></div>"
        )
    blocks = (
        [f'<p style="{S["label"]}">Updated since an earlier digest</p>'] if alert.updates else []
    )
    for story in alert.updates:
        title = _link(story.first_url, clean_line(story.first_title, 500) or "(no title)",
                      "title_a")  # fmt: skip
        versions = "".join(_version(alert, v, "h3") for v in story.versions)
        blocks.append(
            f'<div style="{S["story"]}"><h2 style="{S["h2"]}">{title}</h2>{versions}</div>'
        )
    return "".join(blocks)


def _head(alert: AlertView) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light"><meta name="supported-color-schemes"'
        f' content="light"><title>{_e(alert.subject)}</title></head>'
    )


def render_html(alert: AlertView) -> str:
    words = {k: _e(v) for k, v in alert.lines().items()}
    stories = "".join(
        _story(alert, s, p) for s, p in zip(alert.stories, alert.snippets, strict=True)
    ) + _updates(alert)
    part = f'<p style="{S["meta"]}">{words["part"]}</p>' if words["part"] else ""
    header = (
        f'<p style="{S["label"]}">newswatch {"update" if alert.kind == "update" else "alert"}</p>'
        f'<h1 style="{S["h1"]}">{words["title"]}</h1>'
        f'<p style="{S["lead"]}">{words["about"]}</p><p style="{S["meta"]}">{words["when"]}</p>'
        + part
    )
    footer = (
        f'<div style="{S["footer"]}"><p style="{S["p"]}">{words["sent_by"]}</p>'
        f'<p style="{S["p"]}">{words["see_label"]} '
        f'<code style="{S["code"]}">{words["see"]}</code><br>'
        f'Change or remove it: edit alerts.rules in <code style="{S["code"]}">'
        f"{words['change']}</code></p></div>"
    )
    return (
        f'{_head(alert)}<body style="{S["body"]}"><div style="{S["column"]}">'
        '<!--[if mso]><table role="presentation" width="640" align="center"><tr><td><![endif]-->'
        f'<div style="{S["card"]}">{header}{stories}</div>{footer}'
        "<!--[if mso]></td></tr></table><![endif]--></div></body></html>\n"
    )
