"""The cheap, language-free pre-check run on every message (`detector.is_candidate`): does one of the
text's clauses open with any language's opener? Clauses are found by searching forward for letters and
`clauses.CLAUSES` separators, each character scanned a bounded number of times, and only the openers that
can start with a clause's first word are tried (`_openers_for`), read off the tables' own patterns
(`_heads`). (One regex searching for "separator, non-letters, opener" cost 20 s on 2,000 dots, and a
backtracking-free version of it 5 us on ordinary chat)."""

from __future__ import annotations

import re

from plugins.questions.clauses import CLAUSES, FIRST_WORD, LETTER
from plugins.questions.openers import FILLERS, OPENERS

# Any language's filler with the spaces after it.
_FILLER = re.compile(r"(?:" + "|".join(FILLERS.values()) + r")\s+")


def _heads(pattern: str) -> set[str]:
    """The literal text every match of `pattern` can start with, one string per alternative ("" when an
    alternative starts with a character class). Reads the subset of the syntax the tables use at their
    start: literals, `(?:...|...)` groups with an optional quantifier, lookarounds; stops at anything else."""
    heads: set[str] = set()
    literal = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("(?", i) and pattern[i + 2] in ":=!<":
            close = _closing(pattern, i)
            after = close + 1
            optional = after < len(pattern) and pattern[after] in "?*{"
            while after < len(pattern) and pattern[after] in "?*+{":
                after = pattern.index("}", after) + 1 if pattern[after] == "{" else after + 1
            rest = pattern[after:]
            if pattern[i + 2] != ":":  # a lookaround consumes nothing
                return {literal + head for head in _heads(rest)}
            for branch in _branches(pattern[i + 3 : close]):
                heads |= {literal + head for head in _heads(branch + rest)}
            if optional:
                heads |= {literal + head for head in _heads(rest)}
            return heads
        if pattern.startswith("\\s", i):  # the space after a filler
            return {literal + " "}
        if pattern.startswith("\\b", i) or char == "$":  # the end of a word
            return {literal + _WORD_END}
        if char in "\\[.^$()|" or (i + 1 < len(pattern) and pattern[i + 1] in "?*{"):
            return {literal}
        literal += char
        i += 1
    return {literal}


def _closing(pattern: str, opening: int) -> int:
    """The index of the parenthesis closing the group opened at `opening`."""
    depth, i = 0, opening
    while True:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = pattern.index("]", i + 1) + 1
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i
        i += 1


def _branches(inner: str) -> list[str]:
    """The top-level alternatives of a group's content."""
    branches, depth, start, i = [], 0, 0, 0
    while i < len(inner):
        char = inner[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = inner.index("]", i + 1) + 1
            continue
        if char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            branches.append(inner[start:i])
            start = i + 1
        i += 1
    return [*branches, inner[start:]]


# The pre-check's gate: a clause can only open with an opener (or a filler) when its first word is one an
# alternative starts with, begins with one an alternative starts with but may extend ("quel" → "quelles"),
# or is hyphenated ("peut-on", "auriez-vous": the alternatives that start with a character class). Most
# clauses fail here, before any opener is tried.
_WORD_END = "\x00"


def _first_words(patterns: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """Where each pattern can start: {first word: patterns}, {first-word prefix: patterns} (the word may go on,
    "quel" → "quelles") and the patterns that start with a character class ("peut-on", "auriez-vous": hyphenated)."""
    words: dict[str, list[str]] = {}
    prefixes: dict[str, list[str]] = {}
    hyphened: list[str] = []
    for pattern in patterns:
        for head in _heads("(?:" + pattern + ")"):
            word = FIRST_WORD.match(head)
            if word is None or not word.group():
                if head != "¿":  # a text with "¿" skips the pre-check's clause reading
                    hyphened.append(pattern)
                continue
            where = words if word.end() < len(head) else prefixes
            if pattern not in where.setdefault(word.group(), []):
                where[word.group()].append(pattern)
    return words, prefixes, hyphened


_BY_WORD, _BY_PREFIX, _HYPHENED_OPENERS = _first_words([p for patterns in OPENERS.values() for p in patterns])
_OPENER_PREFIXES = tuple(sorted(_BY_PREFIX))
_SINGLE_FILLERS = frozenset(
    filler for fillers in FILLERS.values() for filler in fillers.split("|") if FIRST_WORD.fullmatch(filler)
)
_FILLER_WORDS = frozenset(
    word.group()
    for fillers in FILLERS.values()
    for filler in fillers.split("|")
    if (word := FIRST_WORD.match(filler)) is not None
)
_SPACES = re.compile(r"\s+")
_OPENERS_FOR: dict[tuple[str, bool], re.Pattern[str] | None] = {}


def _openers_for(word: str, hyphened: bool) -> re.Pattern[str] | None:
    """The openers of every language that can start with `word` (compiled once, on first use), or None."""
    key = (word, hyphened)
    if key not in _OPENERS_FOR:
        patterns = list(_BY_WORD.get(word, ()))
        patterns += [p for prefix in _OPENER_PREFIXES if word.startswith(prefix) for p in _BY_PREFIX[prefix]]
        patterns += _HYPHENED_OPENERS if hyphened else []
        if len(_OPENERS_FOR) >= 4096:  # bounded: hostile text can bring any number of new words
            _OPENERS_FOR.clear()
        _OPENERS_FOR[key] = re.compile("|".join(dict.fromkeys(patterns))) if patterns else None
    return _OPENERS_FOR[key]


def opens_a_clause(lowered: str) -> bool:
    """True when one of the text's clauses starts with an opener of any language.

    A clause starts at the first letter of the text or the first letter after a `CLAUSES` separator,
    as `split_clauses` reads it (leading non-letters stripped); an opener may run past the clause's end here,
    so this is never narrower than matching clause by clause, only sometimes wider."""
    position = 0
    while (letter := LETTER.search(lowered, position)) is not None:
        start = letter.start()
        if _opens_at(lowered, start):
            return True
        separator = CLAUSES.search(lowered, start)
        if separator is None:
            return False
        position = separator.end()
    return False


def _opens_at(lowered: str, start: int) -> bool:
    """An opener at `start`, after at most three fillers, as the tables read a clause's start. Only the
    alternatives that can start with the clause's first word are tried (`_openers_for`)."""
    for _ in range(4):
        first = FIRST_WORD.match(lowered, start)
        if first is None:
            return False
        word = first.group()
        if word in _BY_WORD or word.startswith(_OPENER_PREFIXES) or lowered.startswith("-", first.end()):
            openers = _openers_for(word, lowered.startswith("-", first.end()))
            if openers is not None and openers.match(lowered, start):
                return True
        if word not in _FILLER_WORDS:
            return False
        if word in _SINGLE_FILLERS and (space := _SPACES.match(lowered, first.end())) is not None:
            start = space.end()
            continue
        filler = _FILLER.match(lowered, start)
        if filler is None:
            return False
        start = filler.end()
    return False
