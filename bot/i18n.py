"""Translations: lazy messages, the gettext catalogs, and locale-aware formatting of values.

Code marks user-facing strings with `_("English text {name}", name=...)`, which returns a lazy
`Msg`. Nothing is translated until a platform renders a reply for a known recipient, so a
`CommandError` raised deep in a repo can still reach each member in that member's language.

Catalogs are standard gettext `.po` files (`bot/locales/<lang>.po` and
`plugins/<name>/locales/<lang>.po`), read with Babel at start; the English msgid is the source
text. A counted message (`n_`) picks its form by the catalog's `Plural-Forms`; a message with a
context (`term`) is looked up under its msgctxt, which is how parameter names (msgctxt
"parameter") and choice words (msgctxt "choice") get their French spelling. French templates get
the French typography rule of `bot.typography` when they are loaded. Babel also formats dates and
numbers per locale, which is why it was chosen over plain `gettext` (which would need compiled `.mo`
files and no formatting help).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, format_timedelta
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from bot import typography
from bot.markup import inert

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "fr")

# gettext's classic rules: French says "0 groupe", "1 groupe", "2 groupes". Babel's CLDR rule for French
# has a third form for millions, which no catalog here carries.
PLURAL_FORMS: dict[str, str] = {"en": "(n != 1)", "fr": "(n > 1)"}
_CONTEXT_SEPARATOR = "\x04"  # how gettext joins a msgctxt and its msgid into one key


@dataclass(frozen=True, slots=True)
class Msg:
    """A translatable message: an English msgid and named parameters rendered per locale.

    `plural` and `n` make it a counted message (see `n_`); `context` is its msgctxt."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    n: float = 0
    context: str | None = None

    @property
    def key(self) -> str:
        """The catalog key: the msgid, prefixed by its context when it has one."""
        return f"{self.context}{_CONTEXT_SEPARATOR}{self.msgid}" if self.context else self.msgid


@dataclass(frozen=True, slots=True)
class Joined:
    """Several texts joined by a separator, each part translated on its own."""

    parts: tuple[Text, ...]
    sep: str = "\n"


@dataclass(frozen=True, slots=True)
class When:
    """A moment shown in the reader's language and the community's time zone."""

    moment: datetime
    tz: str = "UTC"
    style: str = "EEE d MMM y HH:mm"


@dataclass(frozen=True, slots=True)
class Span:
    """A duration shown in words in the reader's language ("3 hours", "3 heures")."""

    delta: timedelta


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration shown exactly, in its largest units ("1 day and 2 hours", "1 jour et 2 heures")."""

    delta: timedelta


@dataclass(frozen=True, slots=True)
class Percent:
    """A ratio shown as a percentage per locale (0.45 → "45%", "45 %"), with `digits` decimals at most."""

    ratio: float
    digits: int = 0


@dataclass(frozen=True, slots=True)
class Language:
    """A language named in the reader's language (`fr` -> "French", « français »); `code` is a detector code."""

    code: str


Text = str | Msg | Joined
"""Anything a reply can carry as text: a literal string (user content, names) or a message."""


def _(msgid: str, **params: object) -> Msg:
    """Mark a string for translation; the result is rendered later in the reader's locale."""
    return Msg(msgid, params)


def n_(singular: str, plural: str, n: float, **params: object) -> Msg:
    """A counted message: the catalog's plural form for `n` is picked per locale. `{count}` is `n`
    unless `count` is given. A fraction follows the language's own rule: "1,5 point", "1.5 points"."""
    return Msg(singular, {"count": n, **params}, plural=plural, n=n)


def term(msgid: str, context: str) -> Msg:
    """A word looked up under a msgctxt: a parameter name ("parameter"), a choice value ("choice")."""
    return Msg(msgid, context=context)


def join(parts: Iterable[Text], sep: str = "\n") -> Joined:
    """Join texts with a separator, translating each part separately."""
    return Joined(tuple(parts), sep)


