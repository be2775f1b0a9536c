"""A community's own escalation ladder: the three delays (nudge, escalate, still waiting), the quiet hours
and the newcomer priority its moderators choose with `/questions settings`, over the configuration's values
(`QuestionsSettings`, which stay every community's defaults).

Owns the table `question_ladder_settings` and the column `questions.newcomer`
(migrations/questions/0003_community_ladder.sql), the reading of the values moderators type (English or
French: `4h`, `90min`, `1h30`, `2 j`, `1 jour`; `22:00-08:00`, `22h-8h`, `aucune`; `oui`/`non`), the rules
a ladder follows (each delay between 5 minutes and 30 days, nudge < escalate < still waiting), what a
"newcomer's first question" is, and the re-planning of the waiting questions' pending steps when the ladder
changes. The few statements on `questions` it runs are about those two concerns only; everything else on
that table stays in repo.py.

Exactly once, across a change: a question's row names its pending step (`next_step`) and when it falls due
(`next_step_at`). A change moves only the time of that pending step, in the same transaction as the new
settings (nothing half-written), and never its name: a step already taken stays taken, the pending one still
happens once (the sweep's `WHERE next_step = ?` and the dedupe keys do the rest). What the tracker had
queued is written first; a question created or a step advanced with the old ladder while the change was
being written is caught by a second pass once the cached ladder is dropped.

Several processes (PostgreSQL): each caches a community's values for `_SHARED_MAX_AGE` seconds; the sweep
always reads them fresh, so only the first step of a question asked in another process within that window
may follow the old ladder.

A newcomer's first question: the first question a member asks in the community (no earlier question of
theirs is stored, whatever became of it) within `NEWCOMER_DAYS` days of joining (the join date the platform
reported, bot/communities.py; a member whose join was never seen is not a newcomer). Flagged when asked,
only while the community gives newcomers priority: it costs one look-up of the join date per member and
process (and one more query for a member who joined lately), never one per message.
"""

from __future__ import annotations

import asyncio
import re
import time as monotonic
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.folding import fold
from bot.i18n import Duration, Msg, Text, _, join, n_, term
from bot.model import Card, CardField, CommunityRef, Reply
from bot.params import continues as continues_duration
from bot.params import duration_seconds
from bot.plugin import CommandError, Invocation, PluginContext, Sql
from bot.storage.times import from_db, to_db
from plugins.questions import ladder, scoring
from plugins.questions.repo import Question, QuestionsRepo, open_questions
from plugins.questions.settings import QuestionsSettings

if TYPE_CHECKING:
    from plugins.questions.tracker import Tracker

MIN_DELAY = timedelta(minutes=5)
MAX_DELAY = timedelta(weeks=4)  # shown "4 weeks" (30 days would read "4 weeks and 2 days")
NEWCOMER_DAYS = scoring.NEWCOMER_DAYS
VALUE_MAX = 40  # characters of a typed value: more is never a delay or a span of hours
_SHARED_MAX_AGE = 30.0  # seconds a process trusts its cached values when other processes may change them
_ASKERS_BOUND = 50_000  # members remembered as having asked (a crude bound: cleared when reached)
# Written with the tracker's queue after the question's own insert (rank 0; repo.py uses low ranks, 0 to 4),
# so the flag lands in the same flush as the row it marks. A rank far from repo.py's: two statements never
# share one (a rank holds one statement).
_NEWCOMER_RANK = 90
_DEFAULT_WORDS = frozenset({"default", "reset", "defaut", "par defaut", "valeur par defaut", "config"})
# "activée"/"désactivée": what the settings card shows (the priority, feminine in French).
_ON_WORDS = frozenset({"on", "yes", "true", "1", "oui", "vrai", "active", "activee", "actif", "activer", "marche"})
_OFF_WORDS = frozenset(
    {"off", "no", "false", "0", "non", "faux", "desactive", "desactivee", "inactif", "desactiver", "arret"}
)


@dataclass(frozen=True, slots=True)
class LadderChoices:
    """What a community chose; None everywhere it kept the configuration's value. `quiet_hours` is the
    canonical `22:00-08:00`, or the empty string for "no quiet hours" (a choice, unlike None)."""

    nudge: timedelta | None = None
    escalate: timedelta | None = None
    waiting: timedelta | None = None
    quiet_hours: str | None = None
    newcomers: bool | None = None


