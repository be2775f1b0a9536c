"""The built-in engagement-bait list, in French and English.

Communities switch it on with `/filter bait on`: each phrase becomes an ordinary `tag` rule marked
built-in, which moderators may remove or complement like any other; `/filter bait off` removes the
built-in rules only. Phrases are chosen to be bait in every context: a lone « commente » would also
catch « comment ça va » through plural and feminine folding, so the list uses the imperative phrases.
A question mark is not part of a phrase's normal form, so "agree?" and "thoughts?" are patterns that
only match when they end the message.
"""

from __future__ import annotations

BAIT_PHRASES: tuple[str, ...] = (
    # French
    "commente si",
    "commentez si",
    "commente ci-dessous",
    "commentez ci-dessous",
    "commente en dessous",
    "dis-moi en commentaire",
    "dites-moi en commentaire",
    "qu'en pensez-vous",
    "qu'en penses-tu",
    "like si",
    "likez si",
    "partage si",
    "partagez si",
    "tague un ami",
    "taguez un ami",
    "identifie un ami",
    "identifiez un ami",
    "abonne-toi",
    "abonnez-vous",
    # English
    "tag a friend",
    "tag someone",
    "comment below",
    "comment yes",
    "comment if",
    "like if",
    "like and share",
    "share if",
    "who agrees",
    "smash that like",
    "follow for more",
)

BAIT_PATTERNS: tuple[str, ...] = (
    r"\bagree\s?\?\s*$",
    r"\bthoughts\s?\?\s*$",
    r"\bd['’]accord\s?\?\s*$",
)
