"""The event card: what it shows (when, where, counts, seats left, waitlist), its RSVP buttons, posting it
in the group's channel and updating it in place when answers change.

Owned by events-core."""

from __future__ import annotations

from bot.formatting import Link
from bot.i18n import Text, _, join, n_
from bot.model import Button, Card, CardField, MessageRef, Reply
from bot.when.rule_words import describe
from plugins.events.desk import Desk
from plugins.events.lookup import button_date, when_words
from plugins.events.records import CANCELLED, GOING, MAYBE, NO, Counts, Event, Occurrence

MAX_LINK_LABEL = 80


def link_of(url: str) -> Link:
    """An organiser's (validated http/https) link, labelled by itself so no label can disguise it."""
    label = url if len(url) <= MAX_LINK_LABEL else url[: MAX_LINK_LABEL - 1] + "…"
    return Link(url, label)


def counts_words(counts: Counts) -> Text:
    """`3 going · 1 maybe · 2 can't go`."""
    return join(
        (
            n_("{count} going", "{count} going", counts.going),
            n_("{count} maybe", "{count} maybe", counts.maybe),
            n_("{count} can't go", "{count} can't go", counts.no),
        ),
        " · ",
    )


def seats_words(capacity: int | None, counts: Counts) -> Text | None:
    """Seats left of the capacity ("Full" when none is) and the waitlist, when the event has a capacity."""
    if capacity is None:
        return None
    left = max(0, capacity - counts.going)
    seats: Text = (
        n_("Full ({count} seat)", "Full ({count} seats)", capacity)
        if left == 0
        else n_("{count} of {capacity} seat left", "{count} of {capacity} seats left", left, capacity=capacity)
    )
    if counts.waitlist:
        return join((seats, n_("{count} on the waitlist", "{count} on the waitlist", counts.waitlist)), " · ")
    return seats


class Cards:
    """Renders, posts and refreshes event cards."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def render(self, event: Event, occurrence: Occurrence, counts: Counts) -> Reply:
        """The card of one occurrence, with its going / maybe / can't go buttons (none once it is over or cancelled)."""
        fields = [CardField(_("When"), when_words(event, occurrence), inline=False)]
        where = self.where(event)
        if where is not None:
            fields.append(CardField(_("Where"), where, inline=False))
        fields.append(CardField(_("Group"), event.group_name))
        if event.rule is not None:
            fields.append(CardField(_("Repeats"), describe(event.rule, event.start_local, event.timezone)))
        fields.append(CardField(_("Answers"), counts_words(counts), inline=False))
        seats = seats_words(event.capacity, counts)
        if seats is not None:
            fields.append(CardField(_("Seats"), seats, inline=False))
        over = occurrence.ends_at <= self.desk.now()
        cancelled = occurrence.status == CANCELLED or event.status == CANCELLED
        if cancelled:
            state: Text = _("This date is cancelled.")
        elif over:
            state = _("This date is over.")
        else:
            state = _(
                "Event #{id}: answer with the buttons or `/event rsvp {id} going`.",
                id=event.id,
            )
        card = Card(
            title=event.title,
            fields=tuple(fields),
            description=event.description or None,
        )
        if cancelled or over:
            return Reply(text=state, card=card)
        date = button_date(event, occurrence)
        buttons = tuple(
            Button(label, "event rsvp", {"event": str(event.id), "answer": answer, "date": date})
            for label, answer in ((_("Going"), GOING), (_("Maybe"), MAYBE), (_("Can't go"), NO))
        )
        return Reply(text=state, card=card, buttons=buttons)

    @staticmethod
    def where(event: Event) -> Text | None:
        """The place, the address and the online link, those the event has."""
        parts: list[Text] = []
        if event.place_label:
            parts.append(event.place_label)
        if event.address:
            parts.append(event.address)
        if event.online_url:
            parts.append(_("online: {link}", link=link_of(event.online_url)))
        return join(parts, " · ") if parts else None

    async def post(self, event: Event, occurrence: Occurrence) -> None:
        """Post the card in the event's channel (exactly once: dedupe key) and remember where it is."""
        if occurrence.card_message_id is not None or event.channel_id is None:
            return
        counts = await self.desk.repo.counts(event.community, occurrence.id)
        target = self.desk.channel(event.community, event.channel_id)
        ref = await self.desk.ctx.messenger.send(
            target, self.render(event, occurrence, counts), dedupe_key=f"events:card:{occurrence.id}"
        )
        if ref is not None:
            await self.desk.repo.set_card(event.community, occurrence.id, ref)

    async def refresh(self, community: str, occurrence_id: int) -> None:
        """Edit the posted card with the current answers (Discord message edit, Slack chat.update)."""
        occurrence = await self.desk.repo.occurrence(community, occurrence_id)
        if occurrence is None or occurrence.card_message_id is None or occurrence.card_channel_id is None:
            return
        event = await self.desk.repo.event(community, occurrence.event_id)
        if event is None:
            return
        counts = await self.desk.repo.counts(community, occurrence_id)
        ref = MessageRef(
            self.desk.channel(community, occurrence.card_channel_id, occurrence.card_thread_id),
            occurrence.card_message_id,
        )
        await self.desk.ctx.messenger.edit(ref, self.render(event, occurrence, counts))
