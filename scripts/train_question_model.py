"""Train the question model on the TRAINING split only, choose its settings and its combination with the
rules by cross-validation on that split, and write `plugins/questions/question_model.json.gz`.

    python scripts/train_question_model.py [--data benchmarks/questions/data] [--out FILE] [--folds 5]

Needs scikit-learn (`pip install -e .[train]`); the bot does not: `plugins/questions/model.py` scores the
exported weights in pure Python, with the very feature function used here. The held-out files are never
opened (`benchmarks/questions_bench.py` measures the result on them). About a minute per setting tried on
the development machine. **Rerun it when the rules change** (the modules
`plugins/questions/detector.RULE_SOURCES` lists): the combination and its thresholds are chosen with
the rules of the day (the weights file records a digest of them, and `python benchmarks/questions_bench.py`
says when they differ).

What is chosen, all on out-of-fold predictions of a grouped 5-fold cross-validation over the training split
(a dialogue or document never straddles two folds, as it never straddles train and held-out):

1. the model's settings: one model per language or one pooled model for all languages, letter groups or
   none, the regularisation strength (`--modes`, `--chars`, `--c`, `--bits`): by the mean over languages of
   the out-of-fold average precision.
2. per language, the combination with the rules (`model.Decision`: `rules` alone, `model` alone,
   `rules-or-model`, `rules-or-model-without-mark`, `rules-then-model`) and its thresholds, as the tracker
   runs them (only messages past its pre-check reach the model): the highest F1 whose precision stays at or
   above `--precision-floor` (0.90, a margin above the issue's 0.88). Where the rules alone meet the floor,
   the model ships only if it adds at least `--min-gain` F1 (0.01).

The model never reads question marks (`feature_names(marks=False)`); `--compare-marks` cross-validates the
models that do, for the record, and never ships them. On the training split they rank messages better (the
shipped run: out-of-fold average precision 0.961 on average, en 0.949, fr 0.961, it 0.973, against 0.890,
en 0.869, fr 0.900, it 0.902 for the blind model) because in these corpora nearly every question has a "?"
and chat reactions such as "ok?" are rare: they learn "a '?' is a question, no '?' is not". In an earlier
run (before the rules' own tuning), the best combination with such a model, chosen the same way, turned
down 7 of the 16 French questions of the chat-like `tests/questions/labelled_messages.py` (every one
without a "?": "Quelqu'un sait pourquoi le build casse depuis ce matin") and 6 of its 12 Italian ones, and
took "ok?" for an English question; the blind model's turned down one reported question and took one
exclamation for a question. That set was written with the rules: a check, not a measure.
"""

from __future__ import annotations

import argparse
import base64
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

from benchmarks.questions import evaluate  # noqa: E402
from benchmarks.questions.evaluate import Example, Scores  # noqa: E402
from plugins.questions.model import (  # noqa: E402
    COMBINATIONS,
    FORMAT,
    INPUT_LIMIT,
    Decision,
    Facts,
    facts,
    feature_names,
    hashed,
    rules_version,
)

THRESHOLDS = [round(0.01 * i, 2) for i in range(1, 100)]  # 0.01 .. 0.99


@dataclass(frozen=True)
class Setting:
    """One candidate model setting."""

    pooled: bool
    marks: bool
    chars: tuple[int, ...]
    bits: int
    c: float

    def name(self) -> str:
        """A short label for the report."""
        groups = "+".join(map(str, self.chars)) or "no"
        mode = "pooled" if self.pooled else "per-language"
        marks = "reads" if self.marks else "blind to"
        return f"{mode}, {marks} '?', {groups} letter groups, 2^{self.bits} weights, C={self.c:g}"

    @property
    def key(self) -> tuple[bool, tuple[int, ...], int]:
        """Which precomputed feature rows this setting uses."""
        return (self.marks, self.chars, self.bits)


def load_train(data: Path) -> dict[str, list[Example]]:
    """The TRAINING split of every language of `data`, read by the evaluation's own loader; the held-out
    files are never opened."""
    return {lang: evaluate.load(lang, "train", data) for lang in evaluate.languages(data)}


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
    features: dict[str, dict[tuple[bool, tuple[int, ...], int], list[list[int]]]],
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


