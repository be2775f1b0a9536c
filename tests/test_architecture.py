"""The rings: plugins never import a platform SDK, the scheduler library or a database driver;
only bot/platforms/ imports the chat SDKs, only bot/scheduler.py imports apscheduler, only
bot/storage/ imports a database driver (sqlite3, aiosqlite, asyncpg); the core never imports a
plugin (bot/discovery.py alone imports the `plugins` package itself, to scan it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDKS = ("discord", "slack_bolt", "slack_sdk")
DRIVERS = ("sqlite3", "aiosqlite", "asyncpg")


def imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


def test_plugins_stay_out_of_platforms_scheduler_and_driver() -> None:
    allowed_bot = {
        "bot.model",
        "bot.plugin",
        "bot.formatting",
        "bot.i18n",
        "bot.folding",
        "bot.params",
        "bot.storage.times",  # pure: no I/O, no driver
        # the plugin API's own parts, re-exported by bot.plugin and bot.params:
        "bot.declarations",
        "bot.protocols",
        "bot.converters",
        "bot.subcommands",  # the command-line subcommands a plugin serves
        # pure shared domain modules: time as members type it and calendars exchange it, distances
        "bot.when",
        "bot.when.dates",
        "bot.when.date_words",
        "bot.when.rule_words",
        "bot.when.recurrence",
        "bot.when.ical",
        "bot.geo",
    }
    # The core plugin is part of the foundation: it may also use the core's stores.
    core_extra = {"bot.communities", "bot.storage.activity", "bot.storage.database", "bot.storage.times"}
    breaches = []
    for path in files("plugins"):
        is_core = path.relative_to(ROOT / "plugins").parts[0] == "core"
        allowed = allowed_bot | (core_extra if is_core else set())
        for name in imports(path):
            forbidden_library = top(name) in (*SDKS, "apscheduler", *DRIVERS)
            # bot.* beyond the plugin API (platforms, app, dispatcher...) is off limits too.
            forbidden_core = top(name) == "bot" and name not in allowed
            if forbidden_library or forbidden_core:
                breaches.append(f"{path.relative_to(ROOT)} imports {name}")
    assert breaches == []


def test_the_core_imports_no_plugin() -> None:
    breaches = []
    for path in files("bot"):
        rel = path.relative_to(ROOT)
        for name in imports(path):
            scans_the_package = name == "plugins" and rel == Path("bot/discovery.py")
            if top(name) == "plugins" and not scans_the_package:
                breaches.append(f"{rel} imports {name}")
    assert breaches == []


def test_the_demo_is_its_own_ring_on_the_public_api() -> None:
    # bot/demo/ plays a community through the app as any embedder would: the app, its configuration and
    # clock, the neutral model and the plugin API; never a plugin, a platform adapter or storage.
    public = {"bot.app", "bot.clock", "bot.config", "bot.model", "bot.formatting", "bot.i18n", "bot.plugin"}
    breaches = []
    for path in files("bot/demo"):
        for name in imports(path):
            inside = name == "bot.demo" or name.startswith("bot.demo.")
            if top(name) in ("bot", "plugins") and name not in public and not inside:
                breaches.append(f"{path.relative_to(ROOT)} imports {name}")
    # ...and only the command line reaches it: the core does not depend on its demo.
    for path in files("bot"):
        rel = path.relative_to(ROOT)
        if rel.parts[:2] == ("bot", "demo") or rel == Path("bot/__main__.py"):
            continue
        breaches += [f"{rel} imports {n}" for n in imports(path) if n == "bot.demo" or n.startswith("bot.demo.")]
    assert breaches == []


def test_only_platform_adapters_import_chat_sdks() -> None:
    breaches = [
        f"{p.relative_to(ROOT)} imports {n}"
        for p in files("bot")
        for n in imports(p)
        if top(n) in SDKS and "platforms" not in p.relative_to(ROOT).parts
    ]
    assert breaches == []


def test_only_the_scheduler_imports_apscheduler_and_only_storage_imports_a_database_driver() -> None:
    breaches = []
    for path in files("bot") + files("plugins"):
        rel = path.relative_to(ROOT)
        for name in imports(path):
            if top(name) == "apscheduler" and rel != Path("bot/scheduler.py"):
                breaches.append(f"{rel} imports {name}")
            if top(name) in DRIVERS and rel.parts[:2] != ("bot", "storage"):
                breaches.append(f"{rel} imports {name}")
    assert breaches == []


def test_the_console_does_not_import_chat_sdks_or_matplotlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.__main__, bot.app, bot.platforms.console; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('discord', 'slack_bolt', 'slack_sdk', 'matplotlib')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_scheduler_and_the_activity_writer_do_not_reach_the_plugin_api() -> None:
    # bot.plugin names the scheduler and the activity writer for the type checker; if they imported
    # bot.plugin back (as they did for DueAction and MessageNotes) the two would form a cycle. The
    # shared values live in bot.declarations. Every import counts here, type-only ones included.
    graph: dict[str, set[str]] = {}
    for path in files("bot"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[module] = {name for name in imports(path) if top(name) == "bot"}
    for start in ("bot.scheduler", "bot.storage.activity"):
        seen: set[str] = set()
        todo = [start]
        while todo:
            module = todo.pop()
            if module in seen:
                continue
            seen.add(module)
            todo.extend(graph.get(module, ()))
        assert "bot.plugin" not in seen, f"{start} reaches bot.plugin"
