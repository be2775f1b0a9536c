"""What looks like a question and asks nothing: set phrases that open like one ("what can I say",
"pourquoi pas", "wie gesagt"), formulaic reactions and echoes that end with "?" ("ok?", "vraiment ?",
"Oh, do they?"), and the closing tags that shrug or seek agreement ("…, tu vois ?", "…, you know?")."""

from __future__ import annotations

import re

from plugins.questions.openers import END, FILLERS

# Clauses that open like a question but say something (rhetorical or idiomatic), matched where the
# opener would be: "what can I say", "who knows", "pourquoi pas", "wie gesagt", "che ne so".
_SET_PHRASES: dict[str, tuple[str, ...]] = {
    "fr": (
        r"pourquoi pas(?: (?:lol|mdr|après tout|apres tout))?$",
        r"qui sait(?: (?:lol|mdr))?$",
        r"quel(?:le)?s? (?:plaisir|bonheur|horreur|honte|dommage|chance|joie|bonne nouvelle|galère|galere|"
        r"beauté|belle|beau|bel|blague|merde|bordel|enfer|surprise|talent|classe|idiot|idiote|angoisse|"
        r"tristesse|soulagement|boulot|travail|histoire|aventure|émotion|emotion)\b",
        r"comment dire\b",
        r"(?:voyez|vois|savez|sais)-(?:vous|tu)$",
        r"\w+-t-(?:il|elle|on) (?:dit|indiqué|expliqué|ajouté|précisé|déclaré|affirmé|souligné|estimé|confié|"
        r"assuré|rappelé|reconnu|poursuivi|annoncé|raconté|répondu|lancé|conclu|noté|insisté|résumé)\b",
        r"(?:dit|ajoute|explique|précise|souligne|indique|affirme|déclare|estime|confie|assure|rappelle|"
        r"reconnaît|poursuit|annonce|raconte|lance|répond|conclut|note|observe|insiste|résume|entend|lit|"
        r"semble|paraît|parait)-(?:t-)?(?:il|elle|on|ils|elles)\b",
        r"allez savoir\b",
        r"va savoir\b",
        r"(?:tu|vous) (?:sais|savez) (?:quoi|ce qu)",
        r"comment (?:dirais-je|dirai-je)$",
    ),
    "en": (
        r"what can (?:i|you|we) (?:say|do)(?: lol| haha)?$",
        r"what can i say\b",
        r"what do (?:i|you|we) know$",
        r"who (?:knows|cares)(?: lol| haha| really| though| tho| anyway)?$",
        r"why not(?: lol| haha| though| tho)?$",
        r"how (?:come|about) (?:it|that)$",
        r"which (?:is|was|means|meant|makes|made) (?:why|how|what|great|good|nice|cool|fine|awesome|weird|odd|"
        r"strange|funny|interesting|sad|bad|a |an |also|not|probably|really|pretty|very|so|just|kind|kinda|sort|"
        r"totally|exactly|more|less|still|only|even|the reason|when|where)",
        r"(?:do |did )?you know what\b",
        r"guess what\b",
        r"what's (?:more|worse)\b",
        # "so do we", "so does my husband" agree; "so do you know how…" asks (the phrase must end the clause).
        r"(?:so|neither|nor) (?:do|does|did|am|is|are|was|were|have|has|can|could|will|would|should) "
        r"(?:i|we|you|they|he|she|it|(?:my|his|her|our|their|your|the) [^\W\d_]+)(?: too| though| tho)?$",
        # Pseudo-clefts: "what happened was…", "what's amazing is…" say what, they ask nothing.
        r"what (?:happened|happens|happen) (?:was|is)\b",
        r"what(?:'s| is| was) (?:amazing|funny|interesting|strange|weird|sad|scary|important|nice|great|worse|"
        r"left|neat|cool|odd|ironic|surprising|frustrating|annoying|crazy|bad|good|nice|hard|easy|true|sure) "
        r"(?:is|was)\b",
        r"(?:don't|doesn't|didn't|isn't|aren't|haven't|hasn't|can't|won't) (?:we|you|they|i|he|she|it) all\b",
        r"should (?:you|anyone|anybody|they|we|there) (?:need|require|wish|have any)\b",
        r"(?:is|was) (?:the|my|your|one|this|that) (?:best|worst|first|last|only|same|one)\b(?! \w+ (?:you|u)\b)",
        # A speaker searching for their own words asks nobody ("what was I going to say", "how can I put it").
        r"what (?:else )?(?:was|am) i (?:going to|gonna|about to|trying to) say\b",
        r"what (?:do|did) i (?:want|mean|wanna) (?:to )?say\b",
        r"how (?:can|do|shall|should|could) i (?:say|put|describe|explain) (?:it|this|that)$",
        r"what's the word$",
        r"isn't (?:that|it) (?:the truth|funny|great|something|amazing|nice|wild|crazy|"
        r"interesting|wonderful|strange|weird|ironic)$",
    ),
    "es": (
        r"por qué no$",
        r"quién sabe$",
        r"qué (?:bueno|bien|bonito|bonita|lindo|linda|guay|pena|rico|rica|suerte|horror|miedo|asco|raro|rara|"
        r"gracioso|graciosa|fuerte|locura|alegría|alegria|triste|mal|feo|fea|chulo|chula)\b",
        r"cómo no$",
    ),
    "de": (
        r"warum nicht$",
        r"wer weiß$",
        r"wer weiss$",
        r"was weiß ich\b",
        r"(?:kann|muss|weiß|weiss|habe|hab|mache|mach|werde|würde|darf|sollte|könnte) ich (?:nicht|auch|mal|"
        r"gern|gerne|bestätigen|verstehen|nachvollziehen|leider|noch|dir|euch|ihnen|morgen|heute|später|gleich|"
        r"schon|bald|jetzt|sofort|so)\b",
        r"(?:ist|war) (?:doch|halt|eben|ja|echt|wirklich|schon|auch|mir|egal|gut|super|toll|klar)\b",
    ),
    "it": (
        r"perché no$",
        r"perche no$",
        r"chi lo sa$",
        r"che ne so\b",
        r"come (?:ho detto|dicevo|sempre|al solito|previsto|promesso|da programma)\b",
    ),
    "pt": (
        r"por que não$",
        r"porque não$",
        r"quem sabe(?! (?:se|como|onde|quando|qual|o que))",
        r"como (?:eu disse|sempre|combinado|prometido|previsto)\b",
        r"que (?:bom|legal|pena|massa|top|lindo|linda|show|saudade|saudades|delícia|delicia)\b",
    ),
}

