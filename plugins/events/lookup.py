"""Finding what a member named: an event by number or title (did-you-mean), one date of it, and who may
organise it (the group's owners and the moderators). Shared by every events service.

Owned by events-core; the signatures are the contract the other services call."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.folding import closest, fold
from bot.i18n import Joined, Text, When, _, join, term
from bot.model import CommunityRef, Level, UserRef
from bot.plugin import CommandError, GroupInfo, Invocation
from bot.when.dates import DueError, parse_due
from plugins.events.desk import Desk
from plugins.events.records import CANCELLED, Event, Occurrence

# The card buttons' form of a date (the occurrence's local start), and a bare day.
BUTTON_FORMAT = "%Y-%m-%d %H:%M"
_NUMBER = re.compile(r"#?\s*([0-9]{1,18})")
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
SHOWN_DATES = 5
SAME_TITLE = 50  # events of one title weighed when a member names it (the newest): a bounded read


def button_date(event: Event, occurrence: Occurrence) -> str:
    """An occurrence's local start as the card buttons carry it (`2026-12-01 19:00`)."""
    return occurrence.starts_at.astimezone(ZoneInfo(event.timezone)).strftime(BUTTON_FORMAT)


def rsvp_command(event: Event, occurrence: Occurrence, answer: str) -> Joined:
    """`/event rsvp 12 no` to copy as is: the answer in the reader's words (`non` in French, which the command
    accepts), the date as the buttons carry it when the event repeats."""
    date = f' date:"{button_date(event, occurrence)}"' if event.rule is not None else ""
    return join((f"/event rsvp {event.id} ", term(answer, "choice"), date), "")


def list_hint() -> Text:
    """Where a member finds the events and their numbers."""
    return _("Type `/event list` to see the upcoming events and their numbers.")


async def find_event(desk: Desk, community: CommunityRef, raw: str, user: UserRef | None = None) -> Event:
    """The event a member named (`12`, `#12`, a title), or a translated CommandError with did-you-mean. When
    several events share the title, `user`'s own groups come first: an owner of another group cannot catch
    the answers of members who type the title of their group's event by giving theirs the same title."""
    typed = " ".join(raw.split())
    number = _NUMBER.fullmatch(typed)
    if number is not None:
        event = await desk.repo.event(community.key, int(number.group(1)))
        if event is None:
            raise CommandError(_("There is no event #{number}.", number=number.group(1)), list_hint())
        return event
    if not typed:
        raise CommandError(_("Which event? Give its number or its title."), list_hint())
    titles = await desk.repo.titles(community.key)
    key = fold(typed)
    same = [(i, s) for i, t, s in titles if fold(t) == key]
    if same:
        # Several events share a title (a monthly apéro's editions): the latest one still planned, of the
        # member's own groups first.
        candidates = [e for e in [await desk.repo.event(community.key, i) for i, _s in same[:SAME_TITLE]] if e]
        if user is not None and len({e.group_id for e in candidates}) > 1:
            mine = {g.group_id for g in await desk.groups().member_groups(user) if g.community == community.key}
            candidates.sort(key=lambda e: e.group_id not in mine)  # stable: newest first within each side
        chosen = next((e for e in candidates if e.status != CANCELLED), candidates[0] if candidates else None)
        if chosen is not None:
            return chosen
    # On a thread: did-you-mean compares the name with up to 2,000 titles.
    guesses = await asyncio.to_thread(closest, typed, [t for _i, t, _s in titles], 1)
    hint: Text = _("Did you mean “{title}”?", title=guesses[0]) if guesses else list_hint()
    raise CommandError(_("There is no event called “{title}”.", title=typed[:60]), hint)


def dates_hint(event: Event, occurrences: list[Occurrence]) -> Text:
    """An event's next dates, as a member may type them."""
    shown = [o for o in occurrences if o.status != CANCELLED][:SHOWN_DATES]
    if not shown:
        return list_hint()
    return _(
        "Its dates: {dates}.",
        dates=", ".join(button_date(event, o) for o in shown),
    )


