"""Pure modules: names and tags, suggestion ranking (the gazetteer: test_gazetteer.py)."""

from __future__ import annotations

from plugins.groups.names import channel_slug, group_key, has_tags, is_valid_name, parse_tags
from plugins.groups.suggest import Candidate, rank


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