@dataclass(frozen=True, slots=True)
class LadderValues:
    """The ladder a community follows: its choices over the configuration's values."""

    nudge: timedelta
    escalate: timedelta
    waiting: timedelta
    quiet_hours: str
    newcomers: bool
    chosen: LadderChoices

    def ladder(self, tz: str, *, newcomer: bool = False) -> ladder.Ladder:
        """The ladder of a question (a newcomer's first one climbs faster while the priority is on)."""
        span = ladder.parse_quiet_hours(self.quiet_hours) or (time(0), time(0))
        steps = ladder.Ladder(tz, self.nudge, self.escalate, self.waiting, span[0], span[1])
        return steps.for_newcomer() if newcomer and self.newcomers else steps


def resolve(defaults: QuestionsSettings, chosen: LadderChoices) -> LadderValues:
    """The community's choices over the configuration's values."""
    return LadderValues(
        chosen.nudge if chosen.nudge is not None else timedelta(hours=defaults.nudge_after_hours),
        chosen.escalate if chosen.escalate is not None else timedelta(hours=defaults.escalate_after_hours),
        chosen.waiting if chosen.waiting is not None else timedelta(hours=defaults.waiting_after_hours),
        chosen.quiet_hours if chosen.quiet_hours is not None else defaults.quiet_hours,
        chosen.newcomers if chosen.newcomers is not None else defaults.newcomer_priority,
        chosen,
    )


# ---------------------------------------------------------------- what moderators type


class _Default:
    """The value typed to go back to the configuration's value (`default`, « défaut »)."""


DEFAULT = _Default()


def is_default_word(raw: str) -> bool:
    """`default`, `défaut`, `par défaut`, `reset`: back to the configuration's value."""
    return fold(raw.strip()) in _DEFAULT_WORDS


_LONGEST_CLOCK = 1e12
"""Seconds a timedelta holds comfortably (30,000 years); beyond, the typed value is repeated as typed."""


def parse_delay(raw: str, step: Msg) -> timedelta | _Default:
    """A delay typed in English or French (`4h`, `4 h`, `90min`, `1h30`, `2d`, `2 j`, `1 jour`, `2 jours`,
    `1 day and 2 hours`), within `MIN_DELAY`..`MAX_DELAY`; CommandError with a hint otherwise."""
    if is_default_word(raw):
        return DEFAULT
    value = raw.strip()[:VALUE_MAX]  # what is repeated in the error; longer input is refused, never cut to fit
    seconds = duration_seconds(value) if value and len(raw.strip()) <= VALUE_MAX else None  # a bare number: None
    if seconds is None:
        raise CommandError(
            _("{value} is not a delay for {step}.", value=value, step=step),
            _("Write a number and a unit, such as 4h, 90min, 1h30 or 2d; or default for the configuration's value."),
        )
    # Compared as seconds first: `99999999999999999999h` is a finite float that no timedelta can hold.
    delay = timedelta(seconds=round(seconds)) if seconds < _LONGEST_CLOCK else None
    if delay is None or not MIN_DELAY <= delay <= MAX_DELAY:
        raise CommandError(
            _("{value} is not allowed for {step}.", value=Duration(delay) if delay else value, step=step),
            _("A delay is between {low} and {high}.", low=Duration(MIN_DELAY), high=Duration(MAX_DELAY)),
        )
    return delay


def parse_quiet(raw: str) -> str | _Default:
    """Quiet hours typed as `22:00-08:00`, `22h-8h`, `22 h 30 - 7 h`, or `off`/`none`/`aucune`: the canonical
    `22:00-08:00` (the empty string for none); CommandError with a hint otherwise."""
    if is_default_word(raw):
        return DEFAULT
    value = raw.strip()[:VALUE_MAX]
    if fold(value) in _NO_QUIET:
        return ""
    try:
        if len(raw.strip()) > VALUE_MAX:
            raise ValueError(value)
        span = ladder.parse_quiet_hours(_FROM.sub("", value))
    except ValueError:
        raise CommandError(
            _("{value} is not a span of quiet hours.", value=value),
            _("Write it like 22:00-08:00 or 22h-8h (start, then end, in the community's time zone), or off for none."),
        ) from None
    return ladder.format_quiet_hours(span)


