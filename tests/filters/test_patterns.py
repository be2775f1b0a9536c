"""Moderators' patterns on RE2: what is accepted and how it matches, what is refused and how it is said,
and crafted texts (long runs, lone surrogates, NULs, bidi overrides) that must never make a pattern raise."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import Text, Translator
from bot.registry import locale_roots
from plugins.filters.matcher import RuleMatcher, RuleSpec
from plugins.filters.normalise import normalise
from plugins.filters.patterns import (
    MAX_PATTERN_LENGTH,
    REGEX_TEXT_LIMIT,
    Pattern,
    Refusal,
    compile_pattern,
    regex_problem,
    subject,
)
from tests.filters.fakes import PATTERN_TOKENS, crafted_texts

TRANSLATOR = Translator.load(locale_roots(["core", "filters"]))
EVIL = [r"\d+\d+x", r"\w+\s?\w+!", "a*a*a*a*b", "(a+)+$"]
# English words of RE2's own error texts: none may reach a moderator.
LIBRARY_WORDS = (
    "invalid escape sequence",
    "invalid perl operator",
    "bad repetition operator",
    "missing )",
    "missing ]",
    "unexpected )",
    "trailing \\",
    "no argument for repetition operator",
    "invalid repetition size",
    "invalid character class",
    "invalid named capture group",
    "pattern too large",
    "compile failed",
    "re2",
    "RE2",
)


def render(text: Text, locale: str) -> str:
    return TRANSLATOR.render(text, locale)


def compiled(pattern: str) -> Pattern:
    result = compile_pattern(pattern)
    assert isinstance(result, Pattern), pattern
    return result


def found(pattern: str, text: str) -> str | None:
    return compiled(pattern).search(subject(text))


@pytest.mark.parametrize("pattern", EVIL)
@pytest.mark.parametrize(
    "text",
    [
        "1" * 2000,
        "a" * 2000,
        ("ab " * 700)[:2000],
        "a" * 1999 + "!",
        "a" * 1000 + "1" * 1000,
        "\u202e" * 2000,
        "\ud800" * 2000,
    ],
)
def test_the_backtracking_classics_are_accepted_and_finish_on_2000_characters(pattern: str, text: str) -> None:
    """Python's `re` takes seconds to years on these pairs; RE2 answers in one pass (the answer is checked
    against a plain reading of the text)."""
    assert regex_problem(pattern) is None
    expected = {
        r"\d+\d+x": None,
        r"\w+\s?\w+!": "a" * 1999 + "!" if text == "a" * 1999 + "!" else None,
        "a*a*a*a*b": "ab" if "ab" in text else None,
        "(a+)+$": "a" * 2000 if text == "a" * 2000 else None,
    }[pattern]
    assert found(pattern, text) == expected


def test_the_classics_match_what_they_should() -> None:
    assert found(r"\d+\d+x", "prix 1234X") == "1234X"  # case-insensitive, like every rule
    assert found(r"\w+\s?\w+!", "free money!") == "free money!"
    assert found("a*a*a*a*b", "aaab") == "aaab"
    assert found("(a+)+$", "blah AAA") == "AAA"
    assert found("(a+)+$", "aaa blah") is None


def test_unicode_text_matches_case_insensitively() -> None:
    assert found("élèves", "les ÉLÈVES") == "ÉLÈVES"
    assert found(r"\pL+ gratuit", "Crédit GRATUIT") == "Crédit GRATUIT"
    assert found(r"d['’]accord\s?\?\s*$", "D’ACCORD ?") == "D’ACCORD ?"


def test_a_pattern_sees_the_first_2000_characters_only() -> None:
    assert found("needle", "x" * (REGEX_TEXT_LIMIT - 6) + "needle") == "needle"
    assert found("needle", "x" * REGEX_TEXT_LIMIT + "needle") is None


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(\w+)\s\1", "Backreferences"),
        ("(?P<w>a)(?P=w)", "Backreferences"),
        ("free(?=money)", "Lookaheads and lookbehinds"),
        ("(?<!not )spam", "Lookaheads and lookbehinds"),
        ("(?<=a)b", "Lookaheads and lookbehinds"),
        ("a++", "Possessive repeats"),
        ("(?>ab|a)c", "Possessive repeats"),
        ("(?(1)a|b)", "The group (?(…) is not supported"),
        ("(?#note)spam", "The group (?#…) is not supported"),
        (r"spam\Z", r"The escape \Z is not supported"),
        (r"caf\u00e9", r"The escape \u is not supported"),
        ("a**", "Two repeats follow each other"),
        ("a{1001}", "A repeat count is over 1,000"),
        ("a{5,2}", "its bounds are reversed"),
        ("*spam", "has nothing before it to repeat"),
        ("(spam", "parentheses are not balanced"),
        ("spam)", "parentheses are not balanced"),
        ("[a-", "is not closed"),
        ("spam\\", "ends with a lone"),
        ("[z-a]", "A character class or range is not valid"),
        (r"\p{Klingon}", "A character class or range is not valid"),
        ("(?P<x y>a)", "A group name is not valid"),
        (".{900}", "too large a matching program"),
        (r"(\pL+\s?){20}!", "too large a matching program"),
        ("a*", "matches an empty text"),
        ("spam|", "matches an empty text"),
        ("a" * (MAX_PATTERN_LENGTH + 1), "longer than 200 characters"),
        ("spam\ud800", "lone surrogates"),
    ],
)
def test_refusals_say_what_is_not_supported_in_words(pattern: str, words: str) -> None:
    refusal = regex_problem(pattern)
    assert isinstance(refusal, Refusal)
    reason, hint = render(refusal.reason, "en"), render(refusal.hint, "en")
    assert words in reason
    assert hint and hint != reason
    for text in (reason, hint, render(refusal.reason, "fr"), render(refusal.hint, "fr")):
        assert not any(word in text for word in LIBRARY_WORDS), text
    assert render(refusal.reason, "fr") != reason  # translated


def test_refusals_in_french() -> None:
    backreference = regex_problem(r"(\w+)\s\1")
    assert backreference is not None
    assert render(backreference.reason, "fr").startswith("Les références arrière comme \\1")
    assert "Décrivez le texte lui-même" in render(backreference.hint, "fr")
    lookahead = regex_problem("free(?=money)")
    assert lookahead is not None and "ne sont pas prises en charge\u202f:" in render(lookahead.reason, "fr")
    count = regex_problem("a{2000}")
    assert count is not None and "dépasse 1\u202f000" in render(count.reason, "fr")


@pytest.mark.parametrize(
    "pattern",
    [
        "foo|bar",
        "(ab|cd)+",
        r"\bfree\s+money\b",
        "[a-z]+@[a-z]+",
        r"https?://bit\.ly/\w+",
        "x{2,}",
        r"\bagree\s?\?\s*$",
        "(?:ab|cd)*e",
        "^gagne[rz]? .{0,20} euros",
        r"(a|a)*b",
        r"(.*)*x",
        r"(\w+\s?)*!",
        "(?i)SPAM",
        r"\x{e9}t\x{e9}",
        "(?P<word>spam)",
        r"spam\z",
    ],
)
def test_ordinary_patterns_and_former_refusals_are_accepted(pattern: str) -> None:
    assert regex_problem(pattern) is None


@pytest.mark.parametrize(
    "text", ["\ud800", "a\udfffb", "\udc80" * 5000, "x\x00y", "\u202espam\u202c", "\ud83d\ude00 spam"]
)
def test_odd_code_points_never_make_matching_raise(text: str) -> None:
    matcher = RuleMatcher(1, [RuleSpec(1, "spam", "tag", is_regex=True), RuleSpec(2, "a.b", "flag", is_regex=True)])
    hits = matcher.match(normalise(text), text)
    assert {h.rule.id for h in hits} == {i for i, p in ((1, "spam"), (2, "a")) if p in text and (i == 1 or "b" in text)}


def test_a_lone_surrogate_is_one_replacement_character() -> None:
    assert found("a.b", "a\ud800b") == "a\ufffdb"


# ---------------------------------------------------------------- fuzzing

CRAFTED = crafted_texts("x")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PATTERN_TOKENS), min_size=1, max_size=12).map("".join), CRAFTED)
def test_any_pattern_is_refused_in_words_or_runs_on_any_text(pattern: str, text: str) -> None:
    result = compile_pattern(pattern)
    if isinstance(result, Refusal):
        for locale in ("en", "fr"):
            reason = render(result.reason, locale)
            assert reason and not any(word in reason for word in LIBRARY_WORDS)
        return
    matcher = RuleMatcher(1, [RuleSpec(1, pattern, "flag", is_regex=True), RuleSpec(2, "everyone", "tag")])
    hits = matcher.match(normalise(text), text)
    for hit in hits:
        hit.found.encode("utf-8")  # storable and sendable: no lone surrogate comes back out
    # A pattern that matched must match again the text it found (the found text is what moderators see).
    regex_hit = next((h for h in hits if h.rule.id == 1), None)
    if regex_hit is not None and "\ufffd" not in regex_hit.found and len(regex_hit.found) < 80:
        assert (
            result.search(subject(regex_hit.found)) is not None or "$" in pattern or "^" in pattern or r"\b" in pattern
        )
