"""The normal form filters and watch lists compare: case-folded, without accents, punctuation turned
into single spaces, padded with one space on each side.

Texts are normalised once per message; phrases are normalised the same way and expanded into their
simple plural and feminine forms (`inspirant` -> `inspirante`, `inspirants`, `inspirantes`), so one
Aho-Corasick pass over the text finds every form without stemming each word of every message.
The padding makes word boundaries part of the match: the phrase ` la data ` can only be found between
two spaces (or the padded ends), so it matches « LA DATA » but never « validation ».
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from itertools import product

__all__ = ["MIN_PHRASE_LENGTH", "normalise", "normalise_phrase", "phrase_forms", "significant_length", "word_forms"]

MIN_PHRASE_LENGTH = 2  # letters and digits, spaces excluded: one-letter phrases match everything
MAX_FORMS = 64  # per phrase; beyond that only the last word is varied
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_EXPANSIONS = {"œ": "oe", "æ": "ae", "ß": "ss", "ĳ": "ij"}  # letters NFKD leaves whole
_CHAR_FORMS: dict[str, str] = {}
_RUN_FORMS: dict[str, str] = {}


def _char_form(ch: str) -> str:
    """The normal form of one character: lower case letters without accents, "" for marks, else a space."""
    form = _CHAR_FORMS.get(ch)
    if form is None:
        parts = []
        for part in unicodedata.normalize("NFKD", ch.casefold()):
            if unicodedata.combining(part) or unicodedata.category(part) == "Cf":
                continue
            part = _EXPANSIONS.get(part, part)
            parts.append(part if part.isalnum() else " ")
        form = "".join(parts)
        if len(_CHAR_FORMS) < 65536:
            _CHAR_FORMS[ch] = form
    return form


# Bytes tables: ASCII letters lowered and everything else but digits a space; for Latin-1, each character
# mapped to its one-character form, or to NUL when it has none (`ß` -> `ss`): the caller then falls back.
_ASCII_BYTES = bytes((ord(chr(c).lower()) if chr(c).isalnum() else 32) if c < 128 else c for c in range(256))


def _latin1_byte(c: int) -> int:
    form = _char_form(chr(c)) if c >= 128 else chr(_ASCII_BYTES[c])
    return ord(form) if len(form) == 1 and ord(form) < 256 and c != 0 else 0


_LATIN1_BYTES = bytes(_latin1_byte(c) for c in range(256))


class _NotLatin1(Exception):
    """A character whose normal form is outside Latin-1 (another script): take the general path."""


def _encode_rest(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters outside Latin-1 (’, œ, emoji) replaced by their normal form."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    form = _RUN_FORMS.get(run)
    if form is None:
        form = "".join(_char_form(ch) for ch in run)
        if not form.isascii() and not all(ord(ch) < 256 for ch in form):
            raise _NotLatin1
        if len(_RUN_FORMS) < 65536:
            _RUN_FORMS[run] = form
    return form, error.end


codecs.register_error("affinity_filters", _encode_rest)


def normalise(text: str) -> str:
    """` words `: lower case, no accents, every run of non-letters one space, padded both sides."""
    if text.isascii():
        # The fast path: most messages are plain ASCII; one bytes translation and split/join, all in C.
        data = text.encode("ascii").translate(_ASCII_BYTES)
        return " " + b" ".join(data.split()).decode("ascii") + " "
    try:
        # French and most Western text: one Latin-1 encoding (a handler for ’, œ, emoji) and one table.
        data = text.replace("’", "'").encode("latin-1", "affinity_filters").translate(_LATIN1_BYTES)
    except _NotLatin1:
        data = b"\x00"
    if b"\x00" not in data:
        return " " + b" ".join(data.split()).decode("latin-1") + " "
    # Other scripts: character by character (cached), then the ASCII table on the UTF-8 bytes.
    bare = _NON_ASCII.sub(lambda m: _char_form(m.group()), text).encode("utf-8").translate(_ASCII_BYTES)
    return " " + b" ".join(bare.split()).decode("utf-8") + " "


def normalise_phrase(phrase: str) -> str:
    """A phrase's normal form without padding (`Qu’en pensez-vous ?` -> `qu en pensez vous`)."""
    return normalise(phrase).strip()


def _stem(word: str) -> str:
    """The singular masculine base of a word: plural `s`/`x`, then feminine `e`, removed."""
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


def word_forms(word: str) -> tuple[str, ...]:
    """Every simple form of a word: base, feminine, plurals. Short words (`la`, `si`) stay as typed."""
    if len(word) <= 3 or not word.isalpha():
        return (word,)
    base = _stem(word)
    forms = [base, base + "e", base + "s", base + "es"]
    if base.endswith(("au", "eu", "ou")):
        forms.append(base + "x")
    if word not in forms:
        forms.append(word)
    return tuple(dict.fromkeys(forms))


def phrase_forms(normal: str) -> tuple[str, ...]:
    """Every form of a normalised phrase, each word varied (capped at `MAX_FORMS`)."""
    words = normal.split()
    if not words:
        return ()
    variants = [word_forms(w) for w in words]
    total = 1
    for forms in variants:
        total *= len(forms)
    if total > MAX_FORMS:
        variants = [(w,) for w in words[:-1]] + [variants[-1]]
    return tuple(" ".join(parts) for parts in product(*variants))


def significant_length(normal: str) -> int:
    """How many letters and digits a normalised phrase has."""
    return len(normal.replace(" ", ""))