_NO_QUIET = frozenset(fold(word) for word in ladder.NO_QUIET_HOURS)
# The card shows quiet hours as « de 22 h à 8 h » / "from 22:00 to 8:00": the leading word is accepted back.
_FROM = re.compile(r"^(?:de|from)\s+", re.IGNORECASE)


# One more word of quiet hours typed without quotes (`22h - 8h`, `de 22 h à 8 h`): numbers, `h`, `:` and
# dashes, and the words of « aucune heure calme » / "no quiet hours" as the card shows them.
_SPAN_WORD = re.compile(r"[\dhH:\-\u2010-\u2015]{1,12}|à|a|to|heures?|calmes?|quiet|hours?", re.IGNORECASE)


def continues_quiet(value: str, following: str) -> bool:
    """True when the separate word `following` goes on with the quiet hours typed so far (`joins`), or with
    « par défaut »."""
    if fold(value) == "par":
        return continues_default(value, following)
    return len(value) < VALUE_MAX and _SPAN_WORD.fullmatch(following) is not None


def continues_default(value: str, following: str) -> bool:
    """True for « par » then « défaut » typed without quotes (`nouveaux:par défaut`)."""
    return fold(value) == "par" and fold(following) == "defaut"


def continues_delay(value: str, following: str) -> bool:
    """True when the separate word `following` goes on with the delay typed so far (`joins`): what
    `/advance`-like durations accept, plus a bare number after a whole duration (`1 j 2 h`: these settings
    are named only, so no count can follow) and « par défaut »."""
    if len(value) >= VALUE_MAX:
        return False
    if fold(value) == "par":
        return continues_default(value, following)
    if following.isdigit() and len(following) <= 4 and duration_seconds(value) is not None:
        return True
    return continues_duration(value, following)


def parse_switch(raw: str) -> bool | _Default:
    """on/off typed as on, off, yes, no, oui, non, activé, désactivé; CommandError with a hint otherwise."""
    if is_default_word(raw):
        return DEFAULT
    word = fold(raw.strip()[:VALUE_MAX])
    if word in _ON_WORDS:
        return True
    if word in _OFF_WORDS:
        return False
    raise CommandError(
        _("{value} is neither on nor off.", value=raw.strip()[:VALUE_MAX]),
        _("Write on or off (yes or no also work), or default for the configuration's value."),
    )


def check(values: LadderValues) -> None:
    """The rule of a ladder: nudge, then escalation, then still waiting, each strictly later. CommandError
    naming the three delays as they would be, and how to change several at once."""
    if values.nudge < values.escalate < values.waiting:
        return
    raise CommandError(
        _(
            "The steps must come in order: the nudge before the escalation, the escalation before "
            "still waiting. That would be {nudge}, then {escalate}, then {waiting}.",
            nudge=Duration(values.nudge),
            escalate=Duration(values.escalate),
            waiting=Duration(values.waiting),
        ),
        _("Change several delays at once, such as `/questions settings nudge:2h escalate:12h`."),
    )


# ---------------------------------------------------------------- storage


_SELECT = (
    "SELECT nudge_seconds, escalate_seconds, waiting_seconds, quiet_hours, newcomer_priority "
    "FROM question_ladder_settings WHERE community = ?"
)
_UPSERT = (
    "INSERT INTO question_ladder_settings (community, nudge_seconds, escalate_seconds, waiting_seconds, "
    "quiet_hours, newcomer_priority, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (community) DO UPDATE SET nudge_seconds = excluded.nudge_seconds, "
    "escalate_seconds = excluded.escalate_seconds, waiting_seconds = excluded.waiting_seconds, "
    "quiet_hours = excluded.quiet_hours, newcomer_priority = excluded.newcomer_priority, "
    "updated_at = excluded.updated_at"
)
_PENDING = (
    "SELECT id, asked_at, next_step, next_step_at, newcomer, not_yet_at FROM questions WHERE community = ? "
    "AND status = 'open' "
    "AND next_step IS NOT NULL AND next_step_at IS NOT NULL"
)
_MOVE = (
    "UPDATE questions SET next_step_at = ? WHERE community = ? AND id = ? AND status = 'open' "
    "AND next_step = ? AND next_step_at = ?"
)


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def _delta(value: Any) -> timedelta | None:
    return None if value is None else timedelta(seconds=int(value))


def _choices(row: Any) -> LadderChoices:
    if row is None:
        return LadderChoices()
    priority = row["newcomer_priority"]
    return LadderChoices(
        _delta(row["nudge_seconds"]),
        _delta(row["escalate_seconds"]),
        _delta(row["waiting_seconds"]),
        row["quiet_hours"],
        None if priority is None else bool(priority),
    )


