"""Question detection on real chat: precision, recall and F1 per language on the HELD-OUT split of
`benchmarks/questions/data` (never used to tune anything) for the rules alone (`detector.is_question`), the
model alone (`plugins/questions/model.py` at its trained threshold) and the combination the bot ships
(`model.asks`, falling back to the rules where no model covers the language), as the tracker runs them;
then the detector path's speed over a mixed stream of those texts, the rules alone being the baseline of
the same run, and its cost on hostile inputs (a 50 KB paste, 2,000 dots, an emoji flood...).

The language is the one the data gives (the detection step, `bot/language.py`, costs the same with or without
the model and is measured by `ingest`).

`python benchmarks/questions_bench.py [--quick]` prints the figures and the model's own record (the
cross-validation on the training split that chose it); `python -m benchmarks --only questions_bench` runs it
with the other suites. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plugins.questions import detector, model

DATA = Path(__file__).resolve().parent / "questions" / "data"
Row = tuple[str, str, str, str]
Predict = Callable[[str, str], bool]

# The targets on the held-out split.
TARGET_F1 = {"en": 0.85, "fr": 0.92}
TARGET_PRECISION = 0.88

HOSTILE: tuple[tuple[str, str], ...] = (
    ("50 KB paste of prose", ("so I was thinking we could move the meetup to thursday because " * 800)[:50_000]),
    ("50 KB paste ending with ?", ("how do I fix this error in my build " * 1400)[:49_999] + "?"),
    ("50 KB word without a space", "a" * 50_000),
    ("2,000 dots", "." * 2000),
    ("20,000 separators", ".,;: " * 4000),
    ("emoji flood (10,000)", "😀🎉" * 5000),
    ("custom emoji flood", "<:party:123456789012345678> " * 1800),
)


def rules(text: str, language: str) -> bool:
    """The rules as the tracker runs them: the pre-check on every message, the table on candidates."""
    return detector.is_candidate(text) and detector.is_question(text, language)


def shipped_path(text: str, language: str) -> bool:
    """What the bot decides: `model.verdict`, behind the tracker's pre-check (`detector.is_candidate`)."""
    return detector.is_candidate(text) and model.verdict(text, language)


def _evaluation() -> Any | None:
    try:
        return importlib.import_module("benchmarks.questions.evaluate")
    except ModuleNotFoundError:
        return None


def languages() -> list[str]:
    """The languages with a held-out file, English and French first."""
    found = sorted(p.name.split(".")[0] for p in DATA.glob("*.heldout.tsv"))
    return sorted(found, key=lambda lang: (lang not in ("en", "fr"), lang))


def _scores(evaluate: Any, predict: Predict, examples: Sequence[Any], language: str) -> Any:
    return evaluate.score(predict, examples, language)


def _cell(scores: Any) -> str:
    return (
        f"P {scores.precision:.3f} R {scores.recall:.3f} F1 {scores.f1:.3f} "
        f"(tp {scores.tp}, fp {scores.fp}, fn {scores.fn} of {scores.count})"
    )


def quality(evaluate: Any, language: str, examples: Sequence[Any], split: str) -> list[Row]:
    """On the `split` of `language`: the rules; each combination at the thresholds the cross-validation on
    the training split chose for it (the weights file's record); the combination the bot ships, through
    its own path (the tracker's pre-check, then `model.verdict`)."""
    base = _scores(evaluate, rules, examples, language)
    target = TARGET_F1.get(language)
    goal = (
        f"target F1 >= {target:.2f}, P >= {TARGET_PRECISION:.2f}" if target else f"target P >= {TARGET_PRECISION:.2f}"
    )
    rows: list[Row] = [(f"questions {language}, {split}, rules", _cell(base), goal, "")]
    shipped = model.shipped()
    entry = shipped.languages.get(language) if shipped is not None else None
    if shipped is None or entry is None:
        rows.append((f"questions {language}, {split}, model", "no model for this language", "", ""))
        return rows
    # Each message's facts and probability once; each combination then decides from them.
    known = {e.text: (model.facts(e.text, language), shipped.probability(e.text, language) or 0.0) for e in examples}
    record = shipped.meta.get("cross_validation", {}).get(language, {})
    for name in model.COMBINATIONS[1:]:
        chosen = record.get(name)
        if chosen is None:
            continue
        decision = model.Decision(name, float(chosen["threshold"]), float(chosen.get("confirm") or 0.0))

        def predict(text: str, _language: str, decision: model.Decision = decision) -> bool:
            facts, probability = known[text]
            return decision.decide(facts, lambda: probability)

        scores = _scores(evaluate, predict, examples, language)
        rows.append(
            (
                f"questions {language}, {split}, {describe(decision)}",
                _cell(scores),
                f"rules F1 {base.f1:.3f}",
                f"{scores.f1 / base.f1:.3f}" if base.f1 else "",
            )
        )
    combined = _scores(evaluate, shipped_path, examples, language)
    rows.append(
        (
            f"questions {language}, {split}, SHIPPED: {describe(entry.decision)}",
            _cell(combined),
            goal,
            f"{combined.f1 / base.f1:.3f} of rules F1" if base.f1 else "",
        )
    )
    rows.extend(_breakdown(evaluate, language, examples, split))
    return rows


def _without_marks(text: str) -> str:
    """The message as typed by someone who never writes a question mark."""
    return text.replace("?", " ").replace("？", " ").replace("¿", " ").strip()


