"""What the tracker reads of a message before deciding it is a question: the poster's own words (quotes,
code, links and emoji set aside), whether it is a paste rather than a question, and the language it is
read in.

The language step (`settle`): the statistical detector judges texts of 12 letters or more; a shorter
or unclear text is read in the community's language. The interrogative openers of the detector's
tables are a second opinion that may move a text to another language ("How do I export to CSV?"
guessed Portuguese; "how do I join" in a French community), but only when the text's small words side
with that language: each supported language has a short list of its most frequent function words
(`FUNCTION_WORDS`), and the opener's language must count more of the text's words that are its own
and not the first language's than the reverse. So "was gonna ask" stays English in an English
community ("gonna" is English, "was" is both), "come here" stays English ("here"), while "was ist
das" is German ("ist", "das") and "come posso" Italian ("posso"). With no word on either side the
first language stays: a guess is never made from an opener alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from plugins.questions import clauses, detector

MAX_CHARS = 4_000
"""A message longer than this is a paste (a log, a document, code), never a question: a person asking
writes far less (Discord caps a message at 2,000 characters, 4,000 with Nitro), and a 50 KB log that
ends with "?" asks nobody anything. Only its length is read."""

_WORD = re.compile(r"[^\W\d_]+")
_MARKS = re.compile("[¿¡]")


def _listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


# The most frequent function words (articles, pronouns, auxiliaries, prepositions, question words) and a
# few chat spellings, lower-case. Words shared by two languages ("was", "come", "a", "in") count for
# neither when those two are compared, which is the point.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _listed(
        "the a an and or but of to in on at for with from by about as is are was were be been being am "
        "do does did done have has had can could would will should shall may might must i you he she it "
        "we they me him her us them my your his its our their this that these those there here what how "
        "where why when who which whats hows whos wheres not dont doesnt didnt cant wont isnt arent no "
        "yes if any anyone anybody someone somebody something know get got gonna wanna gotta going just "
        "u ur r pls please thanks so some up out come anything else uh um aren isn don doesn didn won wasn "
        "weren t s ll re ve m"
    ),
    "fr": _listed(
        "le la les un une des du de d l et ou mais est sont suis es être a ai as ont avez avons je j tu "
        "il elle on nous vous ils elles me m te t se s moi toi ce c ça ca cette ces mon ma mes ton ta tes "
        "son sa ses notre votre vos leur qui que qu quoi quel quelle quels quelles comment pourquoi où "
        "quand combien pas ne n plus pour dans sur avec sans en au aux y si oui non merci quelqu qqn "
        "bonjour salut faire fait peut peux sais sait savez tout très bien vais va"
    ),
    "es": _listed(
        "el la los las un una unos unas de del al y o pero es son soy eres está están estoy hay ha he "
        "has han yo tú tu él ella nosotros vosotros ellos ellas me te se nos os le lo les mi mis su sus "
        "que qué quien quién como cómo donde dónde cuando cuándo cuál cual por para con sin en no sí si "
        "alguien algo sabe sabes sabéis saben puedo puede puedes pueden hola gracias muy más este esta "
        "eso esto ese esa hacer tengo tiene también porque ¿ ¡"
    ),
    "de": _listed(
        "der die das den dem des ein eine einen einem einer und oder aber ist sind bin bist seid war "
        "waren hat habe hast haben ich du er sie es wir ihr mich dich mir dir uns euch sich mein meine "
        "dein deine was wie wo warum wann wer welche welcher welches nicht kein keine ja nein mit von zu "
        "zum zur auf für im in an am auch noch schon kann kannst können weiß weißt gibt jemand hier da "
        "dass so mal doch man geht danke hallo"
    ),
    "it": _listed(
        "il lo la i gli le un uno una di del della dei da dal in nel nella con su per tra fra e ed o ma "
        "è sono sei siamo siete ho hai ha abbiamo avete hanno io tu lui lei noi voi loro mi ti ci vi si "
        "ne che chi cosa come dove quando quanto quale quali perché perchè non sì qualcuno qualcosa posso "
        "può puoi potete sapete sai sa grazie ciao anche già molto questo questa quello c"
    ),
    "pt": _listed(
        "o a os as um uma uns umas de do da dos das em no na nos nas e ou mas é são sou está estão tem "
        "têm tenho eu você voce vocês ele ela nós eles elas me te se lhe meu minha seu sua que quê quem "
        "como onde quando qual quais quanto porque por para pra com sem não nao sim alguém alguem algum "
        "alguma sabe sabem posso pode podem obrigado obrigada oi olá também muito mais isso isto esse "
        "essa este esta fazer vai"
    ),
}


def is_paste(text: str) -> bool:
    """True for a message too long to be a question (`MAX_CHARS`): only its length is read."""
    return len(text) > MAX_CHARS


def own_words(text: str) -> str:
    """What the poster wrote themselves (the detector's reading: `clauses.own_words`)."""
    return clauses.own_words(text)


def letters(text: str) -> int:
    """How many letters the text has (what the statistical detector needs 12 of)."""
    return sum(len(word) for word in _WORD.findall(text))


def _words(text: str) -> list[str]:
    """The text's words, lower-case; Spanish's opening marks `¿` and `¡` count as Spanish words."""
    return _WORD.findall(text.lower()) + _MARKS.findall(text)


def _sides_with(words: list[str], language: str, than: str) -> bool:
    """True when more of `words` are function words of `language` only than of `than` only."""
    mine, theirs = FUNCTION_WORDS.get(language, frozenset()), FUNCTION_WORDS.get(than, frozenset())
    return sum(w in mine and w not in theirs for w in words) > sum(w in theirs and w not in mine for w in words)


def settle(text: str, base: str, followed: Collection[str] = detector.LANGUAGES) -> str:
    """The language to read `text` in, starting from `base` (the detected language, or the community's for
    short and unclear texts): another followed language's opener moves it only when the function words agree."""
    other = detector.opener_language(text, base)
    if other == base and _MARKS.search(text):
        other = "es"  # `¿` opens a Spanish question, though the opener tables read clauses from their first letter
    if other == base or other not in followed:
        return base
    return other if _sides_with(_words(text), other, base) else base


def rescue(text: str, community: str, followed: Collection[str] = detector.LANGUAGES) -> str | None:
    """For a text the detector put in a language the bot does not follow: the followed language it is
    plainly written in after all, else None. "Plainly": at least two of its words, and a third of them,
    are that language's function words (the community's language first on a tie), as in "ok so what do
    we do now?" or "How do I export to CSV?", both of which langdetect puts elsewhere with certainty."""
    words = _words(text)
    best: tuple[int, bool, str] | None = None
    for language in followed:
        own = sum(w in FUNCTION_WORDS.get(language, frozenset()) for w in words)
        ranked = (own, language == community, language)
        if best is None or ranked > best:
            best = ranked
    if best is None or best[0] < 2 or best[0] * 3 < len(words):
        return None
    return best[2]