def normalize_locale(value: str | None) -> str | None:
    """Map platform locales such as `fr-FR`, `en_US` or `en-GB` to a supported catalog, or None."""
    if not value:
        return None
    lang = value.replace("_", "-").split("-")[0].lower()
    return lang if lang in SUPPORTED_LOCALES else None


Entry = str | tuple[str, ...]
"""A catalog entry: one template, or the plural forms of a counted message."""


def _plural_rule(expression: str) -> Callable[[int], int]:
    return gettext.c2py(expression)


def _fix(locale: str, entry: Entry) -> Entry:
    """A template with the typography of its locale (only French has a rule to apply)."""
    if locale != "fr":
        return entry
    return typography.french(entry) if isinstance(entry, str) else tuple(typography.french(e) for e in entry)


class Translator:
    """Holds the catalogs and renders `Text` for one locale at a time."""

    def __init__(
        self, catalogs: Mapping[str, Mapping[str, Entry]], plural_forms: Mapping[str, str] | None = None
    ) -> None:
        self._catalogs = {
            lang: {key: _fix(lang, entry) for key, entry in entries.items()} for lang, entries in catalogs.items()
        }
        forms = {**PLURAL_FORMS, **(plural_forms or {})}
        self._plurals = {lang: _plural_rule(rule) for lang, rule in forms.items()}
        self._spellings: dict[str, frozenset[str]] = {}

    @classmethod
    def load(cls, roots: Iterable[Path]) -> Translator:
        """Read every `locales/<lang>.po` under the given roots (core and enabled plugins)."""
        catalogs: dict[str, dict[str, Entry]] = {}
        plural_forms: dict[str, str] = {}
        for root in roots:
            for po in sorted(root.glob("*.po")):
                with po.open("rb") as fh:
                    catalog = read_po(fh, locale=po.stem)
                plural_forms.setdefault(po.stem, catalog.plural_expr)
                entries = catalogs.setdefault(po.stem, {})
                for message in catalog:
                    if not message.id or not message.string:
                        continue
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    key = f"{message.context}{_CONTEXT_SEPARATOR}{msgid}" if message.context else msgid
                    if isinstance(message.string, str):
                        entries[key] = message.string
                    elif all(message.string):  # a counted message with every form translated
                        entries[key] = tuple(str(form) for form in message.string)
        return cls(catalogs, plural_forms)

    def has(self, locale: str, msgid: str | Msg) -> bool:
        """True when the catalog of `locale` translates `msgid` (a msgid, or a message with its context)."""
        key = msgid.key if isinstance(msgid, Msg) else msgid
        return key in self._catalogs.get(locale, {})

    def spellings(self, text: Msg) -> frozenset[str]:
        """How `text` reads in every language the bot speaks (its msgid included): what a member may type."""
        if text.params:
            return frozenset({text.msgid} | {self.render(text, locale) for locale in SUPPORTED_LOCALES})
        found = self._spellings.get(text.key)
        if found is None:
            found = frozenset({text.msgid} | {self.render(text, locale) for locale in SUPPORTED_LOCALES})
            self._spellings[text.key] = found
        return found

    def _template(self, text: Msg, locale: str) -> str:
        entry = self._catalogs.get(locale, {}).get(text.key)
        if text.plural is None:
            return entry if isinstance(entry, str) else text.msgid
        if isinstance(entry, tuple):
            index = self._form(abs(text.n), locale)
            return entry[min(index, len(entry) - 1)]
        return text.msgid if text.n == 1 else text.plural

    def _form(self, n: float, locale: str) -> int:
        """The catalog form for `n`: gettext's rule for whole numbers; CLDR's for fractions, which gettext
        cannot express (French treats 1,5 as singular, English 1.5 as plural). Catalogs here have two forms."""
        if float(n).is_integer():
            return int(self._plurals.get(locale, self._plurals["en"])(int(n)))
        try:
            return 0 if Locale.parse(locale).plural_form(n) == "one" else 1
        except (ValueError, TypeError):
            return 1

    def render(self, text: Text | None, locale: str) -> str:
        """Translate and format `text` for `locale`; unknown msgids fall back to English."""
        if text is None:
            return ""
        if isinstance(text, str):
            return inert(text)  # a string is untrusted: only `bot.markup` objects become links or pings
        if isinstance(text, Joined):
            return text.sep.join(self.render(part, locale) for part in text.parts)
        template = self._template(text, locale)
        values = {key: self.format_value(value, locale) for key, value in text.params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            # A broken translation must never hide the message: fall back to the English source.
            english = text.msgid if text.plural is None or text.n == 1 else text.plural
            return english.format(**values)

    def format_value(self, value: object, locale: str) -> str:
        """Format one parameter: nested texts, moments, durations and numbers per locale."""
        if isinstance(value, (Msg, Joined)):
            return self.render(value, locale)
        if isinstance(value, When):
            return format_datetime(value.moment, value.style, tzinfo=ZoneInfo(value.tz), locale=locale)
        if isinstance(value, Span):
            return str(format_timedelta(value.delta, threshold=1.5, locale=locale))
        if isinstance(value, Duration):
            return self.render(_duration_words(value.delta), locale)
        if isinstance(value, Percent):
            shown = str(
                format_percent(
                    value.ratio, "#,##0" + ("." + "#" * value.digits if value.digits else "") + "%", locale=locale
                )
            )
            return typography.french(shown) if locale == "fr" else shown
        if isinstance(value, Language):
            return inert(self.language_name(value.code, locale))
        if isinstance(value, bool):
            return self.render(_("yes") if value else _("no"), locale)
        if isinstance(value, (int, float)):
            shown = str(format_decimal(value, locale=locale))
            return shown.replace("\u00a0", typography.NNBSP) if locale == "fr" else shown
        return inert(value) if isinstance(value, str) else str(value)

    def language_name(self, code: str, locale: str) -> str:
        """The name of a language in the reader's locale ("French", "français": lower case in French)."""
        try:
            return str(Locale.parse(code).get_display_name(locale) or code)
        except (ValueError, TypeError):
            return code


_UNITS_WORDS: tuple[tuple[int, Callable[[int], Msg]], ...] = (
    (604_800, lambda n: n_("{count} week", "{count} weeks", n)),
    (86_400, lambda n: n_("{count} day", "{count} days", n)),
    (3_600, lambda n: n_("{count} hour", "{count} hours", n)),
    (60, lambda n: n_("{count} minute", "{count} minutes", n)),
    (1, lambda n: n_("{count} second", "{count} seconds", n)),
)


def counted_unit(seconds_per_unit: int, count: int) -> Msg:
    """`count` units of time in words (`30 days`, `1 minute`); the unit is a week, day, hour, minute or second."""
    words = next((words for size, words in _UNITS_WORDS if size == seconds_per_unit), _UNITS_WORDS[-1][1])
    return words(count)


_SPAN_UNITS = (31_536_000, 2_592_000, 604_800, 86_400, 3_600, 60, 1)  # as babel.dates.format_timedelta picks them


def exact_units(seconds: float) -> Span | Msg:
    """A duration bound in words, exactly, so the limit a member reads is the limit applied: `Span`'s words
    when they are exact, else the largest unit that divides it (30 days, which `Span` would round to
    "4 weeks")."""
    size, count = next(
        ((size, round(seconds / size)) for size in _SPAN_UNITS if seconds / size >= 1.5), (1, round(seconds))
    )
    if size * count == seconds:
        return Span(timedelta(seconds=seconds))
    size = next(size for size in _SPAN_UNITS[2:] if seconds % size == 0 or size == 1)
    return counted_unit(size, round(seconds / size))


def _duration_words(delta: timedelta) -> Msg:
    """`1 day and 2 hours`: every non-zero unit, weeks down to seconds, the last two joined by "and"."""
    seconds = round(abs(delta.total_seconds()))
    parts: list[Msg] = []
    for size, words in _UNITS_WORDS:
        if seconds >= size:
            parts.append(words(seconds // size))
            seconds %= size
    if not parts:
        return n_("{count} second", "{count} seconds", 0)
    if len(parts) == 1:
        return parts[0]
    head = join(parts[:-1], ", ")
    return _("{head} and {last}", head=head, last=parts[-1])
