"""Matching many phrases at once, and checking moderators' regular expressions before they run.

`PhraseIndex` is one Aho-Corasick automaton (pyahocorasick) over the padded forms of every phrase
(` inspirante `), so a message costs one pass over its normalised text whatever the number of rules,
and a hit is always on word boundaries (see `normalise`). `RuleMatcher` is a community's filter:
its phrase index, its regex rules and its exemptions, built once per version of the rules.

`regex_problem` refuses patterns that do not compile and patterns prone to catastrophic backtracking,
with a conservative static check of the parsed pattern (`re._parser`, the parser `re` itself uses):

- a repeat that may run many times (`*`, `+`, `{2,}`) around another such repeat: `(a+)+`, `(.*)*`;
- such a repeat around alternatives that are empty or may start with the same character: `(a|a)*`,
  `(a|ab)*` — the engine may try every split of the input between them;
- such a repeat around something that may match the empty string: `(a?)*`;
- backreferences (`\\1`), whose cost cannot be bounded statically.

Anything it cannot prove simple is refused; the text a regex runs on is also capped (`REGEX_TEXT_LIMIT`),
which bounds the polynomial cases (`\\d+\\d+x`) that remain.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import ahocorasick

from bot.i18n import Msg, _
from plugins.filters.normalise import phrase_forms

# The parser behind `re` (Python 3.11+; `sre_parse` is its deprecated alias). It is private, hence untyped.
sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")

__all__ = ["ACTIONS", "REGEX_TEXT_LIMIT", "Hit", "PhraseIndex", "RuleMatcher", "RuleSpec", "regex_problem", "strongest"]

ACTIONS: tuple[str, ...] = ("tag", "flag", "delete")  # weakest first
REGEX_TEXT_LIMIT = 2000  # characters of a message a regex rule runs on
MAX_PATTERN_LENGTH = 200
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A filter rule as the matcher sees it."""

    id: int
    phrase: str
    action: str
    is_regex: bool = False
    builtin: bool = False
    label: str = ""  # the phrase as typed; `phrase` is its normal form (or the pattern)

    @property
    def shown(self) -> str:
        """What members see: the phrase as typed."""
        return self.label or self.phrase


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that matched: what was found and the normal form (or pattern) that found it."""

    rule: RuleSpec
    found: str
    normal: str


class PhraseIndex(Generic[T]):
    """An Aho-Corasick automaton from normalised phrases (all their forms) to payloads."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        by_form: dict[str, list[T]] = {}
        for normal, payload in entries:
            for form in phrase_forms(normal):
                by_form.setdefault(form, []).append(payload)
        self.size = len(by_form)
        self.automaton: Any = None  # pyahocorasick is untyped
        if by_form:
            automaton = ahocorasick.Automaton()
            for form, payloads in by_form.items():
                automaton.add_word(f" {form} ", (form, tuple(payloads)))
            automaton.make_automaton()
            self.automaton = automaton

    def find(self, padded: str) -> Iterator[tuple[str, tuple[T, ...]]]:
        """Every (form, payloads) found in a padded normalised text, in text order."""
        if self.automaton is None:
            return
        for _end, value in self.automaton.iter(padded):
            yield value


class RuleMatcher:
    """A community's filter rules, compiled; immutable once built (rebuilt when the rules change)."""

    def __init__(self, version: int, rules: Sequence[RuleSpec], exempt_channels: Iterable[str] = (),
                 exempt_roles: Iterable[str] = ()) -> None:
        self.version = version
        self.rules = tuple(rules)
        self.phrases: PhraseIndex[RuleSpec] = PhraseIndex(
            (r.phrase, r) for r in rules if not r.is_regex)
        self.patterns = tuple((r, re.compile(r.phrase, re.IGNORECASE)) for r in rules if r.is_regex)
        self.exempt_channels = frozenset(exempt_channels)
        self.exempt_roles = frozenset(exempt_roles)
        self.empty = self.phrases.size == 0 and not self.patterns
        self.has_exemptions = bool(self.exempt_channels or self.exempt_roles)

    def exempt(self, channel_id: str, roles: frozenset[str]) -> bool:
        """True when the channel or one of the author's roles is exempt."""
        if not self.has_exemptions:
            return False
        return channel_id in self.exempt_channels or bool(roles and not self.exempt_roles.isdisjoint(roles))

    def match(self, padded: str, raw: str) -> list[Hit]:
        """Every rule matching a message (each rule once): phrases on `padded`, regexes on `raw`."""
        hits: list[Hit] = []
        if self.empty:
            return hits
        automaton = self.phrases.automaton
        if automaton is not None:
            seen: set[int] = set()
            for _end, (form, rules) in automaton.iter(padded):
                for rule in rules:
                    if rule.id not in seen:
                        seen.add(rule.id)
                        hits.append(Hit(rule, form, form))
        if self.patterns:
            capped = raw[:REGEX_TEXT_LIMIT]
            for rule, pattern in self.patterns:
                found = pattern.search(capped)
                if found is not None:
                    hits.append(Hit(rule, found.group(0)[:80], rule.phrase))
        return hits


