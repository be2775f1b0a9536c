"""The small question model: a logistic regression over hashed words, word pairs, first and last words,
how the message ends and its length (optionally letter groups), scored in pure Python from the weights file
`question_model.json.gz` beside this module, and its combination with the rules (`Decision`).

The model is trained by `scripts/train_question_model.py` on the training split of
`benchmarks/questions/data` only; which combination each language ships (the rules alone, the model alone,
the rules or the model, the rules then the model), its thresholds and the cross-validation figures behind
that choice are in the weights file; `benchmarks/questions_bench.py` measures them on the held-out split.
A language without a model (or without a weights file) keeps the rules alone.

The model does not read question marks: it judges the wording, the rules judge the "?". The corpora it
learns from are transcripts and edited text, where nearly every question carries a "?" and chat reactions
("ok?") are rare; a model reading the "?" learns "a '?' is a question, no '?' is not", which undoes what the
rules do for chat (reactions, questions without "?"): see the training script's docstring for the figures.

Only messages past the tracker's pre-check (`detector.is_candidate`: a "?" or an interrogative opener) are
ever scored. Neither scikit-learn nor numpy is needed at run time: a message becomes at most a few hundred
feature names, each hashed with CRC-32 into a table of signed bytes. The input is bounded (`INPUT_LIMIT`
characters, `WORD_LIMIT` words, `WORD_LENGTH` letters a word), so a 50 KB paste costs what a
1,000-character message does. The weights are read once (`shipped`, under a lock: the bot scores in worker
threads; the tracker reads them at start in a worker thread).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
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
from plugins.questions.clauses import QUOTE_LINE, unquoted

WEIGHTS_FILE = "question_model.json.gz"
COMBINATIONS = ("rules", "model", "rules-or-model", "rules-or-model-without-mark", "rules-then-model")
FORMAT = 1
INPUT_LIMIT = 1000  # characters of a message the model reads (a question says what it asks early)
WORD_LIMIT = 120  # words of those that make features (about 1,000 characters of chat)
WORD_LENGTH = 24  # letters of a word that make letter groups (a 1,000-letter "word" is not 2,000 features)

# Quoted lines (Discord `> ` and `>>> `, Slack `&gt;`) are someone else's words, read as the rules read them
# (`clauses`); code and links are not phrasing.
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
    text = unquoted(text)[:INPUT_LIMIT]
    if "```" in text:
        text = " ".join(part for i, part in enumerate(text.split("```")) if i % 2 == 0)  # odd parts are code
    if ">" in text:
        text = QUOTE_LINE.sub(" ", text)
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


def feature_names(text: str, chars: tuple[int, ...] = (), marks: bool = False) -> list[str]:
    """The model's features of a message, as names (the training script hashes the same names): the
    number of words, how it ends, its first and last words, its words and word pairs, and the groups of
    `chars` letters of its words (` how`, `ows `...). Without `marks`, question marks are not read at all:
    the model judges the wording, and the rules the "?" (see `Decision`)."""
    lowered = normalise(text)
    if not marks:
        lowered = lowered.replace("?", " ").replace("¿", " ").replace("？", " ")
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
    decision: Decision  # how the bot combines the model with the rules in this language
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
    marks: bool  # whether it reads question marks
    languages: dict[str, LanguageModel]
    meta: dict[str, Any]

    def indexes(self, text: str) -> list[int]:
        """The feature indexes of `text` (the costly part of scoring: tens of microseconds)."""
        return hashed(feature_names(text, self.chars, self.marks), self.bits)

    def probability(self, text: str, language: str) -> float | None:
        """The model's probability that `text` asks something, or None without a model for `language`."""
        model = self.languages.get(language)
        if model is None:
            return None
        return model.probability(self.indexes(text))

    def asks(self, text: str, language: str, rules: bool | None = None) -> bool | None:
        """The shipped decision for `language` (rules, model, or both as trained), None without a model;
        `rules` is the rules' verdict when the caller already has it (not computed twice)."""
        model = self.languages.get(language)
        if model is None:
            return None
        known = facts(text, language, rules)
        if model.decision.combination == "rules":
            return known.rules
        return model.decision.decide(known, lambda: model.probability(self.indexes(text)))