@dataclass(frozen=True, slots=True)
class _Pending:
    id: int
    asked_at: datetime
    step: str
    due_at: datetime
    newcomer: bool
    not_yet_at: datetime | None = None


def _moves(
    community: str, pending: Sequence[_Pending], old: LadderValues, new: LadderValues, tz: str
) -> list[tuple[Any, ...]]:
    """The `_MOVE` parameters of the pending steps whose time changes (pure; run off the loop)."""
    ladders = {
        (which, flag): values.ladder(tz, newcomer=flag)
        for which, values in (("old", old), ("new", new))
        for flag in (False, True)
    }
    moves: list[tuple[Any, ...]] = []
    for row in pending:
        due = ladder.replanned(
            row.step,
            row.asked_at,
            row.due_at,
            ladders["old", row.newcomer],
            ladders["new", row.newcomer],
            sent_back_at=row.not_yet_at,
        )
        if due != row.due_at:
            moves.append((to_db(due), community, row.id, row.step, to_db(row.due_at)))
    return moves


class CommunityLadders:
    """Each community's ladder values (cached), newcomers' first questions, and changes with re-planning."""

    def __init__(self, ctx: PluginContext, defaults: QuestionsSettings) -> None:
        self.ctx = ctx
        self.defaults = defaults
        self._db = ctx.db
        # SQLite: one process, this cache is the only writer's and always current.
        self._max_age = _SHARED_MAX_AGE if ctx.db.engine == "postgresql" else None
        self._cache: dict[str, tuple[LadderValues, float]] = {}
        self._generation = 0
        self._askers: set[tuple[str, str]] = set()
        self._warned_at = -60.0  # monotonic time of the last "could not tell" warning (one a minute at most)

    async def values(self, community: str, *, fresh: bool = False) -> LadderValues:
        """The community's ladder values; `fresh` reads them from the database (the sweep, a change)."""
        cached = self._cache.get(community)
        now = monotonic.monotonic()
        if not fresh and cached is not None and (self._max_age is None or now - cached[1] < self._max_age):
            return cached[0]
        generation = self._generation
        try:
            values = resolve(self.defaults, _choices(await self._db.fetchone(_SELECT, (community,))))
        except Exception as error:
            if fresh:
                raise  # the sweep and the command fail and are tried again: never a step on a guess
            # A question being asked while the database is busy: its first step on the last values read (else
            # the configuration's), rather than no question at all; the sweep re-reads them for the next steps.
            self._warn("could not read the ladder of %s (%s); the last values known are used", community, error)
            return cached[0] if cached is not None else resolve(self.defaults, LadderChoices())
        if generation == self._generation:  # a change written during the read: do not cache what may be stale
            self._cache[community] = (values, now)
        return values

    def forget(self, community: str) -> None:
        """Drop the cached values (after a change)."""
        self._generation += 1
        self._cache.pop(community, None)

    # ------------------------------------------------------------ newcomers

    async def is_newcomer_first(self, community: str, author: str, asked_at: datetime, known_asker: bool) -> bool:
        """True for the first question of a member within `NEWCOMER_DAYS` of joining. `known_asker`: the
        tracker's index already holds a question of theirs."""
        key = (community, author)
        if known_asker or key in self._askers:
            return False
        if len(self._askers) >= _ASKERS_BOUND:
            self._askers.clear()
        self._askers.add(key)  # this question makes them an asker, whatever the answer below
        try:
            joined = (await self.ctx.communities.joined_dates(CommunityRef.from_key(community), (author,))).get(author)
            if joined is None or not timedelta() <= asked_at - joined < timedelta(days=NEWCOMER_DAYS):
                return False
            earlier = await self._db.fetchone(
                "SELECT 1 AS found FROM questions WHERE community = ? AND author_id = ? LIMIT 1", (community, author)
            )
        except Exception as error:  # a busy or unreachable database must not cost the question itself
            self._askers.discard(key)  # asked again later, the member may still be a newcomer
            self._warn(
                "could not tell whether a question in %s is a newcomer's first (%s); it follows the usual ladder",
                community,
                error,
            )
            return False
        return earlier is None

    def _warn(self, message: str, *args: object) -> None:
        """A warning about the database, once a minute at most (an outage would repeat it per question)."""
        now = monotonic.monotonic()
        if now - self._warned_at >= 60:
            self._warned_at = now
            self.ctx.logger.warning("questions: " + message, *args)

    @staticmethod
    def queue_newcomer(repo: QuestionsRepo, community: str, question_id: int) -> None:
        """Flag a question as a newcomer's first, in the same flush as its row."""
        repo.pending.add(
            _NEWCOMER_RANK,
            "UPDATE questions SET newcomer = 1 WHERE community = ? AND id = ?",
            (community, question_id),
        )

    async def newcomer_ids(self, community: str, ids: Sequence[int]) -> set[int]:
        """Which of these questions are newcomers' first ones (in chunks: bounded `IN` lists)."""
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            rows = await self._db.fetchall(
                f"SELECT id FROM questions WHERE community = ? AND newcomer = 1 AND id IN ({marks})",
                (community, *chunk),
            )
            found.update(int(r["id"]) for r in rows)
        return found

    async def newcomer_questions(
        self, community: str, channel_id: str | None, group: str | None, limit: int
    ) -> list[Question]:
        """Open newcomers' first questions, oldest first (what /unanswered lists first)."""
        return await open_questions(self._db, community, channel_id, group, limit, also="newcomer = 1")

    # ------------------------------------------------------------ changes

    async def change(
        self, community: str, chosen: LadderChoices, old: LadderValues, tz: str, now: datetime
    ) -> tuple[LadderValues, set[int]]:
        """Save the community's choices and move its waiting questions' pending steps, in one transaction;
        returns the new values and the questions whose next step moved."""
        new = resolve(self.defaults, chosen)
        async with self._db.transaction() as tx:
            await tx.execute(
                _UPSERT,
                (
                    community,
                    _seconds(chosen.nudge),
                    _seconds(chosen.escalate),
                    _seconds(chosen.waiting),
                    chosen.quiet_hours,
                    None if chosen.newcomers is None else int(chosen.newcomers),
                    to_db(now),
                ),
            )
            moved = await self._replan(tx, community, old, new, tz)
        self.forget(community)
        return new, moved

    async def replan(self, community: str, old: LadderValues, new: LadderValues, tz: str) -> set[int]:
        """The second pass (see the module's docstring): the same moves, in a transaction of their own."""
        async with self._db.transaction() as tx:
            return await self._replan(tx, community, old, new, tz)

    async def _replan(self, tx: Sql, community: str, old: LadderValues, new: LadderValues, tz: str) -> set[int]:
        rows = await tx.fetchall(_PENDING, (community,))
        pending = [
            _Pending(
                int(r["id"]),
                from_db(r["asked_at"]),
                r["next_step"],
                from_db(r["next_step_at"]),
                bool(r["newcomer"]),
                from_db(r["not_yet_at"]) if r["not_yet_at"] else None,
            )
            for r in rows
        ]
        # Thousands of waiting questions cost thousands of time-zone conversions: not on the loop.
        moves = await asyncio.to_thread(_moves, community, pending, old, new, tz)
        if moves:
            await tx.executemany(_MOVE, moves)
        return {int(move[2]) for move in moves}


