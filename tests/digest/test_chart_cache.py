"""The trend chart is kept under the exact data it plots: a preview asked again with nothing new reuses
its PNG (same bytes, not rendered again), and any change to the plotted figures gives a new chart, the
one a fresh render of the new figures gives."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from bot.model import Level
from plugins.digest import service
from plugins.digest.chart import ChartCache, ChartText, _TrendFigure, render_trend
from tests.digest.helpers import PLUGINS, png_size
from tests.harness import running


def recorded_renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The arguments of every chart actually rendered."""
    renders: list[tuple[Any, ...]] = []
    render = service.render_trend

    def recording(*args: Any) -> bytes:
        renders.append(args)
        return render(*args)

    monkeypatch.setattr(service, "render_trend", recording)
    return renders


async def test_a_repeated_preview_reuses_its_chart_until_the_figures_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders = recorded_renders(monkeypatch)
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "hello")
        await h.say("bob", "hi")
        (first,) = (await h.command("mod", "/digest preview", level=Level.MODERATOR)).attachments
        (again,) = (await h.command("mod", "/digest preview", level=Level.MODERATOR)).attachments
        assert again.content == first.content and len(renders) == 1

        await h.say("carol", "and me")  # one more message this week: the last bar grows
        (moved,) = (await h.command("mod", "/digest preview", level=Level.MODERATOR)).attachments
        assert len(renders) == 2 and moved.content != first.content
        labels, active, messages, words = renders[-1]
        assert (active[-1], messages[-1]) == (3, 3)
        assert moved.content == render_trend(labels, active, messages, words)  # rendered afresh, not stale
        assert png_size(moved.content) == (1000, 500)

        (same,) = (await h.command("mod", "/digest preview", level=Level.MODERATOR)).attachments
        assert same.content == moved.content and len(renders) == 2


def test_the_cache_keeps_the_latest_charts_only() -> None:
    words = ChartText("title", "x", "active", "messages")
    cache = ChartCache(size=2)
    keys = [ChartCache.key(["1 Nov"], [n], [n], words) for n in range(3)]
    cache.put(keys[0], b"zero")
    cache.put(keys[1], b"one")
    assert cache.get(keys[0]) == b"zero"  # used: now the most recent
    cache.put(keys[2], b"two")
    assert (cache.get(keys[0]), cache.get(keys[1]), cache.get(keys[2])) == (b"zero", None, b"two")
    assert cache.get(ChartCache.key(["1 Nov"], [0], [0], ChartText("titre", "x", "active", "messages"))) is None


def plain_render(labels: list[str], active: list[int], messages: list[int], words: ChartText) -> bytes:
    """The chart drawn on a new figure (not one kept from an earlier chart), laid out, saved."""
    return _TrendFigure(labels, active, messages, words).png()


@pytest.mark.parametrize(
    "words",
    [
        ChartText("Activity over the last 12 weeks", "Period starting on", "Active members", "Messages"),
        ChartText("Activité sur les 12 dernières semaines", "Période commençant le", "Membres actifs", "Messages"),
    ],
)
def test_a_kept_figure_draws_the_same_png_as_a_new_figure(words: ChartText) -> None:
    pick = random.Random(words.title)
    for count, scales in ((12, (10, 0, 100_000, 1_000)), (2, (3, 3_000_000)), (52, (50,))):
        labels = [f"{day % 28 + 1} nov. {count}" for day in range(count)]  # new labels: the first figure is new
        for scale in scales:  # each drawn on the figure kept from the one before
            active = [pick.randrange(scale + 1) for _ in range(count)]
            messages = [pick.randrange(scale * 7 + 1) for _ in range(count)]
            assert render_trend(labels, active, messages, words) == plain_render(labels, active, messages, words)
