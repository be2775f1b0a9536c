"""Question detection: is a chat message asking something? Pure and table-driven, in six languages.

A message is a question when, once quotes, code, links and custom emoji are set aside, it ends
with a question mark (trailing emoji, spaces, closing quotes and `»` allowed) or one of its clauses
opens with an interrogative form of its language (`comment faire`, `peut-on`, `how do I`,
`weiß jemand`...). Commands, quotes and one-word reactions (`ok?`, `vraiment ?`) are not questions.

`is_candidate` is the cheap, language-free pre-check run on every message; `is_question` decides
with the language's table once the (costlier) language detection has run on candidates only.
"""

from __future__ import annotations

import re

LANGUAGES: tuple[str, ...] = ("fr", "en", "es", "de", "it", "pt")

# Interrogative openers per language, matched at the start of a clause (lower-cased text).
# Wh-words that also open ordinary statements ("when I run it, ...") are only taken with a
# following word that makes the question shape (auxiliary, infinitive, inversion).
_OPENERS: dict[str, tuple[str, ...]] = {
    "fr": (
        r"est[- ]ce qu",
        r"qu'est[- ]ce",
        r"qu’est[- ]ce",
        r"quel(?:le)?s? ",
        r"pourquoi ",
        r"combien ",
        r"comment (?:on |je |j'|faire|fait|peut|puis|vous |tu |est|ça |ca |se |s'|marche|installer|\w+er\b)",
        r"où (?:est|sont|trouve|trouver|on |je |puis|peut|se |en )",
        r"quand (?:est|commence|sera|aura|a lieu|part)",
        r"qui (?:sait|peut|connait|connaît|a |aurait|veut|est |vient)",
        r"\w+-t-(?:il|elle|on)\b",
        r"(?:peut|puis|sait|faut|doit|dois|est|sont|avez|auriez|savez|pourriez|connaissez|voulez|"
        r"pensez|as|sais|peux|connais|vois|fait|ont|serait|aurait|existe)-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b",
        r"y a[- ]t[- ]il",
        r"quelqu'un (?:sait|a |aurait|connait|connaît|peut|pourrait|utilise)",
        r"quelqu’un (?:sait|a |aurait|connait|connaît|peut|pourrait|utilise)",
        r"je me demande si",
        r"une idée (?:de|pour|sur)",
        r"des idées (?:de|pour|sur)",
        r"savez-vous",
        r"sauriez-vous",
    ),
    "en": (
        r"(?:how|what|where|why|when|who|which) (?:do|does|did|is|are|was|were|can|could|should|would|will|"
        r"to|much|many|long|often|about|if|kind|version|happens|happened|exactly|else|'s|’s)\b",
        r"(?:how|what|where|why|when|who)'s\b",
        r"(?:which|what) \w+ (?:do|does|did|is|are|should|would|can|will)\b",
        r"why (?:not|isn't|doesn't|don't|won't|can't|am|are)\b",
        r"who (?:knows|has|wants|can|is|else)\b",
        r"which (?:one|is|of)\b",
        r"(?:can|could|would|will|should|shall|may|might|do|does|did|is|are|was|were|has|have|am|must)"
        r"(?:n't)? (?:i|you|we|they|he|she|it|anyone|anybody|someone|somebody|there|this|that|these|those|"
        r"my|your|our|the|one|u)\b",
        r"(?:anyone|anybody|someone|somebody|does anyone|does anybody|do you|did anyone) "
        r"(?:know|knows|have|has|tried|seen|got|use|using|here|else|familiar|able|around|experienced)\b",
        r"any (?:idea|ideas|tips|advice|suggestions|recommendations|thoughts|way|chance|update|news)\b",
        r"is there (?:a|an|any)\b",
        r"i (?:wonder|was wondering|am wondering|'m wondering)\b",
        r"wondering (?:if|whether|how|what)\b",
    ),
    "es": (
        r"¿",
        r"(?:cómo|qué|cuál|cuáles|quién|quiénes|dónde|cuándo|cuánto|cuántos|cuánta|cuántas|por qué) ",
        r"alguien (?:sabe|tiene|ha|conoce|puede|podría|usa|me)\b",
        r"(?:sabéis|sabes|saben) (?:si|cómo|qué|dónde)\b",
        r"hay (?:alguna|algún|alguien|forma|manera)\b",
        r"(?:me )?(?:podéis|podrías|podrían|puedes|pueden) ",
        r"(?:como|que|cual|donde|cuando|quien|cuanto) (?:hago|puedo|podemos|se |hay|es |son|tengo|debo|hacer)",
        r"es posible\b",
        r"se puede\b",
        r"alguna idea\b",
    ),
    "de": (
        r"(?:wie|warum|wieso|weshalb|was|wer|wo|wann|woher|wohin|womit|wozu|welche|welcher|welches|welchen|welchem)"
        r" (?!gesagt\b|auch immer\b)",
        r"(?:kann|kannst|können|könnt|könnte|könntest|weiß|weißt|wisst|gibt|hat|hast|habt|ist|sind|bist|seid|"
        r"muss|musst|müssen|soll|sollte|sollen|darf|dürfen|würde|würdest|funktioniert|geht|klappt|braucht|"
        r"brauche|brauchst|kennt|kennst|hättet|hätte|habe|mache|macht|sieht) "
        r"(?:man|ich|du|er|sie|es|wir|ihr|jemand|einer|das|der|die|dieser|diese|irgendwer|irgendjemand|hier|mir|"
        r"mal)\b",
        r"weiß jemand\b",
        r"hat jemand\b",
        r"kennt jemand\b",
        r"gibt es\b",
        r"irgendwelche (?:ideen|tipps)\b",
        r"ich frage mich\b",
    ),
    "it": (
        r"(?:come|perché|perchè|cosa|che cosa|quale|quali|chi|dove|quando|quanto|quanti|quanta|quante) "
        r"(?:si |posso|possiamo|faccio|fate|fai|funziona|mai|è |e' |sono|devo|dovrei|serve|bisogna|conviene|"
        r"ne |ci |vi |mi |ti |usate|usi|avete|hai|sapete|sai|pensate|ha |non |\w+are\b|\w+ere\b|\w+ire\b)",
        r"qualcuno (?:sa|ha|conosce|può|potrebbe|usa|mi)\b",
        r"(?:sapete|sai) (?:se|come|dove|quando|chi|cosa)\b",
        r"c'è (?:un|una|qualcuno|modo)\b",
        r"c’è (?:un|una|qualcuno|modo)\b",
        r"si può\b",
        r"è possibile\b",
        r"(?:potete|potresti|puoi|posso) ",
        r"qualche (?:idea|consiglio)\b",
    ),
    "pt": (
        r"quando (?:é|começa|vai|será|termina|abre|sai|acontece)\b",
        r"como eu (?:faço|posso|consigo|devo)\b",
        r"(?:como|porque|por que|o que|qual|quais|quem|onde|quanto|quantos|quanta|quantas) "
        r"(?:faço|fazer|faz|fazemos|posso|podemos|pode|vocês|você|voce|se |é |e |são|devo|funciona|"
        r"consigo|tem |têm|usam|acham|sabem|não|nao|\w+ar\b|\w+er\b|\w+ir\b)",
        r"por quê\b",
        r"alguém (?:sabe|tem|já|conhece|pode|poderia|usa|me)\b",
        r"(?:vocês|voces) (?:sabem|conhecem|têm|tem|acham|usam)\b",
        r"(?:sabem|sabe) (?:se|como|onde|quando)\b",
        r"(?:dá|da) (?:para|pra)\b",
        r"tem como\b",
        r"é possível\b",
        r"existe (?:algum|alguma)\b",
        r"(?:podem|poderiam|pode|poderia|consegue|conseguem) (?:me|ajudar)\b",
        r"alguma (?:ideia|dica)\b",
    ),
}

