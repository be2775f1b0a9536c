"""What the French scenario test (tests/test_french_scenario.py) looks for in a rendered French text:
English words from a curated stop-list, raw library messages, typography problems, and catalog
entries rendered without a French translation.

Pure functions over strings and `Text` trees, so each rule can be read and tested on its own. The
stop-list is curated by hand: only words a French reader never meets in French prose (no `on`,
`or`, `an`, `but`, `a`, `as`, `type`, `page`, `description`, `question`, `option`, `usage`,
`public`, `archive`, `minute`, `message`...), so a hit is English leaking into a French reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bot.i18n import Joined, Msg, Text

# Words that are English and not French. Kept to words the bot's domain and grammar use, so that a hit
# means a sentence, a label or a parameter name leaked untranslated.
ENGLISH_WORDS: frozenset[str] = frozenset(
    """
    the and with without not only must none missing is are was were been has have had this that these those
    you your yours please can cannot could should would will shall there here what when where which who whom
    why how from into onto of to for by at it its be do does did done than then them they their his her
    so up out all any more less most some one two three no yes just still again also too very each every
    if yet
    group groups entry entries reminder reminders owner owners owned moderator moderators
    helper helpers member members channel channels thread threads community communities
    approve approved reject rejected review reviews pending waiting request requests ban banned join joined
    kind private city radius nearby topic topics announce announcement tags text state scope
    period periods count history preview send subscribe subscribed notify clear forget
    forgotten confirm privacy help command commands parameter parameters value values true false null
    day days week weeks month months hour hours ago before after until since already now new next last
    first daily weekly biweekly monthly yearly
    set unset enabled disabled unknown invalid error failed sorry
    add added remove removed delete deleted flag flagged tag tagged
    answer answers answered unanswered solved resolved closed open opened reason link title repeat
    remind series skip skipped cancel cancelled canceled published missed overdue late charter calendar
    settings language timezone poll results keywords keyword mute muted unmute frequency watch rule
    rules filter filters bait exempted digest digests
    """.split()
)

# Where a library's own message (not the bot's) reaches a member: Python's `re`, dateutil, pydantic,
# Python reprs, recurrence rules in RFC 5545 syntax, raw ISO timestamps and timedelta text.
LIBRARY_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        ("Python regex error", r"nothing to repeat|unterminated|unbalanced parenthesis|bad escape|at position \d"),
        ("Python regex error", r"look-behind requires|multiple repeat|missing \)|bad character range"),
        ("dateutil message", r"Unknown string format|must be in \d|String does not contain a date|ParserError|out of range"),
        ("pydantic message", r"validation error|Field required|Input should be|errors\.pydantic\.dev|type=\w+"),
        ("Python exception", r"Traceback|\b\w+Error\b|\bException\b|object has no attribute"),
        ("Python repr", r"\bNone\b|datetime\.|timedelta\(|\bMsg\(|<bot\.|<plugins\.|\{[a-z_]+\}"),
        ("RRULE syntax", r"FREQ=|BYDAY=|RRULE|INTERVAL=|UNTIL="),
        ("raw ISO timestamp", r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d:\d\d\+\d\d:\d\d"),
        ("timedelta text", r"\b\d+ days?, \d+:\d\d:\d\d|\b\d+:\d\d:\d\d\b"),
    )
)

_URL = re.compile(r"<?https?://\S+")
_MENTION = re.compile(r"[@#][\w.-]+")
_CODE = re.compile(r"`[^`]*`")
_WORD = re.compile(r"[^\W\d_]+")
NNBSP = "\u202f"


def strip_paths(text: str, paths: Iterable[str]) -> str:
    """The text without the command paths it names (`/group join`): commands stay English by design."""
    for path in sorted(paths, key=len, reverse=True):
        text = re.sub(rf"/{re.escape(path)}\b", " ", text)
    return text


def english_words(text: str, paths: Iterable[str], allowed: Iterable[str] = ()) -> list[str]:
    """The stop-list words found in a French text (URLs, mentions, channels and command paths removed;
    `allowed` are words of the scenario's own user content that the bot rightly echoes)."""
    cleaned = _MENTION.sub(" ", _URL.sub(" ", strip_paths(text, paths)))
    exempt = {w.lower() for w in allowed}
    return [w for w in _WORD.findall(cleaned) if w.lower() in ENGLISH_WORDS and w.lower() not in exempt]


def library_messages(text: str) -> list[str]:
    """Each library signature found in a rendered text, with what matched."""
    cleaned = _URL.sub(" ", text)
    return [f"{label}: {m.group(0)!r}" for label, pattern in LIBRARY_SIGNATURES for m in pattern.finditer(cleaned)]


def _local_problems(text: str) -> list[str]:
    """The French typography rule of issue 17, for use until `bot.typography.problems` exists."""
    found: list[str] = []
    prose = _URL.sub(" ", _CODE.sub(" ", text))
    for m in re.finditer(r"(.)([:;!?%])", prose):
        before, mark = m.group(1), m.group(2)
        after = prose[m.end() : m.end() + 1]
        if mark == ":" and (before.isdigit() and after.isdigit()):
            continue  # a time such as 10:00
        if mark in "!?" and before in "!?":
            continue
        if mark == ":" and after and not after.isspace() and after not in "*_":
            continue  # `nom:valeur`, an emoji shortcode, a URL scheme left in prose
        if before != NNBSP:
            found.append(f"no narrow no-break space before {mark!r} in {prose[max(0, m.start() - 20) : m.end() + 5]!r}")
    for m in re.finditer("«(.)", prose):
        if m.group(1) != NNBSP:
            found.append(f"no narrow no-break space after « in {prose[m.start() : m.start() + 25]!r}")
    for m in re.finditer("(.)»", prose):
        if m.group(1) != NNBSP:
            found.append(f"no narrow no-break space before » in {prose[max(0, m.start() - 20) : m.end()]!r}")
    if "'" in prose:
        where = prose.index("'")
        found.append(f"straight apostrophe ' in {prose[max(0, where - 20) : where + 20]!r}")
    if "“" in prose or "”" in prose:
        found.append("English quotes “ ” in French text (use « »)")
    if "(s)" in prose:
        found.append("plural written as (s): use n_")
    return found


def typography_checker() -> Callable[[str], list[str]]:
    """`bot.typography.problems` once the lead's i18n core is merged, else the local rule above."""
    try:
        from bot import typography  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return _local_problems
    problems: Callable[[str], Any] = typography.problems
    return lambda text: [str(p) for p in problems(text)]


def messages(text: Text | None) -> Iterator[Msg]:
    """Every catalog message in a text tree: the message itself and those nested in its parameters."""
    if isinstance(text, Msg):
        yield text
        for value in text.params.values():
            if isinstance(value, (Msg, Joined)):
                yield from messages(value)
    elif isinstance(text, Joined):
        for part in text.parts:
            yield from messages(part)


def needs_translation(msg: Msg) -> bool:
    """False for a template made only of placeholders, emoji and punctuation (`{label} · {value}`)."""
    return bool(_WORD.search(re.sub(r"\{[^}]*\}", " ", msg.msgid)))


def translated(translator: Any, msg: Msg, locale: str = "fr") -> bool:
    """True when the catalog of `locale` has this message (under its context, when it has one)."""
    context = getattr(msg, "context", None)
    if context is not None:
        try:
            return bool(translator.has(locale, msg.msgid, context))
        except TypeError:
            pass
    return bool(translator.has(locale, msg.msgid))
