"""How the detector reads a message's text: bounded in length (its start and its end), cleaned of what
is not the poster's prose (quoted lines, code, links, custom emoji, emoticons, spelling doubts), folded to
lower case with straight apostrophes, and cut into sentences and clauses; plus the marks a sentence ends
with (a question mark, an exclamation)."""

from __future__ import annotations

import re

QUOTE_LINE = re.compile(r"^\s*(?:>|&gt;).*$", re.MULTILINE)
# Discord's `>>> ` quotes everything after it, to the end of the message (Slack escapes `>` as `&gt;`).
_BLOCK_QUOTE = re.compile(r"^[ \t]*(?:>>>|&gt;&gt;&gt;)", re.MULTILINE)
# A question mark in brackets after a word doubts a spelling or a figure ("Tchaikovsky (sp?)", "2019 (?)").
_DOUBT = r"[(\[]\s*(?:sp|sic|spelling|sp\.)?\s*\?+\s*[)\]]"
# ASCII emoticons after a question mark ("got clay?:P", "ore?:D") are decoration, like emoji.
_EMOTICON = r"(?<![\w:/])[:;=8][-'o^]?[dpo3)(\]\[/\\|*]+(?!\w)|(?<!\w)x[dp](?!\w)|\^\^|<3"
# A mention typed as text (`@bob`, `@everyone`: the console, Discord's @everyone) names who is asked, like
# `<@123>`; it is not a word of the question ("@bob t'as le lien" opens with "t'as"). Not an e-mail address.
_AT_NAME = r"(?<![\w.@])@[\w.-]+"
AT_NAME = re.compile(_AT_NAME)
NOISE = re.compile(
    r"```.*?```|`[^`]*`|https?://\S+|<a?:\w+:\d+>|<[@#!][^>]*>|:[a-z0-9_+-]+:|"
    + _AT_NAME
    + "|"
    + _DOUBT
    + "|"
    + _EMOTICON,
    re.DOTALL | re.IGNORECASE,
)

TRAILING = re.compile(r"[?？¿]\W*$")  # emoji, spaces, closing quotes and » are all non-word characters
EXCLAIMED = re.compile(r"![^\w?？]*$")  # "Quel plaisir de vous voir !" exclaims, it does not ask
CLAUSES = re.compile(r"[.,;:!\n…()]+|\s[-–—]\s")
LEADING = re.compile(r"^[\W\d_]+")

# A sentence: up to and including its closing marks (and the spaces after them).
SENTENCES = re.compile(r"[^.!?？\n…]+(?:[.!?？\n…]|[^\S\n])*")

LETTER = re.compile(r"[^\W\d_]")
FIRST_WORD = re.compile(r"[^\W\d_]*")
LETTERS = re.compile(r"[^\W\d_]+")

# The detector reads at most this much of a message: its start and its end, where a question is asked (a
# pasted log or a 50 KB wall of text costs the same as a long message, whatever it holds).
_HEAD, _TAIL = 3_000, 1_000


def bounded(text: str) -> str:
    """The text, or its first `_HEAD` and last `_TAIL` characters with a line break between them."""
    return text if len(text) <= _HEAD + _TAIL else text[:_HEAD] + "\n…\n" + text[-_TAIL:]


def fold(text: str) -> str:
    """Lower-cased, with typographic apostrophes made straight (the tables are written with `'`)."""
    return text.lower().replace("’", "'")


def unquoted(text: str) -> str:
    """The text up to a Discord block quote (`>>> ` quotes the rest of the message)."""
    block = _BLOCK_QUOTE.search(text)
    return text if block is None else text[: block.start()]


def own_words(text: str) -> str:
    """What the poster wrote themselves, as typed: without quoted lines (`> `, `&gt;`, `>>> ` to the end),
    code, links, mentions, custom emoji, emoticons and spelling doubts; trimmed. Linear in the text."""
    return NOISE.sub(" ", QUOTE_LINE.sub(" ", unquoted(text))).strip()


def clean(text: str) -> str:
    """The poster's own words (`own_words`), folded."""
    return fold(own_words(text))


def split_clauses(cleaned: str) -> list[str]:
    """Clauses of the text, each stripped of leading punctuation and spaces."""
    parts = (LEADING.sub("", part.strip()) for part in CLAUSES.split(cleaned))
    return [part for part in parts if part]
