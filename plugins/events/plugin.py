"""The events plugin's declarations: `/event ...` commands, the due actions of reminders and milestones,
autocomplete, the digest section and privacy. Each handler hands over to a service."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import _
from bot.model import CommunityRef, Reply, UserRef
from bot.plugin import (
    Choice,
    DigestSection,
    DueAction,
    Invocation,
    Plugin,
    PluginContext,
    Sql,
    autocomplete,
    choice,
    command,
    due,
    duration,
    integer,
    text,
)
from plugins.events.answers import Answers
from plugins.events.cards import Cards
from plugins.events.desk import Desk
from plugins.events.files import EventFiles
from plugins.events.lifecycle import Lifecycle
from plugins.events.mirror import Mirror
from plugins.events.organiser import Organiser
from plugins.events.repo import EventsRepo
from plugins.events.report import Report
from plugins.events.settings import EventsSettings

ANSWERS = [
    Choice("going", _("going"), aliases=("oui", "yes", "present", "présent", "je viens", "participe")),
    Choice("maybe", _("maybe"), aliases=("peut-etre", "peut-être", "pe", "perhaps")),
    Choice("no", _("can't go"), aliases=("non", "absent", "cant", "pas dispo", "not going", "je ne viens pas")),
]


def _event(required: bool = True) -> Any:
    """The event parameter: its number (`12`, `#12`) or its title, completed."""
    return text(
        "event",
        _("The event: its number (#12) or its title."),
        max_length=120,
        autocomplete="events",
        required=required,
    )


def _date() -> Any:
    """One date of a repeating event."""
    return text(
        "date",
        _("For a repeating event, which date (`5 janvier`, `2027-01-05`); the next one by default."),
        required=False,
        max_length=60,
    )


def _start(required: bool) -> Any:
    return text(
        "start",
        _("When it starts: `mardi 19h`, `5 janvier 18:30`, `next friday 7pm`, `2027-01-05 19:00`."),
        max_length=100,
        required=required,
    )


def _details() -> list[Any]:
    """What create and edit both take, after the start."""
    return [
        duration("duration", _("How long it lasts: `2h`, `1h30`, `1 jour` (2 hours by default)."), required=False),
        text("end", _("Or when it ends: `22h`, `22:30`, `6 janvier 01:00`."), max_length=100, required=False),
        text(
            "place", _("A city: `Wambrechies` or `Paris, FR`."), max_length=100, autocomplete="places", required=False
        ),
        text("address", _("Where exactly: an address, a café, a room."), max_length=200, required=False),
        text("link", _("An online link (https://...) for an online or hybrid event."), max_length=300, required=False),
        integer("capacity", _("How many seats (no limit by default)."), required=False),
        text(
            "repeat",
            _("Repeats: `monthly`, `every month on the first Tuesday`, `chaque premier mardi du mois`, an RRULE."),
            max_length=200,
            required=False,
        ),
        text(
            "reminders",
            _("Reminders to attendees before it: `1d,1h` by default, or `none`."),
            max_length=60,
            required=False,
        ),
        text("description", _("What it is about."), max_length=1500, required=False, rest=True),
    ]


class EventsPlugin(Plugin[EventsSettings]):
    """Events in groups, with RSVPs, reminders, platform mirrors and calendars."""

    name = "events"
    Settings = EventsSettings

    def __init__(self, ctx: PluginContext) -> None:
        super().__init__(ctx)
        self.repo = EventsRepo(ctx.db)
        desk = Desk(ctx, self.repo, self.settings)
        self.cards = Cards(desk)
        self.mirror = Mirror(desk)
        self.lifecycle = Lifecycle(desk, self.cards, self.mirror)
        self.answers = Answers(desk, self.cards, self.lifecycle)
        self.organiser = Organiser(desk, self.cards, self.mirror, self.lifecycle, self.answers)
        self.files = EventFiles(desk)
        self.report = Report(desk)

    # ------------------------------------------------------------ organising (organiser.py)

    @command(
        "event create",
        _("Plan an event in a group (its owners and the moderators)."),
        text("group", _("The group it belongs to."), max_length=120, autocomplete="event_groups"),
        text("title", _("Its title."), max_length=100),
        _start(True),
        *_details(),
    )
    async def create(
        self,
        inv: Invocation,
        group: str,
        title: str,
        start: str,
        duration: timedelta | None = None,
        end: str | None = None,
        place: str | None = None,
        address: str | None = None,
        link: str | None = None,
        capacity: int | None = None,
        repeat: str | None = None,
        reminders: str | None = None,
        description: str | None = None,
    ) -> Reply:
        """`/event create Lille-Rust "Apéro" "mardi 19h" place:Wambrechies capacity:20`."""
        return await self.organiser.create(
            inv, group, title, start, duration, end, place, address, link, capacity, repeat, reminders, description
        )

    @command(
        "event edit",
        _("Change an event; those who answered going or maybe are told."),
        _event(),
        text("title", _("Its new title."), max_length=100, required=False),
        _start(False),
        *_details(),
    )
    async def edit(
        self,
        inv: Invocation,
        event: str,
        title: str | None = None,
        start: str | None = None,
        duration: timedelta | None = None,
        end: str | None = None,
        place: str | None = None,
        address: str | None = None,
        link: str | None = None,
        capacity: int | None = None,
        repeat: str | None = None,
        reminders: str | None = None,
        description: str | None = None,
    ) -> Reply:
        """`/event edit 12 start:"mercredi 19h" capacity:30`."""
        return await self.organiser.edit(
            inv, event, title, start, duration, end, place, address, link, capacity, repeat, reminders, description
        )

    @command(
        "event cancel",
        _("Cancel an event, or one date of a repeating one; attendees are told."),
        _event(),
        _date(),
        text("reason", _("Why, in a few words (attendees see it)."), max_length=200, required=False, rest=True),
    )
    async def cancel(self, inv: Invocation, event: str, date: str | None = None, reason: str | None = None) -> Reply:
        """`/event cancel 12 date:"5 janvier" reason:"salle indisponible"`."""
        return await self.organiser.cancel(inv, event, date, reason)

    @command(
        "event next",
        _("Plan the next edition of an event: same group, title, place and capacity, a new date."),
        _event(),
        _start(True),
    )
    async def next_edition(self, inv: Invocation, event: str, start: str) -> Reply:
        """`/event next 12 "2027-06-05 19:00"`."""
        return await self.organiser.next_edition(inv, event, start)

    @command("event info", _("Everything about an event: when, where, who is coming."), _event(), _date())
    async def info(self, inv: Invocation, event: str, date: str | None = None) -> Reply:
        """`/event info 12`."""
        return await self.organiser.info(inv, event, date)

    @command(
        "event list",
        _("Upcoming events in your groups, in a group, or near a city."),
        text("group", _("Only this group."), max_length=120, autocomplete="event_groups", required=False),
        text("near", _("Near this city."), max_length=100, autocomplete="places", required=False),
        integer("radius_km", _("A radius in kilometres (1 to 500)."), required=False, min_value=1, max_value=500),
        integer("page", _("The page number."), required=False, min_value=1, max_value=10_000),
    )
    async def list_events(
        self,
        inv: Invocation,
        group: str | None = None,
        near: str | None = None,
        radius_km: int | None = None,
        page: int | None = None,
    ) -> Reply:
        """`/event list near:Lille radius_km:20`."""
        return await self.organiser.list_events(inv, group, near, radius_km, page)

    # ------------------------------------------------------------ answering (answers.py)

    @command(
        "event rsvp",
        _("Answer for an event: going, maybe or can't go."),
        _event(),
        choice("answer", _("Your answer."), ANSWERS),
        _date(),
    )
    async def rsvp(self, inv: Invocation, event: str, answer: str, date: str | None = None) -> Reply:
        """`/event rsvp 12 going` (the card's buttons run this)."""
        return await self.answers.rsvp(inv, event, answer, date)

    @command("event mine", _("The events you answered, upcoming first."), private=True)
    async def mine(self, inv: Invocation) -> Reply:
        """`/event mine`."""
        return await self.answers.mine(inv)

    # ------------------------------------------------------------ calendars (files.py)

    @command(
        "event ics",
        _("An .ics file of an event, or of every event you are going to."),
        _event(required=False),
        private=True,
    )
    async def ics(self, inv: Invocation, event: str | None = None) -> Reply:
        """`/event ics 12`, or `/event ics` for your own calendar."""
        return await self.files.ics(inv, event)

    # ------------------------------------------------------------ scheduled work (lifecycle.py)

    @due("events.remind")
    async def remind(self, action: DueAction) -> None:
        """A reminder to the attendees of one occurrence."""
        await self.lifecycle.remind(action)

    @due("events.milestone")
    async def milestone(self, action: DueAction) -> None:
        """A save-the-date or countdown reminder to the organisers."""
        await self.lifecycle.milestone(action)

    @due("events.recap")
    async def recap(self, action: DueAction) -> None:
        """After an occurrence: the recap prompt to the organisers, a thread for photos, the next date's card."""
        await self.lifecycle.recap(action)

    # ------------------------------------------------------------ autocomplete

    @autocomplete("events")
    async def complete_events(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Upcoming events by number or title."""
        return await self.organiser.event_choices(community, user, prefix)

    @autocomplete("event_groups")
    async def complete_groups(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Group names."""
        return await self.organiser.group_choices(community, user, prefix)

    @autocomplete("places")
    async def complete_places(self, community: CommunityRef, user: UserRef, prefix: str) -> list[Choice]:
        """Places, most populous first, each with its region when names repeat."""
        return await self.organiser.place_choices(prefix)

    # ------------------------------------------------------------ digest and privacy (report.py)

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """The events section of the weekly digest."""
        return await self.report.digest_section(community, start, end, timezone)

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """A member's RSVPs and the events they organised."""
        return await self.report.export_user(user)

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Forget a member's RSVPs (promoting the waitlist) and their name on events they created."""
        return await self.report.forget_user(user, tx)

    async def after_forget(self, user: UserRef) -> None:
        """Once the forget committed: tell the members who got the seats it freed, refresh the cards."""
        await self.answers.tell_promoted(user.community.key, self.report.take_promoted(user))


PLUGIN = EventsPlugin
