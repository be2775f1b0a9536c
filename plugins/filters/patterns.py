r"""Moderators' regular expressions: compiled and run by RE2, refused in words when RE2 cannot run them.

RE2 (Google's engine, package `google-re2`) matches in time linear in the text, whatever the pattern:
no backtracking, so `(a+)+$` or `\d+\d+x` against 2,000 characters cost what `free\s+money` costs.
What makes that possible is also what it refuses: backreferences, lookarounds, possessive repeats and
atomic groups. Every refusal is a `Refusal` whose reason and hint are translated messages chosen from
RE2's error code; the library's English text is never shown to anyone.

Bounds a moderator cannot lift. A search costs at most the text's length times the program's size
(RE2 runs a DFA, and when the DFA's memory runs out it falls back to a linear NFA pass over every
instruction), so the sizes are what is capped:

- a pattern is at most `MAX_PATTERN_LENGTH` characters and `MAX_PROGRAM_SIZE` RE2 instructions
  (`free\s+money` is 19, `\pL+` about 1,200: big Unicode classes are large but cheap to run; `.{900}`
  or `(.?){700}x` are refused);
- a community's patterns together are at most `PROGRAM_BUDGET` instructions (checked by `/filter add`);
- each compiled pattern may use `PATTERN_MEMORY` bytes (program and DFA cache together);
- a pattern that matches the empty text (`a*`, `x?|y`) is refused: it would catch every message;
- a pattern runs on the first `REGEX_TEXT_LIMIT` characters of a message.

Texts reach RE2 as UTF-8; a lone surrogate (crafted chat, which Python strings can carry but UTF-8
cannot) becomes U+FFFD first, so no message can make the filter pass raise.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

import re2

from bot.i18n import Msg, _

__all__ = [
    "MAX_PATTERN_LENGTH",
    "MAX_PROGRAM_SIZE",
    "PATTERN_MEMORY",
    "REGEX_TEXT_LIMIT",
    "Pattern",
    "Refusal",
    "compile_pattern",
    "regex_problem",
    "subject",
    "without_surrogates",
]

MAX_PATTERN_LENGTH = 200  # characters of a pattern
MAX_PROGRAM_SIZE = 3000  # RE2 instructions of one pattern; real rules need 10-200, `\\pL+` about 1,200
PROGRAM_BUDGET = 12_000  # RE2 instructions of all of a community's patterns together
PATTERN_MEMORY = 2 << 20  # bytes per compiled pattern (RE2's max_mem: program and DFA cache)
REGEX_TEXT_LIMIT = 2000  # characters of a message a pattern runs on


def _replace_surrogates(error: UnicodeError) -> tuple[bytes, int]:
    """Codec error handler: lone surrogates become U+FFFD (the UTF-8 codec has no such handler; the UTF-8
    encoder only takes a non-ASCII replacement as bytes)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "\ufffd".encode() * (error.end - error.start), error.end


codecs.register_error("affinity_surrogates", _replace_surrogates)


def without_surrogates(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD (what UTF-8, hence SQLite, can hold)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "affinity_surrogates").decode("utf-8")


def subject(text: str) -> bytes:
    """The UTF-8 bytes patterns run on: the message's first `REGEX_TEXT_LIMIT` characters, encoded once
    for every pattern of the community, lone surrogates replaced."""
    return text[:REGEX_TEXT_LIMIT].encode("utf-8", "affinity_surrogates")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why RE2 will not run a pattern, and what to do instead, both translated."""

    reason: Msg
    hint: Msg


class Pattern:
    """A pattern RE2 compiled, case-insensitive."""

    __slots__ = ("_regexp", "size", "text")

    def __init__(self, text: str, regexp: Any) -> None:
        self.text = text
        self._regexp = regexp  # re2._Regexp; the package ships no type information
        # RE2 instructions: what a search costs per byte at worst (the Python wrapper only reaches it
        # through its private `_regexp`, the pybind object of RE2 itself).
        self.size: int = regexp._regexp.ProgramSize()

    def search(self, data: bytes) -> str | None:
        """What the pattern finds first in `subject()` bytes, or None."""
        found = self._regexp.search(data)
        if found is None:
            return None
        # `\C` may end a match inside a character: decode leniently.
        whole: bytes = found.group(0)
        return whole.decode("utf-8", "replace")


def _options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.never_capture = True  # only the whole match is used: groups cost nothing then
    options.log_errors = False  # refusals are answered in words; RE2 would print them on stderr
    options.max_mem = PATTERN_MEMORY
    return options


_OPTIONS = _options()


def compile_pattern(pattern: str) -> Pattern | Refusal:
    """The compiled pattern, or why it is refused."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return Refusal(
            _("The pattern is longer than {limit} characters.", limit=MAX_PATTERN_LENGTH),
            _("Shorten it, or split it into several rules."),
        )
    try:
        encoded = pattern.encode("utf-8")
    except UnicodeEncodeError:
        return Refusal(
            _("The pattern contains characters that are not valid text (lone surrogates)."),
            _("Type the pattern again without them."),
        )
    try:
        regexp = re2.compile(encoded, _OPTIONS)
    except re2.error as error:
        return _refusal(_error_text(error), pattern)
    compiled = Pattern(pattern, regexp)
    if compiled.size > MAX_PROGRAM_SIZE:
        return _too_large()
    if regexp.search(b"") is not None:
        return Refusal(
            _("The pattern matches an empty text, so it would catch every message."),
            _("Make sure something must be there: `a+` rather than `a*`, and no empty alternative such as `(a|)`."),
        )
    return compiled


