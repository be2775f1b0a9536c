"""The filters' section of the community digest: noise caught per action and the rules that caught the most."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Text, _, n_
from bot.model import CommunityRef
from bot.plugin import DigestSection
from plugins.filters.matcher import ACTIONS
from plugins.filters.repo import FiltersRepo

TOP_RULES = 5


async def noise_section(
    repo: FiltersRepo, community: CommunityRef, start: datetime, end: datetime
) -> DigestSection | None:
    """The section for [start, end), from the hit counts already written (None when nothing was caught)."""
    counts = await repo.hits(community.key, start, end)
    if not counts:
        return None
    per_action = {action: sum(c.hits for c in counts if c.action == action) for action in ACTIONS}
    per_rule: dict[int, tuple[str, int]] = {}
    for c in counts:
        phrase, hits = per_rule.get(c.rule_id, (c.phrase, 0))
        per_rule[c.rule_id] = (phrase, hits + c.hits)
    top = sorted(per_rule.items(), key=lambda item: (-item[1][1], item[0]))[:TOP_RULES]
    figures: dict[str, float | int | None] = {
        "noise_total": sum(per_action.values()),
        "noise_tagged": per_action["tag"],
        "noise_flagged": per_action["flag"],
        "noise_deleted": per_action["delete"],
        "rules_triggered": len(per_rule),
    }
    caught = n_(
        "{count} message caught",
        "{count} messages caught",
        per_action["tag"] + per_action["flag"] + per_action["delete"],
    )
    lines: list[Text] = [
        _(
            "{caught} ({tagged}, {flagged}, {deleted}).",
            caught=caught,
            tagged=n_("{count} tagged as noise", "{count} tagged as noise", per_action["tag"]),
            flagged=n_("{count} flagged", "{count} flagged", per_action["flag"]),
            deleted=n_("{count} deleted", "{count} deleted", per_action["delete"]),
        )
    ]
    lines += [
        n_("Rule “{rule}”: {count} message", "Rule “{rule}”: {count} messages", hits, rule=phrase)
        for _id, (phrase, hits) in top
    ]
    return DigestSection("filters", _("Noise filters"), figures, tuple(lines))
