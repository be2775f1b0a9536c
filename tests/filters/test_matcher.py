"""Rule matching and the regex safety check."""

from __future__ import annotations

import pytest

from plugins.filters.matcher import REGEX_TEXT_LIMIT, RuleMatcher, RuleSpec, regex_problem, strongest
from plugins.filters.normalise import normalise


@pytest.mark.parametrize("pattern", [
    "(a+)+", "(a|a)*", "(.*)*", "(a|ab)*", "(a?)*", r"(\w+\s?)*", r"(\d+)x\1", "(a{1,3})+", "(?:x+y?)+$",
    "((ab)*c)*", "(", "[a-", "a" * 201,
])
def test_dangerous_or_broken_patterns_are_refused(pattern: str) -> None:
    assert regex_problem(pattern) is not None


@pytest.mark.parametrize("pattern", [
    "foo|bar", "(ab|cd)+", r"\bfree\s+money\b", "[a-z]+@[a-z]+", r"https?://bit\.ly/\w+", "x{2,}",
    r"\bagree\s?\?\s*$", "(?:ab|cd)*e", "^gagne[rz]? .{0,20} euros",
])
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert regex_problem(pattern) is None


def test_a_refusal_says_why() -> None:
    problem = regex_problem("(a+)+")
    assert problem is not None and "repeat inside a repeat" in problem.msgid
    broken = regex_problem("(")
    assert broken is not None and "does not compile" in broken.msgid


def test_matcher_reports_each_rule_once_with_what_it_found() -> None:
    rules = [RuleSpec(1, "inspirant", "tag", label="Inspirant"), RuleSpec(2, "la data", "flag"),
             RuleSpec(3, r"free\s+money", "delete", is_regex=True)]
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
