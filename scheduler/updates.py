"""The update pass: follow each story a rule with `updates: true` has alerted.

A new article of an alerted story, stored after the alert (which covered every version
stored until then), is compared with every earlier version the rule could have sent
(newswatch.versions). When it adds at least the rule's `update_min_sentences` sentences
(default 2), the rule claims (rule, version) and sends one update email, a reply to the
first alert; a digest rule keeps it for its next digest, under its story.

The pass runs inside the matching pass's transaction, batch by batch (scheduler.alerts): the
claims, the outbox rows and the matcher's position commit together. A crash before the commit
does the batch again; after it the emails wait in the outbox: never lost, never doubled.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from db import updates as store
from newswatch.clock import utc_now
from newswatch.config import Config, Rule
from newswatch.querytext import describe
from newswatch.versions import Version, as_version, version_of, when
from scheduler.alert_email import AlertView, UpdatedStory, VersionView, render_text
from scheduler.alert_html import render_html
from scheduler.outgoing import Outgoing, queue_email


def follow_stories(
    archive: Database, config: Config, batch: list[dict[str, Any]]
) -> dict[str, int]:
    """Claim and queue the updates among `batch` (new articles); the versions claimed by rule."""
    rules = {r.name: r for r in config.alerts.rules if r.updates}
    new_ids: dict[int, set[int]] = defaultdict(set)
    for article in batch:
        new_ids[article["story_id"]].add(article["id"])
    alerts = store.alerted(archive, new_ids, rules) if rules else []
    # A digest that has not gone out yet will show the story as it is by then.
    alerts = [a for a in alerts if not a["digest_pending"]]
    stories = store.story_rows(archive, {a["story_id"] for a in alerts}) if alerts else {}
    claimed: dict[str, int] = defaultdict(int)
    now = utc_now()
    seen: dict[tuple[int, ...], Version] = {}  # rules following one story compare it once
    for alert in alerts:
        rule, rows = rules[alert["rule"]], stories[alert["story_id"]]
        found = [v for v in substantial(rule, alert, rows, new_ids[alert["story_id"]], seen)
                 if _claim(archive, rule, alert["story_id"], v, now)]  # fmt: skip
        if found and rule.digest is None:
            _queue_update(archive, config, rule, alert, rows, found)
        claimed[rule.name] += len(found)
    return {name: n for name, n in claimed.items() if n}


def _claim(archive: Database, rule: Rule, story_id: int, version: Version, now: str) -> bool:
    """(rule, version) is this update's, once ever; a digest rule keeps it for its digest."""
    digest = rule.digest is not None
    added, was = list(version.added), version.headline_was
    return store.claim_update(archive, rule.name, story_id, version.article_id, now, added, was,
                              digest)  # fmt: skip


def substantial(rule: Rule, alert: dict[str, Any], rows: list[dict[str, Any]], new_ids: set[int],
                seen: dict[tuple[int, ...], Version]) -> list[Version]:  # fmt: skip
    """The new versions, after the alert, that add enough for `rule`, oldest first. Each is
    compared with every version the rule could have sent that came before it, in time or
    in the archive (a late find of an old version adds nothing). `seen` keeps comparisons
    for the other rules following the story."""
    allowed = [r for r in rows if not rule.sources or r["source"] in rule.sources]
    found = []
    for row in sorted(allowed, key=when):
        if row["id"] not in new_ids or row["id"] <= alert["covered_upto"]:
            continue
        before = [e for e in allowed if _before(e, row)]
        key = (row["id"], *(e["id"] for e in before))
        version = seen.get(key) or seen.setdefault(key, version_of(row, before))
        if len(version.added) >= rule.update_min_sentences:
            found.append(version)
    return found


def _before(earlier: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether `earlier` was there before `row`: stored before it or published before it."""
    return earlier["id"] != row["id"] and (earlier["id"] < row["id"] or when(earlier) < when(row))


def view_of(
    version: Version, sentences: list[str] | None = None, was: str | None = None
) -> VersionView:
    """A version as an email shows it (a digest passes the sentences claimed back then)."""
    return VersionView(
        version.title, version.url, version.source, version.published_at, version.label,
        tuple(version.added if sentences is None else sentences),
        version.headline_was if was is None else was,
    )  # fmt: skip


def updated_story(story_id: int, first: dict[str, Any] | None,
                  versions: list[VersionView]) -> UpdatedStory:  # fmt: skip
    first = first or {}
    return UpdatedStory(story_id, first.get("title") or "", first.get("url") or "",
                        tuple(versions))  # fmt: skip


def _queue_update(archive: Database, config: Config, rule: Rule, alert: dict[str, Any],
                  rows: list[dict[str, Any]], versions: list[Version]) -> None:  # fmt: skip
    """One email for the story's new versions, in reply to the alert that told of it."""
    first = next((r for r in rows if r["id"] == alert["article_id"]), None)
    story = updated_story(alert["story_id"], first, [view_of(v) for v in versions])
    now = datetime.now(UTC)
    view = AlertView(
        rule.name, rule.query, describe(rule.parsed), [], rule.parsed.terms(), config.timezone,
        now, config.alerts.hostname, str(config.path.resolve()), kind="update", updates=[story],
    )  # fmt: skip
    mail = Outgoing(
        rule.name, view.subject, render_text(view), render_html(view), rule.to,
        (alert["story_id"],), rule=rule.name, thread=tuple(alert["alert_thread"].split()),
    )  # fmt: skip
    message_id = queue_email(archive, config, mail, now)
    store.set_update_message(archive, rule.name, [v.article_id for v in versions], message_id)


def digest_updates(archive: Database, rule: Rule) -> tuple[list[UpdatedStory], list[int]]:
    """The updates waiting for `rule`'s digest, by story, and their versions' article ids."""
    pending = store.pending_updates(archive, rule.name)
    if not pending:
        return [], []
    by_story: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in pending:
        by_story[row["story_id"]].append(row)
    stories = store.story_rows(archive, by_story)
    firsts = {a["story_id"]: a["article_id"] for a in store.alerted(archive, by_story, [rule.name])}
    updated = []
    for story_id, claims in by_story.items():
        rows = {r["id"]: r for r in stories[story_id]}
        versions = [
            view_of(as_version(rows[c["article_id"]]), c["sentences"], c["headline_was"])
            for c in claims
            if c["article_id"] in rows
        ]
        updated.append(updated_story(story_id, rows.get(firsts.get(story_id, -1)), versions))
    return [u for u in updated if u.versions], [row["article_id"] for row in pending]
