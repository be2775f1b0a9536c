"""Train the question model on the TRAINING split only, choose its settings and its combination with the
rules by cross-validation on that split, and write `plugins/questions/question_model.json.gz`.

    python scripts/train_question_model.py [--data benchmarks/questions/data] [--out FILE] [--folds 5]

Needs scikit-learn (`pip install -e .[train]`); the bot does not: `plugins/questions/model.py` scores the
exported weights in pure Python, with the very feature function used here. The held-out files are never
opened (`benchmarks/questions_bench.py` measures the result on them).

What is chosen, all on out-of-fold predictions of a grouped k-fold over the training split (a dialogue or
document never straddles two folds, as it never straddles train and held-out):

1. the model's settings: one model per language, or one pooled model for all languages; the size of the hash
   table; the regularisation strength. By the mean over languages of the out-of-fold average precision.
2. per language, the combination with the rules (`rules` alone, `model` alone, `rules-or-model`: a question
   when the rules or the model say so, `rules-or-model-without-mark`: the model is asked only about messages
   without a "?") and the model's threshold: the highest F1 whose precision stays at or above
   `--precision-floor` (0.90, a margin above the issue's 0.88). The model must win at least `--min-gain` F1
   over the rules alone to ship; otherwise the language ships the rules alone.
"""

from __future__ import annotations

import argparse
import base64
import csv
import gzip
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (after the path: the checkout's packages win)
from scipy.sparse import csr_matrix  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from plugins.questions import detector  # noqa: E402
from plugins.questions.model import COMBINATIONS, FORMAT, INPUT_LIMIT, Facts, combine, facts, feature_names, hashed  # noqa: E402

THRESHOLDS = [round(0.05 + 0.01 * i, 2) for i in range(91)]  # 0.05 .. 0.95


@dataclass(frozen=True)
class Example:
    """One labelled message of the training split."""

    label: bool
    source: str
    text: str


@dataclass(frozen=True)
class Setting:
    """One candidate model setting."""

    pooled: bool
    chars: tuple[int, ...]
    bits: int
    c: float

    def name(self) -> str:
        """A short label for the report."""
        groups = "+".join(map(str, self.chars)) or "no"
        mode = "pooled" if self.pooled else "per-language"
        return f"{mode}, {groups} letter groups, 2^{self.bits} weights, C={self.c:g}"

    @property
    def key(self) -> tuple[tuple[int, ...], int]:
        """Which precomputed feature rows this setting uses."""
        return (self.chars, self.bits)


def load_train(data: Path) -> dict[str, list[Example]]:
    """Every `<lang>.train.tsv` of `data` (label, source, text); never a held-out file."""
    found: dict[str, list[Example]] = {}
    for path in sorted(data.glob("*.train.tsv")):
        language = path.name.split(".")[0]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [
                Example(row[0].strip() == "1", row[1], row[2])
                for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                if len(row) >= 3 and row[0].strip() in ("0", "1")
            ]
        if rows:
            found[language] = rows
    return found


def group_of(source: str) -> str:
    """The dialogue or document a message belongs to (its source, corpus and document id)."""
    return source


def matrix(rows: Sequence[list[int]], bits: int) -> csr_matrix:
    """Binary features, each row scaled by 1/sqrt(its feature count), as `LanguageModel.probability` does."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for row in rows:
        weight = 1.0 / math.sqrt(len(row) or 1)
        indices.extend(row)
        values.extend([weight] * len(row))
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(rows), 1 << bits), dtype=np.float64)


def fit(x: csr_matrix, y: np.ndarray, c: float) -> LogisticRegression:
    """A logistic regression (liblinear: exact, deterministic on sparse data)."""
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
    model.fit(x, y)
    return model


def out_of_fold(
    setting: Setting,
    data: dict[str, list[Example]],
    features: dict[str, dict[tuple[tuple[int, ...], int], list[list[int]]]],
    folds: int,
) -> dict[str, np.ndarray]:
    """Each training message's probability from a model trained on the folds without its dialogue."""
    result: dict[str, np.ndarray] = {}
    if setting.pooled:
        languages = list(data)
        rows = [r for lang in languages for r in features[lang][setting.key]]
        y = np.array([e.label for lang in languages for e in data[lang]], dtype=int)
        groups = [f"{lang}:{group_of(e.source)}" for lang in languages for e in data[lang]]
        x = matrix(rows, setting.bits)
        probs = _oof(x, y, groups, setting.c, folds)
        start = 0
        for lang in languages:
            result[lang] = probs[start : start + len(data[lang])]
            start += len(data[lang])
        return result
    for lang, examples in data.items():
        x = matrix(features[lang][setting.key], setting.bits)
        y = np.array([e.label for e in examples], dtype=int)
        result[lang] = _oof(x, y, [group_of(e.source) for e in examples], setting.c, folds)
    return result


def _oof(x: csr_matrix, y: np.ndarray, groups: list[str], c: float, folds: int) -> np.ndarray:
    probs = np.zeros(len(y))
    splits = min(folds, len(set(groups)))
    for train, test in GroupKFold(n_splits=splits).split(x, y, groups):
        model = fit(x[train], y[train], c)
        probs[test] = model.predict_proba(x[test])[:, 1]
    return probs


@dataclass(frozen=True)
class Figures:
    """Precision, recall, F1 and counts of one decision rule over a set of messages."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    count: int

    def as_dict(self) -> dict[str, float | int]:
        """For the weights file's record."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "count": self.count,
        }


