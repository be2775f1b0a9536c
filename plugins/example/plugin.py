"""The poll plugin's declarations: three commands and the privacy hooks. The SQL is in `repo.py`,
the reading of options in `options.py`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import _, n_
from bot.model import Card, CardField, Reply, UserRef
from bot.plugin import CommandError, Invocation, Plugin, PluginContext, Sql, command, integer, text
from plugins.example.options import split_options
from plugins.example.repo import Poll, PollRepo
from plugins.example.settings import ExampleSettings


class ExamplePlugin(Plugin[ExampleSettings]):
    """Polls: a question, 2 to 5 options, one vote per member, results on demand."""

    name = "example"
    Settings = ExampleSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        self.repo = PollRepo(ctx.db)

    @command(
        "poll create",
        _("Ask the community a question with 2 to 5 options."),
        text("question", _("The question, in quotes when it has several words."), max_length=200),
        text("options", _("The options, separated by |."), max_length=400, rest=True),
    )
    async def create(self, inv: Invocation, question: str, options: str) -> Reply:
        """`/poll create "Which day?" Monday | Tuesday | Friday`."""
        choices = split_options(options, self.settings.max_options)
        poll_id = await self.repo.create(inv.community.key, question, choices, inv.user.user_id, inv.at)
        poll = Poll(poll_id, question, choices)
        return Reply(
            text=_("Vote with /poll vote {poll} followed by the option's number.", poll=poll_id),
            card=_card(poll, None),
        )

    @command(
        "poll vote",
        _("Vote in a poll; voting again replaces your vote."),
        integer("poll", _("The poll's number."), min_value=1),
        integer("option", _("The option's number."), min_value=1, max_value=5),
    )
    async def vote(self, inv: Invocation, poll: int, option: int) -> Reply:
        """`/poll vote 3 2`."""
        found = await self._poll(inv, poll)
        if option > len(found.options):
            raise CommandError(
                _("Poll {poll} has no option {option}.", poll=poll, option=option),
                _("Choose a number from 1 to {last}.", last=len(found.options)),
            )
        await self.repo.vote(inv.community.key, poll, inv.user.user_id, option, inv.at)
        return Reply(text=_("Your vote for “{option}” is recorded.", option=found.options[option - 1]), ephemeral=True)

    @command(
        "poll results",
        _("Show how many votes each option of a poll has."),
        integer("poll", _("The poll's number."), min_value=1),
    )
    async def results(self, inv: Invocation, poll: int) -> Reply:
        """`/poll results 3`."""
        found = await self._poll(inv, poll)
        return Reply(card=_card(found, await self.repo.counts(found)))

    async def _poll(self, inv: Invocation, poll_id: int) -> Poll:
        poll = await self.repo.get(inv.community.key, poll_id)
        if poll is None:
            raise CommandError(_("There is no poll {poll}.", poll=poll_id))
        return poll

    # ------------------------------------------------------------ privacy (PrivacyParticipant)

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """The member's votes and the polls they created."""
        return await self.repo.export_user(user.community.key, user.user_id)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete the member's votes and their name on their polls, inside the shared transaction."""
        return await PollRepo.forget_user(tx, user.community.key, user.user_id)


def _card(poll: Poll, counts: list[int] | None) -> Card:
    """The poll as a card: one field per option, with its votes once they are counted."""
    fields = tuple(
        CardField(
            _("Option {number}", number=number),
            option
            if counts is None
            else n_("{option} — {count} vote", "{option} — {count} votes", counts[number - 1], option=option),
            inline=False,
        )
        for number, option in enumerate(poll.options, start=1)
    )
    return Card(_("Poll {poll}: {question}", poll=poll.id, question=poll.question), fields)


PLUGIN = ExamplePlugin
