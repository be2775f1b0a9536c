"""Events in the weekly digest (dates held, answers, going rate, waitlists, cancelled dates, one line per
group) and in privacy (a member's answers and the events they created: export and forget).

The digest's figures, over the dates that ended in the period:
- `events_held`: dates that took place (not cancelled);
- `rsvps_going`, `rsvps_maybe`, `rsvps_no`: the answers of those dates;
- `going_rate`: going among going, maybe and can't go (a share; None, "no data", without any answer);
- `waitlisted`: members still on a waitlist of those dates (answers close once a date is over, so the
  waitlist as it stands is the one the date started with; a waitlisted member is not counted as going);
- `dates_cancelled`: dates that would have ended in the period but were cancelled.
The group lines add up to those figures, each group's rate from its own counts. No section at all while
the community has never created an event (the feature unused): a quiet period after that has real zeros.

Forgetting a member deletes their answers and, for each seat they held on a date not over yet, gives it
to the waitlist in the same transaction (`rsvp_repo.forget_member`, which promotes with `rsvp_repo.promote`;
the promoted members see it in `/event mine` and on the card's next refresh: nothing can be sent from
inside the transaction). The events they created
stay, because they belong to the group: only the creator's id is cleared.

Owned by events-cal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.i18n import Msg, Percent, Text, _, n_
from bot.model import CommunityRef, UserRef
from bot.plugin import DigestSection, Metric, Sql
from plugins.events import rsvp_repo
from plugins.events.desk import Desk
from plugins.events.report_repo import GroupFigures, ReportRepo

MAX_GROUP_LINES = 10


def going_rate(going: int, maybe: int, no: int) -> float | None:
    """Going among all answers (going, maybe, can't go); None without any answer."""
    answers = going + maybe + no
    return going / answers if answers else None


def _whole_percent(rate: float) -> Percent:
    # Rounded to the whole percent as the digest shows a share, so a group's line and the total agree.
    return Percent(round(rate * 100) / 100)


def group_line(group: GroupFigures) -> Msg:
    """One group's dates and answers: "Rust Lille: 2 dates held, 5 going, 1 maybe, 2 can't go (going rate
    63%), 1 on a waitlist, 1 date cancelled"."""
    rate = going_rate(group.going, group.maybe, group.no)
    return _(
        "{group}: {held}, {going}, {maybe}, {no} ({rate}), {waitlist}, {cancelled}",
        group=group.name,
        held=n_("{count} date held", "{count} dates held", group.held),
        going=n_("{count} going", "{count} going", group.going),
        maybe=n_("{count} maybe", "{count} maybe", group.maybe),
        no=n_("{count} can't go", "{count} can't go", group.no),
        rate=_("no answers") if rate is None else _("going rate {percent}", percent=_whole_percent(rate)),
        waitlist=n_("{count} on a waitlist", "{count} on a waitlist", group.waitlist),
        cancelled=n_("{count} date cancelled", "{count} dates cancelled", group.cancelled),
    )


def section(groups: list[GroupFigures]) -> DigestSection:
    """The events section from each group's figures (the totals are the sums of the group lines)."""
    going, maybe, no = (sum(getattr(g, name) for g in groups) for name in ("going", "maybe", "no"))
    metrics = (
        Metric("events_held", _("Event dates held"), sum(g.held for g in groups)),
        Metric("rsvps_going", _("Answers “going”"), going),
        Metric("rsvps_maybe", _("Answers “maybe”"), maybe),
        Metric("rsvps_no", _("Answers “can't go”"), no),
        Metric("going_rate", _("Going rate (going among all answers)"), going_rate(going, maybe, no), "share"),
        Metric("waitlisted", _("Members still on a waitlist when a date started"), sum(g.waitlist for g in groups)),
        Metric("dates_cancelled", _("Event dates cancelled"), sum(g.cancelled for g in groups)),
    )
    ranked = sorted(groups, key=lambda g: (-g.held, -(g.going + g.maybe + g.no), g.name.casefold(), g.group_id))
    lines: list[Text] = [group_line(g) for g in ranked[:MAX_GROUP_LINES]]
    if len(ranked) > MAX_GROUP_LINES:
        more = len(ranked) - MAX_GROUP_LINES
        lines.append(n_("…and {count} more group with events.", "…and {count} more groups with events.", more))
    return DigestSection("events", _("Events"), {m.key: m.value for m in metrics}, tuple(lines), metrics)


class Report:
    """Digest section and privacy."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.repo = ReportRepo(desk.ctx.db)
        self.promoted_by_forget: dict[tuple[str, str], dict[int, list[str]]] = {}

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        """The events section for [start, end); None while the community never created an event."""
        if not await self.repo.in_use(community.key, end):
            return None
        return section(await self.repo.group_figures(community.key, start, end))

    async def export_user(self, user: UserRef) -> Mapping[str, Any]:
        """A member's answers (event, date, answer, waitlist position) and the events they created."""
        key = user.community.key
        return {
            "rsvps": await self.repo.member_answers(key, user.user_id),
            "events_created": await self.repo.created_events(key, user.user_id),
        }

    async def forget_user(self, user: UserRef, tx: Sql) -> int:
        """Delete a member's answers (their seats go to the waitlist, inside `tx`) and clear their id from the
        events they created; the rows changed."""
        key = user.community.key
        removed, promoted = await rsvp_repo.forget_member(tx, key, user.user_id, self.desk.now())
        # Told after the commit (`take_promoted`, from the plugin's `after_forget`): no message leaves a transaction
        # that may still roll back.
        self.promoted_by_forget[(key, user.user_id)] = promoted
        return removed + await ReportRepo.unname_creator(tx, key, user.user_id)

    def take_promoted(self, user: UserRef) -> dict[int, list[str]]:
        """Who got a seat when `user` was forgotten, per occurrence (once)."""
        return self.promoted_by_forget.pop((user.community.key, user.user_id), {})
