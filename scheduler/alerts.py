"""After a crawl: match new articles against the rules and queue the alerts in the outbox.

A rule alerts a story at most once, ever: the claim on (rule, story) and the outbox rows
are written in one transaction, together with the position the next pass starts from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from db import alerts as store
from db import updates as updates_store
from db import write_transaction
from newswatch.clock import utc_now
from newswatch.config import Config, Rule
from newswatch.query import Query
from newswatch.querytext import describe
from scheduler.alert_email import AlertView, StoryView, UpdatedStory, render_text
from scheduler.alert_html import render_html
from scheduler.matching import Matcher
from scheduler.outgoing import Outgoing, queue_email
from scheduler.updates import digest_updates, follow_stories

MAX_STORIES_PER_EMAIL = 30
_CURSOR = "matched_upto"
MATCH_BATCH = 250


def matched_upto(archive: Database) -> int:
    """The last article id the matcher has seen: what is newer gets matched next."""
    return int(store.get_state(archive, _CURSOR, "0"))


def compile_rules(config: Config) -> dict[str, Query]:
    """Every rule's parsed query (load_config has checked them)."""
    return {rule.name: rule.parsed for rule in config.alerts.rules}


@dataclass
class MatchReport:
    articles: int = 0
    alerts: dict[str, int] | None = None  # rule -> stories newly alerted
    updates: dict[str, int] | None = None  # rule -> versions sent (or kept for a digest)


def match_new_articles(archive: Database, config: Config) -> MatchReport:
    queries = compile_rules(config)
    matcher = Matcher.build(queries)
    rules = {r.name: r for r in config.alerts.rules}
    report = MatchReport(alerts=defaultdict(int), updates=defaultdict(int))
    while True:
        with write_transaction(archive):
            after = matched_upto(archive)
            # 250 articles at a time: the end of a crawl is its memory peak (issue 21)
            batch = store.articles_after(archive, after, limit=MATCH_BATCH)
            if not batch:
                break
            new = _claim(archive, matcher, rules, batch)
            for name, story_ids in new.items():
                _queue(archive, config, rules[name], queries[name], story_ids)
                report.alerts[name] += len(story_ids)
            for name, n in follow_stories(archive, config, batch).items():
                report.updates[name] += n
            store.set_state(archive, _CURSOR, str(batch[-1]["id"]))
            report.articles += len(batch)
    return report


def _claim(archive: Database, matcher: Matcher, rules: dict[str, Rule],
           batch: list[dict[str, Any]]) -> dict[str, list[int]]:  # fmt: skip
    """Claim (rule, story) for every match; returns the new immediate alerts by rule."""
    now = utc_now()
    new: dict[str, list[int]] = defaultdict(list)
    for article in batch:
        allowed = [n for n, r in rules.items() if not r.sources or article["source"] in r.sources]
        for name in matcher.matches(article["title"], article["body"], allowed):
            digest = rules[name].digest is not None
            story = article["story_id"]
            claimed = store.claim_story(archive, name, story, article["id"], now, digest)
            if claimed and not digest:
                new[name].append(story)
    return new


def story_views(archive: Database, rule: str, story_ids: list[int]) -> list[StoryView]:
    """Each story as the article that matched, its later versions and its other sites."""
    stories = store.story_articles(archive, story_ids)
    matched = store.matched_article(archive, rule, story_ids)
    views = []
    for story_id in story_ids:
        articles = stories.get(story_id) or []
        main = next((a for a in articles if a["id"] == matched.get(story_id)), None)
        if main is None:
            continue
        versions = sorted(
            (a for a in articles if a["source"] == main["source"]),
            key=lambda a: (a["published_at"] or "", a["id"]),
        )  # the newest last
        also = {a["source"]: a["url"] for a in reversed(articles) if a["source"] != main["source"]}
        latest = versions[-1]["url"] if versions[-1]["id"] != main["id"] else ""
        views.append(StoryView(
            story_id, main["title"], main["url"], main["source"], main["published_at"] or "",
            main["body"] or "", tuple(reversed(also.items())), len(versions) - 1, latest,
        ))  # fmt: skip
    return views


def _queue(archive: Database, config: Config, rule: Rule, query: Query, story_ids: list[int],
           digest: bool = False, updated: list[UpdatedStory] | None = None) -> None:  # fmt: skip
    """Queue the alert for `story_ids` (a digest also lists the `updated` stories after them),
    in parts of MAX_STORIES_PER_EMAIL: every story reaches the reader, parts 2.. thread under
    part 1, each subject counts them all. Each story remembers the part it went out in: its
    updates reply to it."""
    views, updated = story_views(archive, rule.name, story_ids), updated or []
    items: list[StoryView | UpdatedStory] = [*views, *updated]
    now = datetime.now(UTC)
    size = MAX_STORIES_PER_EMAIL
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    thread: tuple[str, ...] = ()
    for n, chunk in enumerate(chunks, 1):
        stories = [s for s in chunk if isinstance(s, StoryView)]
        alert = AlertView(
            rule.name, rule.query, describe(query), stories, query.terms(), config.timezone, now,
            config.alerts.hostname, str(config.path.resolve()), total=len(views), part=n,
            parts=len(chunks), first=(n - 1) * size + 1, kind="digest" if digest else "alert",
            updates=[s for s in chunk if isinstance(s, UpdatedStory)], updated=len(updated),
        )  # fmt: skip
        mail = Outgoing(
            rule.name, alert.subject, render_text(alert), render_html(alert), rule.to,
            tuple(s.story_id for s in chunk), rule=rule.name, thread=thread,
        )  # fmt: skip
        message_id = queue_email(archive, config, mail, now)
        news = [s.story_id for s in stories]
        updates_store.mark_alerted(archive, rule.name, news, " ".join([*thread, message_id]))
        thread = thread or (message_id,)


def queue_digest(archive: Database, config: Config, rule_name: str) -> int:
    """Queue one digest of the stories `rule_name` matched since its last digest, and of the
    updates of stories earlier digests told of; returns how many stories it lists."""
    queries = compile_rules(config)
    rule = next(r for r in config.alerts.rules if r.name == rule_name)
    with write_transaction(archive):
        story_ids = store.pending_digest(archive, rule_name)
        updated, versions = digest_updates(archive, rule)
        if story_ids or updated:
            _queue(archive, config, rule, queries[rule_name], story_ids, True, updated)
            store.clear_digest(archive, rule_name, story_ids)
            updates_store.clear_pending_updates(archive, rule_name, versions)
    return len(story_ids) + len(updated)
