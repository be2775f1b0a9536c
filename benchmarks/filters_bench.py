"""Filters: the filter pass (`FiltersPlugin.screen`, exactly as the dispatcher calls it) over synthetic
French/English chat with 1,000 and 10,000 phrase rules, against a bare Aho-Corasick pass over the same
texts already normalised (the floor: one automaton iteration, nothing else). Also the whole dispatcher
with the filters plugin enabled, for scale.

`python benchmarks/filters_bench.py [--quick]` prints the figures; `python -m benchmarks --only filters_bench`
runs it with the other suites. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
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
from plugins.filters.normalise import normalise, normalise_phrase
from plugins.filters.plugin import FiltersPlugin

WORDS = ("data", "projet", "lille", "rust", "meetup", "release", "calendrier", "article", "slides", "équipe",
         "roadmap", "newsletter", "python", "export", "blog", "version", "thursday", "jeudi", "café", "idée")


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
            await app.dispatcher.handle(dataclasses.replace(message, ref=dataclasses.replace(
                message.ref, message_id=message.ref.message_id + "d")))
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


async def run(quick: bool) -> list[tuple[str, str, str, str]]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    count = 20_000 if quick else 100_000
    batch = corpus(count)
    texts = [m.text for m in batch]
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        results: list[tuple[int, float, float, float, int]] = []
        for size in (1_000, 10_000):
            rules = phrases(size)
            bare = bare_pass(texts, rules)
            results.append((size, bare, *await filter_pass(Path(tmp) / f"f{size}.db", batch, rules)))
        plain = await dispatcher_without_filters(Path(tmp) / "plain.db", batch)
        awaited, normalised = await python_floor(batch)
        for size, bare, screen, dispatch, tagged in results:
            rows.append((f"filter pass, {size:,} phrases, {count:,} msgs ({tagged:,} tagged)",
                         f"{screen:,.0f} msg/s", f"bare automaton {bare:,.0f} msg/s", f"{screen / bare:.2f}"))
            rows.append((f"filter pass vs target, {size:,} phrases", f"{screen:,.0f} msg/s", "target 150,000 msg/s",
                         f"{screen / 150_000:.2f} of target"))
            rows.append((f"dispatcher + activity writer with filters, {size:,} phrases", f"{dispatch:,.0f} msg/s",
                         f"same without filters {plain:,.0f} msg/s", f"{dispatch / plain:.2f}"))
            # The best ratio any Python filter pass could reach: the automaton plus one await and one
            # normalisation per message, and nothing else (times per message add up).
            ceiling = 1 / (1 / bare + 1 / awaited + 1 / normalised)
            rows.append((f"ceiling: automaton + one await + normalise, {size:,} phrases", f"{ceiling:,.0f} msg/s",
                         f"await alone {awaited:,.0f} msg/s, normalise alone {normalised:,.0f} msg/s",
                         f"{ceiling / bare:.2f}"))
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
