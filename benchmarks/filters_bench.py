"""Filters: the filter pass (`FiltersPlugin.screen`, exactly as the dispatcher calls it) over synthetic
French/English chat with 1,000 and 10,000 phrase rules, against a bare Aho-Corasick pass over the same
texts already normalised (the floor: one automaton iteration, nothing else). Also the whole dispatcher
with the filters plugin enabled, for scale, and the cost of moderators' patterns on RE2: the patterns a
backtracking engine chokes on, against 2,000-character adversarial messages, next to an ordinary
pattern on the same messages.

`python benchmarks/filters_bench.py [--quick]` prints the figures; `python -m benchmarks --only filters_bench`
runs it with the other suites. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import re
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ahocorasick

from benchmarks.common import bench_app, messages
from bot.model import Message
from bot.plugin import MessageNotes
from plugins.filters.matcher import RuleMatcher, RuleSpec
from plugins.filters.normalise import normalise, normalise_phrase
from plugins.filters.plugin import FiltersPlugin

WORDS = (
    "data",
    "projet",
    "lille",
    "rust",
    "meetup",
    "release",
    "calendrier",
    "article",
    "slides",
    "équipe",
    "roadmap",
    "newsletter",
    "python",
    "export",
    "blog",
    "version",
    "thursday",
    "jeudi",
    "café",
    "idée",
)


def phrases(count: int, seed: int = 11) -> list[str]:
    """Distinct made-up phrases of one to three words, plus a few that real messages contain."""
    rng = random.Random(seed)
    found = {"inspirant", "tag a friend", "comment below", "qu'en pensez-vous"}
    letters = "abcdefghijklmnopqrstuvwxyzéè"
    while len(found) < count:
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(rng.randint(1, 3))]
        found.add(" ".join(words))
    return sorted(found)


def corpus(count: int) -> list[Message]:
    """Synthetic chat, each text made unique by a trailing word and number."""
    rng = random.Random(3)
    return [dataclasses.replace(m, text=f"{m.text} {rng.choice(WORDS)} {i}") for i, m in enumerate(messages(count))]


def bare_pass(texts: list[str], rules: list[str]) -> float:
    """Messages per second for one automaton iteration over pre-normalised texts."""
    automaton = ahocorasick.Automaton()
    for phrase in rules:
        normal = normalise_phrase(phrase)
        automaton.add_word(f" {normal} ", normal)
    automaton.make_automaton()
    padded = [normalise(t) for t in texts]
    started = time.perf_counter()
    for text in padded:
        for _hit in automaton.iter(text):
            pass
    return len(padded) / (time.perf_counter() - started)


async def python_floor(batch: list[Message]) -> tuple[float, float]:
    """(msgs/s awaiting an empty async filter, msgs/s of `normalise` alone): what any filter pass written
    in Python pays per message before it matches anything, measured like the filter pass."""

    async def empty(message: Message, notes: MessageNotes) -> None:
        return None

    notes = MessageNotes()
    started = time.perf_counter()
    for message in batch:
        await empty(message, notes)
    awaited = len(batch) / (time.perf_counter() - started)
    started = time.perf_counter()
    for message in batch:
        normalise(message.text)
    normalised = len(batch) / (time.perf_counter() - started)
    return awaited, normalised


async def filter_pass(path: Path, batch: list[Message], rules: list[str]) -> tuple[float, float, int]:
    """(filter pass msgs/s, whole dispatcher msgs/s, messages tagged) with `rules` as tag rules."""
    async with bench_app(path, {"core": {}, "filters": {"max_rules": 100_000}}) as app:
        plugin = next(p for p in app.registry.plugins if isinstance(p, FiltersPlugin))
        key = batch[0].community.key
        now = app.clock.now()
        await plugin.repo.add_rules(key, [(p, normalise_phrase(p), "tag", False, False) for p in rules], now)
        plugin.engine.changed_rules(key)
        await plugin.engine.rules_for(key)  # build once, outside the timing
        notes = [MessageNotes() for _ in batch]  # the dispatcher makes these; not the filter's cost
        started = time.perf_counter()
        for message, note in zip(batch, notes, strict=True):
            await plugin.screen(message, note)
        screen_rate = len(batch) / (time.perf_counter() - started)
        tagged = sum(bool(n.tags) for n in notes)
        plugin.enforcer.counts.clear()
        started = time.perf_counter()
        for message in batch:
            await app.dispatcher.handle(
                dataclasses.replace(
                    message, ref=dataclasses.replace(message.ref, message_id=message.ref.message_id + "d")
                )
            )
        await app.activity.flush()
        dispatch_rate = len(batch) / (time.perf_counter() - started)
    return screen_rate, dispatch_rate, tagged


async def dispatcher_without_filters(path: Path, batch: list[Message]) -> float:
    """Messages per second through the dispatcher with the core plugin only (the filters' share is the gap)."""
    async with bench_app(path, {"core": {}}) as app:
        started = time.perf_counter()
        for message in batch:
            await app.dispatcher.handle(message)
        await app.activity.flush()
        return len(batch) / (time.perf_counter() - started)


EVIL_PATTERNS = (r"\d+\d+x", r"\w+\s?\w+!", "a*a*a*a*b", "(a+)+$")
ORDINARY_PATTERN = r"\bfree\s+money\b"
# The costliest pattern found under the per-pattern cap (MAX_PROGRAM_SIZE): a counted repeat of an optional
# part makes RE2's DFA run out of memory, and the NFA it falls back on costs text length x program size.
WORST_PATTERN = "(.?){330}x"


def adversarial_texts() -> list[str]:
    """2,000-character messages built to make the patterns above backtrack: long runs that almost match."""
    rng = random.Random(5)
    return [
        "a" * 2000,
        "1" * 2000,
        "a" * 1999 + "!",
        "1" * 1999 + "y",
        ("a " * 1000)[:2000],
        ("ab " * 700)[:2000],
        "é" * 2000,
        "".join(rng.choice("a1 !é") for _ in range(2000)),
        "\ud800" * 1000 + "a" * 1000,
    ]


def pattern_cost(pattern: str, texts: list[str], rounds: int) -> float:
    """Microseconds per message for one regex rule, through `RuleMatcher.match` (as the filter pass calls it)."""
    matcher = RuleMatcher(1, [RuleSpec(1, pattern, "flag", is_regex=True)])
    padded = [normalise(t) for t in texts]
    started = time.perf_counter()
    for _ in range(rounds):
        for normal, text in zip(padded, texts, strict=True):
            matcher.match(normal, text)
    return (time.perf_counter() - started) / (rounds * len(texts)) * 1e6


def backtracking_cost(length: int) -> float:
    """Milliseconds Python's `re` (a backtracking engine) takes for `(a+)+$` on `length` a's and a `!`."""
    pattern = re.compile("(a+)+$")
    started = time.perf_counter()
    pattern.search("a" * length + "!")
    return (time.perf_counter() - started) * 1e3


def regex_rows(quick: bool) -> list[tuple[str, str, str, str]]:
    """Each backtracking classic against the ordinary pattern, on the same adversarial messages."""
    texts = adversarial_texts()
    rounds = 200 if quick else 1000
    ordinary = pattern_cost(ORDINARY_PATTERN, texts, rounds)
    rows = [(f"regex rule {ORDINARY_PATTERN} on 2,000-char adversarial messages", f"{ordinary:.1f} us/msg", "", "1.00")]
    for pattern in EVIL_PATTERNS:
        cost = pattern_cost(pattern, texts, rounds)
        rows.append(
            (
                f"regex rule {pattern} on the same messages (RE2)",
                f"{cost:.1f} us/msg",
                f"{ORDINARY_PATTERN} {ordinary:.1f} us/msg",
                f"{cost / ordinary:.2f}",
            )
        )
    worst = pattern_cost(WORST_PATTERN, texts, max(1, rounds // 100))
    rows.append(
        (
            f"worst crafted pattern under the cap, {WORST_PATTERN}, same messages",
            f"{worst:.1f} us/msg",
            f"{ORDINARY_PATTERN} {ordinary:.1f} us/msg",
            f"{worst / ordinary:.0f}",
        )
    )
    for length in (16, 20):
        rows.append(
            (
                f"for scale: Python re, (a+)+$ on {length} a's and '!'",
                f"{backtracking_cost(length):.1f} ms",
                "",
                "doubles with each character",
            )
        )
    return rows


async def run(quick: bool) -> list[tuple[str, str, str, str]]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    count = 20_000 if quick else 100_000
    batch = corpus(count)
    texts = [m.text for m in batch]
    rows: list[tuple[str, str, str, str]] = regex_rows(quick)
    with tempfile.TemporaryDirectory() as tmp:
        results: list[tuple[int, float, float, float, int]] = []
        for size in (1_000, 10_000):
            rules = phrases(size)
            bare = bare_pass(texts, rules)
            results.append((size, bare, *await filter_pass(Path(tmp) / f"f{size}.db", batch, rules)))
        plain = await dispatcher_without_filters(Path(tmp) / "plain.db", batch)
        awaited, normalised = await python_floor(batch)
        for size, bare, screen, dispatch, tagged in results:
            rows.append(
                (
                    f"filter pass, {size:,} phrases, {count:,} msgs ({tagged:,} tagged)",
                    f"{screen:,.0f} msg/s",
                    f"bare automaton {bare:,.0f} msg/s",
                    f"{screen / bare:.2f}",
                )
            )
            rows.append(
                (
                    f"filter pass vs target, {size:,} phrases",
                    f"{screen:,.0f} msg/s",
                    "target 150,000 msg/s",
                    f"{screen / 150_000:.2f} of target",
                )
            )
            rows.append(
                (
                    f"dispatcher + activity writer with filters, {size:,} phrases",
                    f"{dispatch:,.0f} msg/s",
                    f"same without filters {plain:,.0f} msg/s",
                    f"{dispatch / plain:.2f}",
                )
            )
            # The best ratio any Python filter pass could reach: the automaton plus one await and one
            # normalisation per message, and nothing else (times per message add up).
            ceiling = 1 / (1 / bare + 1 / awaited + 1 / normalised)
            rows.append(
                (
                    f"ceiling: automaton + one await + normalise, {size:,} phrases",
                    f"{ceiling:,.0f} msg/s",
                    f"await alone {awaited:,.0f} msg/s, normalise alone {normalised:,.0f} msg/s",
                    f"{ceiling / bare:.2f}",
                )
            )
    return rows


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(prog="benchmarks/filters_bench.py")
    parser.add_argument("--quick", action="store_true", help="20,000 messages instead of 100,000")
    args = parser.parse_args()
    for name, figure, baseline, ratio in asyncio.run(run(args.quick)):
        print(f"{name}: {figure} | {baseline} | ratio {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
