"""Question detection on what speech and edited text taught the rules (issue 19, second pass): reported
speech by any speaker, a French speech verb after the question, titles named with a capital, clauses that
a verb of seeing or telling embeds, word searches, hedges, a copula after a comma, a closing "you know",
"does anyone have" inside a sentence. Each rule both ways, in French and English: the statement is left
alone, the chat question is still caught. Also the cost of the new patterns on hostile text."""

from __future__ import annotations

import pytest

from plugins.questions import detector


def _asks(text: str, language: str) -> bool:
    """What the tracker does once the language is known: the cheap pre-check, then the language's table."""
    return detector.is_candidate(text) and detector.is_question(text, language)


STATEMENTS = [
    # Someone else's question, reported by any speaker
    ("en", "people would have said, why are you going to work."),
    ("en", "several times they ask me, why are there two bridges?"),
    ("en", "and I'm like, how do they seem so together all the time."),
    ("en", "lots of people have said, well, isn't camping boring?"),
    ("fr", "un monsieur qui disait non mais vous êtes sûre vous allez bien ?"),
    ("fr", "j'ai couru pour lui demander est-ce que ça te dirait qu'on traîne ensemble ?"),
    # A French speech verb after the question
    ("fr", "Que va faire maintenant le président ? se demande Le Progrès."),
    ("fr", "Tu viens ? demanda-t-il."),
    # A speaker's search for their own words
    ("en", "What was I going to say about that"),
    ("en", "how can I put it"),
    ("en", "that country singer, uh, what's his name, Willie Nelson."),
    ("en", "the, what did you call it, the sales tax, is just outrageous."),
    ("fr", "elle a regardé dans son, comment ça s'appelle …"),
    ("fr", "c'était, comment dirais-je"),
    # Titles and topics named with a capital in the middle of a sentence
    ("fr", "Il prépare l'ouvrage Comment monter votre pièce de théâtre ?"),
    ("fr", "La question suivante est : Peut-on y prendre épouse ?"),
    ("fr", "L'année suivante, il décrocha le prix sur le sujet : Quelle a été l'origine de l'astrologie ?"),
    # Without a question mark: what a verb of seeing or telling embeds, French narrative in the imperfect
    ("fr", "Et euh je regardais, euh, comment se tournait la scène,"),
    ("fr", "c'était cool, ça m'a permis de découvrir le monde du cinéma, comment ça se passait"),
    ("en", "you've got to think about, uh, how much you're going to put down"),
    ("en", "it was just based on, you know, how much your tuition costs"),
    # A copula after a comma, a closing "you know", an exclamation in question form
    ("en", "the reason she moved, is that she was driving him nuts"),
    ("en", "what's the significance of the apes, you know"),
    ("fr", "on fait quoi de tout ça, tu vois"),
    ("en", "Isn't that the truth."),
    # Agreeing, and pseudo-clefts that say what
    ("en", "so does my husband"),
    ("en", "neither do we"),
    ("en", "what happened was that the water settled on the top"),
    ("en", "what's amazing is some of them have been there for years"),
    # Asking to hear again, not asking something
    ("en", "Pardon me?"),
    ("en", "I'm sorry, what?"),
    ("en", "A what?"),
    ("en", "You think so?"),
    ("fr", "Pardon ?"),
    # "anyone" without an auxiliary before it
    ("en", "I don't think anyone has clay"),
]

QUESTIONS = [
    # Speech verbs that introduce the poster's own question
    ("en", "I was going to say, do you just mix it to taste?"),
    ("en", "Can I ask, how do I reset my password?"),
    ("en", "Someone said the server moved, where is it now?"),
    ("en", "what did you say?"),
    ("fr", "je voulais vous demander, est-ce que le serveur est en panne ?"),
    ("fr", "vous pouvez me dire comment on s'inscrit ?"),
    # A second sentence after a question that is not a speech verb
    ("fr", "Tu viens samedi ? Dis-moi vite."),
    # Wh-words that really ask
    ("en", "what was the score"),
    ("en", "how can I put it on my server"),
    ("en", "the guy from the meetup, what's his name?"),
    ("fr", "comment ça s'appelle ce jeu ?"),
    ("fr", "comment je fais pour l'installer"),
    # A capital after a greeting, a filler or the poster's own words
    ("fr", "salut Comment on fait pour s'inscrire ?"),
    ("fr", "J'ai une question : Comment on s'inscrit ?"),
    ("fr", "Question : Comment on s'inscrit ?"),
    ("fr", "Petite question : Quelqu'un a le lien ?"),
    ("en", "Good evening, Do you have a reservation?"),
    # A run-on chat message with a capital is not a title
    ("fr", "Le bot répond plus Quelqu'un sait pourquoi ?"),
    ("fr", "Le bot ne répond plus : Quelqu'un sait pourquoi ?"),
    ("fr", "Le serveur plante depuis ce matin : Des idées ?"),
    # A later clause that asks on its own
    ("fr", "j'ai installé le mod, comment je fais pour le lancer"),
    ("fr", "avant la mise à jour, comment ça se passait pour les rôles"),
    ("en", "I restarted the server, how do I check the logs"),
    ("en", "I updated it, is that normal"),
    ("en", "what's the significance of the apes"),
    ("fr", "on fait quoi de tout ça"),
    ("en", "isn't that the new version?"),
    # A question after an apology, a thing asked about
    ("en", "Sorry, where is the meeting?"),
    ("en", "What's that?"),
    ("en", "Do you think so too?"),
    ("fr", "Pardon, c'est où la réunion ?"),
    # "so" and "what" that open a real question
    ("en", "so do you know how to fix it"),
    ("en", "so is it fixed"),
    ("en", "what happened to the server"),
    ("en", "what's left to do"),
    # "does anyone have" inside a sentence
    ("en", "I have plenty sheep does anyone have clay"),
    ("en", "got wood, would anyone want some"),
]


@pytest.mark.parametrize(("language", "text"), STATEMENTS)
def test_statements_from_speech_and_edited_text_are_not_questions(language: str, text: str) -> None:
    assert not _asks(text, language)


@pytest.mark.parametrize(("language", "text"), QUESTIONS)
def test_chat_questions_are_still_caught(language: str, text: str) -> None:
    assert _asks(text, language)


def test_both_languages_have_cases_both_ways() -> None:
    for language in ("en", "fr"):
        assert any(lang == language for lang, _ in STATEMENTS)
        assert any(lang == language for lang, _ in QUESTIONS)


HOSTILE = [
    "Il prépare l'ouvrage " + "Comment " * 3_000 + "?",
    "La question : " + "Peut-on A B C " * 1_500 + "?",
    "voir " * 500 + "euh " * 2_000 + ", comment",
    "they said, " * 2_000 + "why?",
    "does anyone " * 3_000 + "have",
    "x, " * 5_000 + "you know",
    "a" * 20_000 + "ait, comment on faisait",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda text: f"{text[:12]!r}x{len(text)}")
def test_hostile_text_stays_cheap_with_the_spoken_rules(text: str) -> None:
    # No timing assertion (shared machines are noisy): a pattern that backtracks badly on one of these shows
    # as a suite that never finishes. Every entry point a message goes through is exercised.
    assert detector.is_candidate(text) in (True, False)
    for language in detector.LANGUAGES:
        assert detector.is_question(text, language) in (True, False)
    assert detector.opener_language(text, "en") in (*detector.LANGUAGES, "en")
