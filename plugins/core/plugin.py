"""The core plugin's declarations: help, language, time zone, community settings and privacy commands."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import available_timezones

from bot.communities import CHANNEL_PURPOSES, ROLE_PURPOSES
from bot.folding import closest, fold
from bot.i18n import SUPPORTED_LOCALES, Msg, Text, _, join, n_
from bot.model import Attachment, Button, Card, CardField, ChannelRef, CommunityRef, Level, Reply, UserRef
from bot.plugin import (
    Choice,
    CommandError,
    Invocation,
    Plugin,
    SettingsFields,
    SettingsNotes,
    autocomplete,
    channel,
    choice,
    command,
    text,
)
from bot.when.rule_words import moment_words
from plugins.core import help as help_texts
from plugins.core import privacy, zones

# Language names in the reader's language, in lower case in French ("anglais", "français").
LANGUAGE_NAMES: dict[str, Text] = {"en": _("English"), "fr": _("French")}
# Other spellings a member may type for a choice (its value and its word in every language are accepted).
CHOICE_ALIASES: dict[str, tuple[str, ...]] = {
    "en": ("english",),
    "fr": ("french",),
    "auto": ("automatic", "automatique"),
    "digest": ("bilans",),
    "helpers": ("aidants", "aide"),
    "moderation": ("moderateurs",),
    "calendar": ("agenda",),
    "moderators": ("moderation",),
    "managers": ("gestionnaires", "gestion"),  # the glossary's word, whatever the catalog says
}
PURPOSE_LABELS: dict[str, Text] = {
    "digest": _("digest"),
    "helpers": _("helpers"),
    "moderation": _("moderation"),
    "calendar": _("calendar"),
    "moderators": _("moderators"),
    "managers": _("managers"),
}
# Declared once: the reply that asks for the code names it as the reader types it.
CONFIRM = text("confirm", _("The confirmation code the bot gave you."), required=False, max_length=16)
# What `/timezone` takes for "follow the community" (the choice word `auto` reads the same in French).
AUTO_WORDS: tuple[str, ...] = ("auto", "automatic", "automatique")
_ROLE_MENTION = re.compile(r"^<@&(\d+)>$|^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$")


def _locale_choices(with_auto: bool) -> list[Choice]:
    values = [Choice(code, LANGUAGE_NAMES[code], CHOICE_ALIASES[code]) for code in SUPPORTED_LOCALES]
    return [*values, Choice("auto", _("automatic"), CHOICE_ALIASES["auto"])] if with_auto else values


def _purpose_choices(purposes: Sequence[str]) -> list[Choice]:
    return [Choice(p, PURPOSE_LABELS[p], CHOICE_ALIASES.get(p, ())) for p in purposes]


class CorePlugin(Plugin):
    """Help, settings, language and privacy."""

    name = "core"

    # ------------------------------------------------------------ help

    @command(
        "help",
        _("List the commands you can use, or explain one."),
        text(
            "command",
            _("A command to explain, such as `group join`."),
            required=False,
            max_length=60,
            autocomplete="commands",
            rest=True,
        ),
    )
    async def help(self, inv: Invocation, command: str | None = None) -> Reply:
        """`/help [command]`: only what the caller may run; a command above their level says who it is for."""
        commands = self.ctx.commands()
        if command is None:
            return help_texts.overview(commands, inv.level)
        wanted = " ".join(command.strip().lstrip("/").lower().split())
        for decl in commands:
            if decl.path != wanted:
                continue
            if decl.level > inv.level:
                return help_texts.above_level(decl, commands, inv.level)
            # The example names the channel the reader is in: one they can type, which exists.
            here = self.ctx.directory.channel_name(inv.channel.parent())
            typable = here if here and not any(ch.isspace() for ch in here) else inv.channel.channel_id
            reader = help_texts.Reader(inv.locale, self.ctx.translator, inv.timezone, inv.at, typable)
            return help_texts.details(decl, reader)
        family = [d for d in commands if d.path.startswith(f"{wanted} ")]
        if help_texts.visible(family, inv.level):
            return help_texts.overview(family, inv.level)  # `/help group`: every /group command
        if family:  # `/help settings` asked by a member: the whole noun is above their level
            return help_texts.above_level(family[0], commands, inv.level, whole_noun=True)
        suggestions = closest(wanted, [d.path for d in help_texts.visible(commands, inv.level)])
        hint: Text = (
            _("Did you mean /{suggestion}?", suggestion=suggestions[0])
            if suggestions
            else _("Type /help to see the commands.")
        )
        raise CommandError(_("There is no command /{path} you can use.", path=wanted), hint)

    @autocomplete("commands")
    async def complete_commands(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Command paths starting with (or close to) what was typed."""
        paths = [d.path for d in self.ctx.commands()]
        hits = [p for p in paths if p.startswith(prefix.lower())] or closest(prefix, paths, n=10)
        return [Choice(p, f"/{p}") for p in hits[:25]]

    # ------------------------------------------------------------ language

    @command(
        "language",
        _("Choose the language the bot uses with you."),
        choice("language", _("Your language, or automatic to follow the community."), _locale_choices(with_auto=True)),
    )
    async def language(self, inv: Invocation, language: str) -> Reply:
        """`/language en|fr|auto`."""
        await self.ctx.communities.set_member_locale(
            inv.user, None if language == "auto" else language, self.ctx.clock.now()
        )
        if language == "auto":
            return Reply(text=_("The bot now follows the community's language with you."), ephemeral=True)
        return Reply(
            text=_("The bot now speaks {language} with you.", language=LANGUAGE_NAMES[language]), ephemeral=True
        )

    # ------------------------------------------------------------ time zone

    @command(
        "timezone",
        _("Choose the time zone the bot shows times in for you."),
        text(
            "zone",
            _("A city or zone name (Paris, Montréal, Europe/Paris, UTC), or auto to follow the community."),
            required=False,
            max_length=64,
            autocomplete="zones",
            rest=True,
        ),
        private=True,
    )
    async def timezone(self, inv: Invocation, zone: str | None = None) -> Reply:
        """`/timezone Paris`, `/timezone Europe/Paris`, `/timezone auto`; alone: the zone in use."""
        communities = self.ctx.communities
        now = self.ctx.clock.now()
        if zone is not None and fold(zone) in {fold(word) for word in AUTO_WORDS}:
            await communities.set_member_timezone(inv.user, None, now)
            follows = (await communities.get(inv.community)).timezone
            said: Msg = _("The bot now follows the community's time zone with you ({zone}).", zone=follows)
            return _zone_reply(said, follows, now)
        if zone is not None:
            match = zones.resolve(zone)
            if match is None:
                suggested = zones.suggestions(zone)
                accepted = _("Type a city such as Paris or Montréal, a zone such as Europe/Paris, UTC, or auto.")
                hint: Text = (
                    join([_("Did you mean {suggestion}?", suggestion=suggested[0]), accepted], sep=" ")
                    if suggested
                    else accepted
                )
                raise CommandError(_("{value} is not a time zone I know.", value=zone), hint)
            await communities.set_member_timezone(inv.user, match, now)
            return _zone_reply(_("Your time zone is now {zone}.", zone=match), match, now)
        current = await communities.timezone_for(inv.user, inv.community)
        return _zone_reply(_("Your time zone is {zone}.", zone=current), current, now)

    @autocomplete("zones")
    async def complete_zones(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Cities and zone names matching what was typed, and `auto` while it may be meant."""
        found = [Choice(zone, label) for label, zone in zones.complete(prefix)]
        if fold(prefix) and any(fold(word).startswith(fold(prefix)) for word in AUTO_WORDS):
            found.insert(0, Choice("auto", _("auto: follow the community's time zone")))
        return found[:25]

    # ------------------------------------------------------------ settings

    @command("settings show", _("Show this community's settings."), level=Level.MODERATOR, private=True)
    async def settings_show(self, inv: Invocation) -> Reply:
        """`/settings show`."""
        settings = await self.ctx.communities.get(inv.community)
        unset = _("not set")
        fields = [
            CardField(_("Time zone"), settings.timezone),
            CardField(_("Language"), LANGUAGE_NAMES.get(settings.locale, settings.locale)),
        ]
        for purpose in CHANNEL_PURPOSES:
            ref = settings.channel(purpose)
            fields.append(
                CardField(
                    _("Channel: {purpose}", purpose=PURPOSE_LABELS[purpose]),
                    f"#{self.ctx.directory.channel_name(ref)}" if ref else unset,
                )
            )
        for purpose in ROLE_PURPOSES:
            fields.append(
                CardField(_("Role: {purpose}", purpose=PURPOSE_LABELS[purpose]), settings.roles.get(purpose) or unset)
            )
        notes: list[Text] = []
        for plugin in self.ctx.plugins():
            if isinstance(plugin, SettingsFields):
                try:
                    fields += await plugin.settings_fields(inv.community)
                except Exception:  # one plugin's settings must not hide the others
                    self.ctx.logger.exception("settings: the fields of %s failed", type(plugin).__name__)
            if isinstance(plugin, SettingsNotes):
                try:
                    notes += await plugin.settings_notes(inv.community)
                except Exception:  # one plugin's warning must not hide the settings
                    self.ctx.logger.exception("settings: the notes of %s failed", type(plugin).__name__)
        description = join([join(["⚠ ", note], sep="") for note in notes]) if notes else None
        return Reply(card=Card(_("Settings of this community"), tuple(fields), description), ephemeral=True)

    @command(
        "settings timezone",
        _("Set the community's time zone (IANA name such as Europe/Paris)."),
        text(
            "timezone",
            _("An IANA time zone name, such as Europe/Paris or America/Montreal."),
            max_length=64,
            autocomplete="timezones",
        ),
        level=Level.MODERATOR,
        private=True,
    )
    async def settings_timezone(self, inv: Invocation, timezone: str) -> Reply:
        """`/settings timezone Europe/Paris`."""
        zones = available_timezones()
        match = next((z for z in zones if z.lower() == timezone.strip().lower()), None)
        if match is None:
            # Zone names share their region (`Europe/`), which alone makes distant names look close.
            suggestions = closest(timezone, sorted(zones), cutoff=0.85)
            hint: Text = (
                _("Did you mean {suggestion}?", suggestion=suggestions[0])
                if suggestions
                else _("Use a name such as Europe/Paris, Europe/Brussels or America/Montreal.")
            )
            raise CommandError(_("{value} is not a time zone I know.", value=timezone), hint)
        await self.ctx.communities.set_timezone(inv.community, match, self.ctx.clock.now())
        return Reply(text=_("Time zone set to {timezone}.", timezone=match))

    @autocomplete("timezones")
    async def complete_timezones(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Time zone names containing what was typed."""
        folded = fold(prefix)
        zones = sorted(z for z in available_timezones() if folded in fold(z))
        return [Choice(z, z) for z in zones[:25]]

    @command(
        "settings locale",
        _("Set the community's language."),
        choice("locale", _("The language for the community."), _locale_choices(with_auto=False)),
        level=Level.MODERATOR,
        private=True,
    )
    async def settings_locale(self, inv: Invocation, locale: str) -> Reply:
        """`/settings locale fr`."""
        await self.ctx.communities.set_locale(inv.community, locale, self.ctx.clock.now())
        return Reply(text=_("The community's language is now {language}.", language=LANGUAGE_NAMES[locale]))

    @command(
        "settings channel",
        _("Choose the channel used for a purpose."),
        choice("purpose", _("What the channel is for."), _purpose_choices(CHANNEL_PURPOSES)),
        channel("channel", _("The channel; leave empty to clear."), required=False),
        level=Level.MODERATOR,
        private=True,
    )
    async def settings_channel(self, inv: Invocation, purpose: str, channel: ChannelRef | None = None) -> Reply:
        """`/settings channel purpose:digest channel:#managers`."""
        await self.ctx.communities.set_channel(inv.community, purpose, channel.channel_id if channel else None)
        if channel is None:
            return Reply(text=_("No channel is used for {purpose} any more.", purpose=PURPOSE_LABELS[purpose]))
        return Reply(
            text=_(
                "#{channel} is now the {purpose} channel.",
                channel=self.ctx.directory.channel_name(channel),
                purpose=PURPOSE_LABELS[purpose],
            )
        )

    @command(
        "settings role",
        _("Choose the role used for a purpose."),
        choice("purpose", _("What the role is for."), _purpose_choices(ROLE_PURPOSES)),
        text("role", _("The role (a mention or its id); leave empty to clear."), required=False, max_length=100),
        level=Level.MODERATOR,
        private=True,
    )
    async def settings_role(self, inv: Invocation, purpose: str, role: str | None = None) -> Reply:
        """`/settings role purpose:moderators role:@Mods`."""
        role_id = _role_id(role) if role else None
        await self.ctx.communities.set_role(inv.community, purpose, role_id)
        if role_id is None:
            return Reply(text=_("No role is used for {purpose} any more.", purpose=PURPOSE_LABELS[purpose]))
        return Reply(text=_("Role {role} is now used for {purpose}.", role=role_id, purpose=PURPOSE_LABELS[purpose]))

    # ------------------------------------------------------------ privacy

    @command("privacy export", _("Get a file with everything the bot stores about you."), private=True)
    async def privacy_export(self, inv: Invocation) -> Reply:
        """`/privacy export`: a JSON file, privately."""
        await self.ctx.activity.flush()  # so the export includes what was just said
        content = await privacy.export_all(
            self.ctx.db, self.ctx.communities, self.ctx.plugins(), inv.user, self.ctx.clock.now()
        )
        return Reply(
            text=_("Here is everything the bot stores about you in this community."),
            attachments=(Attachment("affinity-bot-export.json", content, "application/json"),),
            ephemeral=True,
        )

    @command(
        "privacy forget",
        _("Delete everything the bot stores about you (asks to confirm)."),
        CONFIRM,
        private=True,
    )
    async def privacy_forget(self, inv: Invocation, confirm: str | None = None) -> Reply:
        """`/privacy forget`, then `/privacy forget confirm:CODE` (or the button)."""
        now = self.ctx.clock.now()
        if confirm is None:
            token = await privacy.new_token(self.ctx.db, inv.user, "forget", now)
            return Reply(
                text=join(
                    [
                        _(
                            "This deletes everything the bot stores about you in this community: "
                            "your preferences, activity counts and every plugin's data about you. "
                            "It cannot be undone."
                        ),
                        _(
                            "To confirm within 10 minutes, press the button or type `/privacy forget {name}:{token}`.",
                            name=CONFIRM.label,  # `confirmation:` to a French reader: what they may type
                            token=token,
                        ),
                    ]
                ),
                buttons=(Button(_("Forget me"), "privacy forget", {"confirm": token}, danger=True),),
                ephemeral=True,
            )
        if not await privacy.use_token(self.ctx.db, inv.user, "forget", confirm, now):
            raise CommandError(
                _("That confirmation code is not valid or has expired."),
                _("Run `/privacy forget` again to get a new one."),
            )
        removed = await privacy.forget_all(
            self.ctx.db, self.ctx.communities, self.ctx.activity, self.ctx.plugins(), inv.user
        )
        if removed == 0:
            return Reply(text=_("Nothing to delete: the bot kept nothing about you."), ephemeral=True)
        done = n_(
            "Done: the bot forgot you ({count} record deleted).",
            "Done: the bot forgot you ({count} records deleted).",
            removed,
        )
        return Reply(text=done, ephemeral=True)


def _zone_reply(said: Msg, zone: str, now: datetime) -> Reply:
    """What the member chose, with the time it is there now: the proof they picked the right zone."""
    local = _("Local time there: {time}.", time=moment_words(now, zone))
    return Reply(text=join([said, local], sep=" "), ephemeral=True)


def _role_id(raw: str) -> str:
    """A role id from a Discord role mention, a Slack user-group mention, or a bare name/id."""
    match = _ROLE_MENTION.match(raw.strip())
    if match:
        return match.group(1) or match.group(2)
    return raw.strip().lstrip("@")


PLUGIN = CorePlugin
