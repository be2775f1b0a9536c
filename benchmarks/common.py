"""What every benchmark shares: an in-memory platform, synthetic chat messages, the real app, and
the worst event-loop stall seen while the app runs under a benchmark's load."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App
from bot.clock import FrozenClock
from bot.config import Config
from bot.demo.world import DemoPlatform
from bot.loopwatch import Stall, watching
from bot.model import ChannelRef, CommunityRef, Message, MessageRef, UserRef

START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
LOOP_STALL_TARGET_MS = 100

FRENCH = [
    "Bonjour à tous, quelqu'un a testé la nouvelle version ?",
    "merci pour le partage, très utile",
    "Je propose qu'on se retrouve jeudi à Lille pour en parler",
    "ok ça marche",
    "Comment configurer le calendrier éditorial pour l'équipe ?",
    "super article, inspirant !",
    "On publie le billet de blog mardi prochain",
    "quelqu'un sait où trouver les slides ?",
    "J'ai mis à jour la doc de l'atelier, les liens sont dans le fil",
    "bonne journée à tous",
    "La rencontre de Roubaix est confirmée pour le 12",
    "c'est noté, je m'en occupe",
    "Voici le compte rendu de la réunion d'hier",
    "top, bravo à l'équipe",
    "je serai en retard ce soir, commencez sans moi",
    "le lien du direct est épinglé en haut",
]
ENGLISH = [
    "Has anyone tried the new release yet?",
    "thanks, that was really helpful",
    "Let's meet on Thursday to discuss the roadmap",
    "sounds good",
    "How do I export the calendar as an ics file?",
    "great post, very insightful",
    "The newsletter goes out on Tuesday",
    "does anybody know where the slides are?",
    "I pushed the fix to the docs, details in the thread",
    "have a nice weekend everyone",
    "The meetup in Lille is confirmed for the 12th",
    "noted, I'll take care of it",
    "Here are the notes from yesterday's call",
    "nice work team",
    "running late tonight, start without me",
    "the livestream link is pinned at the top",
]


PLATFORM = DemoPlatform.name  # the demo's in-memory platform serves the benchmarks too


def messages(
    count: int,
    *,
    community: str = "W",
    members: int = 500,
    channels: int = 20,
    seed: int = 7,
    start: datetime = START,
    spacing: timedelta = timedelta(seconds=3),
) -> Iterator[Message]:
    """Synthetic French/English chat: 15% replies, 15% in threads, 3 questions in 16 texts (19%)."""
    rng = random.Random(seed)
    ref = CommunityRef(PLATFORM, community)
    recent: list[MessageRef] = []
    for i in range(count):
        channel = ChannelRef(PLATFORM, community, f"c{rng.randrange(channels)}")
        if recent and rng.random() < 0.15:
            channel = channel.in_thread(rng.choice(recent).message_id)
        message_ref = MessageRef(channel, f"m{i}")
        reply_to = rng.choice(recent) if recent and rng.random() < 0.2 else None
        text = rng.choice(FRENCH if rng.random() < 0.5 else ENGLISH)
        author = UserRef(PLATFORM, community, f"u{rng.randrange(members)}")
        yield Message(ref, start + spacing * i, message_ref, author, text, reply_to=reply_to)
        recent.append(message_ref)
        if len(recent) > 50:
            recent.pop(0)


def bench_config(
    path: Path, plugins: dict[str, Any] | None = None, *, url: str | None = None, **activity: int
) -> Config:
    """A configuration for a benchmark database: the SQLite file `path`, or the database `url` names."""
    return Config.model_validate(
        {
            "database": {"path": str(path)} if url is None else {"path": str(path), "url": url},
            "plugins": plugins or {"core": {}},
            "activity": activity or {},
        }
    )


_stalls: list[Stall | None] = []  # the worst stall of each watched `bench_app` since `reset_stalls`


@contextmanager
def watched_load() -> Iterator[None]:
    """Count the worst loop stall of the block in the suite's report (for a benchmark that builds its
    own app and delivers events as a platform does; `bench_app(under_load=True)` uses it)."""
    with watching() as watch:
        yield
    _stalls.append(watch.worst)


@asynccontextmanager
async def bench_app(
    path: Path,
    plugins: dict[str, Any] | None = None,
    *,
    under_load: bool = False,
    url: str | None = None,
    **activity: int,
) -> AsyncIterator[App]:
    """The real app with the benchmark platform, started; stopped (and flushed) afterwards.

    `under_load`: the benchmark delivers events the way a platform does (each burst, then the loop
    runs), so the worst loop stall over the app's life is the bot's and is reported. Throughput
    drivers that await the dispatcher in a tight loop never yield on purpose: their stretches are
    the driver's, not the bot's, and are not reported. Seeding a database before is never counted.
    `url`: a PostgreSQL database instead of the SQLite file `path`."""
    with watched_load() if under_load else contextlib.nullcontext():
        app = App(bench_config(path, plugins, url=url, **activity), clock=FrozenClock(START), realtime=False)
        await app.build()
        app.add_platform(DemoPlatform(workspace="W"))
        await app.start()
        try:
            yield app
        finally:
            await app.stop()


def stalls_since(mark: int) -> str:
    """The worst stall of the watched blocks since `len(_stalls)` was `mark`, as "N ms (callback)"."""
    worst = max((s for s in _stalls[mark:] if s is not None), key=lambda stall: stall.seconds, default=None)
    return "none" if worst is None else f"{worst.seconds * 1000:,.0f} ms ({worst.callback})"


def stall_mark() -> int:
    """A mark for `stalls_since`."""
    return len(_stalls)


def reset_stalls() -> None:
    """Forget the stalls seen so far (before each suite)."""
    _stalls.clear()


def worst_stall_row(suite: str) -> tuple[str, str, str, str]:
    """Print the worst stall since `reset_stalls` with its callback; the table row for it."""
    if not _stalls:
        print(f"{suite}: worst loop stall: not measured (throughput drivers only, which never yield)", flush=True)
        return (f"worst loop stall, {suite}", "not measured", f"target {LOOP_STALL_TARGET_MS} ms", "")
    worst = max((s for s in _stalls if s is not None), key=lambda stall: stall.seconds, default=None)
    ms = worst.seconds * 1000 if worst is not None else 0.0
    callback = worst.callback if worst is not None else "no callback ran"
    print(f"{suite}: worst loop stall: {ms:,.0f} ms ({callback}), target {LOOP_STALL_TARGET_MS} ms", flush=True)
    return (
        f"worst loop stall, {suite}",
        f"{ms:,.0f} ms",
        f"target {LOOP_STALL_TARGET_MS} ms",
        f"{ms / LOOP_STALL_TARGET_MS:.2f} of target",
    )


def available_plugins(wanted: list[str]) -> dict[str, Any]:
    """The wanted feature plugins that exist in this checkout, plus core."""
    from bot.registry import available_plugins as shipped

    present = set(shipped())
    return {"core": {}, **{name: {} for name in wanted if name in present}}