# One-word or formulaic reactions that end with "?" but ask nothing worth tracking. Runs of three or more
# identical letters are read as one ("whaaat", "hmmm"): see `_squeeze`.
_REACTIONS: frozenset[str] = frozenset(
    {
        # French
        "ah bon",
        "c'est vrai",
        "sérieux",
        "serieux",
        "sérieusement",
        "vraiment",
        "ah oui",
        "hein",
        "quoi",
        "comment",
        "non",
        "oui",
        "pardon",
        "et alors",
        "alors",
        "et",
        "pourquoi pas",
        "comment ça",
        "comment ca",
        "ah ouais",
        "ouais",
        "vraiment pas",
        "t'es sûr",
        "t'es sur",
        "tu es sûr",
        "vous êtes sûr",
        "t'es sérieux",
        "tu crois",
        "vous croyez",
        "tu trouves",
        "bah",
        "ben",
        "euh",
        "mdr",
        "ptdr",
        "hé",
        "eh",
        "han",
        "hum",
        "ah non",
        "oh non",
        "d'accord",
        "ok d'accord",
        "ah d'accord",
        "c'est-à-dire",
        "c'est à dire",
        "qui sait",
        "allô",
        "allo",
        "n'est-ce pas",
        "pas vrai",
        "hein quoi",
        "quoi donc",
        # English
        "really",
        "seriously",
        "for real",
        "are you serious",
        "you serious",
        "you sure",
        "are you sure",
        "no way",
        "right",
        "huh",
        "what",
        "sure",
        "lol",
        "lmao",
        "wat",
        "wut",
        "wot",
        "wtf",
        "wth",
        "omg",
        "srsly",
        "rly",
        "oh really",
        "oh yeah",
        "yeah",
        "yea",
        "yep",
        "yes",
        "no",
        "nope",
        "why not",
        "how come",
        "who knows",
        "who cares",
        "so what",
        "what the hell",
        "what the heck",
        "what the fuck",
        "excuse me",
        "sorry",
        "come again",
        "pardon me",
        "i'm sorry",
        "im sorry",
        "sorry what",
        "i'm sorry what",
        "a what",
        "did what",
        "do what",
        "think so",
        "you think so",
        "say what",
        "huh what",
        "what now",
        "yeah right",
        "is that so",
        "is that right",
        "oh is it",
        "right right",
        "you think",
        "hello",
        "um",
        "uh",
        # Spanish
        "en serio",
        "de verdad",
        "verdad",
        "ah sí",
        "ah si",
        "qué",
        "que",
        "cómo",
        "como",
        "por qué no",
        "quién sabe",
        "sí",
        "si",
        # German
        "wirklich",
        "echt",
        "ernsthaft",
        "was",
        "wie",
        "ach ja",
        "ach so",
        "warum nicht",
        "wer weiß",
        "ja",
        "nein",
        "häh",
        "hä",
        "hae",
        # Italian
        "davvero",
        "sul serio",
        "ah sì",
        "cioè",
        "cosa",
        "perché no",
        "chi lo sa",
        # Portuguese
        "sério",
        "serio",
        "verdade",
        "é mesmo",
        "jura",
        "né",
        "por que não",
        "quem sabe",
        "hã",
        # A bump in one's own thread, a greeting or a ping asks nothing new
        "anyone",
        "anybody",
        "any1",
        "someone",
        "somebody",
        "help",
        "bump",
        "up",
        "ping",
        "hey",
        "hi",
        "quelqu'un",
        "qqn",
        "personne",
        "coucou",
        "salut",
        "alguien",
        "hola",
        "jemand",
        "hallo",
        "qualcuno",
        "ciao",
        "alguém",
        "alguem",
        "oi",
        "olá",
        # Everywhere
        "ok",
        "okay",
        "k",
        "oh",
        "ah",
        "hm",
        "hmm",
        "and",
        "so",
        "e",
        "y",
        "und",
    }
)

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SQUEEZE = re.compile(r"([^\W\d_])\1{2,}")