def _breakdown(evaluate: Any, language: str, examples: Sequence[Any], split: str) -> list[Row]:
    """The shipped path per corpus (a headline can hide a corpus: DailyDialog is easy, STAC is typed
    chat), then on the same messages with every question mark removed (how many questions the wording
    alone gives away: a stress figure, not a target)."""
    rows: list[Row] = []
    for corpus, scores in evaluate.by_corpus(shipped_path, examples, language).items():
        rows.append((f"questions {language}, {split}, shipped, {corpus} only", _cell(scores), "", ""))
    bare = [type(e)(label=e.label, source=e.source, text=_without_marks(e.text)) for e in examples]
    scores = _scores(evaluate, shipped_path, bare, language)
    rows.append(
        (f"questions {language}, {split}, shipped, every '?' removed", _cell(scores), "stress, not a target", "")
    )
    return rows


def describe(decision: model.Decision) -> str:
    """`rules-or-model at 0.62`, `rules-then-model at 0.70, confirm 0.20`."""
    text = decision.combination
    if decision.combination != "rules":
        text += f" at {decision.threshold:.2f}"
    if decision.confirm:
        text += f", confirm {decision.confirm:.2f}"
    return text


def labelled(evaluate: Any) -> list[Row]:
    """Rules and shipped combination on the project's own 156 chat-like messages
    (tests/questions/labelled_messages.py), for the languages with a model: written together with the rules,
    so not a measure, but the informal chat the held-out corpora have little of."""
    from tests.questions.labelled_messages import LABELLED

    shipped = model.shipped()
    rows: list[Row] = []
    for language in sorted(shipped.languages if shipped is not None else ()):
        examples = [evaluate.Example(label, "labelled", text) for lang, text, label in LABELLED if lang == language]
        if not examples:
            continue
        base = _scores(evaluate, rules, examples, language)
        combined = _scores(evaluate, shipped_path, examples, language)
        rows.append((f"questions {language}, labelled chat set, shipped", _cell(combined), f"rules {_cell(base)}", ""))
    return rows


def _rate(predict: Predict, stream: Sequence[tuple[str, str]], rounds: int) -> float:
    """Messages per second through `predict`: the best of `rounds` passes (the least disturbed)."""
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for text, language in stream:
            predict(text, language)
        best = min(best, time.perf_counter() - began)
    return len(stream) / best


def speed(stream: Sequence[tuple[str, str]], split: str, rounds: int) -> list[Row]:
    """The rules, the shipped path and the model's scoring alone over the same mixed stream."""
    base = _rate(rules, stream, rounds)
    shipped = _rate(shipped_path, stream, rounds)
    scored = _rate(lambda text, language: (model.probability(text, language) or 0.0) >= 0.5, stream, rounds)
    return [
        (
            f"detector path, {len(stream):,} {split} messages mixed",
            f"as shipped {shipped:,.0f} msg/s",
            f"rules {base:,.0f} msg/s",
            f"{shipped / base:.2f}",
        ),
        (
            "the model's scoring alone, every message",
            f"{scored:,.0f} msg/s",
            f"rules {base:,.0f} msg/s",
            f"{scored / base:.2f}",
        ),
    ]


def _worst_ms(predict: Predict, text: str, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        predict(text, "en")
        timings.append(time.perf_counter() - began)
    return statistics.median(timings) * 1000


def hostile(repeats: int) -> list[Row]:
    """Each hostile input through the rules and the shipped path, and the model's scoring alone: median
    milliseconds of `repeats` runs."""
    rows: list[Row] = []
    for name, text in HOSTILE:
        base = _worst_ms(rules, text, repeats)
        shipped = _worst_ms(shipped_path, text, repeats)
        scored = _worst_ms(lambda text, language: (model.probability(text, language) or 0.0) >= 0.5, text, repeats)
        rows.append(
            (
                f"hostile: {name}",
                f"as shipped {shipped:.2f} ms, model scoring {scored:.2f} ms",
                f"rules {base:.2f} ms",
                f"{shipped / base:.2f}",
            )
        )
    return rows


async def run(quick: bool, split: str = "heldout") -> list[Row]:
    """Rows: (benchmark, figure, baseline, ratio), on the held-out split (`split="train"` only to check
    this file's code while tuning, without looking at the held-out figures)."""
    evaluate = _evaluation()
    found = languages()
    if evaluate is None or not found:
        return [("questions_bench", "no evaluation data (benchmarks/questions)", "", "")]
    if model.shipped() is None:
        print("questions_bench: no weights file, the model rows show the rules", flush=True)
    rows: list[Row] = []
    stream: list[tuple[str, str]] = []
    for language in found:
        examples = evaluate.load(language, split)
        rows += quality(evaluate, language, examples, split)
        stream += [(e.text, language) for e in examples]
    rows += labelled(evaluate)
    random.Random(19).shuffle(stream)
    rows += speed(stream, split, 2 if quick else 5)
    rows += hostile(3 if quick else 10)
    return rows


def main() -> int:
    """Print the rows, and the model's record of its cross-validation on the training split."""
    parser = argparse.ArgumentParser(prog="python benchmarks/questions_bench.py")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--split", choices=("heldout", "train"), default="heldout", help="train: to check the code")
    args = parser.parse_args()
    shipped = model.shipped()
    if shipped is not None:
        meta = shipped.meta
        print(f"model: {meta.get('setting')}, trained {meta.get('trained')} on {meta.get('train_counts')}")
        for language, table in meta.get("cross_validation", {}).items():
            print(f"  {language}, cross-validation on train (out-of-fold):")
            for name, row in table.items():
                at = "" if row.get("threshold") is None else f" at {row['threshold']:.2f}"
                print(f"    {name}{at}: P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f}")
        if meta.get("rules_version") != model.rules_version():
            print("  (trained with other rules than today's (RULE_SOURCES): rerun scripts/train_question_model.py)")
    for row in asyncio.run(run(args.quick, args.split)):
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
