"""The question model in the tracker, through the real app: the verdict recorded with a message follows the
combination the weights file ships (a stand-in model here, so the test says what the wiring does whatever
the trained weights are); messages the pre-check turns away never reach the model; a language without a
model keeps the rules' verdict."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.questions import model
from tests.harness import running
from tests.questions.conftest import PLUGINS, edit, questions


def _stand_in(bias: float, combination: str, confirm: float = 0.0) -> model.QuestionModel:
    """A model with no weights: its probability is the logistic of `bias` for every message, in English."""
    bits = 8
    document = {
        "format": model.FORMAT,
        "bits": bits,
        "chars": [],
        "marks": False,
        "tables": {"t": base64.b64encode(bytes(1 << bits)).decode("ascii")},
        "languages": {
            "en": {
                "table": "t",
                "bias": bias,
                "scale": 0.01,
                "threshold": 0.5,
                "confirm": confirm,
                "model_threshold": 0.5,
                "combination": combination,
            }
        },
    }
    return model.load_bytes(gzip.compress(json.dumps(document).encode("utf-8")))


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[model.QuestionModel | None]]:
    """Replace the shipped model for one test: append the stand-in to the returned list."""
    slot: list[model.QuestionModel | None] = []
    monkeypatch.setattr(model, "_loaded", slot)
    yield slot


async def _verdicts(tmp_path: Path, texts: list[str]) -> list[tuple[str, int]]:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for text in texts:
            await h.say("alice", text)
        await h.flush()
        rows = await h.app.db.fetchall("SELECT is_question FROM messages ORDER BY id")
    return [(text, int(row["is_question"])) for text, row in zip(texts, rows, strict=True)]


async def test_an_eager_model_adds_the_questions_the_rules_turned_down_past_the_pre_check(
    tmp_path: Path, shipped: list[model.QuestionModel | None]
) -> None:
    shipped.append(_stand_in(5.0, "rules-or-model"))
    texts = [
        "how do you do, nice to meet you all!",  # an opener, but exclaimed: the rules say no, the model yes
        "the meetup is on thursday",  # no "?" and no opener: the pre-check turns it away, no model asked
        "/ask how do I do this",  # a command: never a question
    ]
    assert await _verdicts(tmp_path, texts) == [(texts[0], 1), (texts[1], 0), (texts[2], 0)]


async def test_a_doubtful_model_turns_down_what_the_rules_took_for_a_question(
    tmp_path: Path, shipped: list[model.QuestionModel | None]
) -> None:
    # Rules, then model: the rules' yes stands only if the model's probability reaches `confirm`.
    shipped.append(_stand_in(-5.0, "rules-then-model", confirm=0.2))
    async with running(tmp_path, plugins=PLUGINS) as h:
        first = await h.say("alice", "How do I export the calendar to my phone?")
        assert await questions(h) == []
        shipped[0] = _stand_in(5.0, "rules-then-model", confirm=0.2)
        await edit(h, "alice", first, "How do I export the calendar to my phone, please?")  # now it is
        assert [q["status"] for q in await questions(h)] == ["open"]


async def test_a_language_without_a_model_keeps_the_rules_verdict(
    tmp_path: Path, shipped: list[model.QuestionModel | None]
) -> None:
    shipped.append(_stand_in(-5.0, "model"))  # would turn every English message down
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "Bonjour, comment on installe le plugin sur Windows ?")
        assert [(q["language"], q["status"]) for q in await questions(h)] == [("fr", "open")]


async def test_without_a_weights_file_the_rules_decide(
    tmp_path: Path, shipped: list[model.QuestionModel | None]
) -> None:
    shipped.append(None)
    texts = ["How do I export the calendar?", "how do you do, nice to meet you all!"]
    assert await _verdicts(tmp_path, texts) == [(texts[0], 1), (texts[1], 0)]
