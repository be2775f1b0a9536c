"""The groups plugin through the console in script mode: no channel creation, so groups live
without a space and the replies say so."""

from __future__ import annotations

from pathlib import Path

from tests.harness import make_config, on_console


async def test_a_console_session_creates_joins_and_finds_groups(tmp_path: Path) -> None:
    groups = {"creation": "direct", "gazetteer": "cities15000", "gazetteer_preload": False}
    config = make_config(tmp_path, {"core": {}, "groups": groups})
    async with on_console(config) as (console, out, _app):
        await console.play(
            [
                "/as alice",
                '/group create "Rust Lille" local "Rustaceans near Lille" tags:rust city:Rijsel radius_km:30',
                "/as bob",
                "/group join rust-lille",
                "/group nearby Roubaix",
                "/group info RUST LILLÉ",
                '/group announce "Rust Lille" hello',
            ]
        )
    text = out.getvalue().replace("**", "")  # the same with or without bold markers in the terminal
    assert "Group Rust Lille created; you are its owner." in text
    assert "This platform cannot create channels: the group works without its own space." in text
    assert "Welcome to Rust Lille!" in text
    assert "Rust Lille · 11 km · /group join Rust Lille" in text
    assert "Place: Lille, FR, within 30 km" in text
    assert "Only the owners of Rust Lille and the moderators can do that." in text
