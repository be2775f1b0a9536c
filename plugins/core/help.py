"""Building the `/help` texts from the command declarations (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Msg, Text, _, join
from bot.model import Card, CardField, Level, Reply
from bot.params import usage
from bot.plugin import CommandDecl

LEVEL_NAMES = {Level.MEMBER: _("everyone"), Level.MODERATOR: _("moderators"), Level.ADMIN: _("administrators")}


def visible(commands: Sequence[CommandDecl], level: Level) -> list[CommandDecl]:
    """Commands a member at `level` may run, sorted by path."""
    return sorted((c for c in commands if c.level <= level), key=lambda c: c.path)


def overview(commands: Sequence[CommandDecl], level: Level) -> Reply:
    """One line per command the caller may use, grouped by noun."""
    lines: list[Text] = []
    noun = ""
    for decl in visible(commands, level):
        head = decl.path.split(" ")[0]
        if head != noun:
            noun = head
            lines.append(f"**/{noun}**")
        lines.append(_("`/{path}`: {description}", path=decl.path, description=decl.description))
    lines.append(_("Type `/help command` for the details of one command, for example `/help privacy export`."))
    return Reply(text=join(lines), card=None, ephemeral=True)


def details(decl: CommandDecl) -> Reply:
    """Usage and parameters of one command."""
    fields: list[CardField] = [CardField(_("Usage"), f"`{usage(decl.path, decl.params)}`", inline=False)]
    for param in decl.params:
        need: Msg = _("required") if param.required else _("optional")
        fields.append(CardField(param.name, join([param.description, _("({need})", need=need)], " "), inline=False))
    fields.append(CardField(_("Who can use it"), LEVEL_NAMES[decl.level]))
    return Reply(card=Card(title=f"/{decl.path}", description=decl.description, fields=tuple(fields)), ephemeral=True)
