"""Building the `/help` texts from the command declarations, for one reader.

This module owns what `/help` shows: the commands a reader may run (by their level), grouped by noun with
the moderators' and administrators' tools apart; for one command, who may use it, each parameter under
its name in the reader's language with whether it is optional and the values it accepts in the reader's
words, and one example generated from the declaration, typed as the reader would type it (their
parameter names and choice words, their channel, a date to come). Asked about a command above their
level, a reader learns who it is for instead of "there is no such command".

Pure: it reads declarations and renders words with the translator it is given; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.folding import fold
from bot.i18n import Msg, Text, Translator, _, exact_units, join, n_, term
from bot.model import Card, CardField, Level, Reply
from bot.params import usage_text
from bot.plugin import Choice, CommandDecl, Param, ParamKind

AUDIENCES: Mapping[Level, Msg] = {
    Level.MEMBER: _("every member"),
    Level.MODERATOR: _("moderators only"),
    Level.ADMIN: _("administrators only"),
}
SECTIONS: Mapping[Level, Msg] = {
    Level.MODERATOR: _("**For moderators**"),
    Level.ADMIN: _("**For administrators**"),
}

# Example values of text parameters by name, as a member would type them; a name not listed here shows
# its own (translated) name. Values that read the same in every language are plain strings; the others are
# catalog words under msgctxt "example", apart from the interface's own messages.
TEXT_EXAMPLES: Mapping[str, Text] = {
    "city": "Lille",
    "command": "group join",
    "confirm": "A1B2C3D4",
    "description": term("Rust coders in Lille", "example"),
    "group": "Rust Lille",
    "keywords": term("bike repair", "example"),
    "link": "https://example.org/post",
    "name": "Rust Lille",
    "nudge": term("2h", "example"),  # /questions settings: a delay
    "options": term("Tuesday | Thursday", "example"),
    "phrase": term("crypto giveaway", "example"),
    "question": term("How do I join a group?", "example"),
    "reason": term("already covered last week", "example"),
    "remind": term("1d", "example"),
    "repeat": term("weekly", "example"),
    "role": "@moderators",
    "rule": term("crypto giveaway", "example"),
    "tag": term("coffee", "example"),
    "tags": term("rust, coffee", "example"),
    "text": term("See you on Tuesday at the library!", "example"),
    "time": "09:00",
    "timezone": "Europe/Paris",
    "title": term("Newsletter of the week", "example"),
    "words": "crypto",
    "zone": "Europe/Paris",
}
# Sensible whole numbers by parameter name (kept within the declared bounds); others use 12, an id-like value.
NUMBER_EXAMPLES: Mapping[str, float] = {"radius_km": 30, "page": 2, "option": 2, "weeks": 4, "count": 5}


@dataclass(frozen=True)
class Reader:
    """Who asks: their language, and where and when they ask (for examples they can type as shown: their
    channel, a date to come in the community's time zone)."""

    locale: str
    translator: Translator
    timezone: str
    now: datetime
    channel: str

    def render(self, text: Text) -> str:
        """`text` in the reader's language."""
        return self.translator.render(text, self.locale)


def visible(commands: Sequence[CommandDecl], level: Level) -> list[CommandDecl]:
    """Commands a member at `level` may run, sorted by path."""
    return sorted((c for c in commands if c.level <= level), key=lambda c: c.path)


def _by_noun(commands: Sequence[CommandDecl]) -> list[Text]:
    """One line per command, under a heading per noun (a lone command is its own heading)."""
    lines: list[Text] = []
    nouns: dict[str, list[CommandDecl]] = {}
    for decl in commands:
        nouns.setdefault(decl.path.split(" ")[0], []).append(decl)
    for noun, decls in nouns.items():
        if len(decls) == 1 and decls[0].path == noun:
            lines.append(_("**/{path}**: {description}", path=noun, description=decls[0].description))
            continue
        lines.append(f"**/{noun}**")
        lines += [_("`/{path}`: {description}", path=d.path, description=d.description) for d in decls]
    return lines


def overview(commands: Sequence[CommandDecl], level: Level) -> Reply:
    """The commands the caller may use: every member's grouped by noun, then the moderators' and the
    administrators' apart, so a moderator sees at once which tools members do not have."""
    shown = visible(commands, level)
    lines = _by_noun([d for d in shown if d.level is Level.MEMBER])
    for section in (Level.MODERATOR, Level.ADMIN):
        decls = [d for d in shown if d.level is section]
        if decls:
            lines += ["", SECTIONS[section], *_by_noun(decls)]
    lines += ["", _("Type `/help command` for the details of one command, for example `/help privacy export`.")]
    return Reply(text=join(lines), ephemeral=True)


def details(decl: CommandDecl, reader: Reader) -> Reply:
    """Who may use one command, its usage, each parameter with its accepted values, and one example."""
    fields: list[CardField] = [
        CardField(_("Who can use it"), AUDIENCES[decl.level], inline=False),
        CardField(_("Usage"), join(["`", usage_text(decl.path, decl.params), "`"], ""), inline=False),
    ]
    for param in decl.params:
        need = _("optional") if not param.required else _("required")
        lines: list[Text] = [param.description, _("Accepted: {values}", values=accepted(param, reader))]
        fields.append(CardField(_("{name} ({need})", name=param.label, need=need), join(lines), inline=False))
    fields.append(CardField(_("Example"), f"`{example(decl, reader)}`", inline=False))
    return Reply(card=Card(title=f"/{decl.path}", description=decl.description, fields=tuple(fields)), ephemeral=True)


def above_level(decl: CommandDecl, commands: Sequence[CommandDecl], level: Level, *, whole_noun: bool = False) -> Reply:
    """The answer to a member asking about a moderators' command (or, `whole_noun`, about a noun whose
    commands are all theirs): who it is for and what it does, then what the member can use instead."""
    noun = decl.path.split(" ")[0]
    who = _("moderators") if decl.level is Level.MODERATOR else _("administrators")
    if whole_noun:
        intro: list[Text] = [_("The /{noun} commands are for {who} only.", noun=noun, who=who)]
    else:
        intro = [_("/{path} is for {who} only.", path=decl.path, who=who), decl.description]
    own = [d for d in visible(commands, level) if d.path.split(" ")[0] == noun]
    hint = (
        _("Type `/help {noun}` for the /{noun} commands you can use.", noun=noun)
        if own
        else _("Type `/help` for the commands you can use.")
    )
    return Reply(text=join([*intro, hint]), ephemeral=True)


# ---------------------------------------------------------------- accepted values


def accepted(param: Param, reader: Reader) -> Text:
    """The values a parameter accepts, in the reader's words."""
    kind = param.kind
    if kind is ParamKind.CHOICE:
        return join([_choice_shown(choice, reader) for choice in param.choices], ", ")
    if kind in (ParamKind.INTEGER, ParamKind.NUMBER):
        return _numbers(param)
    if kind is ParamKind.BOOLEAN:
        return _("`{yes}` or `{no}`", yes=_("yes"), no=_("no"))
    if kind is ParamKind.DURATION:
        forms = _("a duration such as `30m`, `2h` or `1d 2h`")
        low, high = param.min_value, param.max_value
        if low is not None and high is not None:
            bounds = _("from {low} to {high}", low=exact_units(low), high=exact_units(high))
            return join([forms, bounds], ", ")
        return forms
    if kind is ParamKind.DATETIME:
        return _(
            "a date and time such as `{example}`, in the community's time zone ({timezone})",
            example=_moment(reader),
            timezone=reader.timezone,
        )
    if kind is ParamKind.MEMBER:
        return _("a member (`@name` or a mention)")
    if kind is ParamKind.CHANNEL:
        return _("a channel (`#name`)")
    if kind is ParamKind.ATTACHMENT:
        return _("a file attached to the command")
    return n_("text, up to {count} character", "text, up to {count} characters", param.max_length)


def _choice_shown(choice: Choice, reader: Reader) -> Text:
    """`word`, and its label when the label says more than the word."""
    word = choice.word
    if fold(reader.render(choice.label)) == fold(reader.render(word)):
        return join(["`", word, "`"], "")
    return join(["`", word, "` (", choice.label, ")"], "")


def _numbers(param: Param) -> Msg:
    low, high = param.min_value, param.max_value
    whole = param.kind is ParamKind.INTEGER
    if low is not None and high is not None:
        if whole:
            return _("a whole number from {low} to {high}", low=_plain(low), high=_plain(high))
        return _("a number from {low} to {high}", low=_plain(low), high=_plain(high))
    if low is not None:
        if whole:
            return _("a whole number, {low} or more", low=_plain(low))
        return _("a number, {low} or more", low=_plain(low))
    if high is not None:
        if whole:
            return _("a whole number up to {high}", high=_plain(high))
        return _("a number up to {high}", high=_plain(high))
    return _("a whole number") if whole else _("a number")


def _plain(bound: float) -> int | float:
    return int(bound) if bound == int(bound) else bound


def _moment(reader: Reader) -> str:
    """A date to come, as typed: the first day of next month at 10:00 in the community's time zone."""
    local = reader.now.astimezone(ZoneInfo(reader.timezone))
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return f"{year:04d}-{month:02d}-01 10:00"


# ---------------------------------------------------------------- example


def example(decl: CommandDecl, reader: Reader) -> str:
    """One command line built from the declaration, in the reader's words: every required parameter
    (by position, or by name when it is named only), then one optional parameter by name to show the
    `name:value` form, or by position when the command has no required one."""
    parts = [f"/{decl.path}"]
    typed = [p for p in decl.params if p.kind is not ParamKind.ATTACHMENT]
    for param in (p for p in typed if p.required):
        parts.append(_named(param, reader) if param.named_only else _value(param, reader))
    optional = [p for p in typed if not p.required]
    if optional:
        first = optional[0]
        positional = not any(p.required for p in typed) and not first.named_only
        parts.append(_value(first, reader) if positional else _named(first, reader))
    if any(p.kind is ParamKind.ATTACHMENT and p.required for p in decl.params):
        parts.append(reader.render(_("(with the file attached)")))
    return " ".join(parts)


def _named(param: Param, reader: Reader) -> str:
    return f"{reader.render(param.label)}:{_value(param, reader)}"


def _value(param: Param, reader: Reader) -> str:
    """An example value of one parameter, as the reader would type it (quoted when it has spaces)."""
    kind = param.kind
    if kind is ParamKind.CHOICE:
        return _quoted(reader.render(param.choices[0].word), param)
    if kind in (ParamKind.INTEGER, ParamKind.NUMBER):
        wanted = NUMBER_EXAMPLES.get(param.name, 12)
        low = param.min_value if param.min_value is not None else wanted
        high = param.max_value if param.max_value is not None else wanted
        return f"{_plain(min(max(wanted, low), high)):g}"
    if kind is ParamKind.BOOLEAN:
        return reader.render(_("yes"))
    if kind is ParamKind.DURATION:
        return _duration(param, reader)
    if kind is ParamKind.DATETIME:
        return _moment(reader)
    if kind is ParamKind.MEMBER:
        return "@alice"
    if kind is ParamKind.CHANNEL:
        return f"#{reader.channel}"
    if param.name == "due":  # a text the calendar reads as a date: one to come, as the other dates
        return _quoted(_moment(reader), param)
    sample = TEXT_EXAMPLES.get(param.name)
    shown = reader.render(sample if sample is not None else param.label)
    return _quoted(shown[: param.max_length], param)


def _duration(param: Param, reader: Reader) -> str:
    """The first of 30 minutes, 2 hours, 1 day, 1 week within the bounds, as the reader writes it."""
    forms = (
        (1800, term("30m", "example")),
        (7200, term("2h", "example")),
        (86400, term("1d", "example")),
        (604800, term("1w", "example")),
    )
    low = param.min_value if param.min_value is not None else 0
    high = param.max_value if param.max_value is not None else float("inf")
    fitting = [form for seconds, form in forms if low <= seconds <= high]
    return reader.render(fitting[0]) if fitting else f"{int(low)}s"  # `30 min`, `2 h`: one value unquoted


def _quoted(value: str, param: Param) -> str:
    """Quotes around a value with spaces, unless it takes the rest of the line."""
    if param.rest or not any(ch.isspace() for ch in value):
        return value
    return f'"{value}"'
