"""The dispatcher: the one entry point for every event a platform delivers.

Messages: bots ignored, filters run, listeners fanned out, activity recorded. Commands: parsed
(text) or checked (typed options), permission resolved, handler run, errors turned into
private translated replies. A failing handler is logged with plugin, handler and event and never
stops the others or the platform.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.communities import CommunityStore
from bot.config import Config
from bot.formatting import LocalReply, localize
from bot.i18n import Msg, Text, Translator, _, join
from bot.model import (
    Attachment,
    CommandInvoked,
    DeliveryError,
    Event,
    Level,
    MemberJoined,
    MemberLeft,
    Message,
    ReactionAdded,
    Reply,
)
from bot.params import Resolver, bind_options, bind_text
from bot.plugin import CommandError, Invocation, MessageNotes, Param, ParamKind
from bot.registry import CommandSpec, Registry
from bot.storage.activity import ActivityWriter
from bot.textsyntax import parse_line

log = logging.getLogger("affinity.dispatcher")


class Dispatcher:
    """Routes events to plugins and commands to handlers."""

    def __init__(
        self,
        registry: Registry,
        communities: CommunityStore,
        translator: Translator,
        resolver: Resolver,
        activity: ActivityWriter,
        config: Config,
    ) -> None:
        self._registry = registry
        self._communities = communities
        self._translator = translator
        self._resolver = resolver
        self._activity = activity
        self._moderators = set(config.permissions.moderators)
        self._admins = set(config.permissions.admins)

    # ------------------------------------------------------------ passive events

    async def handle(self, event: Event) -> None:
        """Deliver one event to filters, listeners and the activity writer; never raises."""
        try:
            await self._handle(event)
        except Exception:
            # A busy database or a bug must not stop the platform that delivered the event.
            log.exception("could not handle %s in %s", type(event).__name__, event.community.key)

    async def _handle(self, event: Event) -> None:
        # Settings are cached per community; loading them here keeps rollup days in its time zone.
        await self._communities.get(event.community)
        if isinstance(event, Message):
            await self._handle_message(event)
            return
        await self._fan_out(event, (event,))
        if isinstance(event, ReactionAdded):
            self._activity.add_reaction(event)
            await self._activity.throttle()
        elif isinstance(event, MemberJoined):
            if not event.is_bot:
                self._activity.add_member_joined(event)
                await self._communities.record_membership(event.user, event.at, joined=True)
        elif isinstance(event, MemberLeft):
            self._activity.add_member_left(event)
            await self._communities.record_membership(event.user, event.at, joined=False)

    async def _handle_message(self, message: Message) -> None:
        if message.author_is_bot:
            return
        notes = MessageNotes()
        # The hottest path of the bot: handlers are awaited inline (not through `_safely`), which
        # saves a coroutine per handler and message; the failure handling is the same.
        for plugin, handler in self._registry.filters:
            try:
                await handler(message, notes)
            except Exception:
                self._failed(plugin, handler, message)
            if notes.deleted:
                break
        if not notes.deleted:
            for plugin, handler in self._registry.listeners.get(Message, ()):
                try:
                    await handler(message, notes)
                except Exception:
                    self._failed(plugin, handler, message)
        if not message.is_direct:
            self._activity.add_message(message, notes)
            await self._activity.throttle()

    async def _fan_out(self, event: Event, args: tuple[Any, ...]) -> None:
        for plugin, handler in self._registry.listeners.get(type(event), ()):
            await self._safely(plugin, handler, event, args)

    async def _safely(self, plugin: str, handler: Any, event: Event, args: tuple[Any, ...]) -> None:
        try:
            await handler(*args)
        except Exception:
            self._failed(plugin, handler, event)

    @staticmethod
    def _failed(plugin: str, handler: Any, event: Event) -> None:
        """Log a handler's failure (called from its `except` block, so the traceback is included)."""
        log.exception(
            "plugin %s, handler %s failed on %s in %s",
            plugin,
            getattr(handler, "__name__", handler),
            type(event).__name__,
            event.community.key,
        )

    # ------------------------------------------------------------ commands

    async def level_of(self, event: CommandInvoked) -> Level:
        """The caller's level: platform permissions, configured ids, and the community's roles."""
        level = event.platform_level
        qualified = f"{event.user.platform}:{event.user.user_id}"
        if qualified in self._admins:
            level = max(level, Level.ADMIN)
        if qualified in self._moderators:
            level = max(level, Level.MODERATOR)
        settings = await self._communities.get(event.community)
        moderator_role = settings.roles.get("moderators")
        if moderator_role and moderator_role in event.user_roles:
            level = max(level, Level.MODERATOR)
        return level

    async def invoke(self, event: CommandInvoked) -> LocalReply:
        """Run a command and return the reply for the member, in that member's language."""
        try:
            reply = await self._run(event)
        except CommandError as error:
            parts: list[Text] = [_("⚠️ {message}", message=error.message)]
            if error.hint is not None:
                parts.append(error.hint)
            reply = Reply(text=join(parts), ephemeral=True)
        except Exception as exc:
            if not isinstance(exc, _Crashed):
                log.exception("command /%s failed in %s", event.path, event.community.key)
            reply = Reply(
                text=_(
                    "Something went wrong on our side; nothing was changed. "
                    "The moderators can find the details in the bot's log."
                ),
                ephemeral=True,
            )
        # Read after the handler, which may have changed the language (`/settings locale`).
        try:
            locale = await self._communities.locale_for(event.user, event.community, event.locale)
            return localize(reply, self._translator, locale)
        except Exception:
            # A reply that cannot be rendered (a bad placeholder, an unknown zone) is a bug of ours:
            # the member still gets an answer, and the platform never sees the exception.
            log.exception("command /%s: the reply could not be rendered", event.path)
            fallback = Reply(
                text=_(
                    "Something went wrong on our side; nothing was changed. "
                    "The moderators can find the details in the bot's log."
                ),
                ephemeral=True,
            )
            return localize(fallback, self._translator, self._communities.default_locale)

    def find(self, event: CommandInvoked) -> tuple[CommandSpec, str]:
        """The command spec and its argument text (text commands are parsed here)."""
        if event.options is not None:
            spec = self._registry.commands.get(event.path)
            if spec is None:
                raise CommandError(
                    _("Unknown command /{given}.", given=event.path), _("Type /help to see the commands.")
                )
            return spec, ""
        line = f"{event.path} {event.text or ''}".strip()
        path, arg_text = parse_line(line, list(self._registry.commands))
        return self._registry.commands[path], arg_text

    async def _run(self, event: CommandInvoked) -> Reply:
        spec, arg_text = self.find(event)
        level = await self.level_of(event)
        if spec.decl.level > level:
            needed = _("moderators") if spec.decl.level is Level.MODERATOR else _("administrators")
            raise CommandError(
                _("/{path} is for {who} only.", path=spec.path, who=needed),
                _("Ask a moderator if you think you should have access."),
            )
        settings = await self._communities.get(event.community)
        # Files never come through the command text: they are bound from the event itself.
        files = [p for p in spec.decl.params if p.kind is ParamKind.ATTACHMENT]
        params = [p for p in spec.decl.params if p.kind is not ParamKind.ATTACHMENT]
        if event.options is not None:
            options = {k: v for k, v in event.options.items() if not isinstance(v, Attachment)}
            values = await bind_options(
                params,
                options,
                path=spec.path,
                community=event.community,
                resolver=self._resolver,
                tz=settings.timezone,
                spellings=self._translator.spellings,
            )
        else:
            values = await bind_text(
                params,
                arg_text,
                path=spec.path,
                community=event.community,
                resolver=self._resolver,
                tz=settings.timezone,
                spellings=self._translator.spellings,
            )
        values.update(_bind_files(spec, files, event))
        locale = await self._communities.locale_for(event.user, event.community, event.locale)
        invocation = Invocation(event, level, locale, settings.timezone)
        try:
            result = await spec.handler(invocation, **values)
        except CommandError:
            raise
        except DeliveryError as exc:
            if exc.reason == "dm_closed":
                # A DM the command wanted to send bounced (Discord 50007): tell the member, privately.
                raise CommandError(
                    _("I could not send you a direct message: your DMs are closed here."),
                    _(
                        "Allow direct messages from members of this server in its privacy "
                        "settings, then run the command again."
                    ),
                ) from exc
            if exc.reason != "missing_permission":
                log.exception("plugin %s, command /%s failed in %s", spec.plugin, spec.path, event.community.key)
                raise _Crashed from exc
            # The platform refused for lack of a permission: say which, instead of failing silently.
            log.warning("command /%s in %s: the platform refused (%s)", spec.path, event.community.key, exc)
            raise CommandError(
                _("The bot lacks the “{permission}” permission for this.", permission=exc.permission or exc.detail),
                _("An administrator can grant it in the server or channel settings."),
            ) from exc
        except Exception as exc:
            log.exception("plugin %s, command /%s failed in %s", spec.plugin, spec.path, event.community.key)
            raise _Crashed from exc
        reply = _as_reply(result)
        if spec.decl.private and not reply.ephemeral:
            reply = Reply(reply.text, reply.card, reply.attachments, reply.buttons, ephemeral=True)
        return reply


def _bind_files(spec: CommandSpec, files: list[Param], event: CommandInvoked) -> dict[str, Attachment]:
    """Attachment parameters: by name from typed options, else in order from the event's files."""
    bound: dict[str, Attachment] = {}
    remaining = list(event.attachments)
    for param in files:
        given = (event.options or {}).get(param.name)
        if isinstance(given, Attachment):
            bound[param.name] = given
        elif remaining:
            bound[param.name] = remaining.pop(0)
        elif param.required:
            raise CommandError(
                _("/{path} needs a file: {description}", path=spec.path, description=param.description),
                _("Attach the file to the command message."),
            )
    return bound


class _Crashed(Exception):
    """A handler failed with a bug; already logged with its plugin and command."""


def _as_reply(result: object) -> Reply:
    if isinstance(result, Reply):
        return result
    if result is None:
        return Reply(text=_("Done."), ephemeral=True)
    if isinstance(result, (str, Msg)):
        return Reply(text=result)
    raise TypeError(f"a command handler returned {type(result).__name__}, expected a Reply")