def figures(predicted: Sequence[bool], labels: Sequence[bool]) -> Figures:
    """The figures of `predicted` against `labels`."""
    tp = sum(1 for p, t in zip(predicted, labels, strict=True) if p and t)
    fp = sum(1 for p, t in zip(predicted, labels, strict=True) if p and not t)
    fn = sum(1 for p, t in zip(predicted, labels, strict=True) if not p and t)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(precision, recall, f1, tp, fp, fn, len(labels))


def verdicts(combination: str, known: Sequence[Facts], probs: Sequence[float], threshold: float) -> list[bool]:
    """What `combination` decides for each example, given the rules' facts and the model's probabilities."""
    return [combine(combination, threshold, k, _constant(p)) for k, p in zip(known, probs, strict=True)]


def _constant(value: float) -> Callable[[], float]:
    return lambda: float(value)


def choose(
    examples: Sequence[Example], language: str, probs: np.ndarray, floor: float, min_gain: float
) -> tuple[str, float, dict[str, Any]]:
    """The combination and threshold for `language`: the best out-of-fold F1 with precision >= `floor`."""
    labels = [e.label for e in examples]
    known = [facts(e.text, language) for e in examples]
    probabilities: list[float] = probs.tolist()
    rules = figures(verdicts("rules", known, probabilities, 1.0), labels)
    table: dict[str, Any] = {"rules": {"threshold": None, **rules.as_dict()}}
    best = ("rules", 1.0, rules)
    for combination in COMBINATIONS[1:]:
        top: tuple[float, Figures] | None = None
        fallback: tuple[float, Figures] | None = None
        for threshold in THRESHOLDS:
            scored = figures(verdicts(combination, known, probabilities, threshold), labels)
            if scored.precision >= floor and (top is None or scored.f1 > top[1].f1):
                top = (threshold, scored)
            if fallback is None or scored.precision > fallback[1].precision:
                fallback = (threshold, scored)
        chosen = top or fallback
        assert chosen is not None
        table[combination] = {"threshold": chosen[0], "meets_floor": top is not None, **chosen[1].as_dict()}
        if top is not None and top[1].f1 > best[2].f1 + (min_gain if best[0] == "rules" else 0.0):
            best = (combination, top[0], top[1])
    return best[0], best[1], table


def quantise(coef: np.ndarray) -> tuple[bytes, float]:
    """Weights as signed bytes and the scale that turns a byte back into a weight."""
    peak = float(np.max(np.abs(coef))) or 1.0
    scale = peak / 127.0
    return np.clip(np.rint(coef / scale), -127, 127).astype(np.int8).tobytes(), scale


