"""Folding and did-you-mean: the same name however it is typed, and useful suggestions."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.folding import closest, fold


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Rust Lille", "rust lille"),
        ("rust-lille", "rust lille"),
        ("RUST LILLÉ", "rust lille"),
        ("  rust__lille  ", "rust lille"),
        ("rust \t\n lille", "rust lille"),
        ("rust – lille", "rust lille"),  # en dash, as phones type it
        ("Île-de-France", "ile de france"),
        ("Straße", "strasse"),
        ("Ｒｕｓｔ", "rust"),  # full-width letters
        ("ru\u200bst", "rust"),  # a zero-width space pasted in the middle
        ("Ça\u00a0va", "ca va"),  # no-break space
        ("", ""),
        ("---", ""),
    ],
)
def test_fold_makes_spellings_of_one_name_equal(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


VERBS = ["join", "leave", "list", "create", "nearby"]


@pytest.mark.parametrize(
    ("word", "candidates", "best"),
    [
        ("jion", VERBS, "join"),  # swapped letters
        ("leve", VERBS, "leave"),  # missing letter
        ("near", VERBS, "nearby"),  # the beginning of the word
        ("grp", ["group", "settings", "help"], "group"),  # an abbreviation
        ("GROUP", ["group", "groups"], "group"),  # exact (folded) match first
        ("rust lille", ["Rust-Lille", "Rust Paris"], "Rust-Lille"),  # original spelling returned
        ("lille", ["Rust-Lille", "Rust Paris"], "Rust-Lille"),  # contained in the name
    ],
)
def test_closest_suggests_what_was_meant(word: str, candidates: list[str], best: str) -> None:
    assert closest(word, candidates)[0] == best


def test_closest_ranks_a_prefix_above_a_mere_typo() -> None:
    assert closest("lis", ["lis", "list", "lisp"], n=3)[0] == "lis"
    assert closest("li", ["leave", "list"]) == ["list"]


def test_closest_returns_at_most_n_without_duplicates() -> None:
    assert closest("g", ["group", "group", "groups", "gather", "go"], n=2) == ["go", "group"]


@pytest.mark.parametrize(
    ("word", "candidates"),
    [
        ("zzz", VERBS),
        ("", VERBS),
        ("join", []),
        ("---", VERBS),
    ],
)
def test_closest_suggests_nothing_rather_than_nonsense(word: str, candidates: list[str]) -> None:
    assert closest(word, candidates) == []


def test_closest_respects_the_cutoff() -> None:
    assert closest("jxxn", VERBS) == []
    assert closest("jxxn", VERBS, cutoff=0.4) == ["join"]


def test_closest_stays_fast_with_a_huge_word_and_many_candidates() -> None:
    names = [f"member{i}" for i in range(2000)]
    started = time.perf_counter()
    assert closest("x" * 20_000, names) == []
    assert time.perf_counter() - started < 2.0
