"""The small question model: a logistic regression over hashed words, word pairs, letter groups and a few
shapes of the message (ends with "?", first word, length), scored in pure Python from the weights file
`question_model.json.gz` beside this module, and the combination with the rules that the bot ships.

The rules (`detector.is_question`) are precise but miss most questions written without a "?" ("hows your
day goin", "qqn a le lien du replay"); the model, trained by `scripts/train_question_model.py` on the
training split of `benchmarks/questions/data` only, catches part of them. Which combination ships (rules
alone, model alone, or the rules with the model where they say no), each language's threshold, and the
figures behind that choice are written in the weights file by the training script, chosen by
cross-validation on the training split; `benchmarks/questions_bench.py` measures them on the held-out split.

Neither scikit-learn nor numpy is needed at run time: a message becomes at most a few hundred feature
names, each hashed with CRC-32 into a table of signed bytes. The input is bounded (`INPUT_LIMIT`
characters, `WORD_LIMIT` words), so a 50 KB paste costs what a 1,000-character message does. The weights are
read once, on first use, under a lock (the bot scores in worker threads). Scoring costs tens of
microseconds for an ordinary message: callers on the event loop should still hand it to a worker thread
with the language detection (`tracker.tag` does).
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import re
import threading
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from plugins.questions import detector

WEIGHTS_FILE = "question_model.json.gz"
COMBINATIONS = ("rules", "model", "rules-or-model", "rules-or-model-without-mark")
FORMAT = 1
INPUT_LIMIT = 1000  # characters of a message the model reads (a question says what it asks early)
WORD_LIMIT = 120  # words of those that make features (about 1,000 characters of chat)
WORD_LENGTH = 24  # letters of a word that make letter groups (a 1,000-letter "word" is not 2,000 features)

# Quoted lines (Discord `> `, Slack `&gt;`) are someone else's words; code and links are not phrasing.
_QUOTE_LINE = re.compile(r"^[ \t]*(?:>|&gt;)[^\n]*$", re.MULTILINE)
_LINK = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"<[@#!][^>\s]{0,40}>|<a?:\w{1,40}:\d{1,25}>|@\w+")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[?¿!]")


def _words_bucket(count: int) -> str:
    if count <= 3:
        return str(count)
    if count <= 5:
        return "4-5"
    if count <= 8:
        return "6-8"
    if count <= 15:
        return "9-15"
    return "16+"


def normalise(text: str) -> str:
    """What the model reads: the first `INPUT_LIMIT` characters without quoted lines or code, links and
    mentions replaced by a placeholder word, lower-cased, typographic apostrophes made straight."""
    text = text[:INPUT_LIMIT]
    if "```" in text:
        text = " ".join(part for i, part in enumerate(text.split("```")) if i % 2 == 0)  # odd parts are code
    if ">" in text:
        text = _QUOTE_LINE.sub(" ", text)
    if "://" in text or "www." in text:
        text = _LINK.sub(" xxlink ", text)
    if "<" in text or "@" in text:
        text = _MENTION.sub(" xxmention ", text)
    return text.lower().replace("’", "'").strip()


def _last_sign(lowered: str) -> str:
    """The last letter, digit or ?!¿ of the text ("" without any), past trailing emoji, quotes and dots."""
    for char in reversed(lowered):
        if char.isalnum() or char in "?!¿":
            return char
    return ""


def feature_names(text: str, chars: tuple[int, ...] = (3, 4)) -> list[str]:
    """The model's features of a message, as names (the training script hashes the same names): the
    number of words, how it ends, its first and last words, its words and word pairs, and the groups of
    `chars` letters of its words (` how`, `ows `...)."""
    lowered = normalise(text)
    tokens = _TOKEN.findall(lowered)[:WORD_LIMIT]
    words = [t for t in tokens if t not in ("?", "¿", "!")]
    names = [f"n:{_words_bucket(len(words))}"]
    end = _last_sign(lowered)
    names.append("e:" + (end if end in ("?", "!", "¿") else "w" if end else "o"))
    if "?" in lowered:
        names.append("q:any")
    if words:
        names.append("f:" + words[0])
        names.append("l:" + words[-1])
        if len(words) > 1:
            names.append("f2:" + words[0] + " " + words[1])
    previous = "<s>"
    for token in tokens:
        names.append("w:" + token)
        names.append("b:" + previous + " " + token)
        previous = token
    names.append("b:" + previous + " </s>")
    for word in words:
        padded = f" {word[:WORD_LENGTH]} "
        size = len(padded)
        for n in chars:
            names.extend("c:" + padded[i : i + n] for i in range(size - n + 1))
    return names


def hashed(names: list[str], bits: int) -> list[int]:
    """The distinct feature indexes of `names` in a table of 2**bits weights (CRC-32: stable across runs)."""
    mask = (1 << bits) - 1
    return list({zlib.crc32(name.encode("utf-8")) & mask for name in names})


@dataclass(frozen=True)
class LanguageModel:
    """One language's weights and the decision the training chose for it."""

    weights: array[int]  # signed bytes, one per hashed feature
    scale: float  # weight = byte * scale
    bias: float
    threshold: float  # in the combination, the model says "question" at or above this probability
    combination: str  # "rules", "model", "rules-or-model", "rules-or-model-without-mark"
    model_threshold: float  # the model alone's best threshold (cross-validation), for the figures

    def probability(self, indexes: list[int]) -> float:
        """The probability that a message with these feature indexes is a question."""
        weights = self.weights
        total = sum(weights[i] for i in indexes)
        z = self.bias + total * self.scale / math.sqrt(len(indexes) or 1)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


