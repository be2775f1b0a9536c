"""Personal watch lists, the pure part: reading keyword lists, excerpts, digest periods and the digest DM.

A member's digest covers one period (a day, or a week from Monday) that starts at `digest_hour` in
the community's time zone. The period key (`daily:2026-11-17`) names what was delivered, so a
second run in the same period sends nothing and a restart never sends twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.formatting import link
from bot.i18n import Text, _, join, n_
from bot.model import Reply
from bot.plugin import CommandError
from plugins.filters.normalise import MIN_PHRASE_LENGTH, normalise_phrase, significant_length
from plugins.filters.patterns import without_surrogates
from plugins.filters.repo import PendingMatch

EXCERPT_LENGTH = 140
MAX_KEYWORD_LENGTH = 60
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "off")


@dataclass(frozen=True, slots=True)
class Word:
    """A keyword as typed and its normal form."""

    typed: str
    normal: str


def parse_words(raw: str) -> list[Word]:
    """Comma-separated words or phrases, each checked; duplicates (same normal form) dropped."""
    words: dict[str, Word] = {}
    for part in raw.replace(";", ",").split(","):
        typed = " ".join(part.split())
        if not typed:
            continue
        if len(typed) > MAX_KEYWORD_LENGTH:
            raise CommandError(
                _(
                    "“{word}” is too long ({length} characters, at most {limit}).",
                    word=typed[:30] + "…",
                    length=len(typed),
                    limit=MAX_KEYWORD_LENGTH,
                ),
                _("Use a few words that would appear in the messages you want."),
            )
        normal = normalise_phrase(typed)
        if significant_length(normal) < MIN_PHRASE_LENGTH:
            raise CommandError(
                _("“{word}” is too short to match anything useful.", word=typed),
                _("Use words of at least two letters."),
            )
        words.setdefault(normal, Word(typed, normal))
    if not words:
        raise CommandError(
            _("Give at least one keyword."),
            _("Separate keywords with commas: `/watch add rust, webassembly, meetup lille`."),
        )
    return list(words.values())


# Control characters (NUL included) and the bidirectional overrides and isolates: in an excerpt they
# would only garble the digest line around it (U+202E turns the link text that follows backwards).
_UNSHOWN = dict.fromkeys(
    [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], " "
)


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """The start of a message on one line, at most `limit` characters, storable whatever the message held:
    no control or bidi-override characters, lone surrogates (which UTF-8, hence SQLite, cannot hold) as U+FFFD."""
    flat = without_surrogates(" ".join(text.translate(_UNSHOWN).split()))
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def period(now: datetime, tz: str, frequency: str, hour: int) -> tuple[str, datetime]:
    """The current period's key and its start (aware UTC) for a frequency."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day = local.date()
    if local.time() < time(hour):
        day -= timedelta(days=1)
    if frequency == "weekly":
        day -= timedelta(days=day.weekday())
    start = datetime.combine(day, time(hour), tzinfo=zone)
    return f"{frequency}:{day.isoformat()}", start


def digest_reply(
    matches: Sequence[PendingMatch],
    link_of: Callable[[PendingMatch], str | None],
    channel_name: Callable[[str], str],
    limit: int,
) -> Reply:
    """One DM: matches grouped by keyword (the group with the newest match first), newest first in each."""
    shown = list(matches[:limit])
    groups: dict[str, list[PendingMatch]] = {}
    for match in shown:  # already newest first
        groups.setdefault(match.keyword, []).append(match)
    lines: list[Text] = [
        n_(
            "Your watch digest: {count} message matches your keywords.",
            "Your watch digest: {count} messages match your keywords.",
            len(matches),
        )
    ]
    for keyword, items in groups.items():
        lines.append("")
        lines.append(f"**{keyword}**")
        for match in items:
            place = link(link_of(match), f"#{channel_name(match.channel_id)}")
            lines.append(_("• {place} {excerpt}", place=place, excerpt=match.excerpt))
    if len(matches) > limit:
        lines.append("")
        lines.append(
            n_(
                "…and {count} more message. Narrow your keywords with `/watch remove` or `/watch mute`.",
                "…and {count} more messages. Narrow your keywords with `/watch remove` or `/watch mute`.",
                len(matches) - limit,
            )
        )
    lines.append(_("Change how often you get this with `/watch frequency daily|weekly|off`."))
    return Reply(text=join(lines))
