"""The question model (plugins/questions/model.py): what it reads of a message (bounded, whatever the
message), how a weights file is scored, how it combines with the rules, and that the shipped weights file
is in the package and covers English and French."""

from __future__ import annotations

import base64
import gzip
import json
import math
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from plugins.questions import detector, model

HOSTILE = [
    "." * 2000,
    ".,;: " * 4000,
    "😀🎉" * 5000,
    "a" * 50_000,
    "<:party:123456789012345678> " * 1800,
    ("how do I fix this " * 3000) + "?",
    "> quoted? " * 5000,
    "```" * 3000,
]


def _file(bits: int, bias: float, scale: float, weights: dict[int, int], combination: str = "model") -> bytes:
    table = bytearray(1 << bits)
    for index, value in weights.items():
        table[index] = value & 0xFF  # a signed byte
    document = {
        "format": model.FORMAT,
        "bits": bits,
        "chars": [],
        "marks": False,
        "tables": {"t": base64.b64encode(bytes(table)).decode("ascii")},
        "languages": {
            "en": {
                "table": "t",
                "bias": bias,
                "scale": scale,
                "threshold": 0.5,
                "model_threshold": 0.5,
                "combination": combination,
            }
        },
    }
    return gzip.compress(json.dumps(document).encode("utf-8"))


def test_a_50_kb_paste_is_read_as_its_first_thousand_characters() -> None:
    paste = "so I was thinking we could move the meetup to thursday because " * 800
    assert model.feature_names(paste) == model.feature_names(paste[: model.INPUT_LIMIT])


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_messages_make_a_bounded_number_of_features(text: str) -> None:
    # Scoring costs one CRC-32 and one table look-up per feature: a bounded count bounds the time, and a
    # regression shows here without any timing assertion.
    bound = 10 + model.WORD_LIMIT * (2 + 2 * (model.WORD_LENGTH + 2))
    assert len(model.feature_names(text)) <= bound


def test_quoted_lines_code_and_links_are_not_read_as_the_posters_words() -> None:
    quoted = model.feature_names("> how do I install it?\nthanks, that worked")
    assert "w:how" not in quoted and "e:?" not in quoted
    code = model.feature_names("look: ```what is this = 1``` done")
    assert "w:what" not in code
    link = model.feature_names("see https://example.org/faq?what=1 for details")
    assert "w:xxlink" in link and "w:what" not in link


def test_the_probability_is_the_logistic_of_the_bias_plus_the_scaled_mean_weight() -> None:
    # The training script fits rows scaled by 1/sqrt(feature count): scoring must do the same sum.
    text = "anyone know a good host"
    bits = 12
    indexes = model.hashed(model.feature_names(text, ()), bits)
    loaded = model.load_bytes(_file(bits, -1.0, 0.02, dict.fromkeys(indexes[:3], 127)))
    expected = 1 / (1 + math.exp(-(-1.0 + 3 * 127 * 0.02 / math.sqrt(len(indexes)))))
    assert loaded.probability(text, "en") == pytest.approx(expected)
    assert loaded.probability("something else entirely", "en") != pytest.approx(expected)


def test_a_language_without_a_model_is_left_to_the_rules() -> None:
    loaded = model.load_bytes(_file(8, 5.0, 0.01, {}))  # says "question" to anything, in English only
    assert loaded.asks("how do you do, nice to meet you!", "en") is True
    assert loaded.asks("la réunion est jeudi", "xx") is None
    assert loaded.probability("la réunion est jeudi", "xx") is None


def test_commands_and_quote_only_messages_are_never_questions_even_for_an_eager_model() -> None:
    loaded = model.load_bytes(_file(8, 5.0, 0.01, {}))
    assert loaded.asks("/ask how do I do this", "en") is False
    assert loaded.asks("> how do I do this?", "en") is False


