"""Loads the question evaluation sets and scores a question detector on them.

The sets are data/<lang>.<split>.tsv (`label<TAB>source<TAB>text`, label 1 = a question the bot
should track), built by build.py from public corpora; see benchmarks/README.md ("Question evaluation
sets") for what they hold. Tune on split "train" only; "heldout" is for reporting.

    python -m benchmarks.questions.evaluate [--split train] [--lang en] [--errors 20]

scores the current detector (`plugins.questions.detector.is_question`, given the known language).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
SPLITS: tuple[str, ...] = ("train", "heldout")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message: `source` is the corpus short name and its dialogue/document id."""

    label: bool
    source: str
    text: str


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 of the positive class (questions) over `count` examples."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    count: int

    def line(self) -> str:
        """One human-readable line: P/R/F1 and the counts behind them."""
        return (
            f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn}, n {self.count})"
        )

    def as_dict(self) -> dict[str, float | int]:
        """For a JSON record (the question model's weights file records the figures it was chosen on)."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "count": self.count,
        }


def languages(data: Path = DATA) -> list[str]:
    """The languages that have both a train and a heldout file."""
    found = {p.name.split(".")[0] for p in data.glob("*.train.tsv")}
    return sorted(lang for lang in found if (data / f"{lang}.heldout.tsv").is_file())


def load(lang: str, split: str, data: Path = DATA) -> list[Example]:
    """The examples of one language and split, in file order."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: expected one of {SPLITS}")
    path = data / f"{lang}.{split}.tsv"
    examples: list[Example] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[0] not in ("0", "1") or not fields[2]:
                raise ValueError(f"{path}:{number}: expected label<TAB>source<TAB>text")
            examples.append(Example(fields[0] == "1", fields[1], fields[2]))
    return examples


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def score(predict: Callable[[str, str], bool], examples: Iterable[Example], lang: str) -> Scores:
    """Scores `predict(text, lang)` against the labels."""
    tp = fp = fn = count = 0
    for example in examples:
        count += 1
        predicted = predict(example.text, lang)
        if predicted and example.label:
            tp += 1
        elif predicted:
            fp += 1
        elif example.label:
            fn += 1
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn, count)


def errors(
    predict: Callable[[str, str], bool], examples: Iterable[Example], lang: str
) -> tuple[list[Example], list[Example]]:
    """(false positives, false negatives) of `predict`, in file order. For tuning: use it on the
    train split only."""
    false_positives: list[Example] = []
    false_negatives: list[Example] = []
    for example in examples:
        predicted = predict(example.text, lang)
        if predicted and not example.label:
            false_positives.append(example)
        elif example.label and not predicted:
            false_negatives.append(example)
    return false_positives, false_negatives


def by_corpus(predict: Callable[[str, str], bool], examples: Iterable[Example], lang: str) -> dict[str, Scores]:
    """Scores per corpus (the part of `source` before the colon)."""
    groups: dict[str, list[Example]] = {}
    for example in examples:
        groups.setdefault(example.source.split(":", 1)[0], []).append(example)
    return {corpus: score(predict, group, lang) for corpus, group in sorted(groups.items())}


def main(argv: list[str] | None = None) -> int:
    """Prints the current detector's scores (per language and corpus) on one split."""
    parser = argparse.ArgumentParser(description="Score the question detector on the evaluation sets.")
    parser.add_argument("--split", choices=SPLITS, default="train")
    parser.add_argument("--lang", action="append", help="language (repeatable); default: all")
    parser.add_argument("--errors", type=int, default=0, help="print this many FPs and FNs (train only)")
    args = parser.parse_args(argv)
    if args.errors and args.split != "train":
        parser.error("--errors lists mistakes for tuning: use it on the train split only")

    from plugins.questions.detector import is_question

    for lang in args.lang or languages():
        examples = load(lang, args.split)
        sys.stdout.write(f"{lang} {args.split}: {score(is_question, examples, lang).line()}\n")
        for corpus, scores in by_corpus(is_question, examples, lang).items():
            sys.stdout.write(f"  {corpus:<14} {scores.line()}\n")
        if args.errors:
            false_positives, false_negatives = errors(is_question, examples, lang)
            for title, chosen in (("false positives", false_positives), ("false negatives", false_negatives)):
                sys.stdout.write(f"  {title} ({len(chosen)}):\n")
                for example in chosen[: args.errors]:
                    sys.stdout.write(f"    {example.source}\t{example.text}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