SET_TABLES: dict[str, re.Pattern[str]] = {  # `$` there is the clause's end, "?" or "!" allowed
    lang: re.compile("^(?:(?:" + FILLERS[lang] + r")\s+){0,3}(?:" + "|".join(patterns).replace("$", END) + ")")
    for lang, patterns in _SET_PHRASES.items()
}

# A sentence ending "..., pourquoi pas ?", "... who knows?" or with a tag that seeks agreement ("..., hein ?",
# "..., tu vois ?", "..., you know?") shrugs or checks: the rest must ask on its own.
_SHRUGS: dict[str, tuple[str, str]] = {  # (anywhere after a non-letter, only after a comma)
    "fr": (
        r"pourquoi pas|qui sait|hein|tu vois|vous voyez|voyez|tu sais|vous savez|n'est-ce pas|pas vrai|"
        r"tu crois pas|tu imagines|vous imaginez|tu te rends compte|tu te rappelles|tu te souviens",
        r"non",
    ),
    "en": (r"why not|who knows|you know|ya know|you see|huh|innit|don't you think", r"no"),
    "es": (r"por qué no|quién sabe|¿no|sabes", r"no"),
    "de": (r"warum nicht|wer weiß|wer weiss|nicht wahr|gell|weißt du|weisst du", r"oder"),
    "it": (r"perché no|chi lo sa|sai", r"no|vero"),
    "pt": (r"por que não|quem sabe|não é|sabe", r"né"),
}
TRAILING_SHRUG: dict[str, re.Pattern[str]] = {
    lang: re.compile(r"(?:(?:^|\W)(?:" + anywhere + r")|,\s*(?:" + after_comma + r"))\W*$")
    for lang, (anywhere, after_comma) in _SHRUGS.items()
}
# Echoes and backchannels in question form ("Oh, do they?", "He does?", "Is that right?", "tu vois ?"): the
# listener reacts, asks nothing to answer.
_ECHO = re.compile(
    r"^(?:(?:oh|ah|uh|um|well|really|so|and|yeah|mm)\s+){0,2}(?:"
    r"(?:do|did|does|is|are|was|were|have|has|had|can|could|will|would|should|must)(?:n't)? "
    r"(?:you|i|he|she|it|they|we|that|there|ya|u)|"
    r"(?:you|i|he|she|it|they|we|that) (?:do|did|does|is|are|was|were|have|has|had|can|could|will|would|"
    r"should|don't|didn't|doesn't|isn't|aren't|wasn't|weren't|haven't|hasn't|can't|won't|wouldn't)|"
    r"(?:is|was) (?:that|it) (?:so|right|true|all)|(?:you|ya) (?:know|see|mean)(?: what i mean)?|"
    r"know what i mean|(?:ah |oh )?(?:c'est|c'était|c'etait) (?:vrai|sûr|sur|ça|ca)|"
    r"(?:tu|vous) (?:vois|voyez|sais|savez|imagines|imaginez|crois|croyez|te rends compte|vous rendez compte|"
    r"te souviens|vous souvenez|te rappelles|vous rappelez|as vu|avez vu)|t'as vu|voyez"
    r")(?: not| too| really| now| though| then| non| pas| hein| quoi)?$"
)


def _squeeze(words: list[str]) -> str:
    return _SQUEEZE.sub(r"\1", " ".join(words))


_LONGEST_WORD = 45


def is_reaction(cleaned: str) -> bool:
    """`ok?`, `what?`, `vraiment ?`, `really??`, `whaaat?`, `oh, do they?`: a formulaic reaction or an echo,
    or no word at all."""
    words = _WORD.findall(cleaned)
    if not words:
        return True
    said = " ".join(words)
    squeezed = _squeeze(words)
    return (
        said in _REACTIONS
        or squeezed in _REACTIONS
        # A lone "word" of one letter asks nothing; nor does one longer than any real word (German compounds
        # included): a keyboard mash or a paste of 3,999 x's with a "?".
        or (len(words) == 1 and not 2 <= len(said) <= _LONGEST_WORD)
        or (len(words) <= 6 and _ECHO.match(squeezed) is not None)
    )