async def pick_occurrence(desk: Desk, event: Event, raw_date: str | None, *, upcoming: bool = True) -> Occurrence:
    """The occurrence of `event` on the date a member typed (in the event's zone), else its next scheduled
    one (`upcoming`) or its latest; a translated CommandError when there is none."""
    occurrences = await desk.repo.occurrences(event.community, event.id)
    now = desk.now()
    if raw_date is None or not raw_date.strip():
        ahead = [o for o in occurrences if o.ends_at > now and o.status != CANCELLED]
        if ahead:
            return ahead[0]
        if not upcoming and occurrences:
            return occurrences[-1]
        raise CommandError(
            _("“{title}” has no date to come.", title=event.title),
            _("An organiser can plan the next edition: `/event next {id} start:…`.", id=event.id),
        )
    typed = " ".join(raw_date.split())
    zone = ZoneInfo(event.timezone)
    local = {o.id: o.starts_at.astimezone(zone).replace(tzinfo=None) for o in occurrences}
    exact = _exact(typed)
    if exact is not None:
        found = [o for o in occurrences if local[o.id] == exact]
    else:
        day = await _day(desk, typed, event.timezone)
        found = [o for o in occurrences if local[o.id].date() == day.date()]
        if not found:
            # A natural date reads as the next such day; the member may have meant a past one.
            found = [o for o in occurrences if (local[o.id].month, local[o.id].day) == (day.month, day.day)]
    if not found:
        raise CommandError(
            _("“{title}” has no date on {date}.", title=event.title, date=typed[:60]), dates_hint(event, occurrences)
        )
    return found[0]


def _exact(typed: str) -> datetime | None:
    """The buttons' `YYYY-MM-DD HH:MM` as a naive local time, or None."""
    try:
        return datetime.strptime(typed, BUTTON_FORMAT)  # noqa: DTZ007 - a wall-clock time in the event's zone
    except ValueError:
        return None


async def _day(desk: Desk, typed: str, tz: str) -> datetime:
    """The local day a member typed (`2027-01-05`, `5 janvier`, `mardi`), or a CommandError."""
    match = _DAY.fullmatch(typed)
    if match is not None:
        try:
            return datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))  # noqa: DTZ001
        except ValueError:
            pass
    try:
        moment = await asyncio.to_thread(parse_due, typed, desk.now(), tz)
    except DueError as error:
        raise CommandError(error.message, _date_examples()) from None
    if moment is None:
        raise CommandError(_("I cannot read “{value}” as a date.", value=typed[:60]), _date_examples())
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def _date_examples() -> Text:
    return _("Write the date as `2027-01-05`, `5 janvier` or `next tuesday`.")


async def is_organiser(desk: Desk, inv: Invocation, event: Event) -> bool:
    """Owners of the event's group and moderators organise it."""
    return await may_organise(desk, inv, event.group_id)


async def may_organise(desk: Desk, inv: Invocation, group_id: int) -> bool:
    """Whether the invoker organises events of a group: a moderator, or one of its owners."""
    if inv.level >= Level.MODERATOR:
        return True
    owners = await desk.groups().group_owners(inv.community, group_id)
    return inv.user in owners


async def require_organiser(desk: Desk, inv: Invocation, group_id: int, group_name: str) -> None:
    """Refuse anyone who is neither an owner of the group nor a moderator, saying whom to ask."""
    if await may_organise(desk, inv, group_id):
        return
    owners: list[UserRef] = await desk.groups().group_owners(inv.community, group_id)
    names = [desk.ctx.directory.member_name(o) for o in owners]
    raise CommandError(
        _("Only the owners of {group} and the moderators organise its events.", group=group_name),
        _("Ask one of its owners: {owners}.", owners=", ".join(names))
        if names
        else _("{group} has no owner at the moment: ask a moderator.", group=group_name),
    )


def when_words(event: Event, occurrence: Occurrence) -> Text:
    """An occurrence's start and end as the reader reads them (in the event's zone)."""
    zone = ZoneInfo(event.timezone)
    start, end = occurrence.starts_at.astimezone(zone), occurrence.ends_at.astimezone(zone)
    if start.date() == end.date():
        return _(
            "{start} to {end}",
            start=When(occurrence.starts_at, event.timezone, "EEEE d MMMM y, HH:mm"),
            end=When(occurrence.ends_at, event.timezone, "HH:mm"),
        )
    return _(
        "{start} to {end}",
        start=When(occurrence.starts_at, event.timezone, "EEEE d MMMM y, HH:mm"),
        end=When(occurrence.ends_at, event.timezone, "EEEE d MMMM y, HH:mm"),
    )


async def membership(desk: Desk, user: UserRef, event: Event) -> tuple[GroupInfo | None, bool]:
    """The event's group (None when it is gone, or the groups plugin is off) and whether `user` belongs to it."""
    groups = desk.groups_or_none()
    if groups is None:
        return None, False
    group = await groups.group_by_id(user.community, event.group_id)
    member = any(g.group_id == event.group_id for g in await groups.member_groups(user))
    return group, member