def figures(predicted: Sequence[bool], labels: Sequence[bool]) -> Scores:
    """The figures of `predicted` against `labels` (a rule that flags nothing has precision 1, not 0 as in
    `evaluate.score`: it breaks no precision floor)."""
    tp = sum(1 for p, t in zip(predicted, labels, strict=True) if p and t)
    fp = sum(1 for p, t in zip(predicted, labels, strict=True) if p and not t)
    fn = sum(1 for p, t in zip(predicted, labels, strict=True) if not p and t)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn, len(labels))


def verdicts(decision: Decision, known: Sequence[Facts], probs: Sequence[float]) -> list[bool]:
    """What `decision` says of each example, given the rules' facts and the model's probabilities (the
    bot's own code path: the check of the vectorised search below)."""
    return [decision.decide(k, _constant(p)) for k, p in zip(known, probs, strict=True)]


def _constant(value: float) -> Callable[[], float]:
    return lambda: float(value)


def _counts(mask: np.ndarray, labels: np.ndarray, probs: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, ...]:
    """For each cut t: (questions, non-questions) among the messages of `mask` with probability >= t."""
    positives = np.array([np.count_nonzero(mask & labels & (probs >= t)) for t in cuts])
    negatives = np.array([np.count_nonzero(mask & ~labels & (probs >= t)) for t in cuts])
    return positives, negatives


def choose(
    examples: Sequence[Example], language: str, probs: np.ndarray, floor: float, min_gain: float
) -> tuple[Decision, dict[str, Any]]:
    """The decision for `language`: of every combination and threshold(s), the best out-of-fold F1 whose
    precision is at least `floor`; the rules alone unless the model adds `min_gain` F1 (or the rules miss
    the floor). Returns it and, per combination, its best figures (the record in the weights file)."""
    known = [facts(e.text, language) for e in examples]
    labels = np.array([e.label for e in examples], dtype=bool)
    rules = np.array([k.rules for k in known], dtype=bool)
    excluded = np.array([k.excluded for k in known], dtype=bool)
    marked = np.array([k.marked for k in known], dtype=bool)
    # The tracker's pre-check turns the others away before any detection: the model never sees them.
    seen = np.array([k.candidate for k in known], dtype=bool) & ~excluded
    total = int(labels.sum())
    # Cuts: 0 takes every message of a group, 2 none of them; the thresholds in between.
    cuts = np.array([0.0, *THRESHOLDS, 2.0])
    yes = _counts(rules & seen, labels, probs, cuts)
    no_marked = _counts(~rules & seen & marked, labels, probs, cuts)
    no_plain = _counts(~rules & seen & ~marked, labels, probs, cuts)
    last = len(cuts) - 1

    def scored(c_yes: int, c_marked: int, c_plain: int) -> Scores:
        tp = int(yes[0][c_yes] + no_marked[0][c_marked] + no_plain[0][c_plain])
        fp = int(yes[1][c_yes] + no_marked[1][c_marked] + no_plain[1][c_plain])
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / total if total else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return Scores(precision, recall, f1, tp, fp, total - tp, len(examples))

    # Each combination as cuts on the three groups: (rules yes, rules no with a "?", rules no without).
    candidates: dict[str, list[tuple[Decision, Scores]]] = {name: [] for name in COMBINATIONS}
    candidates["rules"].append((Decision("rules"), scored(0, last, last)))
    for i in range(1, last):
        t = float(cuts[i])
        candidates["model"].append((Decision("model", t), scored(i, i, i)))
        candidates["rules-or-model"].append((Decision("rules-or-model", t), scored(0, i, i)))
        candidates["rules-or-model-without-mark"].append(
            (Decision("rules-or-model-without-mark", t), scored(0, last, i))
        )
        for j in range(0, last):  # j = 0: the rules' yes stands; i: the model's threshold where they say no
            confirm = float(cuts[j])
            candidates["rules-then-model"].append((Decision("rules-then-model", t, confirm), scored(j, i, i)))
    table: dict[str, Any] = {}
    best: tuple[Decision, Scores] | None = None
    baseline = candidates["rules"][0][1]
    for name, options in candidates.items():
        meeting = [o for o in options if o[1].precision >= floor]
        top = max(meeting, key=lambda o: o[1].f1) if meeting else max(options, key=lambda o: o[1].precision)
        decision, figures_ = top
        table[name] = {
            "threshold": None if name == "rules" else decision.threshold,
            "confirm": decision.confirm if name == "rules-then-model" else None,
            "meets_floor": bool(meeting),
            **figures_.as_dict(),
        }
        if name != "rules" and meeting and (best is None or figures_.f1 > best[1].f1):
            best = top
    # The model ships only if it adds `min_gain` F1 to the rules, or the rules miss the precision floor.
    rules_enough = baseline.precision >= floor
    if best is None or (rules_enough and best[1].f1 < baseline.f1 + min_gain):
        best = candidates["rules"][0]
    # The vectorised search must agree with the bot's own code path.
    check = figures(verdicts(best[0], known, probs.tolist()), [e.label for e in examples])
    assert (check.tp, check.fp) == (best[1].tp, best[1].fp), (check, best)
    return best[0], table


