"""Matching many phrases at once, and a community's filter as a whole.

`PhraseIndex` is one Aho-Corasick automaton (pyahocorasick) over the padded forms of every phrase
(` inspirante `), so a message costs one pass over its normalised text whatever the number of rules,
and a hit is always on word boundaries (see `normalise`). `RuleMatcher` is a community's filter:
its phrase index, its regex rules (compiled by RE2, see `patterns`) and its exemptions, built once per
version of the rules. A stored pattern RE2 refuses (written by an older version, whose checker let
lookarounds through) is set aside in `disabled` with its reason: it never runs and never raises.

`RuleMatcher.screen` is what the message path awaits. A pattern pass costs at worst the text's bytes
times the patterns' RE2 instructions; when that product is above `HEAVY_WORK` (long messages against
large patterns: a few milliseconds at worst) the pass runs in a worker thread, since RE2 releases the
GIL while it matches, so the event loop never waits on it. Everything else (nearly every message) is
matched inline, where a thread would cost more than the match.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import ahocorasick

from plugins.filters.normalise import phrase_forms
from plugins.filters.patterns import REGEX_TEXT_LIMIT, Pattern, Refusal, compile_pattern, subject

__all__ = ["ACTIONS", "REGEX_TEXT_LIMIT", "Hit", "PhraseIndex", "RuleMatcher", "RuleSpec", "strongest"]

ACTIONS: tuple[str, ...] = ("tag", "flag", "delete")  # weakest first
HEAVY_WORK = 1_000_000  # text bytes x RE2 instructions above which the pattern pass goes to a thread
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

    def __init__(
        self,
        version: int,
        rules: Sequence[RuleSpec],
        exempt_channels: Iterable[str] = (),
        exempt_roles: Iterable[str] = (),
    ) -> None:
        self.version = version
        self.rules = tuple(rules)
        self.phrases: PhraseIndex[RuleSpec] = PhraseIndex((r.phrase, r) for r in rules if not r.is_regex)
        patterns: list[tuple[RuleSpec, Pattern]] = []
        disabled: list[tuple[RuleSpec, Refusal]] = []
        for rule in rules:
            if rule.is_regex:
                compiled = compile_pattern(rule.phrase)
                if isinstance(compiled, Refusal):
                    disabled.append((rule, compiled))
                else:
                    patterns.append((rule, compiled))
        self.patterns = tuple(patterns)
        self.disabled = tuple(disabled)  # stored patterns RE2 refuses: never run, listed with their reason
        self.program_size = sum(p.size for _rule, p in patterns)
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
        """Every rule matching a message (each rule once): phrases on `padded`, patterns on `raw`."""
        if self.empty:
            return []
        hits = self.match_phrases(padded)
        if self.patterns:
            hits += self.match_patterns(subject(raw))
        return hits

    async def screen(self, padded: str, raw: str) -> list[Hit]:
        """`match` for the event loop: a heavy pattern pass (see `HEAVY_WORK`) runs in a worker thread."""
        if self.empty:
            return []
        hits = self.match_phrases(padded)
        if self.patterns:
            data = subject(raw)
            if self.heavy(data):
                hits += await asyncio.to_thread(self.match_patterns, data)
            else:
                hits += self.match_patterns(data)
        return hits

    def heavy(self, data: bytes) -> bool:
        """True when the pattern pass over `data` could take milliseconds (the worst case: RE2's NFA)."""
        return len(data) * self.program_size > HEAVY_WORK

    def match_phrases(self, padded: str) -> list[Hit]:
        """Phrase rules found in a padded normal form, each rule once, in text order."""
        hits: list[Hit] = []
        automaton = self.phrases.automaton
        if automaton is not None:
            seen: set[int] = set()
            for _end, (form, rules) in automaton.iter(padded):
                for rule in rules:
                    if rule.id not in seen:
                        seen.add(rule.id)
                        hits.append(Hit(rule, form, form))
        return hits

    def match_patterns(self, data: bytes) -> list[Hit]:
        """Pattern rules found in `subject()` bytes (thread-safe: RE2 objects may be shared between threads)."""
        hits: list[Hit] = []
        for rule, pattern in self.patterns:
            found = pattern.search(data)
            if found is not None:
                hits.append(Hit(rule, found[:80], rule.phrase))
        return hits


def strongest(hits: Sequence[Hit]) -> str:
    """The strongest action among hits (delete > flag > tag)."""
    return max((h.rule.action for h in hits), key=ACTIONS.index)
