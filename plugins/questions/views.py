"""What members and managers read: the list of unanswered questions, the patience leaderboard and
the digest section. Builds replies from repo rows; no SQL here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.formatting import Link, link
from bot.i18n import Msg, Percent, Span, Text, _, join, n_
from bot.model import Card, CardField, CommunityRef, Reply, UserRef
from bot.plugin import DigestSection, PluginContext
from plugins.questions import scoring
from plugins.questions.escalation import question_ref
from plugins.questions.repo import Question

MAX_LISTED = 15


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


def unanswered(ctx: PluginContext, questions: Sequence[Question], now: datetime, locale: str = "en") -> Reply:
    """`/unanswered`: open questions, oldest first, with age, language (named in the reader's `locale`) and
    link."""
    if not questions:
        return Reply(text=_("Every question here has had an answer. Thank you all! 🎉"))
    lines: list[Text] = []
    for question in questions[:MAX_LISTED]:
        waiting = " ⏳" if question.waiting else ""
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
    if len(questions) > MAX_LISTED:
        lines.append(n_("…and {count} more question.", "…and {count} more questions.", len(questions) - MAX_LISTED))
    title = _("Questions waiting for an answer ({count})", count=len(questions))
    return Reply(card=Card(title, description=join(lines)))


def helpers(ctx: PluginContext, standings: Sequence[scoring.Standing], community: str, weeks: int) -> Reply:
    """`/helpers`: the patience leaderboard."""
    if not standings:
        return Reply(
            text=n_(
                "No answers counted in the last week yet.", "No answers counted in the last {count} weeks yet.", weeks
            )
        )
    fields = tuple(
        CardField(
            f"{rank}. {ctx.directory.member_name(_user(community, s.helper))}",
            join(
                [
                    # Points are often fractional (1.5): each language has its rule ("1,5 point", "1.5 points").
                    n_("{count} point", "{count} points", s.points),
                    n_("{count} first answer", "{count} first answers", s.answers),
                    n_("{count} solved", "{count} solved", s.solved),
                ],
                " · ",
            ),
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


def digest_section(
    ctx: PluginContext,
    community: str,
    figures: Mapping[str, float | int | None],
    waiting: Sequence[Question],
    standings: Sequence[scoring.Standing],
    language_names: Mapping[str, str] | None = None,
) -> DigestSection | None:
    """The questions part of the weekly digest, from its figures (`stats.summary`); `language_names` names
    each language code in the community's language (the code itself when missing)."""
    if not figures["asked"] and not waiting:
        return None
    lines: list[Text] = [
        _(
            "{asked}, {answered}, {solved}.",
            asked=n_("{count} question asked", "{count} questions asked", int(figures["asked"] or 0)),
            answered=n_("{count} answered", "{count} answered", int(figures["answered"] or 0)),
            solved=n_("{count} solved", "{count} solved", int(figures["solved"] or 0)),
        )
    ]
    if figures["median_hours_to_first_answer"] is not None:
        lines.append(
            # In words (Span): "under 0 h" was how a quick answer read when hours were the only unit.
            _(
                "Time to a first answer: median {median}, 90th percentile {p90}.",
                median=Span(timedelta(hours=float(figures["median_hours_to_first_answer"]))),
                p90=Span(timedelta(hours=float(figures["p90_hours_to_first_answer"] or 0))),
            )
        )
    if figures["answered_within_24h_share"] is not None:
        lines.append(
            _("Answered within 24 hours: {share}.", share=Percent(float(figures["answered_within_24h_share"] or 0)))
        )
    spoken = language_names or {}
    per_language = [
        _(
            "{language} ({count})",
            language=spoken.get(key.removeprefix("asked_"), language_name(key.removeprefix("asked_"))),
            count=value,
        )
        for key, value in figures.items()
        if key.startswith("asked_") and key != "asked"
    ]
    if per_language:
        lines.append(_("Per language: {languages}.", languages=join(per_language, ", ")))
    for question in waiting[:5]:
        lines.append(_("Still waiting: “{excerpt}” {link}", excerpt=question.excerpt, link=link_of(ctx, question)))
    if standings:
        names = ", ".join(ctx.directory.member_name(_user(community, s.helper)) for s in standings[:3])
        lines.append(_("Most patient helpers: {names}.", names=names))
    return DigestSection("questions", _("Questions and answers"), figures, tuple(lines))


def _user(community: str, user_id: str) -> UserRef:
    ref = CommunityRef.from_key(community)
    return UserRef(ref.platform, ref.workspace_id, user_id)
