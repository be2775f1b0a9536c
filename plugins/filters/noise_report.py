"""The filters' section of the community digest: messages caught (by the community's own rules, "noise", and
by the built-in bait list, "bait"), per action taken, their share of the messages posted in the period, and
the rules that caught the most. Typed metrics: the digest compares each with the previous period."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Text, _, n_
from bot.model import CommunityRef
from bot.plugin import DigestSection, Metric
from plugins.filters.matcher import ACTIONS
from plugins.filters.repo import MESSAGES_BAIT, MESSAGES_NOISE, FiltersRepo, HitCount

TOP_RULES = 5


def metrics(counts: list[HitCount], posted: int | None) -> tuple[Metric, ...]:
    """The figures from the hit counts of a period and the messages posted in it (None: not recorded).

    Messages are counted once each (the message rows); hours written before those rows existed have only
    the per-rule counts: their messages are counted per rule (a message two rules caught counts twice) and
    bait is not told apart (no data)."""
    rules = [c for c in counts if c.rule_id > 0]
    messages = [c for c in counts if c.rule_id <= 0]
    if messages or not rules:
        per_action = {action: sum(c.hits for c in messages if c.action == action) for action in ACTIONS}
        bait: int | None = sum(c.hits for c in messages if c.rule_id == MESSAGES_BAIT)
        noise = sum(c.hits for c in messages if c.rule_id == MESSAGES_NOISE)
    else:
        per_action = {action: sum(c.hits for c in rules if c.action == action) for action in ACTIONS}
        bait, noise = None, sum(per_action.values())
    total = sum(per_action.values())
    return (
        Metric("noise_total", _("Messages caught"), total),
        Metric("noise_caught", _("Caught by the community's rules"), noise),
        Metric("bait_caught", _("Caught by the built-in bait list"), bait),
        Metric("noise_share", _("Share of messages caught as noise or bait"), _share(total, posted), "share"),
        Metric("noise_tagged", _("Tagged as noise"), per_action["tag"]),
        Metric("noise_flagged", _("Flagged to the moderators"), per_action["flag"]),
        Metric("noise_deleted", _("Deleted"), per_action["delete"]),
        Metric("rules_triggered", _("Rules that caught a message"), len({c.rule_id for c in rules})),
    )


def _share(caught: int, posted: int | None) -> float | None:
    """Caught / posted; None without messages recorded (no data, never 0 %). Capped at 1: a message
    caught after an edit in a later period is caught there but was posted before."""
    if not posted:
        return None
    return round(min(1.0, caught / posted), 4)


async def noise_section(
    repo: FiltersRepo, community: CommunityRef, start: datetime, end: datetime, timezone: str
) -> DigestSection | None:
    """The section for [start, end), from the hit counts already written; None when the community has no
    rule (the filters unused). A period that caught nothing gets its zeros, so the next one compares."""
    counts = await repo.hits(community.key, start, end)
    if not counts and not await repo.has_rules(community.key):
        return None
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).date().isoformat()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date().isoformat()
    values = metrics(counts, await repo.messages_posted(community.key, first, last))
    # Per phrase, not per rule id: a rule removed and added again is one line, never listed twice.
    per_rule: dict[str, tuple[int, int]] = {}
    for c in counts:
        if c.rule_id <= 0:
            continue
        first_id, hits = per_rule.get(c.phrase, (c.rule_id, 0))
        per_rule[c.phrase] = (min(first_id, c.rule_id), hits + c.hits)
    top = sorted(per_rule.items(), key=lambda item: (-item[1][1], item[1][0]))[:TOP_RULES]
    lines: list[Text] = [
        n_("Rule “{rule}”: {count} message", "Rule “{rule}”: {count} messages", hits, rule=phrase)
        for phrase, (_id, hits) in top
    ]
    if len(per_rule) > TOP_RULES:
        lines.append(n_("…and {count} more rule.", "…and {count} more rules.", len(per_rule) - TOP_RULES))
    return DigestSection("filters", _("Noise filters"), {m.key: m.value for m in values}, tuple(lines), values)
