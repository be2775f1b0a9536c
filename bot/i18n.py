"""Translations: lazy messages, the gettext catalogs, and locale-aware formatting of values.

Code marks user-facing strings with `_("English text {name}", name=...)`, which returns a lazy
`Msg`. Nothing is translated until a platform renders a reply for a known recipient, so a
`CommandError` raised deep in a repo can still reach each member in that member's language.

Catalogs are standard gettext `.po` files (`bot/locales/<lang>.po` and
`plugins/<name>/locales/<lang>.po`), read with Babel at start; the English msgid is the source
text. Babel also formats dates and numbers per locale, which is why it was chosen over plain
`gettext` (which would need compiled `.mo` files and no formatting help).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, format_timedelta
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.markup import inert

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "fr")


@dataclass(frozen=True, slots=True)
class Msg:
    """A translatable message: an English msgid and named parameters rendered per locale."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


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


Text = str | Msg | Joined
"""Anything a reply can carry as text: a literal string (user content, names) or a message."""


def _(msgid: str, **params: object) -> Msg:
    """Mark a string for translation; the result is rendered later in the reader's locale."""
    return Msg(msgid, params)


def join(parts: Iterable[Text], sep: str = "\n") -> Joined:
    """Join texts with a separator, translating each part separately."""
    return Joined(tuple(parts), sep)


def normalize_locale(value: str | None) -> str | None:
    """Map platform locales such as `fr-FR`, `en_US` or `en-GB` to a supported catalog, or None."""
    if not value:
        return None
    lang = value.replace("_", "-").split("-")[0].lower()
    return lang if lang in SUPPORTED_LOCALES else None


class Translator:
    """Holds the catalogs and renders `Text` for one locale at a time."""

    def __init__(self, catalogs: Mapping[str, Mapping[str, str]]) -> None:
        self._catalogs = {lang: dict(entries) for lang, entries in catalogs.items()}

    @classmethod
    def load(cls, roots: Iterable[Path]) -> Translator:
        """Read every `locales/<lang>.po` under the given roots (core and enabled plugins)."""
        catalogs: dict[str, dict[str, str]] = {}
        for root in roots:
            for po in sorted(root.glob("*.po")):
                with po.open("rb") as fh:
                    catalog = read_po(fh, locale=po.stem)
                entries = catalogs.setdefault(po.stem, {})
                for message in catalog:
                    if message.id and isinstance(message.id, str) and message.string:
                        entries[message.id] = str(message.string)
        return cls(catalogs)

    def has(self, locale: str, msgid: str) -> bool:
        """True when the catalog of `locale` translates `msgid`."""
        return msgid in self._catalogs.get(locale, {})

    def render(self, text: Text | None, locale: str) -> str:
        """Translate and format `text` for `locale`; unknown msgids fall back to English."""
        if text is None:
            return ""
        if isinstance(text, str):
            return inert(text)  # a string is untrusted: only `bot.markup` objects become links or pings
        if isinstance(text, Joined):
            return text.sep.join(self.render(part, locale) for part in text.parts)
        template = self._catalogs.get(locale, {}).get(text.msgid, text.msgid)
        values = {key: self.format_value(value, locale) for key, value in text.params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            # A broken translation must never hide the message: fall back to the English source.
            return text.msgid.format(**values)

    def format_value(self, value: object, locale: str) -> str:
        """Format one parameter: nested texts, moments, durations and numbers per locale."""
        if isinstance(value, (Msg, Joined)):
            return self.render(value, locale)
        if isinstance(value, When):
            return format_datetime(value.moment, value.style, tzinfo=ZoneInfo(value.tz), locale=locale)
        if isinstance(value, Span):
            return str(format_timedelta(value.delta, threshold=1.5, locale=locale))
        if isinstance(value, bool):
            return self.render(_("yes") if value else _("no"), locale)
        if isinstance(value, (int, float)):
            return str(format_decimal(value, locale=locale))
        return inert(value) if isinstance(value, str) else str(value)

    def language_name(self, code: str, locale: str) -> str:
        """The name of a language in the reader's locale ("French", "français")."""
        try:
            return str(Locale.parse(code).get_display_name(locale) or code)
        except (ValueError, TypeError):
            return code
