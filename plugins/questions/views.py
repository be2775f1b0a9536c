"""What members and managers read: the list of unanswered questions, the patience leaderboard and
the digest section (typed metrics, the still-waiting list with each question once, the top helpers).
Builds replies from repo rows; no SQL here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.folding import fold
from bot.formatting import Link, link
from bot.i18n import Language, Msg, Span, Text, _, join, n_
from bot.model import Card, CardField, CommunityRef, Reply, UserRef
from bot.plugin import DigestSection, Metric, PluginContext
from plugins.questions import scoring
from plugins.questions.escalation import question_ref
from plugins.questions.repo import Question

MAX_LISTED = 15
WAITING_SHOWN = 5  # distinct questions in the digest's still-waiting list; the figure counts them all
WAITING_SCANNED = 200  # the oldest waiting questions read to fill that list when some are repeated
LINKS_SHOWN = 3  # links to the copies of one repeated question; then how many more times it was asked
UNKNOWN_LANGUAGE = "unknown"


def link_of(ctx: PluginContext, question: Question) -> Link | str:
    """A link to the question, or its number where the platform has no links."""
    return link(ctx.messenger.link(question_ref(question)), f"#{question.id}")


def language_name(code: str) -> str:
    """The language code as shown in lists (names would need the reader's locale)."""
    return code if code != "unknown" else "?"


def age(delta: timedelta) -> Msg:
    """How long ago, in words ("3 hours ago", "just now")."""
    if delta < timedelta(minutes=1):
        return _("just now")
    return _("{span} ago", span=Span(delta))


def unanswered(
    ctx: PluginContext,
    questions: Sequence[Question],
    now: datetime,
    locale: str = "en",
    newcomers: AbstractSet[int] = frozenset(),
) -> Reply:
    """`/unanswered`: open questions, oldest first, with age, language (named in the reader's `locale`) and
    link; the ones in `newcomers` (newcomers' first questions, listed first by the caller) marked as such."""
    if not questions:
        return Reply(text=_("Every question here has had an answer. Thank you all! 🎉"))
    lines: list[Text] = []
    for question in questions[:MAX_LISTED]:
        # 🔁: its asker said the answers did not solve it yet (`/notsolved`): back to waiting.
        waiting = (" ⏳" if question.waiting else "") + (" 🔁" if question.not_yet_at is not None else "")
        lines.append(
            _(
                "{link} {age} in #{channel} ({language}){waiting}: “{excerpt}”",
                link=link_of(ctx, question),
                age=age(now - question.asked_at),
                channel=ctx.directory.channel_name(question_ref(question).channel.parent()),
                language=ctx.translator.language_name(question.language, locale)
                if question.language != "unknown"
                else language_name(question.language),
                waiting=waiting,
                excerpt=question.excerpt,
            )
        )
        if question.id in newcomers:
            lines[-1] = join([_("🌱 First question of a newcomer:"), lines[-1]], " ")
    if len(questions) > MAX_LISTED:
        lines.append(n_("…and {count} more question.", "…and {count} more questions.", len(questions) - MAX_LISTED))
    # What the markers mean, for the markers shown only: a reader cannot guess 🔁.
    listed = questions[:MAX_LISTED]
    if any(q.waiting for q in listed):
        lines.append(_("⏳ Still waiting after the helpers were reminded."))
    if any(q.not_yet_at is not None for q in listed):
        lines.append(_("🔁 Answered, but the person who asked says it is not solved yet."))
    title = _("Questions waiting for an answer ({count})", count=len(questions))
    return Reply(card=Card(title, description=join(lines)))


def helpers(
    ctx: PluginContext,
    standings: Sequence[scoring.Standing],
    community: str,
    weeks: int,
    unconfirmed: Mapping[str, int] | None = None,
) -> Reply:
    """`/helpers`: the patience leaderboard; `unconfirmed` counts, per helper, the questions they answered
    first that were closed as answered, not confirmed (shown apart: never solved)."""
    unconfirmed = unconfirmed or {}
    if not standings:
        return Reply(
            text=n_(
                "No answers counted in the last week yet.", "No answers counted in the last {count} weeks yet.", weeks
            )
        )
    fields = tuple(
        CardField(
            f"{rank}. {ctx.directory.member_name(_user(community, s.helper))}",
            join(_standing(s, unconfirmed.get(s.helper, 0)), " · "),
            inline=False,
        )
        for rank, s in enumerate(standings, start=1)
    )
    return Reply(
        card=Card(
            n_("Patient helpers of the last week", "Patient helpers of the last {count} weeks", weeks),
            fields,
            description=_(
                "Points for each first answer, more when the question waited long, "
                "came from a newcomer, or ended solved."
            ),
        )
    )


def _standing(standing: scoring.Standing, unconfirmed: int) -> list[Text]:
    """One helper's figures; the answered questions closed without the asker's confirmation apart, and only
    when there are some (never among the solved ones)."""
    parts: list[Text] = [
        # Points are often fractional (1.5): each language has its rule ("1,5 point", "1.5 points").
        n_("{count} point", "{count} points", standing.points),
        n_("{count} first answer", "{count} first answers", standing.answers),
        n_("{count} solved", "{count} solved", standing.solved),
    ]
    if unconfirmed:
        parts.append(n_("{count} answered, not confirmed", "{count} answered, not confirmed", unconfirmed))
    return parts


def credits(
    questions: Sequence[Question], since: datetime, joined: Mapping[str, datetime | None]
) -> list[scoring.Credit]:
    """Leaderboard credits from questions answered or solved since `since`; `joined` maps askers to
    when they joined (a question asked in a member's first 30 days is a newcomer's)."""
    found: list[scoring.Credit] = []
    for q in questions:
        solved = q.status == "solved"
        when = joined.get(q.author_id)
        newcomer = when is not None and timedelta() <= q.asked_at - when < timedelta(days=scoring.NEWCOMER_DAYS)
        if q.answered_by and q.answered_at and q.answered_at >= since:
            wait = q.answered_at - q.asked_at
            found.append(scoring.Credit(q.answered_by, wait, newcomer, solved and q.solved_by in (None, q.answered_by)))
        if solved and q.solved_by and q.solved_by != q.answered_by and q.solved_at and q.solved_at >= since:
            wait = q.solved_at - q.asked_at
            found.append(scoring.Credit(q.solved_by, wait, newcomer, True, first=False))
    return found


def unconfirmed_by(questions: Sequence[Question], since: datetime) -> dict[str, int]:
    """Per helper, the questions answered first by them since `since` and closed as answered, not
    confirmed (the same questions `credits` counts, never as solved)."""
    found: dict[str, int] = {}
    for q in questions:
        if q.status == "unconfirmed" and q.answered_by and q.answered_at and q.answered_at >= since:
            found[q.answered_by] = found.get(q.answered_by, 0) + 1
    return found


def metrics(figures: Mapping[str, float | int | None]) -> tuple[Metric, ...]:
    """The section's figures (`stats.summary`) as typed metrics, each with its label; per-language counts
    are named in the reader's language (`Language`), so each rendering names them its own way."""
    found = [
        Metric("asked", _("Questions asked"), figures["asked"]),
        Metric("answered", _("Questions answered"), figures["answered"]),
        Metric("solved", _("Questions solved"), figures["solved"]),
        Metric("unconfirmed", _("Questions answered, not confirmed"), figures["unconfirmed"]),
        Metric("median_first_answer", _("Time to a first answer, median"), figures["median_first_answer"], "duration"),
        Metric(
            "p90_first_answer", _("Time to a first answer, 90th percentile"), figures["p90_first_answer"], "duration"
        ),
        Metric(
            "answered_within_24h_share", _("Answered within 24 hours"), figures["answered_within_24h_share"], "share"
        ),
        Metric("still_waiting", _("Still waiting for an answer"), figures["still_waiting"]),
    ]
    for key, value in figures.items():
        if key.startswith("asked_"):
            code = key.removeprefix("asked_")
            label = (
                _("Questions in an undetected language")
                if code == UNKNOWN_LANGUAGE
                else _("Questions in {language}", language=Language(code))
            )
            found.append(Metric(key, label, value))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Waiting:
    """One question of the still-waiting list: its text once, with every copy of it still waiting (the same
    words asked again, in another channel or by another member, are the same question to a manager)."""

    excerpt: str
    copies: tuple[Question, ...]


def waiting_list(questions: Sequence[Question], shown: int = WAITING_SHOWN) -> list[Waiting]:
    """The first `shown` distinct questions of `questions` (oldest first), each once with its copies."""
    found: dict[str, list[Question]] = {}
    for question in questions:
        key = fold(" ".join(question.excerpt.split()))
        if key not in found and len(found) == shown:
            continue
        found.setdefault(key, []).append(question)
    return [Waiting(copies[0].excerpt, tuple(copies)) for copies in found.values()]


def _links(ctx: PluginContext, copies: Sequence[Question]) -> Text:
    """`#12, #31`: a link to each copy, the first `LINKS_SHOWN`, then how many more copies (links stay
    parameters of a message: never joined as plain text, which would show them as text)."""
    text: Text = _("{link}", link=link_of(ctx, copies[0]))
    for question in copies[1:LINKS_SHOWN]:
        text = _("{links}, {link}", links=text, link=link_of(ctx, question))
    if len(copies) > LINKS_SHOWN:
        more = len(copies) - LINKS_SHOWN
        text = n_("{links} and {count} more time", "{links} and {count} more times", more, links=text)
    return text


def digest_section(
    ctx: PluginContext,
    community: str,
    figures: Mapping[str, float | int | None],
    waiting: Sequence[Question],
    standings: Sequence[scoring.Standing],
) -> DigestSection:
    """The questions part of the weekly digest: its metrics (`stats.summary`), then what is not a figure:
    the questions still waiting (the oldest first, each once, then how many more) and the top helpers.
    `waiting` is the oldest of the questions the `still_waiting` figure counts."""
    lines: list[Text] = []
    listed = waiting_list(waiting)
    for item in listed:
        lines.append(_("Still waiting: “{excerpt}” {links}", excerpt=item.excerpt, links=_links(ctx, item.copies)))
    more = int(figures["still_waiting"] or 0) - sum(len(item.copies) for item in listed)
    if more > 0:
        lines.append(n_("…and {count} more question waiting.", "…and {count} more questions waiting.", more))
    if standings:
        names = ", ".join(ctx.directory.member_name(_user(community, s.helper)) for s in standings[:3])
        lines.append(_("Most patient helpers: {names}.", names=names))
    values = metrics(figures)
    return DigestSection(
        "questions", _("Questions and answers"), {m.key: m.value for m in values}, tuple(lines), values
    )


def _user(community: str, user_id: str) -> UserRef:
    ref = CommunityRef.from_key(community)
    return UserRef(ref.platform, ref.workspace_id, user_id)
