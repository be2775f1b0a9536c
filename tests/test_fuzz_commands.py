"""Every command of every shipped plugin, fed hostile argument text at every permission level:
each call gets a reply (an answer or a clear refusal), never the "something went wrong" crash reply.

Seeded, so a failure replays; the values mix unicode, RTL and zero-width characters, 10,000-character
values, SQL-looking strings, broken quotes, impossible dates and numbers, and unknown names."""

from __future__ import annotations

import random
from pathlib import Path

from bot.discovery import available_plugins, default_plugins
from bot.model import Level
from tests.harness import running

# Every plugin found in plugins/, the disabled-by-default ones too: a new plugin is fuzzed with no list to edit.
ALL_PLUGINS = {name: {} for name in (*default_plugins(), *available_plugins())}
HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    "' OR 1=1; DROP TABLE messages; --",
    "\u200b\u200d\ufeff",
    "\u202eabc\u202c",
    "مرحبا بالعالم",
    "🎉🎉🎉",
    '"unterminated',
    "name:",
    ":::",
    "-1",
    "1e999",
    "nan",
    "2026-02-30 25:61",
    "#nowhere",
    "@nobody",
    "Lille",
    "paris, fr",
    "0",
    "9" * 30,
    "a:b c:d",
    "« guillemets »",
    "\\",
    "\x00\x01",
    "true",
    "mardi 9h",
    "1d,2h",
    "FREQ=SECONDLY",
    "(a+)+$",
    "Rust Lille",
]


async def test_every_command_answers_hostile_input_without_crashing(tmp_path: Path) -> None:
    rng = random.Random(20261122)
    crashes: list[str] = []
    async with running(tmp_path, plugins=ALL_PLUGINS) as h:
        paths = sorted(h.app.registry.commands)
        assert len(paths) > 60  # every plugin's commands are really under test
        for path in paths:
            for _ in range(20):
                words = [rng.choice(HOSTILE) for _ in range(rng.randrange(0, 4))]
                line = f"/{path} {' '.join(words)}"
                reply = await h.command("fuzzer", line, level=rng.choice(list(Level)))
                if not reply.text and reply.card is None:
                    crashes.append(f"empty reply: {line[:100]!r}")
                elif "Something went wrong on our side" in reply.text:
                    crashes.append(f"crash: {line[:100]!r}")
    assert crashes == []
