"""Pure modules: the gazetteer, names and tags, suggestion ranking."""

from __future__ import annotations

import pytest

from plugins.groups.names import channel_slug, group_key, has_tags, is_valid_name, parse_tags
from plugins.groups.places import Gazetteer
from plugins.groups.suggest import Candidate, rank


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.build()


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("Lille", "Lille, FR"),
        ("LILLE", "Lille, FR"),
        ("Rijsel", "Lille, FR"),
        ("rijsel", "Lille, FR"),
        ("Paris", "Paris, FR"),
        ("Paris, US", "Paris, US"),
        ("paris, united states", "Paris, US"),
        ("Montreal", "Montréal, CA"),
        ("saint etienne", "Saint-Étienne, FR"),
        ("Roubaix", "Roubaix, FR"),
    ],
)
def test_cities_resolve_accent_and_case_insensitively(gaz: Gazetteer, query: str, label: str) -> None:
    found = gaz.resolve(query)
    assert found.city is not None and found.city.label == label


def test_an_ambiguous_name_takes_the_most_populous_and_lists_the_others(gaz: Gazetteer) -> None:
    found = gaz.resolve("Paris")
    assert found.city is not None and found.city.country == "FR"
    assert "Paris, US" in [c.label for c in found.others]
    assert gaz.resolve("Paris, FR").others == ()


def test_unknown_cities_get_suggestions_of_similar_length(gaz: Gazetteer) -> None:
    assert gaz.resolve("Pariss").suggestions[0] == "Paris, FR"
    assert gaz.resolve("Strasbourgg").suggestions[0] == "Strasbourg, FR"
    nothing = gaz.resolve("qqqqzzzzxx")
    assert nothing.city is None and nothing.suggestions == ()
    assert gaz.resolve("Lille, ZZ").city is None  # unknown country: the whole text is the name


def test_completion_is_by_prefix_most_populous_first(gaz: Gazetteer) -> None:
    labels = [c.label for c in gaz.complete("lil")]
    assert "Lille, FR" in labels and all(label.lower().startswith("lil") for label in labels)
    assert len(gaz.complete("a")) == 25
    assert gaz.complete("") == [] and gaz.complete("zzzzzz") == []


def test_group_names_fold_to_one_key() -> None:
    assert group_key("Rust Lille") == group_key("rust-lille") == group_key("RUST LILLÉ") == "rust lille"
    assert is_valid_name("Rust Lille") and is_valid_name("日本語")
    assert not is_valid_name("!!!") and not is_valid_name("") and not is_valid_name("x" * 61)


def test_tags_and_slugs() -> None:
    assert parse_tags("Rust, web #Lille rust") == ("Rust", "web", "Lille")  # as typed, the first spelling wins
    assert parse_tags("café, CAFE, thé") == ("café", "thé")
    assert has_tags(("Café", "web"), ("cafe",)) and has_tags(("cafe",), ("CAFÉ", "cafe"))
    assert not has_tags(("Café",), ("cafe", "thé"))
    assert parse_tags(None) == () and parse_tags(" , ") == ()
    assert len(parse_tags(" ".join(f"t{i}" for i in range(30)))) == 10
    assert channel_slug("Rust Lillé!") == "rust-lille"
    assert channel_slug("日本語") == "group"


def test_ranking_prefers_shared_tags_then_nearness() -> None:
    candidates = [
        Candidate("Go", ("go",), 50),
        Candidate("Rust Lyon", ("rust",), 3, 45.75, 4.85, 30),
        Candidate("Lille Coders", ("web",), 5, 50.63, 3.06, 20),
        Candidate("Knitting", ("wool",), 90),
    ]
    found = rank(candidates, ["rust", "web"], (50.69, 3.17))
    assert [s.name for s in found] == ["Lille Coders", "Rust Lyon"]
    assert found[0].distance_km is not None and found[0].distance_km < 12
    # Without tags or a place, the largest groups come first.
    assert [s.name for s in rank(candidates, [], None, limit=2)] == ["Knitting", "Go"]
