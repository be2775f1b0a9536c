"""Whose words a sentence holds: what the poster quotes in quotation marks, reports ("il m'a dit tu
viens ?", "they ask me, why…"), attributes afterwards ("…? se demande Le Progrès") or names as a title
("l'ouvrage Comment monter… ?") is someone else's question, not the poster's."""

from __future__ import annotations

import re

from plugins.questions.clauses import LEADING, LETTERS, SENTENCES, TRAILING, fold
from plugins.questions.openers import LANG_FILLER, TABLES

# Someone else's words in quotation marks ("il m'a dit « tu viens ? »", 'he asked "why?"') are not the
# poster's question; a quote left open runs to the end of the text. Bounded: no nesting, one pass.
_QUOTED = re.compile(r"«[^«»]*(?:»|$)|“[^“”]*(?:”|$)|„[^„“”]*(?:[“”]|$)|\"[^\"\n]*\"")

# Reported speech: what follows "I said", "he asked", "il m'a dit", "je me suis dit" is someone's words, not
# the poster's question (with or without the quotation marks). Subject pronoun, then the speech verb.
_REPORTED: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(?:i|he|she|they|we|you|people|someone|somebody|everybody|everyone|my \w+|his \w+|her \w+)\s+"
        r"(?:(?:just|finally|then|always|would|'d|had|have|kept|was|were)\s+)?"
        r"(?:said|says|asked|asks|goes|went|told \w+|was like|were like|thought|wondered|saying|asking)\b"
        r"(?:\s+(?:to )?(?:me|him|her|them|us|you|myself|himself|herself))?"
        r"(?!\s*(?:that|to|so|it|yes|no|nothing|something|about|for|if|whether)\b)"
        # Any speaker: "people would have said, why…", "they ask me, why…", "I'm like, how do they…"; only
        # cut when the words that follow are set off or open as a question (see `own_sentences`).
        r"|(?<=\w )(?<!i )(?<!going to )(?<!gonna )(?<!want to )(?<!wanted to )(?<!meant to )(?<!that )\b"
        r"(?:say|says|said|saying|asked|asks|suggested)\b(?:\s+(?:to )?(?:me|him|her|them|us|you)\b)?"
        r"|\b(?:ask|asking)\s+(?:me|him|her|them|us)\b"
        r"|\b(?:i'm|im|i was|it was|it's|he's|she's|they're|we're|he was|she was|they were|we were) like\b"
    ),
    "fr": re.compile(
        r"(?<![-'])\b(?:je|j'|il|elle|on|ils|elles|tu)\s*(?:(?:me|m'|te|t'|lui|leur|nous|vous|se|s')\s*)?"
        r"(?:(?:suis|est|ai|a|as|avait|avais|avons|ont)\s+)?"
        r"(?:dit|dis|disait|disais|demandé|demandait|demandais|répond|répondu|répondait|"
        r"pose la question|posé la question|pensé|pensais|pensait)\b"
        r"(?!\s*(?:que|qu'(?!est)|de|d'|à|ça|ca|rien|oui|non|si|s'il|s'ils)\b)"
        r"|\b(?:me|m'|lui|leur) (?:fait|fais|faisait)\b|\bje fais mais\b"
        r"|\b(?:pos\w+|demand\w+) (?:[^\W\d_]+ ){0,3}questions?\b"
        r"|\b(?:lui|leur) (?:demander|dire)\b|\bqui (?:me |m'|lui |nous |vous |leur )?(?:disait|demandait)\b"
    ),
}

# A sentence that opens with a speech verb put after its subject's words ("que va faire le président ?
# se demande Le Progrès", "tu viens ? demanda-t-il") says the question before it was someone else's.
_POSTPOSED: dict[str, re.Pattern[str]] = {
    "fr": re.compile(
        r"(?:se demande|se demandait|se demandent|se demandaient|s'interroge|s'interrogeait|"
        r"(?:demande|demanda|demandait|dit|disait|lance|lança|répond|répondit|interroge|interrogea|"
        r"s'exclame|s'exclama)-t?-?(?:il|elle|on|ils|elles)|"
        r"(?:m'|lui |me |nous |vous |leur )?a-t-(?:il|elle|on) (?:demandé|dit|lancé|répondu))\b"
    ),
}

# A capital after a word or a colon, in the middle of a sentence: where a title or a topic starts.
_TITLE = re.compile(r"(?<=[^\W\d_]\s|:\s)(?=[A-ZÀ-ÖØ-ÞŒ])")

