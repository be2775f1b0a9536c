"""Which clause of a sentence may ask: the first one (after greetings and fillers), or a later one that
does not read as a relative clause ("…, qui est très dure") nor, in a sentence with no question mark, as
embedded in the clause before it ("je regardais comment…", "trying to think of what…"), as a speaker's
search for a word ("what's his name") or as the rest of a story told in the French imperfect."""

from __future__ import annotations

import re

from plugins.questions.clauses import split_clauses
from plugins.questions.openers import FILLERS, LANG_FILLER, TABLES
from plugins.questions.set_phrases import SET_TABLES

# Without a question mark, a clause after a verb of seeing, showing or telling is what was seen or told
# ("je regardais, euh, comment se tournait la scène", "trying to think of what they are"), and a French
# clause in the imperfect after the start of a sentence narrates ("…, comment ça se passait").
_EMBEDDING: dict[str, re.Pattern[str]] = {
    "fr": re.compile(
        r"(?:^|\s)(?:voir|vu|regard\w*|expliqu\w*|découvr\w*|décrit|décrire|racont\w*|montr\w*|rappel\w*|"
        r"comprendre|compris|imaginer|imagine|de|sur)(?:\s+(?:euh|heu|hum|bah|ben))*$"
    ),
    "en": re.compile(
        r"(?:^|\s)(?:see|seeing|saw|seen|explain\w*|show\w*|think of|thinking of|figure out|find out|found out|"
        r"decide|remember|realize|understand|learn\w*|about|of|on|as to|in terms of|depends on|told)"
        r"(?:\s+(?:uh|um|uhm|er|erm))*$"
    ),
}
# A speaker's search for a word, between two parts of a sentence with no question mark ("that singer, what's
# his name, Willie Nelson", "dans son, comment ça s'appelle …"), asks nobody.
_SEARCHING: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"(?:comment (?:ça|ca) s'appel\w*|comment (?:on|vous) (?:dit|dites)|c'est quoi (?:déjà|deja))$"),
    "en": re.compile(
        r"(?:what's|what is|what was) (?:it|that|the word|the name|his name|her name|their name|it called|"
        r"that called|they called|the (?:other|right) (?:one|word))$|what else$|"
        r"what (?:do|did) (?:you|they|we) call (?:it|that|them|those)$"
    ),
}
# Hedges a speaker puts between a verb and what it embeds ("based on, you know, how much…"): not the clause
# the embedded one depends on.
_HEDGE: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"^(?:tu vois|tu sais|vous savez|genre|euh|heu|enfin|quoi|hum|bah)(?:\s+(?:euh|heu|quoi))*$"),
    "en": re.compile(r"^(?:you know|i mean|you see|like|uh|um|uhm|er|oh|well)(?:\s+(?:uh|um|like|you know))*$"),
}
# After a comma, "is that she was…", "was that people…": the verb of a statement whose subject came first
# ("the reason …, is that she was"), not a question about "that".
_COPULA: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"(?:is|was) that (?:she|he|they|we|i|you|people|there|it's|some|uh|um|most|all)\b"),
}
_NARRATING: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"\b[^\W\d_]{2,}(?<!f)(?<!r)(?<!tr)(?<!pl)(?:ait|aient)\b"),
}

# A clause after a comma that opens with one of these is a relative or a subordinate clause ("…, qui est
# très dure", "…, which is why", "…, wie das geht"), unless only greetings and fillers came before it.
_RELATIVE: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"(?:qui|où|ou|quand|que|qu')(?:\W|$)"),
    "en": re.compile(r"(?:who|who's|whos|which)\b"),
    "es": re.compile(r"(?:que|quien|quienes|donde|cuando|como|cual)\b"),
    "de": re.compile(
        r"(?:wie|warum|wieso|weshalb|was|wer|wo|wann|woher|wohin|womit|wozu|welche|welcher|welches|welchen|"
        r"welchem|ob)\b"
    ),
    "it": re.compile(r"(?:che|chi|dove|quando|come|cui|quale|quali)\b"),
    "pt": re.compile(r"(?:que|quem|onde|quando|como|qual|quais)\b"),
}
_FILLER_ONLY: dict[str, re.Pattern[str]] = {
    lang: re.compile(r"^(?:(?:" + fillers + r"|[^\W\d_]+ (?:all|everyone|team))(?:\s+|$))+$")
    for lang, fillers in FILLERS.items()
}


def opens(clause: str, language: str) -> bool:
    """The clause opens with one of the language's interrogative forms, and not with a set phrase."""
    table = TABLES[language]
    if not table.match(clause):
        return False
    phrases = SET_TABLES.get(language)
    return phrases is None or not phrases.match(clause)


def opens_somewhere(sentence: str, language: str, marked: bool = True) -> bool:
    """One of the sentence's clauses opens with an interrogative form of `language` (every table when the
    language has none): the first clause, or a later one that does not read as a relative clause. In a
    sentence with no question mark (`marked` false) a later clause must not read as embedded either."""
    languages = [language] if language in TABLES else list(TABLES)
    for lang in languages:
        initial = True
        before = ""
        narrated = False  # an earlier clause of the sentence told a story in the imperfect
        narrating = _NARRATING.get(lang)
        for clause in split_clauses(sentence):
            if opens(clause, lang) and (
                initial
                or (
                    not _RELATIVE[lang].match(_after_fillers(clause, lang))
                    and (marked or not _embedded(before, clause, lang, narrated))
                )
            ):
                return True
            if not marked and narrating is not None and not narrated:
                narrated = narrating.search(clause) is not None
            filler = _FILLER_ONLY[lang].match(clause) is not None
            initial = initial and filler
            hedge = _HEDGE.get(lang)
            if not filler and (hedge is None or not hedge.match(clause)):
                before = clause
    return False


def _embedded(before: str, clause: str, language: str, narrated: bool) -> bool:
    """The clause, in a sentence with no question mark, is the complement of the clause `before` it (the
    last one that was not only fillers), or goes on in the French imperfect with a story an earlier clause
    told in the imperfect ("c'était cool, …, comment ça se passait"; "avant la mise à jour, comment ça se
    passait" still asks)."""
    embedding = _EMBEDDING.get(language)
    if embedding is not None and embedding.search(before[-120:]):  # its last words are all it reads
        return True
    searching = _SEARCHING.get(language)
    if searching is not None and searching.match(_after_fillers(clause, language)):
        return True
    copula = _COPULA.get(language)
    if copula is not None and copula.match(_after_fillers(clause, language)):
        return True
    narrating = _NARRATING.get(language)
    return narrated and narrating is not None and narrating.search(clause) is not None


def _after_fillers(clause: str, language: str) -> str:
    """The clause without its leading greetings and fillers ("et qui est…" → "qui est…")."""
    for _ in range(3):
        filler = LANG_FILLER[language].match(clause)
        if filler is None:
            break
        clause = clause[filler.end() :]
    return clause