def regex_problem(pattern: str) -> Refusal | None:
    """Why a moderator's pattern is refused, or None when RE2 compiles it within the bounds."""
    compiled = compile_pattern(pattern)
    return compiled if isinstance(compiled, Refusal) else None


def _error_text(error: Exception) -> str:
    r"""RE2's message (`invalid escape sequence: \1`), for classification only: never shown."""
    raw = error.args[0] if error.args else ""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _too_large() -> Refusal:
    return Refusal(
        _(
            "The pattern would build too large a matching program: large repeat counts or big "
            "character classes (such as \\pL or .) repeated many times."
        ),
        _("Use smaller counts, such as .{{0,20}} rather than .{{0,500}}, or a plain phrase."),
    )


def _refusal(message: str, pattern: str) -> Refusal:
    """A translated refusal for one of RE2's error codes (re2/regexp.cc, `RegexpStatus::CodeText`)."""
    code, _sep, piece = message.partition(": ")
    if code == "invalid escape sequence":
        if piece[1:2].isdigit():
            return _backreference()
        return Refusal(
            _("The escape {escape} is not supported.", escape=piece[:12]),
            _(
                "For the end of the text write \\z or $ (not \\Z); for a character by its code write "
                "\\x{{e9}} (not \\u00e9); a punctuation mark is escaped with \\ (\\. \\? \\+)."
            ),
        )
    if code == "invalid perl operator":
        if piece.startswith(("(?=", "(?!", "(?<=", "(?<!")):
            return Refusal(
                _(
                    "Lookaheads and lookbehinds such as (?=…), (?!…), (?<=…) and (?<!…) are not supported: "
                    "filters use an engine that never looks back or ahead, so that no pattern can be slow."
                ),
                _("Describe the text itself, for example `free\\s+money` rather than `free(?=\\s+money)`."),
            )
        if piece.startswith("(?P") and "(?P=" in pattern:
            return _backreference()
        if piece.startswith("(?>"):
            return _possessive()
        return Refusal(
            _("The group {group}…) is not supported.", group=piece[:6]),
            _(
                "Use plain groups (…), non-capturing groups (?:…) and flags such as (?i); comments "
                "(?#…) and conditionals (?(1)…) are not supported."
            ),
        )
    if code == "bad repetition operator":
        if piece.endswith("+"):
            return _possessive()
        return Refusal(
            _("Two repeats follow each other: {repeats}.", repeats=piece[:12]),
            _("Keep one, or put the first in a group: (ab+)*."),
        )
    if code == "invalid repetition size":
        return Refusal(
            _("A repeat count is over 1,000, or its bounds are reversed: {size}.", size=piece[:16]),
            _("Use counts up to 1,000, the smallest first: a{{2,5}}."),
        )
    if code == "no argument for repetition operator":
        return Refusal(
            _("A repeat ({repeat}) has nothing before it to repeat.", repeat=piece[:4]),
            _("Write \\* \\+ \\? for the characters themselves."),
        )
    if code in ("missing )", "unexpected )", "missing ("):
        return Refusal(
            _("The parentheses are not balanced."),
            _("Close every ( with a ), and write \\( or \\) for a parenthesis itself."),
        )
    if code == "missing ]":
        return Refusal(
            _("A character class opened with [ is not closed."),
            _("Close it with ], and write \\[ for a bracket itself."),
        )
    if code == "trailing \\":
        return Refusal(_("The pattern ends with a lone \\."), _("Write \\\\ for a backslash itself."))
    if code in ("invalid character class range", "invalid character class"):
        return Refusal(
            _("A character class or range is not valid: {what}.", what=piece[:20]),
            _(
                "A range goes from the smaller character to the larger (a-z); Unicode classes are "
                "named like \\pL or \\p{{Greek}}."
            ),
        )
    if code == "invalid named capture group":
        return Refusal(
            _("A group name is not valid: a name is letters, digits and _."),
            _("Name groups like (?P<name>…), or use plain groups (…)."),
        )
    if code.startswith("pattern too large"):
        return _too_large()
    return Refusal(
        _("The pattern is not a valid regular expression."),
        _("Check it against the syntax in docs/filters.md, or use a plain phrase."),
    )


def _backreference() -> Refusal:
    return Refusal(
        _(
            "Backreferences such as \\1 or (?P=name) are not supported: filters use an engine that "
            "never looks back, so that no pattern can be slow."
        ),
        _("Describe the text itself: to catch a repeated word, add a rule for that word."),
    )


def _possessive() -> Refusal:
    return Refusal(
        _("Possessive repeats (a++, a*+) and atomic groups (?>…) are not supported."),
        _("Use the ordinary repeat (a+, a*): it is never slow here."),
    )