def test_combinations() -> None:
    never, always = (lambda: 0.0), (lambda: 1.0)
    statement = model.facts("how do you do, nice to meet you!", "en")  # past the pre-check ("how do")
    question = model.facts("how do I export the calendar?", "en")
    reaction = model.facts("really?", "en")
    unseen = model.facts("the meetup is on thursday", "en")  # the pre-check turns it away
    rules, alone = model.Decision("rules"), model.Decision("model", 0.5)
    either, unmarked = model.Decision("rules-or-model", 0.5), model.Decision("rules-or-model-without-mark", 0.5)
    then = model.Decision("rules-then-model", 0.5, confirm=0.2)
    assert rules.decide(question, never) is True and rules.decide(statement, always) is False
    assert alone.decide(question, never) is False and alone.decide(statement, always) is True
    assert either.decide(question, never) is True and either.decide(statement, always) is True
    assert either.decide(statement, never) is False
    # Without a mark: a "?" the rules turned down (a reaction) is not handed to the model.
    assert unmarked.decide(reaction, always) is False and unmarked.decide(statement, always) is True
    # Rules, then model: the rules' yes needs the model's `confirm`, their no its `threshold`.
    assert then.decide(question, lambda: 0.3) is True and then.decide(question, lambda: 0.1) is False
    assert then.decide(statement, lambda: 0.3) is False and then.decide(statement, lambda: 0.6) is True
    # A message the tracker's pre-check turns away never reaches the model.
    assert not any(d.needs_model(unseen) for d in (alone, either, unmarked, then))
    assert not any(d.decide(unseen, always) for d in (alone, either, unmarked, then))


def test_a_weights_file_of_another_format_or_size_is_refused() -> None:
    document = json.loads(gzip.decompress(_file(8, 0.0, 0.01, {})))
    with pytest.raises(ValueError, match="format"):
        model.load_bytes(gzip.compress(json.dumps({**document, "format": 99}).encode()))
    with pytest.raises(ValueError, match="expected 512"):
        model.load_bytes(gzip.compress(json.dumps({**document, "bits": 9}).encode()))


def test_the_weights_file_ships_in_the_package_and_covers_english_and_french() -> None:
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8"))
    assert model.WEIGHTS_FILE in pyproject["tool"]["setuptools"]["package-data"]["plugins.questions"]
    weights = resources.files("plugins.questions").joinpath(model.WEIGHTS_FILE)
    assert weights.is_file() and len(weights.read_bytes()) < 500_000
    shipped = model.shipped()
    assert shipped is not None and {"en", "fr"} <= set(shipped.languages)
    assert all(entry.decision.combination in model.COMBINATIONS for entry in shipped.languages.values())
    for text in HOSTILE:
        probability = shipped.probability(text, "en")
        assert probability is not None and 0.0 <= probability <= 1.0


def test_the_bots_verdict_falls_back_to_the_rules_without_a_model() -> None:
    text = "¿Alguien sabe cómo exportar el calendario?"
    assert model.verdict(text, "xx") is detector.is_question(text, "xx")


@pytest.mark.parametrize(
    ("language", "question", "statement"),
    [
        ("en", "how do I export the calendar to my phone", "I exported the calendar to my phone"),
        ("fr", "comment on exporte le calendrier sur mon téléphone", "j'ai exporté le calendrier sur mon téléphone"),
        ("it", "come posso esportare il calendario", "ho esportato il calendario"),
    ],
)
def test_the_shipped_model_reads_the_wording_not_the_mark(language: str, question: str, statement: str) -> None:
    shipped = model.shipped()
    assert shipped is not None
    asking, telling = shipped.probability(question, language), shipped.probability(statement, language)
    assert asking is not None and telling is not None and asking > 0.5 > telling
    assert shipped.probability(question + " ?", language) == asking  # blind to "?": the rules read it


def test_the_training_script_reads_the_training_split_only(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")  # the `train` extra; the bot itself never needs it
    import scripts.train_question_model as training

    (tmp_path / "en.train.tsv").write_text("1\tc:1\thow do I do this\n0\tc:2\tfine thanks\n", "utf-8")
    (tmp_path / "en.heldout.tsv").write_text("not a valid line\n", "utf-8")  # read, it would raise
    loaded = training.load_train(tmp_path)
    assert [(e.label, e.text) for e in loaded["en"]] == [(True, "how do I do this"), (False, "fine thanks")]
