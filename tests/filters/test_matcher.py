"""Rule matching: phrases, patterns, what was found, exemptions (RE2 itself: test_patterns.py)."""

from __future__ import annotations

from plugins.filters.matcher import REGEX_TEXT_LIMIT, RuleMatcher, RuleSpec, strongest
from plugins.filters.normalise import normalise


def test_matcher_reports_each_rule_once_with_what_it_found() -> None:
    rules = [
        RuleSpec(1, "inspirant", "tag", label="Inspirant"),
        RuleSpec(2, "la data", "flag"),
        RuleSpec(3, r"free\s+money", "delete", is_regex=True),
    ]
    matcher = RuleMatcher(1, rules)
    text = "Inspirante et inspirants : LA DATA. FREE   money!"
    hits = matcher.match(normalise(text), text)
    assert [(h.rule.id, h.found) for h in hits] == [(1, "inspirante"), (2, "la data"), (3, "FREE   money")]
    assert strongest(hits) == "delete"
    assert hits[0].rule.shown == "Inspirant"


def test_regex_runs_on_a_capped_text() -> None:
    matcher = RuleMatcher(1, [RuleSpec(1, "needle", "tag", is_regex=True)])
    text = "x" * REGEX_TEXT_LIMIT + "needle"
    assert matcher.match(normalise(text), text) == []


def test_exemptions() -> None:
    matcher = RuleMatcher(1, [RuleSpec(1, "spam", "tag")], exempt_channels=["mods"], exempt_roles=["staff"])
    assert matcher.exempt("mods", frozenset())
    assert matcher.exempt("general", frozenset({"staff", "x"}))
    assert not matcher.exempt("general", frozenset({"x"}))
    assert RuleMatcher(1, []).empty
