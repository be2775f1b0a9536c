"""The start-up check that keeps a command "declared once": every parameter declared in `@command`
agrees with the handler's signature (name, type, optional or required, default), nothing in the
signature is left undeclared, and every problem is reported at once, naming plugin and command."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import pytest

from bot.i18n import _
from bot.model import Reply, UserRef
from bot.params import usage
from bot.plugin import (
    Choice,
    Invocation,
    ParamKind,
    Plugin,
    boolean,
    choice,
    command,
    duration,
    integer,
    member,
    moment,
    number,
    text,
)
from bot.registry import DeclarationError, Registry, available_plugins, declared_commands, plugin_class
from tests.harness import running


def problems_of(plugin: type[Plugin]) -> str:
    """The message the real registry gives when it refuses the plugin."""
    with pytest.raises(DeclarationError) as refused:
        Registry().add(plugin.__new__(plugin))
    return str(refused.value)


def test_a_handler_that_matches_its_declaration_is_accepted() -> None:
    class Tidy(Plugin):
        name = "tidy"

        @command(
            "tidy all",
            _("x"),
            text("city", _("c"), autocomplete=None),
            integer("radius_km", _("r"), required=False, min_value=1, max_value=500),
            number("ratio", _("r"), required=False),
            boolean("loud", _("l"), required=False),
            choice("mode", _("m"), [Choice("a", _("a")), Choice("b", _("b"))], required=False),
            duration("every", _("e"), required=False),
            moment("when", _("w"), required=False),
            member("who", _("w"), required=False),
        )
        async def everything(
            self,
            inv: Invocation,
            city: str,
            radius_km: int = 25,
            ratio: float = 1,
            loud: bool = False,
            mode: str = "a",
            every: timedelta | None = None,
            when: datetime | None = None,
            who: Annotated[UserRef | None, "annotated metadata is looked through"] = None,
        ) -> Reply:
            return Reply()

        @command("tidy bare", _("x"))
        async def bare(self, inv: Invocation) -> Reply:
            return Reply()

    registry = Registry()
    registry.add(Tidy.__new__(Tidy))
    assert set(registry.commands) == {"tidy all", "tidy bare"}


def test_optional_and_required_must_agree_with_the_default() -> None:
    class Defaults(Plugin):
        name = "defaults"

        @command("defaults near", _("x"), integer("radius_km", _("r"), required=False))
        async def near(self, inv: Invocation, radius_km: int) -> Reply:
            return Reply()

        @command("defaults far", _("x"), text("city", _("c")))
        async def far(self, inv: Invocation, city: str = "Lille") -> Reply:
            return Reply()

    message = problems_of(Defaults)
    assert message.startswith("2 declaration problems:\n")
    assert (
        "plugin defaults, command /defaults near: parameter radius_km is declared optional "
        "but the handler has no default" in message
    )
    assert (
        "plugin defaults, command /defaults far: parameter city is declared required "
        "but the handler gives it a default ('Lille')" in message
    )


def test_the_annotation_must_accept_what_the_converter_makes() -> None:
    class Types(Plugin):
        name = "types"

        @command("types count", _("x"), integer("count", _("c")))
        async def count(self, inv: Invocation, count: str) -> Reply:
            return Reply()

        @command("types when", _("x"), moment("when", _("w"), required=False))
        async def when(self, inv: Invocation, when: datetime = None) -> Reply:  # type: ignore[assignment]  # noqa: RUF013
            return Reply()

    message = problems_of(Types)
    assert "command /types count: parameter count is declared integer (int) but annotated str" in message
    assert "command /types when: parameter when defaults to None but is annotated datetime" in message


def test_defaults_must_be_values_the_declaration_accepts() -> None:
    class Values(Plugin):
        name = "values"

        @command(
            "values set",
            _("x"),
            integer("size", _("s"), required=False, min_value=1, max_value=10),
            choice("mode", _("m"), [Choice("on", _("on")), Choice("off", _("off"))], required=False),
            text("label", _("l"), required=False),
        )
        async def set(self, inv: Invocation, size: int = 50, mode: str = "maybe", label: Any = 3) -> Reply:
            return Reply()

    message = problems_of(Values)
    assert "parameter size defaults to 50, outside its declared bounds" in message
    assert "parameter mode defaults to 'maybe', which is not one of its choices" in message
    assert "parameter label defaults to 3, not a str" in message


def test_names_must_match_both_ways() -> None:
    class Names(Plugin):
        name = "names"

        @command("names missing", _("x"), text("value", _("v")))
        async def missing(self, inv: Invocation) -> Reply:
            return Reply()

        @command("names extra", _("x"))
        async def extra(self, inv: Invocation, forgotten: str = "") -> Reply:
            return Reply()

        @command("names star", _("x"), text("value", _("v")))
        async def star(self, inv: Invocation, *values: Any) -> Reply:
            return Reply()

        @command("names any", _("x"), text("value", _("v")), integer("count", _("c"), required=False))
        async def any_(self, inv: Invocation, count: str = "", **values: Any) -> Reply:
            return Reply()

        @command("names alone", _("x"))
        async def alone(self) -> Reply:
            return Reply()

    message = problems_of(Names)
    assert "plugin names, command /names missing: the handler does not accept value" in message
    assert "plugin names, command /names extra: handler parameter forgotten is not declared in @command" in message
    assert "plugin names, command /names star: the handler takes *values, but values are passed by name" in message
    # `**values` accepts any declared name; the parameters it names are still checked.
    assert "command /names any: the handler does not accept" not in message
    assert "command /names any: parameter count is declared integer (int) but annotated str" in message
    assert "plugin names, command /names alone: the handler must take the invocation" in message


def test_every_problem_of_every_command_is_listed_at_once() -> None:
    class Many(Plugin):
        name = "many"

        @command("many one", _("x"), integer("a", _("a")), text("b", _("b"), required=False))
        async def one(self, inv: Invocation, a: str, b: str) -> Reply:
            return Reply()

        @command("Bad Path!", _("x"))
        async def two(self, inv: Invocation) -> Reply:
            return Reply()

    message = problems_of(Many)
    lines = message.splitlines()
    assert lines[0] == "3 declaration problems:"
    assert all(
        line.startswith(("- plugin many, command /many one:", "- plugin many, command /Bad Path!:"))
        for line in lines[1:]
    )
    assert len(lines) == 4


@pytest.mark.parametrize("name", available_plugins())
def test_every_shipped_plugin_declares_its_commands_once(name: str) -> None:
    # The same check the app runs at start; a plugin refused here would refuse to start.
    cls = plugin_class(name)
    registry = Registry()
    registry.add(cls.__new__(cls))
    assert sorted(registry.commands) == [decl.path for decl in declared_commands([name])]


async def test_the_app_starts_with_every_shipped_plugin(tmp_path: Path) -> None:
    async with running(tmp_path, plugins={name: {} for name in available_plugins()}) as h:
        assert {spec.plugin for spec in h.app.registry.commands.values()} >= {"groups", "questions"}


def test_parameters_can_be_declared_once_in_the_signature() -> None:
    class Signed(Plugin):
        name = "signed"

        @command("signed nearby", _("x"))
        async def nearby(
            self,
            inv: Invocation,
            city: Annotated[str, _("The city.")],
            radius_km: Annotated[int, integer("", _("Radius."), min_value=1, max_value=500)] = 25,
            who: Annotated[UserRef | None, _("Who.")] = None,
        ) -> Reply:
            return Reply()

    registry = Registry()
    registry.add(Signed.__new__(Signed))
    params = registry.commands["signed nearby"].decl.params
    assert [(p.name, p.kind, p.required) for p in params] == [
        ("city", ParamKind.TEXT, True),
        ("radius_km", ParamKind.INTEGER, False),
        ("who", ParamKind.MEMBER, False),
    ]
    assert usage("signed nearby", params) == "/signed nearby <city> [radius_km:<1-500>] [who:<@member>]"


def test_a_signature_declaration_is_checked_like_a_list() -> None:
    with pytest.raises(TypeError, match="either in @command or in the signature, not both"):

        @command("both ways", _("x"), text("city", _("c")))
        async def both(self: Plugin, inv: Invocation, city: Annotated[str, _("c")]) -> Reply:
            return Reply()

    with pytest.raises(TypeError, match="parameter mode needs a Param"):

        @command("loose choice", _("x"))
        async def loose(self: Plugin, inv: Invocation, mode: Annotated[list[str], _("m")]) -> Reply:
            return Reply()

    class Wrong(Plugin):
        name = "wrong"

        @command("wrong size", _("x"))
        async def size(self, inv: Invocation, size: Annotated[str, integer("", _("s"))]) -> Reply:
            return Reply()

    assert "parameter size is declared integer (int) but annotated" in problems_of(Wrong)