def sha256(path: Path) -> str:
    """A data file's digest, recorded with the weights (which training data made them)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Train, choose, export; print what was chosen and the out-of-fold figures behind it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "questions" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "plugins" / "questions" / "question_model.json.gz")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--precision-floor", type=float, default=0.90)
    parser.add_argument("--min-gain", type=float, default=0.01, help="F1 the model must add to ship")
    parser.add_argument("--bits", type=int, nargs="+", default=[16, 18])
    parser.add_argument(
        "--chars", nargs="+", default=["3,4", "2,3,4,5", "none"], help="letter-group sizes to try: '3,4', 'none'"
    )
    parser.add_argument("--c", type=float, nargs="+", default=[0.5, 2.0, 8.0])
    parser.add_argument("--modes", nargs="+", default=["per-language", "pooled"], choices=["per-language", "pooled"])
    args = parser.parse_args(argv)

    began = time.perf_counter()
    data = load_train(args.data)
    if not data:
        print(f"no <lang>.train.tsv in {args.data}", file=sys.stderr)
        return 1
    for lang, examples in data.items():
        positives = sum(e.label for e in examples)
        print(f"{lang}: {len(examples)} training messages, {positives} questions", flush=True)
    shapes = [() if spec == "none" else tuple(int(n) for n in spec.split(",")) for spec in args.chars]
    features: dict[str, dict[tuple[tuple[int, ...], int], list[list[int]]]] = {lang: {} for lang in data}
    for chars in shapes:
        for lang, examples in data.items():
            names = [feature_names(e.text, chars) for e in examples]
            for bits in args.bits:
                features[lang][(chars, bits)] = [hashed(n, bits) for n in names]

    # 1. The model's settings, by out-of-fold average precision.
    settings = [
        Setting(mode == "pooled", chars, bits, c)
        for mode in args.modes
        for chars in shapes
        for bits in args.bits
        for c in args.c
    ]
    scores: list[tuple[float, Setting, dict[str, np.ndarray], dict[str, float]]] = []
    for setting in settings:
        probs = out_of_fold(setting, data, features, args.folds)
        per_language = {
            lang: float(average_precision_score([e.label for e in data[lang]], probs[lang])) for lang in data
        }
        mean = sum(per_language.values()) / len(per_language)
        scores.append((mean, setting, probs, per_language))
        detail = ", ".join(f"{lang} {ap:.3f}" for lang, ap in per_language.items())
        print(f"  {setting.name()}: mean average precision {mean:.4f} ({detail})", flush=True)
    # Ties go to the smaller file, then the stronger regularisation.
    scores.sort(key=lambda s: (-round(s[0], 3), s[1].bits, len(s[1].chars), s[1].c))
    _, best, oof, _ = scores[0]
    print(f"chosen setting: {best.name()}", flush=True)

    # 2. Per language, the combination with the rules and the threshold.
    chosen: dict[str, tuple[str, float, dict[str, Any]]] = {}
    for lang, examples in data.items():
        combination, threshold, table = choose(examples, lang, oof[lang], args.precision_floor, args.min_gain)
        chosen[lang] = (combination, threshold, table)
        print(f"{lang}: ships {combination}" + ("" if combination == "rules" else f" at {threshold:.2f}"))
        for name, row in table.items():
            at = "" if row["threshold"] is None else f" at {row['threshold']:.2f}"
            print(
                f"    {name}{at}: P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f} "
                f"(tp {row['tp']}, fp {row['fp']}, fn {row['fn']}, of {row['count']})"
            )

    # 3. The final weights, trained on the whole training split.
    exported: dict[str, Any] = {}
    tables: dict[str, str] = {}
    if best.pooled:
        languages = list(data)
        x = matrix([r for lang in languages for r in features[lang][best.key]], best.bits)
        y = np.array([e.label for lang in languages for e in data[lang]], dtype=int)
        model = fit(x, y, best.c)
        weights, scale = quantise(model.coef_[0])
        tables["pooled"] = base64.b64encode(weights).decode("ascii")
        for lang in languages:
            exported[lang] = {"table": "pooled", "bias": float(model.intercept_[0]), "scale": scale}
    else:
        for lang, examples in data.items():
            x = matrix(features[lang][best.key], best.bits)
            model = fit(x, np.array([e.label for e in examples], dtype=int), best.c)
            weights, scale = quantise(model.coef_[0])
            tables[lang] = base64.b64encode(weights).decode("ascii")
            exported[lang] = {"table": lang, "bias": float(model.intercept_[0]), "scale": scale}
    for lang, (combination, threshold, table) in chosen.items():
        exported[lang]["combination"] = combination
        exported[lang]["threshold"] = threshold if combination != "rules" else table["rules-or-model"]["threshold"]
        exported[lang]["model_threshold"] = table["model"]["threshold"]

    document = {
        "format": FORMAT,
        "bits": best.bits,
        "chars": list(best.chars),
        "tables": tables,
        "languages": exported,
        "meta": {
            "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
            "setting": best.name(),
            "input_limit": INPUT_LIMIT,
            "folds": args.folds,
            "precision_floor": args.precision_floor,
            "min_gain": args.min_gain,
            "rules_version": hashlib.sha256(Path(detector.__file__).read_bytes()).hexdigest()[:12],
            "train_files": {lang: sha256(args.data / f"{lang}.train.tsv") for lang in data},
            "train_counts": {lang: len(examples) for lang, examples in data.items()},
            "settings_tried": [
                {
                    "setting": s.name(),
                    "mean_average_precision": round(m, 4),
                    "per_language": {k: round(v, 4) for k, v in p.items()},
                }
                for m, s, _, p in scores
            ],
            "cross_validation": {lang: table for lang, (_, _, table) in chosen.items()},
        },
    }
    raw = gzip.compress(json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8"), 9, mtime=0)
    args.out.write_bytes(raw)
    print(f"wrote {args.out} ({len(raw):,} bytes) in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