# ---------------------------------------------------------------- the command


_STEP_NAMES: dict[str, Msg] = {
    "nudge": _("the nudge"),
    "escalate": _("the escalation"),
    "waiting": _("the still-waiting mark"),
}


def _source(chosen: object) -> Msg:
    return _("chosen by the community") if chosen is not None else _("default from the configuration")


def _clock(moment: time) -> Msg:
    """A time of day as the calendar writes it: "9:00" / « 9 h », "18:30" / « 18 h 30 »."""
    if moment.minute == 0:
        return _("{hour}:00", hour=str(moment.hour))
    return _("{hour}:{minute}", hour=str(moment.hour), minute=f"{moment.minute:02d}")


def describe(values: LadderValues, tz: str) -> tuple[CardField, ...]:
    """The five values and where each comes from (the command's card, `/settings show`); each value reads
    as it may be typed back (`parse_quiet` takes « de 22 h à 8 h », `parse_switch` « activée »)."""
    chosen = values.chosen
    span = ladder.parse_quiet_hours(values.quiet_hours) if values.quiet_hours else None
    quiet: Text = (
        _("from {start} to {end} ({timezone})", start=_clock(span[0]), end=_clock(span[1]), timezone=tz)
        if span
        else _("no quiet hours")
    )
    # msgctxt "state": the priority's state, which French agrees with « priorité » (« activée »).
    state = term("on", "state") if values.newcomers else term("off", "state")
    rows: list[tuple[Msg, object, object]] = [
        (_("Nudge to the helpers after"), Duration(values.nudge), chosen.nudge),
        (_("Escalation after"), Duration(values.escalate), chosen.escalate),
        (_("Still waiting after"), Duration(values.waiting), chosen.waiting),
        (_("Quiet hours"), quiet, chosen.quiet_hours),
        (_("Priority to a newcomer's first question"), state, chosen.newcomers),
    ]
    return tuple(
        CardField(name, _("{value} · {source}", value=value, source=_source(which))) for name, value, which in rows
    )