@dataclass(frozen=True)
class Facts:
    """What the rules say about a message, the inputs of every combination but the model's probability."""

    rules: bool  # detector.is_question
    excluded: bool  # a command or a message that only quotes another (never a question)
    marked: bool  # it has a question mark somewhere
    candidate: bool  # detector.is_candidate: the tracker's pre-check lets it through to language detection


def facts(text: str, language: str, rules: bool | None = None) -> Facts:
    """The rules' facts about `text` in `language` (`rules`: their verdict, when already known)."""
    return Facts(
        detector.is_question(text, language) if rules is None else rules,
        detector.is_excluded(text),
        "?" in text or "？" in text,
        detector.is_candidate(text),
    )


@dataclass(frozen=True)
class Decision:
    """How the rules and the model decide together, one of `COMBINATIONS`.

    `rules`: the rules alone. `model`: the model alone, at `threshold` (commands and quote-only messages
    excepted). `rules-or-model`: a question when the rules say so, or the model at `threshold`.
    `rules-or-model-without-mark`: the same, but a message with a "?" is left to the rules, which have read
    it (a reaction, a link). `rules-then-model`: the model has the last word, with a threshold that depends
    on the rules' verdict: `confirm` where they say yes, `threshold` where they say no.
    """

    combination: str
    threshold: float = 1.0
    confirm: float = 0.0

    def needs_model(self, known: Facts) -> bool:
        """Whether the verdict on a message with these facts needs the model's probability (never for one
        the tracker's pre-check turns away: the bot does not look further at those)."""
        if self.combination == "rules" or known.excluded or not known.candidate:
            return False
        if self.combination == "model":
            return True
        if known.rules:
            return self.combination == "rules-then-model" and self.confirm > 0.0
        return not (self.combination == "rules-or-model-without-mark" and known.marked)

    def decide(self, known: Facts, probability: Callable[[], float]) -> bool:
        """The verdict; `probability` is called only when the model's opinion is needed."""
        if not self.needs_model(known):
            return known.rules and not known.excluded
        if self.combination == "rules-then-model" and known.rules:
            return probability() >= self.confirm
        return probability() >= self.threshold


def rules_version() -> str:
    """A digest of the rules' source (every module they are built from, `detector.RULE_SOURCES`): the training
    records the one its choices were made with."""
    digest = hashlib.sha256()
    for source in detector.RULE_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


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
        decision = Decision(str(entry["combination"]), float(entry["threshold"]), float(entry.get("confirm", 0.0)))
        languages[code] = LanguageModel(
            tables[entry["table"]],
            float(entry["scale"]),
            float(entry["bias"]),
            decision,
            float(entry["model_threshold"]),
        )
    chars = tuple(int(n) for n in data["chars"])
    return QuestionModel(bits, chars, bool(data["marks"]), languages, dict(data.get("meta", {})))


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


def asks(text: str, language: str, rules: bool | None = None) -> bool | None:
    """Whether the bot takes `text` for a question in `language`, by the combination of the rules and the
    model chosen on the training split; None when no model covers `language` (then use
    `detector.is_question` alone). `rules`: the rules' verdict, when the caller already has it."""
    model = shipped()
    return None if model is None else model.asks(text, language, rules)


def verdict(text: str, language: str, rules: bool | None = None) -> bool:
    """The bot's decision: `asks`, or the rules alone where no model covers `language`."""
    decided = asks(text, language, rules)
    if decided is not None:
        return decided
    return detector.is_question(text, language) if rules is None else rules


def needs_model(text: str, language: str, rules: bool) -> bool:
    """Whether the bot's decision on `text` needs the model, given the rules' verdict `rules` (False for a
    language without a model or that ships the rules alone, for a command or a quote-only message, and
    where the combination takes the rules' verdict as it is). The tracker hands only these messages to the
    model, in a worker thread."""
    loaded = shipped()
    entry = loaded.languages.get(language) if loaded is not None else None
    if entry is None:
        return False
    return entry.decision.needs_model(Facts(rules, detector.is_excluded(text), "?" in text or "？" in text, True))
