"""Question detection: is a chat message asking something? Pure and table-driven, in six languages.

A message is a question when, once quotes, code, links, custom emoji and spelling doubts (`(sp?)`) are
set aside, it ends with a question mark (trailing emoji, spaces, closing quotes and `»` allowed) or one
of its clauses opens with an interrogative form of its language (`comment faire`, `peut-on`, `qqn a`,
`how do I`, `whats`, `anyone got`, `weiß jemand`...), after any greeting or filler (`hey guys`,
`salut`, `du coup`). Commands, quotes, reactions (`ok?`, `what?`, `vraiment ?`) and set phrases that
only look like questions (`what can I say`, `who knows`, `pourquoi pas`, `wie gesagt`) are not.
A single word with a question mark asks something (`metallica?`, `demain ?`) unless it is a reaction.
Someone else's words are not the poster's question: quoted, reported ("they ask me, why…", "…? se demande
Le Progrès") or named as a title ("l'ouvrage Comment monter… ?"); nor is a speaker's search for words
("what was I going to say") or, without a question mark, a clause another verb embeds ("je regardais
comment…").

`is_candidate` is the cheap, language-free pre-check run on every message; `is_question` decides
with the language's table once the (costlier) language detection has run on candidates only.

The module keeps the public API; the rules live in small modules, each named after what it owns:
`openers` (each language's interrogative forms, as data), `set_phrases` (what looks like a question and
asks nothing: set phrases, reactions, shrugs), `speech` (someone else's words: quoted, reported, titles),
`embedding` (which clause of a sentence may ask), `clauses` (how the text is read: bounded, cleaned,
cut into sentences and clauses) and `precheck` (the cheap pre-check's gate).
"""

from __future__ import annotations

import re
from pathlib import Path

from plugins.questions.clauses import (
    AT_NAME,
    EXCLAIMED,
    QUOTE_LINE,
    TRAILING,
    bounded,
    clean,
    fold,
    own_words,
    split_clauses,
    unquoted,
)
from plugins.questions.embedding import opens, opens_somewhere
from plugins.questions.openers import INSIDE, SOMEONE, TABLES
from plugins.questions.precheck import opens_a_clause
from plugins.questions.set_phrases import TRAILING_SHRUG, is_reaction
from plugins.questions.speech import own_sentences, title_sentences

LANGUAGES: tuple[str, ...] = ("fr", "en", "es", "de", "it", "pt")

# The source files of the rules, this one included: the question model records a digest of them
# (`model.rules_version`), since its combination with the rules was chosen with the rules of the day.
RULE_SOURCES: tuple[Path, ...] = tuple(
    Path(__file__).with_name(f"{name}.py")
    for name in ("detector", "openers", "set_phrases", "speech", "embedding", "clauses", "precheck")
)

_THANKS = re.compile(
    r"\b(?:merci|thanks|thank you|thx|ty|tysm|cheers|gracias|danke|dankeschön|vielen dank|grazie|obrigad[oa]|"
    r"valeu|merci beaucoup|many thanks)\b",
    re.IGNORECASE,
)


_THANKS_STEMS = ("merci", "thank", "thx", "ty", "cheers", "gracias", "dank", "grazie", "obrigad", "valeu")


def is_excluded(text: str) -> bool:
    """Commands and messages that only quote another message are never questions."""
    stripped = text.lstrip()
    return stripped.startswith("/") or not QUOTE_LINE.sub("", unquoted(text)).strip()


def is_candidate(text: str) -> bool:
    """The cheap, language-free pre-check of whether this message could be a question at all."""
    if "?" not in text and "？" not in text and "¿" not in text:
        lowered = fold(bounded(text))
        if "@" in lowered:  # "@bob t'as le lien": the question opens after the name
            lowered = AT_NAME.sub(" ", lowered)
        return opens_a_clause(lowered) or (
            any(word in lowered for word in SOMEONE) and any(p.search(lowered) for p in INSIDE.values())
        )
    return not is_excluded(text)


def _asks(sentence: str, language: str) -> bool:
    """A sentence ending with a question mark asks something unless it is a reaction, a shrug or a tag."""
    if not TRAILING.search(sentence) or is_reaction(sentence):
        return False
    shrugs = TRAILING_SHRUG.get(language)
    shrug = shrugs.search(sentence) if shrugs is not None else None
    if shrug is None:
        return True
    return opens_somewhere(sentence[: shrug.start()], language)


def is_question(text: str, language: str) -> bool:
    """True when the message asks something, read with the table of `language` (a code such as 'fr').

    An unknown language is read with every table except the openers that are ambiguous across
    languages; pass the community's locale for short texts instead."""
    if is_excluded(text):
        return False
    cleaned = clean(bounded(text))
    if not cleaned or is_reaction(cleaned):
        return False
    sentences = own_sentences(cleaned, language)
    if any("¿" in sentence for sentence in sentences):
        return True
    if titles := title_sentences(own_words(bounded(text)), language):
        sentences = [sentence for sentence in sentences if sentence not in titles]
    if any(_asks(sentence, language) for sentence in sentences):
        return True
    if language not in TABLES or EXCLAIMED.search(cleaned):
        return False
    inside = INSIDE.get(language)
    shrugs = TRAILING_SHRUG.get(language)
    return any(
        # Without a question mark, a closing "…, you know" / "…, tu vois" marks the words as rhetorical.
        (shrugs is None or not shrugs.search(sentence))
        and (opens_somewhere(sentence, language, marked=False) or (inside is not None and inside.search(sentence)))
        for sentence in sentences
    )


def opener_language(text: str, detected: str) -> str:
    """`detected`, unless only another language's interrogative openers fit the text.

    Statistical detection is shaky on short technical questions ("How do I export to CSV?" can come
    out Portuguese); the opener tables are a cheap second opinion."""
    clauses = split_clauses(clean(bounded(text)))
    if detected in TABLES and any(opens(clause, detected) for clause in clauses):
        return detected
    for language in TABLES:
        if any(opens(clause, language) for clause in clauses):
            return language
    return detected


def is_thanks(text: str) -> bool:
    """A thanks message ("merci !", "thanks a lot", "danke dir") in any of the six languages."""
    lowered = text.lower()
    # Substrings first: most messages contain none, and this is much cheaper than the regex.
    return any(stem in lowered for stem in _THANKS_STEMS) and bool(_THANKS.search(text))


# The excerpt is stored and repeated inside the bot's own nudges: a lone surrogate (crafted JSON, text
# decoded leniently upstream) cannot be encoded for SQLite, a control character (NUL...) would cut or
# garble it, and a bidirectional override would reorder the rest of the bot's line (its link included).
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def excerpt(text: str, limit: int = 140) -> str:
    """A short one-line excerpt of the message, cut on a word boundary with an ellipsis; safe to store and
    to repeat (no lone surrogate, control character or bidirectional override)."""
    mine = QUOTE_LINE.sub(" ", unquoted(text))
    flat = " ".join(_BIDI.sub("", _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", mine))).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