# One-word or formulaic reactions that end with "?" but ask nothing worth tracking.
_REACTIONS: frozenset[str] = frozenset(
    {
        "ah bon",
        "c'est vrai",
        "c’est vrai",
        "sérieux",
        "serieux",
        "sérieusement",
        "vraiment",
        "ah oui",
        "hein",
        "quoi",
        "non",
        "oui",
        "pardon",
        "really",
        "seriously",
        "for real",
        "are you serious",
        "you sure",
        "no way",
        "right",
        "huh",
        "what",
        "why",
        "sure",
        "lol",
        "wat",
        "en serio",
        "de verdad",
        "verdad",
        "ah sí",
        "wirklich",
        "echt",
        "ernsthaft",
        "was",
        "ach ja",
        "ach so",
        "davvero",
        "sul serio",
        "ah sì",
        "cioè",
        "sério",
        "serio",
        "verdade",
        "é mesmo",
        "jura",
        "né",
        "ok",
        "okay",
        "oh",
        "ah",
        "hm",
        "hmm",
        "and",
        "et",
        "alors",
        "so",
        "e",
        "y",
        "und",
        "why not",
        "pourquoi pas",
        "por qué no",
        "warum nicht",
        "perché no",
        "por que não",
        "how come",
        "comment ça",
        "ah ouais",
        "ouais",
        "yes",
        "no",
        "nope",
        "vraiment pas",
    }
)