# Words that show the poster speaking for themselves or to the others (not naming a title).
_PERSON: dict[str, frozenset[str]] = {
    "fr": frozenset(
        {"je", "j", "tu", "t", "vous", "on", "nous", "me", "m", "moi", "mon", "ma", "mes", "ton", "ta", "tes"}
        | {"votre", "vos", "notre", "nos", "te", "toi", "svp", "stp"}
    ),
}  # French only: English chat capitalises at random ("It's over weight, Do you want…?")
# (the word before a title, the last word before a colon that introduces a topic)
_NAMING: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "fr": (
        frozenset(
            {"dans", "de", "du", "des", "par", "sur", "l", "le", "la", "les", "ouvrage", "livre", "roman", "film"}
            | {"chanson", "album", "titre", "intitulé", "intitulée", "émission", "pièce", "poème", "essai"}
            | {"article", "série", "spectacle", "conférence", "sketch", "œuvre", "épisode", "disque", "tube"}
        ),
        frozenset(
            {"question", "questions", "sujet", "thème", "titre", "dilemme", "interrogation", "intitulé", "est"}
            | {"était", "fut", "signifie", "suivante", "suivant", "problématique", "énigme"}
        ),
    ),
}


def _own(cleaned: str) -> str:
    """The cleaned text without what it quotes in quotation marks."""
    return _QUOTED.sub(" ", cleaned).strip() if any(mark in cleaned for mark in '«“„"') else cleaned


def title_sentences(text: str, language: str) -> set[str]:
    """The sentences of the (unfolded) text that end with a question mark only because they name a title or
    a topic: an interrogative form written with a capital in the middle of a statement ("il prépare
    l'ouvrage Comment monter votre pièce ?", "sur le sujet : Quelle a été… ?"). Folded, as `own_sentences`
    gives them. The word before the capital must introduce a title ("dans", "l'ouvrage"), or the words before
    the colon name a topic ("la question suivante est", "sur le sujet"), so that a run-on chat message stays
    a question ("le bot répond plus Quelqu'un sait ?", "le serveur plante : Quelqu'un sait ?"); and they must
    not be the poster's (a pronoun of the first or second person) nor a greeting or filler ("salut Comment
    faire ?", "Question : Comment…?")."""
    person = _PERSON.get(language)
    naming = _NAMING.get(language)
    if person is None or naming is None or language not in TABLES:
        return set()
    titles = set()
    for match in SENTENCES.finditer(_own(text)):
        sentence = match.group().strip()
        if not TRAILING.search(sentence):
            continue
        for count, title in enumerate(_TITLE.finditer(sentence)):
            if count >= 8:  # a handful of capitals per sentence is all a title needs; bounded
                break
            before = fold(sentence[: title.start()])
            words = LETTERS.findall(before)
            if (
                len(words) >= 2
                and words[-1] in (naming[1] if before.rstrip().endswith(":") else naming[0])
                and not person.intersection(words)
                and LANG_FILLER[language].match(before) is None
                and TABLES[language].match(fold(sentence[title.end() :]))
            ):
                titles.add(fold(sentence))
                break
    return titles


def own_sentences(cleaned: str, language: str) -> list[str]:
    """The sentences of the text as the poster's own words: quotations removed, and a sentence that reports
    speech ("je lui ai dit tu viens ?") cut before its speech verb."""
    reported = _REPORTED.get(language)
    sentences: list[str] = []
    for match in SENTENCES.finditer(_own(cleaned)):
        sentence = match.group().strip()
        if reported is not None and (said := reported.search(sentence)) is not None:
            # Direct speech follows its verb at once, after a comma, a colon or a quotation mark, or as a
            # question form ("il m'a dit qu'est-ce que…"); "he said he would come, is it on?" still asks.
            # In English the "that" of indirect speech is often left out, so only those forms count there;
            # French reports the words themselves ("il me dit mais pourquoi tu souris ?").
            words = sentence[said.end() :].lstrip()
            if (
                language != "en"
                or words[:1] in (",", ":", "«", '"', "“")
                or TABLES[language].match(words)
                or LANG_FILLER[language].match(words)
            ):
                sentence = sentence[: said.start()].strip()
        if sentence:
            postposed = _POSTPOSED.get(language)
            if postposed is not None and sentences and postposed.match(LEADING.sub("", sentence)):
                sentences.pop()  # the question before it was someone else's ("…? se demande Le Progrès")
                continue  # and the speech verb's own inversion ("demanda-t-il") asks nothing
            sentences.append(sentence)
    return sentences
