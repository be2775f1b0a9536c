"""How a typed `/filter add` line is read where options arrive as text (Slack, the console): the older
`"quoted phrase" action` form and a phrase that ends with an action word. Pure, apart from reading the
invocation's raw text."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.folding import fold
from bot.i18n import _
from bot.params import clean_text
from bot.plugin import CommandError, Invocation

# `/filter add "tag a friend" flag`, the form from before `action` was named-only: a quoted phrase, then
# one action word in any language (and optionally `regex:…`). Opening and closing quotes as
# bot.textsyntax reads them.
_OPENING_QUOTES, _CLOSING_QUOTES = "\"'“”„‘«»‹", "\"'”“’‘»«›"
_LEGACY = re.compile(
    rf"\s*(?P<quoted>[{_OPENING_QUOTES}].*[{_CLOSING_QUOTES}])\s+(?P<action>[^\s{_OPENING_QUOTES}{_CLOSING_QUOTES}]+)\s*",
    re.IGNORECASE | re.DOTALL,
)
_NAMED_REGEX = re.compile(r"(?:^|\s)(?:regex|action):\s*\S+", re.IGNORECASE)  # named options, set aside


def typed_arguments(inv: Invocation) -> str | None:
    """What was typed after `/filter add` (Slack, console); None for typed options (Discord)."""
    event = inv.event
    if event.options is not None or event.text is None:
        return None
    words = f"{event.path} {event.text}".lstrip("/").split(maxsplit=2)  # "filter", "add", the arguments
    return words[2] if len(words) == 3 else ""


def legacy_form(raw: str | None, phrase: str, actions: Mapping[str, str]) -> tuple[str, str] | None:
    """(phrase, action) for the older `"tag a friend" flag` (or `"likez si" signaler`), where the binder
    read the action word as the end of the phrase; None for anything else (and for typed options, which
    have no raw text). `actions` maps each folded spelling of an action to its value."""
    if raw is None:
        return None
    found = _LEGACY.fullmatch(_NAMED_REGEX.sub(" ", raw))
    if found is None or fold(found["action"]) not in actions:
        return None
    inner = " ".join(clean_text(found["quoted"][1:-1]).split())
    if not inner:
        # `"" flag`: the binder dropped the empty quotes and would take the action word for the phrase.
        raise CommandError(
            _("The quoted phrase is empty."),
            _("Put the words to catch between the quotes, or type them without quotes."),
        )
    head, _space, word = phrase.rpartition(" ")
    if not inner or fold(word) != fold(found["action"]) or " ".join(head.split()) != inner:
        return None
    return head.strip(), actions[fold(word)]


def unquoted_last_word(raw: str | None, phrase: str) -> str:
    """The phrase's last word, lower-cased, when it was typed without quotes ("" for typed options)."""
    if raw is None:
        return ""
    rest = _NAMED_REGEX.sub(" ", raw).strip()
    return "" if not rest or rest[-1] in _CLOSING_QUOTES else phrase.rsplit(maxsplit=1)[-1].lower()