class LadderDesk:
    """`/questions settings`: show the community's ladder, or change it and re-plan the waiting questions."""

    def __init__(self, ctx: PluginContext, tracker: Tracker) -> None:
        self.ctx = ctx
        self.tracker = tracker
        self.ladders: CommunityLadders = tracker.ladders

    async def settings(
        self,
        inv: Invocation,
        nudge: str | None,
        escalate: str | None,
        waiting: str | None,
        quiet_hours: str | None,
        newcomers: str | None,
    ) -> Reply:
        """Show the values (no option), or check every typed value, then save them all or nothing."""
        community = inv.community.key
        tz = (await self.ctx.communities.get(community)).timezone
        current = await self.ladders.values(community, fresh=True)
        given = {"nudge": nudge, "escalate": escalate, "waiting": waiting}
        if all(value is None or not value.strip() for value in (*given.values(), quiet_hours, newcomers)):
            return Reply(card=self._card(current, tz, _("This community's question ladder")), ephemeral=True)
        changes: dict[str, object] = {}
        for name in ("nudge", "escalate", "waiting"):
            raw = given[name]
            if raw is not None and raw.strip():
                parsed = parse_delay(raw, _STEP_NAMES[name])
                changes[name] = None if isinstance(parsed, _Default) else parsed
        if quiet_hours is not None and quiet_hours.strip():
            quiet = parse_quiet(quiet_hours)
            changes["quiet_hours"] = None if isinstance(quiet, _Default) else quiet
        if newcomers is not None and newcomers.strip():
            switch = parse_switch(newcomers)
            changes["newcomers"] = None if isinstance(switch, _Default) else switch
        chosen = replace(current.chosen, **changes)  # type: ignore[arg-type]  # names checked just above
        check(resolve(self.ladders.defaults, chosen))
        await self.tracker.flush()  # the queued questions are re-planned with the others
        new, moved = await self.ladders.change(community, chosen, current, tz, self.ctx.clock.now())
        # Second pass: a question created, or a step advanced, with the old ladder during the change.
        await self.tracker.flush()
        moved |= await self.ladders.replan(community, current, new, tz)
        next_at = await self.tracker.repo.next_step_time(community)
        if next_at is not None:
            await self.tracker.arm(community, next_at, after_sweep=True)
        self.ctx.logger.info(
            "questions: %s changed its ladder (%s); %s pending steps moved",
            community,
            ", ".join(f.name for f in fields(LadderChoices) if f.name in changes),
            len(moved),
        )
        title = _("Question ladder saved")
        note = n_(
            "{count} waiting question follows the new ladder from its next step on.",
            "{count} waiting questions follow the new ladder from their next step on.",
            len(moved),
        )
        return Reply(card=self._card(new, tz, title, note if moved else None), ephemeral=True)

    def _card(self, values: LadderValues, tz: str, title: Msg, note: Msg | None = None) -> Card:
        explained: list[Text] = [
            n_(
                "A newcomer's first question (asked within {count} day of joining) gets its nudge and "
                "escalation after half the delays, and comes first in /unanswered.",
                "A newcomer's first question (asked within {count} days of joining) gets its nudge and "
                "escalation after half the delays, and comes first in /unanswered.",
                NEWCOMER_DAYS,
            ),
            _(
                "Change one or several: `/questions settings nudge:2h escalate:12h quiet_hours:22h-8h "
                "newcomers:on`; default goes back to the configuration's value."
            ),
        ]
        if note is not None:
            explained.insert(0, note)
        return Card(title, describe(values, tz), join(explained))
