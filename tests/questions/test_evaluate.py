"""The question evaluation sets (benchmarks/questions/data) load, hold what the contract promises
(sizes, labels, no dialogue in both splits) and score a detector the way a tuner reads it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.questions import evaluate
from benchmarks.questions.evaluate import Example

REQUIRED = ("en", "fr")


@pytest.mark.parametrize("lang", REQUIRED)
def test_each_required_language_has_enough_messages_and_both_labels(lang: str) -> None:
    train = evaluate.load(lang, "train")
    heldout = evaluate.load(lang, "heldout")
    assert len(heldout) >= 1_000
    assert len(train) + len(heldout) >= 2_000
    for examples in (train, heldout):
        labels = Counter(e.label for e in examples)
        assert labels[True] >= 300, labels  # enough questions for a stable recall
        assert labels[False] > labels[True]  # questions stay a minority, as in conversation
        assert all(e.text.strip() and "\t" not in e.text and "\n" not in e.text for e in examples)
        assert all(":" in e.source for e in examples)  # corpus:document


@pytest.mark.parametrize("lang", evaluate.languages())
def test_no_dialogue_or_document_is_in_both_splits(lang: str) -> None:
    train = {e.source for e in evaluate.load(lang, "train")}
    heldout = {e.source for e in evaluate.load(lang, "heldout")}
    assert train.isdisjoint(heldout)


@pytest.mark.parametrize("lang", evaluate.languages())
def test_heldout_messages_rarely_repeat_a_train_message(lang: str) -> None:
    # Near-duplicate dialogues are dropped from heldout; what remains are set phrases ("Well, it was
    # really nice talking to you.") that any conversation may hold.
    train = {e.text for e in evaluate.load(lang, "train")}
    long_heldout = [e.text for e in evaluate.load(lang, "heldout") if len(e.text) > 30]
    repeated = [text for text in long_heldout if text in train]
    assert len(repeated) <= len(long_heldout) // 200, repeated[:5]


@pytest.mark.parametrize("lang", REQUIRED)
def test_every_corpus_contributes_to_both_splits(lang: str) -> None:
    def corpora(split: str) -> set[str]:
        return {e.source.split(":", 1)[0] for e in evaluate.load(lang, split)}

    # PUD has nine questions: all nine may fall on one side; every larger corpus is on both.
    assert corpora("train") - {"pud"} == corpora("heldout") - {"pud"}


def test_hard_negatives_are_kept() -> None:
    english = evaluate.load("en", "train") + evaluate.load("en", "heldout")
    reactions = [e for e in english if e.source.startswith("swda:") and e.text == "Really?"]
    assert reactions and not any(e.label for e in reactions)  # SwDA bh: a reaction, not a question
    french = evaluate.load("fr", "train") + evaluate.load("fr", "heldout")
    embedded = [e for e in french if not e.label and "je sais pas pourquoi" in e.text.lower()]
    assert embedded  # embedded interrogatives are negatives


def test_french_intonation_questions_are_labelled_by_hand_with_their_reading() -> None:
    from benchmarks.questions.build import HAND_FR

    rows = [line.split("\t") for line in HAND_FR.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    assert len(rows) >= 150
    assert all(len(row) == 5 and row[0] in ("0", "1", "x") for row in rows)
    assert {row[1] for row in rows if row[0] == "1"} == {"question"}
    french = {e.text: e.label for e in evaluate.load("fr", "train") + evaluate.load("fr", "heldout")}
    assert french["il a mal réagi ?"] is True  # intonation only: FIB has no such category
    assert french["sérieux ?"] is False  # a reaction
    assert french["tu vois ?"] is False  # a tag


def test_scores_count_true_and_false_positives_and_misses() -> None:
    examples = [
        Example(True, "t:1", "how are you?"),
        Example(True, "t:1", "whats up"),
        Example(False, "t:2", "really?"),
        Example(False, "t:2", "ok"),
    ]

    def ends_with_mark(text: str, lang: str) -> bool:
        return text.endswith("?")

    scores = evaluate.score(ends_with_mark, examples, "en")
    assert (scores.tp, scores.fp, scores.fn, scores.count) == (1, 1, 1, 4)
    assert scores.precision == pytest.approx(0.5)
    assert scores.recall == pytest.approx(0.5)
    assert scores.f1 == pytest.approx(0.5)
    false_positives, false_negatives = evaluate.errors(ends_with_mark, examples, "en")
    assert [e.text for e in false_positives] == ["really?"]
    assert [e.text for e in false_negatives] == ["whats up"]
    never = evaluate.score(lambda text, lang: False, examples, "en")
    assert (never.precision, never.recall, never.f1) == (0.0, 0.0, 0.0)


def test_the_current_detector_is_scored_on_the_real_train_split() -> None:
    from plugins.questions.detector import is_question

    scores = evaluate.score(is_question, evaluate.load("fr", "train"), "fr")
    assert scores.count == len(evaluate.load("fr", "train"))
    assert scores.tp + scores.fn == sum(e.label for e in evaluate.load("fr", "train"))


def test_unknown_split_and_malformed_lines_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown split"):
        evaluate.load("en", "test")
    (tmp_path / "xx.train.tsv").write_text("1\tsrc:1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="label<TAB>source<TAB>text"):
        evaluate.load("xx", "train", tmp_path)
