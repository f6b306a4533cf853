"""After a crawl: match new articles against the rules and queue the alerts in the outbox.

A rule alerts a story at most once, ever: the claim on (rule, story) and the outbox rows
are written in one transaction, together with the position the next pass starts from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db import alerts as store
from db import write_transaction
from newswatch.clock import utc_now
from newswatch.config import Config, Rule
from newswatch.query import Query
from scheduler.email import AlertEmail, StoryView
from scheduler.matching import Matcher

MAX_STORIES_PER_EMAIL = 30
_CURSOR = "matched_upto"


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


def match_new_articles(archive: Database, config: Config) -> MatchReport:
    queries = compile_rules(config)
    matcher = Matcher.build(queries)
    rules = {r.name: r for r in config.alerts.rules}
    report = MatchReport(alerts=defaultdict(int))
    while True:
        with write_transaction(archive):
            after = matched_upto(archive)
            batch = store.articles_after(archive, after, limit=1000)
            if not batch:
                break
            new = _claim(archive, matcher, rules, batch)
            for name, story_ids in new.items():
                _queue(archive, config, rules[name], queries[name], story_ids, more=0)
                report.alerts[name] += len(story_ids)
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
    stories = store.story_articles(archive, story_ids)
    matched = store.matched_article(archive, rule, story_ids)
    views = []
    for story_id in story_ids:
        articles = stories.get(story_id) or []
        main = next((a for a in articles if a["id"] == matched.get(story_id)), None)
        if main is None:
            continue
        also = tuple((a["source"], a["url"]) for a in articles if a["source"] != main["source"])
        views.append(StoryView(
            story_id, main["title"], main["url"], main["source"], main["published_at"] or "",
            main["body"] or "", tuple(dict.fromkeys(also)),
        ))  # fmt: skip
    return views


def _queue(archive: Database, config: Config, rule: Rule, query: Query, story_ids: list[int],
           more: int) -> None:  # fmt: skip
    shown = story_ids[:MAX_STORIES_PER_EMAIL]
    more += len(story_ids) - len(shown)
    email = AlertEmail(rule.name, story_views(archive, rule.name, shown), query.terms(),
                       config.timezone, more)  # fmt: skip
    sender = config.alerts.smtp.sender if config.alerts.smtp else "newswatch@localhost"
    now = utc_now()
    rows = [
        {"rule": rule.name, "recipient": to, "message_id": email.message_id,
         "subject": email.subject, "message": email.build(sender, to).as_string(),
         "story_ids": shown, "status": "pending", "attempts": 0, "next_attempt_at": now,
         "last_error": "", "created_at": now, "sent_at": ""}
        for to in rule.to
    ]  # fmt: skip
    store.add_outbox(archive, rows)


def queue_digest(archive: Database, config: Config, rule_name: str) -> int:
    """Queue one digest of the stories `rule_name` matched since its last digest."""
    queries = compile_rules(config)
    rule = next(r for r in config.alerts.rules if r.name == rule_name)
    with write_transaction(archive):
        story_ids = store.pending_digest(archive, rule_name)
        if story_ids:
            _queue(archive, config, rule, queries[rule_name], story_ids, more=0)
            store.clear_digest(archive, rule_name, story_ids)
    return len(story_ids)