def strongest(hits: Sequence[Hit]) -> str:
    """The strongest action among hits (delete > flag > tag)."""
    return max((h.rule.action for h in hits), key=ACTIONS.index)


# ---------------------------------------------------------------- regex safety


def regex_problem(pattern: str) -> Msg | None:
    """Why a moderator's pattern is refused, or None when it compiles and looks safe."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return _("The pattern is longer than {limit} characters.", limit=MAX_PATTERN_LENGTH)
    try:
        re.compile(pattern, re.IGNORECASE)
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        return _("The pattern does not compile: {error}.", error=str(exc))
    return _walk(list(parsed), inside_repeat=False)


_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)}


def _walk(items: list[tuple[Any, Any]], *, inside_repeat: bool) -> Msg | None:
    """Refuse nested unbounded repeats, ambiguous or nullable repeated bodies, backreferences."""
    for op, av in items:
        if op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
            return _("Backreferences such as \\1 are not allowed in filters.")
        if op in _REPEATS:
            _low, high, body = av
            many = high > 1
            if many and inside_repeat:
                return _("A repeat inside a repeat, such as (a+)+ or (.*)*, can take forever on some texts.")
            if many and _nullable(list(body)):
                return _("A repeated part that can match nothing, such as (a?)*, can take forever on some texts.")
            if many and _ambiguous(list(body)):
                return _("Repeated alternatives that can match the same text, such as (a|a)*, "
                         "can take forever on some texts.")
            problem = _walk(list(body), inside_repeat=inside_repeat or many)
        else:
            problem = _walk_children(op, av, inside_repeat)
        if problem is not None:
            return problem
    return None


def _walk_children(op: Any, av: Any, inside_repeat: bool) -> Msg | None:
    for child in _children(op, av):
        problem = _walk(child, inside_repeat=inside_repeat)
        if problem is not None:
            return problem
    return None


def _children(op: Any, av: Any) -> list[list[tuple[Any, Any]]]:
    """The sub-patterns of a group, a branch or an assertion."""
    if op is sre_constants.SUBPATTERN:
        return [list(av[3])]
    if op is sre_constants.BRANCH:
        return [list(alt) for alt in av[1]]
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [list(av[1])]
    if op is getattr(sre_constants, "ATOMIC_GROUP", None):
        return [list(av)]
    return []


def _nullable(items: list[tuple[Any, Any]]) -> bool:
    """True when the items may match the empty string."""
    for op, av in items:
        if op in _REPEATS:
            if av[0] > 0 and not _nullable(list(av[2])):
                return False
        elif op is sre_constants.SUBPATTERN:
            if not _nullable(list(av[3])):
                return False
        elif op is sre_constants.BRANCH:
            if not any(_nullable(list(alt)) for alt in av[1]):
                return False
        elif op not in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            return False
    return True


def _ambiguous(items: list[tuple[Any, Any]]) -> bool:
    """True when the items hold alternatives that are empty, or do not all start with distinct literals."""
    for op, av in items:
        if op is sre_constants.BRANCH:
            firsts: list[int] = []
            for alt in av[1]:
                alt = list(alt)
                if not alt or alt[0][0] is not sre_constants.LITERAL:
                    return True
                firsts.append(alt[0][1])
            if len(set(firsts)) != len(firsts):
                return True
            if any(_ambiguous(list(alt)) for alt in av[1]):
                return True
        elif op is sre_constants.IN:
            members = [m for m in av if m[0] is sre_constants.LITERAL]
            if len(members) != len({m[1] for m in members}):
                return True
        elif op is sre_constants.SUBPATTERN and _ambiguous(list(av[3])):
            return True
    return False
