"""Reading groups: the directory, one group's card, nearby groups, suggestions, a member's
own city-level location, and the autocomplete of group and city names."""

from __future__ import annotations

from collections import Counter

from bot.folding import closest, fold
from bot.geo import bounding_box, haversine_km
from bot.i18n import Msg, Text, When, _, join, n_, term
from bot.model import Card, CardField, CommunityRef, Level, Reply
from bot.plugin import Choice, CommandError, Invocation, Place
from plugins.groups.lookups import GroupLookups
from plugins.groups.names import has_tags, parse_tags, tag_key
from plugins.groups.places import choice_label
from plugins.groups.records import PENDING, Group, Location
from plugins.groups.suggest import Candidate, Suggestion, rank


def km(value: float) -> float:
    """A distance rounded for reading: one decimal under 10 km, whole kilometres above."""
    return round(value, 1) if value < 10 else float(round(value))


class Views:
    """`/group list|info|nearby|suggest` and `/location set|show|clear`."""

    def __init__(self, lookups: GroupLookups) -> None:
        self.lookups = lookups
        self.ctx = lookups.ctx
        self.repo = lookups.repo
        self.settings = lookups.settings

    async def directory(self, inv: Invocation, tag: str | None, kind: str | None, page: int | None) -> Reply:
        """One page of the directory with member counts and four-week activity."""
        key = inv.community.key
        wanted = parse_tags(tag)
        every = await self.repo.groups(key)
        groups = [g for g in every if (kind is None or g.kind == kind) and has_tags(g.tags, wanted)]
        size = self.settings.page_size
        pages = max(1, -(-len(groups) // size))
        number = page or 1
        if number > pages:
            raise CommandError(
                n_(
                    "There is no page {page}: the directory has only {count} page.",
                    "There is no page {page}: the directory has only {count} pages.",
                    pages,
                    page=number,
                ),
                _("Type /group list page:{last} for the last one.", last=pages),
            )
        counts = await self.repo.member_counts(key)
        activity = await self.lookups.activity(inv.community, self.ctx.clock.now(), inv.timezone)
        lines: list[Text] = [
            self._line(g, counts.get(g.id, 0), activity) for g in groups[(number - 1) * size : number * size]
        ]
        if not lines:
            lines += self._no_match(every, wanted)
        if pages > 1:
            lines.append(
                _("Page {page} of {pages}: /group list page:{next}", page=number, pages=pages, next=number % pages + 1)
            )
        if inv.level >= Level.MODERATOR:
            pending = await self.repo.groups(key, PENDING)
            if pending:
                lines.append(_("Waiting for review: {names}", names=", ".join(g.name for g in pending)))
        return Reply(card=Card(_("Groups ({count})", count=len(groups)), description=join(lines)))

    @staticmethod
    def _no_match(every: list[Group], wanted: tuple[str, ...]) -> list[Text]:
        """Why the directory is empty: no group has the tag (with the closest tag in use), or none matches."""
        used = sorted({t for g in every for t in g.tags}, key=tag_key)
        known = {tag_key(t) for t in used}
        unknown = [t for t in wanted if tag_key(t) not in known]
        if not unknown:
            return [_("No group matches yet. Create one with /group create.")]
        guesses = closest(unknown[0], used, n=1)
        return [
            _("No group is tagged “{tag}”.", tag=unknown[0]),
            _("Did you mean {suggestion}?", suggestion=guesses[0])
            if guesses
            else _("Create one with /group create, or see every group with /group list."),
        ]

    def _line(self, group: Group, members: int, activity: dict[str, int]) -> Msg:
        messages = activity.get(group.channel_id, 0) if group.channel_id else 0
        lock = "🔒 " if group.private else ""
        where = f" · {self.lookups.where(group)}" if group.channel_id else ""
        place = f" · {group.city_name}" if group.city_name else ""
        return _(
            "{lock}**{name}**{place} · {members} · {messages}{where}",
            lock=lock,
            name=group.name,
            place=place,
            members=n_("{count} member", "{count} members", members),
            messages=n_("{count} message in 4 weeks", "{count} messages in 4 weeks", messages),
            where=where,
        )

    async def info(self, inv: Invocation, name: str) -> Reply:
        """Everything about one group."""
        group = await self.lookups.find_group(inv.community, name)
        everyone = await self.repo.members(inv.community.key, group.id)
        owners = [self.lookups.name_of(inv.community, m.user_id) for m in everyone if m.is_owner]
        activity = await self.lookups.activity(inv.community, self.ctx.clock.now(), inv.timezone)
        fields = [
            CardField(_("Kind"), term(group.kind, "choice")),
            CardField(_("Tags"), ", ".join(group.tags) or "—"),
            CardField(_("Owners"), ", ".join(owners) or _("none: a moderator can name one with /group owner")),
            CardField(_("Members"), str(len(everyone))),
            CardField(_("Created"), _("{when}", when=When(group.created_at, inv.timezone))),
            CardField(
                _("Activity"),
                n_(
                    "{count} message in the last 4 weeks",
                    "{count} messages in the last 4 weeks",
                    activity.get(group.channel_id or "", 0),
                ),
            ),
        ]
        if group.city_name:
            fields.append(
                CardField(
                    _("Place"),
                    _(
                        "{city}, {country}, within {radius} km",
                        city=group.city_name,
                        country=group.country or "",
                        radius=group.radius_km or 0,
                    ),
                )
            )
        fields.append(CardField(_("Space"), self.lookups.where(group) or _("none")))
        fields.append(
            CardField(_("Access"), _("private: owners approve requests") if group.private else _("open to everyone"))
        )
        return Reply(card=Card(group.name, tuple(fields), description=group.description))

    async def nearby(self, inv: Invocation, city: str | None, radius_km: int | None) -> Reply:
        """Local groups whose area contains a place, or within a radius of it, nearest first."""
        others: tuple[Place, ...] = ()
        if city is None:
            where = await self.repo.location(inv.community.key, inv.user.user_id)
            if where is None:
                raise CommandError(
                    _("Give a city, or share yours first with /location set."),
                    _("For example: /group nearby Lille radius_km:30"),
                )
        else:
            found, others = await self.lookups.resolve_city(city)
            where = self.lookups.location_of(found)
        radius = radius_km or self.settings.default_radius_km
        hits = await self.around(inv.community, where, radius)
        lines: list[Text] = [
            _(
                "**{name}** · {distance} km · {where}",
                name=g.name,
                distance=km(d),
                where=self.lookups.where(g) or f"/group join {g.name}",
            )
            for g, d in hits[:25]
        ]
        if not hits:
            lines.append(_("No local group within {radius} km of {city}.", radius=radius, city=where.city_name))
        if others:  # the member is looking around: say where else the name leads, once, briefly
            lines.append(self.elsewhere(found.name, others))
        return Reply(
            card=Card(
                _("Groups near {city}, {country}", city=where.city_name, country=where.country), description=join(lines)
            )
        )

    async def around(self, community: CommunityRef, where: Location, radius: int) -> list[tuple[Group, float]]:
        """Local groups containing `where` or within `radius` km of it, with their distance, nearest first."""
        reach = max(radius, await self.repo.max_radius(community.key))
        found: list[tuple[Group, float]] = []
        for group in await self.repo.in_box(community.key, bounding_box(where.lat, where.lon, reach)):
            if group.kind != "local" or group.lat is None or group.lon is None:
                continue
            distance = haversine_km(where.lat, where.lon, group.lat, group.lon)
            if distance <= radius or distance <= (group.radius_km or 0):
                found.append((group, distance))
        found.sort(key=lambda pair: (pair[1], pair[0].name))
        return found

    async def suggestions(self, community: CommunityRef, user_id: str) -> list[Suggestion]:
        """Groups for a member: shared tags with their groups, then proximity."""
        key = community.key
        mine = await self.repo.groups_of(key, user_id)
        my_ids = {g.id for g in mine}
        counts = await self.repo.member_counts(key)
        candidates = [
            Candidate(g.name, g.tags, counts.get(g.id, 0), g.lat, g.lon, g.radius_km)
            for g in await self.repo.groups(key)
            if g.id not in my_ids and not await self.repo.is_banned(key, g.id, user_id)
        ]
        where = await self.repo.location(key, user_id)
        tags = [t for g in mine for t in g.tags]
        return rank(candidates, tags, (where.lat, where.lon) if where else None)

    @staticmethod
    def suggestion_lines(found: list[Suggestion]) -> list[Text]:
        """One line per suggestion, with why."""
        lines: list[Text] = []
        for s in found:
            reasons: list[Text] = []
            if s.shared_tags:
                reasons.append(_("tags you follow: {tags}", tags=", ".join(s.shared_tags)))
            if s.distance_km is not None:
                reasons.append(_("{distance} km from you", distance=km(s.distance_km)))
            lines.append(
                _("**{name}** {why} · /group join {name}", name=s.name, why=join(reasons, ", ") if reasons else "")
            )
        return lines

    async def suggest(self, inv: Invocation) -> Reply:
        """`/group suggest`."""
        found = await self.suggestions(inv.community, inv.user.user_id)
        if not found:
            return Reply(
                text=_("No suggestion for now. Join a group or share your city with /location set to get better ones."),
                ephemeral=True,
            )
        return Reply(card=Card(_("Groups for you"), description=join(self.suggestion_lines(found))), ephemeral=True)

    # ------------------------------------------------------------ location

    async def location_set(self, inv: Invocation, city: str) -> Reply:
        """Share one's city (stored at city precision only)."""
        found, others = await self.lookups.resolve_city(city)
        await self.repo.set_location(
            inv.community.key, inv.user.user_id, self.lookups.location_of(found), self.ctx.clock.now()
        )
        parts: list[Text] = [
            _("Your city is now {city}. Only the city is stored, never a more precise place.", city=found.label)
        ]
        if others:  # said once, privately, about the member's own city
            parts.append(self.elsewhere(found.name, others))
        return Reply(text=join(parts), ephemeral=True)

    @staticmethod
    def elsewhere(name: str, others: tuple[Place, ...]) -> Msg:
        """A short list of the other places of a name, each as it can be typed to pick it."""
        labels = [f"`{choice_label(p, True)}`" for p in others[:3]]
        return _(
            "Other places called {name}: {places}{more}.",
            name=name,
            places=", ".join(labels),
            more=" …" if len(others) > 3 else "",
        )

    async def location_show(self, inv: Invocation) -> Reply:
        """What the bot knows of one's location."""
        where = await self.repo.location(inv.community.key, inv.user.user_id)
        if where is None:
            return Reply(text=_("You have not shared a city. Use /location set to do so."), ephemeral=True)
        return Reply(
            text=_("Your city: {city}, {country}.", city=where.city_name, country=where.country), ephemeral=True
        )

    async def location_clear(self, inv: Invocation) -> Reply:
        """Forget one's city."""
        if not await self.repo.clear_location(inv.community.key, inv.user.user_id):
            raise CommandError(_("You have not shared a city, so there is nothing to clear."))
        return Reply(text=_("Your city is forgotten."), ephemeral=True)

    # ------------------------------------------------------------ autocomplete

    async def group_choices(self, community: CommunityRef, prefix: str) -> list[Choice]:
        """Group names starting with, or close to, what was typed."""
        names = await self.repo.names(community.key)
        hits = [n for n in names if fold(n).startswith(fold(prefix))] or closest(prefix, names, n=10)
        return [Choice(n, n) for n in hits[:25]]

    async def city_choices(self, prefix: str) -> list[Choice]:
        """Places starting with what was typed, most populous first, as `Lille, FR`; a name several places
        shares in one country shows each with its region (`Saint-André, FR (Occitanie)`), which is also what
        gets typed."""
        places = await self.lookups.gazetteer.complete(prefix)
        counts = Counter((fold(p.name), p.country) for p in places)
        # At most 100 characters: Discord's limit for a choice, and the `city` parameter's.
        labels = [choice_label(p, counts[fold(p.name), p.country] > 1)[:100] for p in places]
        return [Choice(text, text) for text in dict.fromkeys(labels)]