def quantise(coef: np.ndarray) -> tuple[bytes, float]:
    """Weights as signed bytes and the scale that turns a byte back into a weight."""
    peak = float(np.max(np.abs(coef))) or 1.0
    scale = peak / 127.0
    return np.clip(np.rint(coef / scale), -127, 127).astype(np.int8).tobytes(), scale


def describe(name: str, threshold: float | None, confirm: float | None) -> str:
    """`rules-then-model at 0.40, confirm 0.20`."""
    text = name
    if threshold is not None and name != "rules":
        text += f" at {threshold:.2f}"
    if confirm:
        text += f", confirm {confirm:.2f}"
    return text


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
    parser.add_argument("--bits", type=int, nargs="+", default=[18])
    parser.add_argument("--chars", nargs="+", default=["none", "3,4"], help="letter-group sizes to try: '3,4', 'none'")
    parser.add_argument("--compare-marks", action="store_true", help="also cross-validate models that read '?'")
    parser.add_argument("--c", type=float, nargs="+", default=[16.0])
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
    readings = [False, True] if args.compare_marks else [False]
    features: dict[str, dict[tuple[bool, tuple[int, ...], int], list[list[int]]]] = {lang: {} for lang in data}
    for marks in readings:
        for chars in shapes:
            for lang, examples in data.items():
                names = [feature_names(e.text, chars, marks) for e in examples]
                for bits in args.bits:
                    features[lang][(marks, chars, bits)] = [hashed(n, bits) for n in names]

    # 1. The model's settings, by out-of-fold average precision.
    settings = [
        Setting(mode == "pooled", marks, chars, bits, c)
        for mode in args.modes
        for marks in readings
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
    # Ties go to the smaller file, then the stronger regularisation. A model that reads "?" is only
    # compared, never chosen (see the module's docstring).
    scores.sort(key=lambda s: (-round(s[0], 3), s[1].bits, len(s[1].chars), s[1].c))
    _, best, oof, _ = next(s for s in scores if not s[1].marks)
    print(f"chosen setting: {best.name()}", flush=True)

    # 2. Per language, the combination with the rules and the threshold.
    chosen: dict[str, tuple[Decision, dict[str, Any]]] = {}
    for lang, examples in data.items():
        decision, table = choose(examples, lang, oof[lang], args.precision_floor, args.min_gain)
        chosen[lang] = (decision, table)
        print(f"{lang}: ships {describe(decision.combination, decision.threshold, decision.confirm)}")
        for name, row in table.items():
            at = describe("", row["threshold"], row["confirm"])
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
    for lang, (decision, table) in chosen.items():
        exported[lang]["combination"] = decision.combination
        exported[lang]["threshold"] = decision.threshold
        exported[lang]["confirm"] = decision.confirm
        exported[lang]["model_threshold"] = table["model"]["threshold"]

    document = {
        "format": FORMAT,
        "bits": best.bits,
        "chars": list(best.chars),
        "marks": best.marks,
        "tables": tables,
        "languages": exported,
        "meta": {
            "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
            "setting": best.name(),
            "input_limit": INPUT_LIMIT,
            "folds": args.folds,
            "precision_floor": args.precision_floor,
            "min_gain": args.min_gain,
            "rules_version": rules_version(),
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
            "cross_validation": {lang: table for lang, (_, table) in chosen.items()},
        },
    }
    raw = gzip.compress(json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8"), 9, mtime=0)
    args.out.write_bytes(raw)
    print(f"wrote {args.out} ({len(raw):,} bytes) in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
