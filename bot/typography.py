"""The French typography rule, in one place: what a French reader expects around punctuation.

French puts a narrow no-break space (U+202F) before `: ; ! ?` and `%`, inside `« »`, and writes
the apostrophe `’`. English uses none of these. `french` fixes a French text (a catalog template or
a number Babel formatted) and `problems` lists what breaks the rule, for the catalog and reply tests.

Code samples (between backticks), placeholders (`{name}`), times (`10:00`), URLs (`https://`) and
emoji-led list bullets are left alone: they are not prose.
"""

from __future__ import annotations

import re

__all__ = ["NNBSP", "french", "problems"]

NNBSP = "\u202f"
_SPACES = " \u00a0\u202f"

# What is not prose: `code`, {placeholders}, URLs and <…> tokens. Only the text between them is fixed.
_SHIELD = re.compile(r"`[^`]*`|\{[^{}]*\}|\b[a-z][a-z0-9+.-]*://\S+|<[^<>\s]*>")
# A space or none before a high punctuation mark that follows a word, a closing mark or a placeholder.
_BEFORE_HIGH = re.compile(
    r"(?<=[^\s\d:;!?%(\[«“/\\<=])[ \u00a0]?(?=[;!?](?![=\w/]))|(?<=[\w)\]»”*_\ue000-\uf8ff])[ \u00a0]?(?=:(?:\s|$))"
)
_BEFORE_COLON_AFTER_SPACE = re.compile(r"(?<=\S) \u00a0?(?=:(?:\s|$))")
_PERCENT = re.compile(r"(?<=[\d\ue000-\uf8ff])[ \u00a0]?%")
_OPEN_GUILLEMET = re.compile(r"«[ \u00a0\u202f]?")
_CLOSE_GUILLEMET = re.compile(r"[ \u00a0\u202f]?»")
_CURLY_QUOTES = re.compile(r"“\s*([^“”]*?)\s*”")
_APOSTROPHE = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")


def _fix_prose(text: str) -> str:
    text = _APOSTROPHE.sub("’", text)
    text = _CURLY_QUOTES.sub(lambda m: f"«{NNBSP}{m.group(1)}{NNBSP}»", text)
    text = _OPEN_GUILLEMET.sub("«" + NNBSP, text)
    text = _CLOSE_GUILLEMET.sub(NNBSP + "»", text)
    text = _PERCENT.sub(NNBSP + "%", text)
    text = _BEFORE_COLON_AFTER_SPACE.sub(NNBSP, text)
    return _BEFORE_HIGH.sub(NNBSP, text)


_FIRST_SHIELD = 0xE000  # private-use characters stand for the shielded parts while the prose is fixed
_LAST_SHIELD = 0xF8FF


def french(text: str) -> str:
    """`text` with the French rule applied to its prose (code, placeholders and URLs untouched)."""
    shielded: list[str] = []

    def shield(match: re.Match[str]) -> str:
        if _FIRST_SHIELD + len(shielded) > _LAST_SHIELD:
            return match.group(0)
        shielded.append(match.group(0))
        return chr(_FIRST_SHIELD + len(shielded) - 1)

    if any(_FIRST_SHIELD <= ord(ch) <= _LAST_SHIELD for ch in text):
        return text  # private-use characters of its own: leave the text as it is rather than garble it
    fixed = _fix_prose(_SHIELD.sub(shield, text))
    return re.sub("[\ue000-\uf8ff]", lambda m: shielded[ord(m.group(0)) - _FIRST_SHIELD], fixed)


def problems(text: str, locale: str) -> list[str]:
    """What breaks the rule of `locale` in `text` (empty when it follows it)."""
    if locale == "fr":
        fixed = french(text)
        return [] if fixed == text else [f"expected {fixed!r}"]
    found = []
    if NNBSP in text:
        found.append("a narrow no-break space in English")
    if "«" in text or "»" in text:
        found.append("guillemets in English")
    return found