_QUOTE_LINE = re.compile(r"^\s*(?:>|&gt;).*$", re.MULTILINE)
_NOISE = re.compile(r"```.*?```|`[^`]*`|https?://\S+|<a?:\w+:\d+>|<[@#!][^>]*>|:[a-z0-9_+-]+:", re.DOTALL)
_TRAILING = re.compile(r"[?？¿]\W*$")  # emoji, spaces, closing quotes and » are all non-word characters
_EXCLAIMED = re.compile(r"![^\w?？]*$")  # "Quel plaisir de vous voir !" exclaims, it does not ask
_SENTENCE = re.compile(r"(?<=[?？])\s+")
_CLAUSES = re.compile(r"[.,;:!\n…()]+|\s[-–—]\s")
_LEADING = re.compile(r"^[\W\d_]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TABLES: dict[str, re.Pattern[str]] = {
    lang: re.compile("^(?:" + "|".join(patterns) + ")") for lang, patterns in _OPENERS.items()
}
# The pre-check's pieces (it runs on every message): any language's opener, matched at a clause's first
# letter; clauses are found by searching forward for letters and `_CLAUSES` separators, each character
# scanned a bounded number of times. (One regex searching for "separator, non-letters, opener" cost
# 20 s on 2,000 dots, and a backtracking-free version of it 5 us on ordinary chat.)
_OPENER = re.compile("|".join(p for patterns in _OPENERS.values() for p in patterns))
_LETTER = re.compile(r"[^\W\d_]")
_THANKS = re.compile(
    r"\b(?:merci|thanks|thank you|thx|ty|tysm|cheers|gracias|danke|dankeschön|vielen dank|grazie|obrigad[oa]|"
    r"valeu|merci beaucoup|many thanks)\b",
    re.IGNORECASE,
)


_THANKS_STEMS = ("merci", "thank", "thx", "ty", "cheers", "gracias", "dank", "grazie", "obrigad", "valeu")


def _clean(text: str) -> str:
    """The text without quoted lines, code, links and custom emoji, lower-cased and trimmed."""
    text = _QUOTE_LINE.sub(" ", text)
    return _NOISE.sub(" ", text).strip().lower()


def _clauses(cleaned: str) -> list[str]:
    """Clauses of the text, each stripped of leading punctuation and spaces."""
    parts = (_LEADING.sub("", part.strip()) for part in _CLAUSES.split(cleaned))
    return [part for part in parts if part]


def is_excluded(text: str) -> bool:
    """Commands and messages that only quote another message are never questions."""
    stripped = text.lstrip()
    return stripped.startswith("/") or not _QUOTE_LINE.sub("", text).strip()


def is_candidate(text: str) -> bool:
    """The cheap, language-free pre-check of whether this message could be a question at all."""
    if "?" not in text and "？" not in text and "¿" not in text:
        return _opens_a_clause(text.lower())
    return not is_excluded(text)


def _opens_a_clause(lowered: str) -> bool:
    """True when one of the text's clauses starts with an opener of any language.

    A clause starts at the first letter of the text or the first letter after a `_CLAUSES` separator,
    as `_clauses` reads it (leading non-letters stripped); an opener may run past the clause's end here,
    so this is never narrower than matching clause by clause, only sometimes wider."""
    position = 0
    while (letter := _LETTER.search(lowered, position)) is not None:
        start = letter.start()
        if _OPENER.match(lowered, start):
            return True
        separator = _CLAUSES.search(lowered, start)
        if separator is None:
            return False
        position = separator.end()
    return False


def _is_reaction(cleaned: str) -> bool:
    """`ok?`, `vraiment ?`, `really??`: one word or a formulaic reaction."""
    words = _WORD.findall(cleaned)
    return len(words) <= 1 or " ".join(words) in _REACTIONS


def is_question(text: str, language: str) -> bool:
    """True when the message asks something, read with the table of `language` (a code such as 'fr').

    An unknown language is read with every table except the openers that are ambiguous across
    languages; pass the community's locale for short texts instead."""
    if is_excluded(text):
        return False
    cleaned = _clean(text)
    if not cleaned or _is_reaction(cleaned):
        return False
    if "¿" in cleaned or any(_TRAILING.search(s) and not _is_reaction(s) for s in _SENTENCE.split(cleaned)):
        return True
    table = _TABLES.get(language)
    if table is None or _EXCLAIMED.search(cleaned):
        return False
    return any(table.match(clause) for clause in _clauses(cleaned))


def opener_language(text: str, detected: str) -> str:
    """`detected`, unless only another language's interrogative openers fit the text.

    Statistical detection is shaky on short technical questions ("How do I export to CSV?" can come
    out Portuguese); the opener tables are a cheap second opinion."""
    clauses = _clauses(_clean(text))
    table = _TABLES.get(detected)
    if table is not None and any(table.match(clause) for clause in clauses):
        return detected
    for language, other in _TABLES.items():
        if any(other.match(clause) for clause in clauses):
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
    unquoted = _QUOTE_LINE.sub(" ", text)
    flat = " ".join(_BIDI.sub("", _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", unquoted))).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
