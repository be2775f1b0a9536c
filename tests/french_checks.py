"""What the French scenario test (tests/test_french_scenario.py) looks for in a rendered French text:
English words from a curated stop-list, raw library messages, typography problems, and catalog
entries rendered without a French translation.

Pure functions over strings and `Text` trees, so each rule can be read and tested on its own. The
stop-list is curated by hand: only words a French reader never meets in French prose (no `on`,
`or`, `an`, `but`, `a`, `as`, `type`, `page`, `description`, `question`, `option`, `usage`,
`public`, `archive`, `minute`, `message`...), so a hit is English leaking into a French reply.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

from bot import typography
from bot.i18n import Joined, Msg, Text, Translator

# Words that are English and not French. Kept to words the bot's domain and grammar use, so that a hit
# means a sentence, a label or a parameter name leaked untranslated.
_STOP_LIST = """
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
"""
ENGLISH_WORDS: frozenset[str] = frozenset(_STOP_LIST.split())

# Where a library's own message (not the bot's) reaches a member: Python's `re`, dateutil, pydantic,
# Python reprs, recurrence rules in RFC 5545 syntax, raw ISO timestamps and timedelta text.
LIBRARY_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        ("Python regex error", r"nothing to repeat|unterminated|unbalanced parenthesis|bad escape|at position \d"),
        ("Python regex error", r"look-behind requires|multiple repeat|missing \)|bad character range"),
        (
            "dateutil message",
            r"Unknown string format|must be in \d|String does not contain a date|ParserError|out of range",
        ),
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
_NUMERO = re.compile(r"n°\d+")
_PLURAL_S = re.compile(r"\w+\(s\)")


def strip_paths(text: str, paths: Iterable[str]) -> str:
    """The text without the command paths it names (`/group join`, `/group`): commands stay English by
    design."""
    paths = set(paths)
    for path in sorted(paths | {p.split(" ")[0] for p in paths}, key=len, reverse=True):
        text = re.sub(rf"/help {re.escape(path)}\b", " ", text)  # `/help privacy export` names a command
        text = re.sub(rf"/{re.escape(path)}\b", " ", text)
    verbs = {p.split(" ", 1)[1] for p in paths if " " in p}
    # A verb alone in backticks (`join`) is a command word too, as in « Commandes /group : `join`, … ».
    text = re.sub(r"`([\w-]+)`", lambda m: " " if m.group(1) in verbs else m.group(0), text)
    return text


def mask(text: str, phrases: Iterable[str]) -> str:
    """`text` with each of `phrases` (content, not the bot's prose: what members typed, the built-in bait
    phrases) replaced by `…`, whatever spaces the bot put between its words."""
    for phrase in sorted(phrases, key=len, reverse=True):
        words = phrase.split()
        if words:
            text = re.sub(r"[\s\u202f\u00a0]+".join(map(re.escape, words)), "…", text)
    return text


def english_words(text: str, paths: Iterable[str]) -> list[str]:
    """The stop-list words found in a French text (URLs, mentions, channels and command paths removed;
    short upper-case codes such as `BE` or `FR` are country or language codes, not words)."""
    cleaned = _MENTION.sub(" ", _URL.sub(" ", strip_paths(text, paths)))
    return [w for w in _WORD.findall(cleaned) if w.lower() in ENGLISH_WORDS and not (w.isupper() and len(w) <= 3)]


def library_messages(text: str) -> list[str]:
    """Each library signature found in a rendered text, with what matched."""
    cleaned = _URL.sub(" ", text)
    return [f"{label}: {m.group(0)!r}" for label, pattern in LIBRARY_SIGNATURES for m in pattern.finditer(cleaned)]


def typography_problems(text: str) -> list[str]:
    """Where `text` breaks the French rule of `bot.typography`, each shown as `before` → `after` in context,
    and the glossary's house rules: « n° 12 » with a space, no plural written « (s) »."""
    found = [f"number sign without a space: {m.group(0)!r} (write « n° 12 »)" for m in _NUMERO.finditer(text)]
    found += [f"plural written (s): {m.group(0)!r} (use n_)" for m in _PLURAL_S.finditer(text)]
    if not typography.problems(text, "fr"):
        return found
    fixed = typography.french(text)
    matcher = difflib.SequenceMatcher(None, text, fixed, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = max(0, i1 - 18), min(len(text), i2 + 12)
        found.append(f"{text[start:end]!r} → {fixed[max(0, j1 - 18) : min(len(fixed), j2 + 12)]!r}")
    return found


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


def translated(translator: Translator, msg: Msg, locale: str = "fr") -> bool:
    """True when the catalog of `locale` has this message (under its context, when it has one)."""
    return translator.has(locale, msg)