@dataclass(frozen=True)
class QuestionModel:
    """The weights file, read: the hash size, each language's model, and what the training recorded."""

    bits: int
    chars: tuple[int, ...]  # the sizes of letter groups the model was trained with
    languages: dict[str, LanguageModel]
    meta: dict[str, Any]

    def indexes(self, text: str) -> list[int]:
        """The feature indexes of `text` (the costly part of scoring: tens of microseconds)."""
        return hashed(feature_names(text, self.chars), self.bits)

    def probability(self, text: str, language: str) -> float | None:
        """The model's probability that `text` asks something, or None without a model for `language`."""
        model = self.languages.get(language)
        if model is None:
            return None
        return model.probability(self.indexes(text))

    def asks(self, text: str, language: str) -> bool | None:
        """The shipped decision for `language` (rules, model, or both as trained), None without a model."""
        model = self.languages.get(language)
        if model is None:
            return None
        return decide(
            model.combination,
            model.threshold,
            text,
            language,
            lambda: model.probability(self.indexes(text)),
        )


@dataclass(frozen=True)
class Facts:
    """What the rules say about a message, the inputs of every combination but the model's probability."""

    rules: bool  # detector.is_question
    excluded: bool  # a command or a message that only quotes another (never a question)
    marked: bool  # it has a question mark somewhere
    candidate: bool  # detector.is_candidate: the tracker's pre-check lets it through to language detection


def facts(text: str, language: str) -> Facts:
    """The rules' facts about `text` in `language`."""
    return Facts(
        detector.is_question(text, language),
        detector.is_excluded(text),
        "?" in text or "？" in text,
        detector.is_candidate(text),
    )


def combine(combination: str, threshold: float, known: Facts, probability: Callable[[], float]) -> bool:
    """A combination's verdict; `probability` is called only when the model's opinion is needed.

    `rules`: the rules alone. `model`: the model alone (commands and quote-only messages excepted).
    `rules-or-model`: a question when either says so. `rules-or-model-without-mark`: the same, but the
    model is not asked about messages with a "?", which the rules have already read (a reaction, a link).
    """
    if combination == "model":
        return not known.excluded and probability() >= threshold
    if combination == "rules" or known.rules:
        return known.rules
    if known.excluded or (combination == "rules-or-model-without-mark" and known.marked):
        return False
    return probability() >= threshold


def decide(combination: str, threshold: float, text: str, language: str, probability: Callable[[], float]) -> bool:
    """`combine` with the facts of `text`."""
    return combine(combination, threshold, facts(text, language), probability)


def load_bytes(raw: bytes) -> QuestionModel:
    """A model from the bytes of a weights file (gzip-compressed JSON)."""
    data = json.loads(gzip.decompress(raw))
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown question model format {data.get('format')!r}")
    bits = int(data["bits"])
    tables: dict[str, array[int]] = {}
    for name, encoded in data["tables"].items():
        tables[name] = array("b", base64.b64decode(encoded))
        if len(tables[name]) != 1 << bits:
            raise ValueError(f"question model table {name}: {len(tables[name])} weights, expected {1 << bits}")
    languages: dict[str, LanguageModel] = {}
    for code, entry in data["languages"].items():
        if entry["combination"] not in COMBINATIONS:
            raise ValueError(f"question model for {code}: unknown combination {entry['combination']!r}")
        languages[code] = LanguageModel(
            tables[entry["table"]],
            float(entry["scale"]),
            float(entry["bias"]),
            float(entry["threshold"]),
            str(entry["combination"]),
            float(entry["model_threshold"]),
        )
    chars = tuple(int(n) for n in data["chars"])
    return QuestionModel(bits, chars, languages, dict(data.get("meta", {})))


_lock = threading.Lock()
_loaded: list[QuestionModel | None] = []  # empty until first use; [None] when no weights file ships


def shipped() -> QuestionModel | None:
    """The model shipped in the package, read once (None when the package has no weights file)."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            path = resources.files("plugins.questions").joinpath(WEIGHTS_FILE)
            _loaded.append(load_bytes(path.read_bytes()) if path.is_file() else None)
    return _loaded[0]


def probability(text: str, language: str) -> float | None:
    """The shipped model's probability that `text` asks something; None without a model for `language`."""
    model = shipped()
    return None if model is None else model.probability(text, language)


def asks(text: str, language: str) -> bool | None:
    """Whether the bot takes `text` for a question in `language`, by the combination of the rules and the
    model chosen on the training split; None when no model covers `language` (then use
    `detector.is_question` alone)."""
    model = shipped()
    return None if model is None else model.asks(text, language)


def wants(text: str) -> bool:
    """The tracker's pre-check on every message, before language detection (could it be a question)."""
    return detector.is_candidate(text)


def verdict(text: str, language: str) -> bool:
    """The bot's decision: `asks`, or the rules alone where no model covers `language`."""
    decided = asks(text, language)
    return detector.is_question(text, language) if decided is None else decided


def needs_model(text: str, language: str, rules: bool) -> bool:
    """Whether the bot's decision on `text` needs the model, given the rules' verdict `rules`: False for a
    language without a model or that ships the rules alone, for a command or quote-only message, and where
    the combination takes the rules' yes (or, without a mark, their reading of a "?") as it is. The
    tracker hands only these messages to the model, in a worker thread."""
    loaded = shipped()
    entry = loaded.languages.get(language) if loaded is not None else None
    if entry is None or entry.combination == "rules" or detector.is_excluded(text):
        return False
    if entry.combination == "model":
        return True
    if rules:
        return False
    return entry.combination != "rules-or-model-without-mark" or not ("?" in text or "？" in text)
