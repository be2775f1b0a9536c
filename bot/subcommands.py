"""Command-line subcommands a plugin serves (`affinity-bot digest …`): the `@subcommand` mark on a plugin
method and the `Subcommand`/`Option` it records. The core's command line (bot/__main__.py) lists them from
the discovered plugin classes, so it never names a plugin.

The method runs on a built but not started app (no platform connected, no scheduler); it receives the
options as keyword arguments (their `dest`) and returns the lines to print. A `CommandError` it raises is
printed, translated, and the process exits with 1.

Pure data, no I/O; plugins import it like `bot.declarations`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["Option", "Subcommand", "subcommand"]

F = TypeVar("F", bound=Callable[..., Awaitable[Sequence[str]]])


@dataclass(frozen=True)
class Option:
    """One `--flag VALUE` option of a subcommand (always a string, as argparse reads it)."""

    flag: str
    help: str
    required: bool = False
    # The value is a community key: when the method refuses it and the database does not know that
    # community, the command line lists the communities it knows (as `affinity-bot communities` does).
    community: bool = False

    @property
    def dest(self) -> str:
        """The keyword the method receives: `--out-dir` gives `out_dir`."""
        return self.flag.removeprefix("--").replace("-", "_")


@dataclass(frozen=True)
class Subcommand:
    """`affinity-bot <name> [options]`, served by one plugin method."""

    name: str
    help: str
    options: tuple[Option, ...] = ()


def subcommand(name: str, *, help: str, options: Sequence[Option] = ()) -> Callable[[F], F]:
    """Mark a plugin method as serving `affinity-bot <name>`."""

    def mark(func: F) -> F:
        marked: Any = func
        marked.__subcommand__ = Subcommand(name, help, tuple(options))
        return func

    return mark
